#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "imap/session.h"

namespace roost::imap {
namespace {

using Kind = store::MailboxEvent::Kind;

store::MailboxEvent changed(store::MailboxId mailbox, store::ModSeq modseq) {
  return {Kind::Changed, 1, mailbox, modseq};
}

class ChangeNoticeTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  ChangeNotice notice_{io_.get_executor()};
};

TEST_F(ChangeNoticeTest, OnlyTheWatchedMailboxGetsDirty) {
  notice_.watched = 7;
  notice_.note(changed(8, 5));
  EXPECT_FALSE(notice_.dirty);
  notice_.note(changed(7, 5));
  EXPECT_TRUE(notice_.dirty);
}

// A SELECT reads the mailbox off the strand; events that arrive before the selection takes
// effect are kept per mailbox so select() can tell whether its view missed a commit.
TEST_F(ChangeNoticeTest, RemembersTheLatestModSeqOfUnwatchedMailboxes) {
  notice_.note(changed(7, 5));
  notice_.note(changed(7, 9));
  notice_.note(changed(7, 6));
  notice_.note(changed(3, 2));
  EXPECT_EQ(notice_.latest[7], 9u);
  EXPECT_EQ(notice_.latest[3], 2u);
  notice_.note({Kind::Deleted, 1, 3, 2});
  EXPECT_EQ(notice_.latest[3], ChangeNotice::kGone);
  EXPECT_FALSE(notice_.dirty);
}

TEST_F(ChangeNoticeTest, ChangesTheLastRefreshReadLeaveTheSelectionClean) {
  notice_.watched = 7;
  notice_.known = 10;
  notice_.note(changed(7, 10));
  EXPECT_FALSE(notice_.dirty);
  notice_.note({Kind::Renamed, 1, 7, 0});  // not a MODSEQ change: always looked at
  EXPECT_TRUE(notice_.dirty);
  notice_.clear();
  notice_.note(changed(7, 11));
  EXPECT_TRUE(notice_.dirty);
}

}  // namespace
}  // namespace roost::imap
