#include "imap/flag_fetch_writer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace roost::imap {
namespace {

FetchItem item(FetchItemType type) {
  FetchItem i;
  i.type = type;
  return i;
}

store::MessageState state(store::Uid uid, uint32_t system, std::vector<std::string> keywords = {}) {
  return {uid, 1, store::Flags{system, std::move(keywords)}};
}

mailbox::MailboxView view_of(std::vector<store::MessageState> states) {
  store::MailboxInfo info;
  info.id = 1;
  info.uidvalidity = 7;
  info.highest_modseq = 1;
  info.uidnext = states.empty() ? 1 : states.back().uid + 1;
  return mailbox::MailboxView::from_states(info, std::move(states));
}

// Every message of the view through one writer, flushed at the end.
std::string write_all(const mailbox::MailboxView& view, const std::vector<FetchItem>& items) {
  auto writer = std::make_unique<FlagFetchWriter>(view, items);
  std::string out;
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) writer->write(out, {seq, view.uid_at(seq)});
  writer->flush(out);
  return out;
}

TEST(FlagFetchWriterTest, WritesUidAndFlagsInTheOrderAsked) {
  auto view = view_of({state(3, 0), state(9, store::kSeen | store::kFlagged, {"$Label1"}),
                       state(10, store::kSeen | store::kFlagged, {"$Label1"}),
                       state(4000000000u, store::kDeleted, {"a", "b"})});
  EXPECT_EQ(write_all(view, {item(FetchItemType::Uid), item(FetchItemType::Flags)}),
            "* 1 FETCH (UID 3 FLAGS ())\r\n"
            "* 2 FETCH (UID 9 FLAGS (\\Seen \\Flagged $Label1))\r\n"
            "* 3 FETCH (UID 10 FLAGS (\\Seen \\Flagged $Label1))\r\n"
            "* 4 FETCH (UID 4000000000 FLAGS (\\Deleted a b))\r\n");
  EXPECT_EQ(write_all(view, {item(FetchItemType::Flags), item(FetchItemType::Uid)}),
            "* 1 FETCH (FLAGS () UID 3)\r\n"
            "* 2 FETCH (FLAGS (\\Seen \\Flagged $Label1) UID 9)\r\n"
            "* 3 FETCH (FLAGS (\\Seen \\Flagged $Label1) UID 10)\r\n"
            "* 4 FETCH (FLAGS (\\Deleted a b) UID 4000000000)\r\n");
  EXPECT_EQ(write_all(view, {item(FetchItemType::Flags)}).substr(0, 22),
            "* 1 FETCH (FLAGS ())\r\n");
}

// Lines past the 64 KiB buffer go out in order, whether `out` is taken between writes (a batch
// sent) or only at the end.
TEST(FlagFetchWriterTest, ManyLinesCrossTheBufferInOrder) {
  std::vector<store::MessageState> states;
  std::string expected;
  for (store::Uid uid = 1; uid <= 20000; ++uid) {
    bool seen = uid % 3 == 0;
    bool label = uid % 7 == 0;
    states.push_back(
        state(uid, seen ? uint32_t{store::kSeen} : 0u,
              label ? std::vector<std::string>{"$Label1"} : std::vector<std::string>{}));
    std::string flags = seen && label ? "(\\Seen $Label1)"
                        : seen        ? "(\\Seen)"
                        : label       ? "($Label1)"
                                      : "()";
    expected += "* " + std::to_string(uid) + " FETCH (UID " + std::to_string(uid) + " FLAGS " +
                flags + ")\r\n";
  }
  auto view = view_of(states);
  std::vector<FetchItem> items = {item(FetchItemType::Uid), item(FetchItemType::Flags)};
  ASSERT_GT(expected.size(), size_t{5} << 16);
  EXPECT_EQ(write_all(view, items), expected);

  auto writer = std::make_unique<FlagFetchWriter>(view, items);
  std::string sent, out;
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) {
    writer->write(out, {seq, view.uid_at(seq)});
    if (out.size() + writer->buffered() >= 100000) {
      writer->flush(out);
      sent += out;
      out.clear();
    }
  }
  writer->flush(out);
  sent += out;
  EXPECT_EQ(sent, expected);
}

// A flag list longer than the buffer is written straight to `out`, after the lines before it.
TEST(FlagFetchWriterTest, LineLongerThanTheBufferKeepsItsPlace) {
  std::vector<std::string> keywords;
  std::string list = "(";
  for (int i = 0; i < 4000; ++i) {
    keywords.push_back("keyword-number-" + std::to_string(10000 + i));
    list += (i ? " " : "") + keywords.back();
  }
  list += ")";
  ASSERT_GT(list.size(), size_t{64} << 10);
  auto view = view_of({state(1, store::kSeen), state(2, 0, keywords), state(3, store::kSeen)});
  EXPECT_EQ(write_all(view, {item(FetchItemType::Uid), item(FetchItemType::Flags)}),
            "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n"
            "* 2 FETCH (UID 2 FLAGS " +
                list +
                ")\r\n"
                "* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n");
}

}  // namespace
}  // namespace roost::imap
