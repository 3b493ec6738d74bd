// Per-account settings, POP3 hidden marks and cached CRLF sizes, on every backend.
#include <algorithm>

#include "store_fixture.h"

namespace roost::store::testing {
namespace {

using AccountSettingsTest = StoreTest;
using Pop3HiddenTest = StoreTest;
using CrlfSizesTest = StoreTest;

using Opt = std::optional<std::string>;

TEST_P(AccountSettingsTest, SetGetOverwriteDelete) {
  Account a = make_account("alice");
  Account b = make_account("bob");
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), Opt());
  ASSERT_TRUE(store().set_account_setting(a.id, "pop3.delete_policy", "keep"));
  ASSERT_TRUE(store().set_account_setting(a.id, "imap.used", "1"));
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), Opt("keep"));
  EXPECT_EQ(*store().account_setting(b.id, "pop3.delete_policy"), Opt());  // per account

  ASSERT_TRUE(store().set_account_setting(a.id, "pop3.delete_policy", "move"));
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), Opt("move"));
  reopen();
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), Opt("move"));

  ASSERT_TRUE(store().set_account_setting(a.id, "pop3.delete_policy", ""));  // "" deletes
  EXPECT_EQ(*store().account_setting(a.id, "pop3.delete_policy"), Opt());
  EXPECT_EQ(*store().account_setting(a.id, "imap.used"), Opt("1"));
  ASSERT_TRUE(store().set_account_setting(a.id, "never.set", ""));  // deleting nothing is fine
}

TEST_P(AccountSettingsTest, Errors) {
  Account a = make_account();
  EXPECT_EQ(store().set_account_setting(a.id, "", "x").error().kind, ErrorKind::Syntax);
  EXPECT_EQ(store().account_setting(a.id + 100, "k").error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().set_account_setting(a.id + 100, "k", "v").error().kind, ErrorKind::NotFound);
}

TEST_P(AccountSettingsTest, DeleteAccountTakesItsSettingsAndMarks) {
  Account a = make_account("alice");
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage m = message("hidden then account deleted");
  ASSERT_TRUE(store().append(inbox.id, {m}));
  ASSERT_TRUE(store().set_account_setting(a.id, "pop3.delete_policy", "keep"));
  ASSERT_TRUE(store().hide_from_pop3(a.id, {m.blob.id}, 1000));
  ASSERT_TRUE(store().delete_account(a.id));
  EXPECT_EQ(store().account_setting(a.id, "pop3.delete_policy").error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().pop3_hidden(a.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().hide_from_pop3(a.id, {m.blob.id}, 1000).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().prune_pop3_hidden(a.id).error().kind, ErrorKind::NotFound);
  // A new account with the same name starts clean.
  Account again = make_account("alice");
  EXPECT_NE(again.id, a.id);
  EXPECT_EQ(*store().account_setting(again.id, "pop3.delete_policy"), Opt());
  EXPECT_TRUE(store().pop3_hidden(again.id)->empty());
}

TEST_P(Pop3HiddenTest, HideKeepsTheFirstTimeAndListsByBlob) {
  Account a = make_account();
  Account b = make_account("bob");
  NewMessage one = message("one");
  NewMessage two = message("two");
  ASSERT_TRUE(store().append(mailbox(a.id, "INBOX").id, {one, two}));
  EXPECT_TRUE(store().pop3_hidden(a.id)->empty());
  ASSERT_TRUE(store().hide_from_pop3(a.id, {one.blob.id}, 1000));
  ASSERT_TRUE(store().hide_from_pop3(a.id, {two.blob.id, one.blob.id}, 2000));
  ASSERT_TRUE(store().hide_from_pop3(a.id, {}, 3000));
  std::vector<Pop3Hidden> want = {{one.blob.id, 1000}, {two.blob.id, 2000}};
  std::sort(want.begin(), want.end(),
            [](const Pop3Hidden& x, const Pop3Hidden& y) { return x.blob_id < y.blob_id; });
  EXPECT_EQ(*store().pop3_hidden(a.id), want);
  EXPECT_TRUE(store().pop3_hidden(b.id)->empty());
  reopen();
  EXPECT_EQ(*store().pop3_hidden(a.id), want);
}

TEST_P(Pop3HiddenTest, MarksFollowTheBytesThroughMovesAndArePrunedWhenGone) {
  Account a = make_account();
  Account b = make_account("bob");
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo archive = mailbox(a.id, "Archive");
  NewMessage kept = message("kept");
  NewMessage moved = message("moved");
  NewMessage gone = message("gone");
  ASSERT_TRUE(store().append(inbox.id, {kept, moved, gone}));
  ASSERT_TRUE(store().append(mailbox(b.id, "INBOX").id, {gone}));  // bob has the same bytes
  ASSERT_TRUE(store().hide_from_pop3(a.id, {kept.blob.id, moved.blob.id, gone.blob.id}, 10));

  ASSERT_TRUE(store().move(inbox.id, uid_set_of({2}), archive.id));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({3})));
  auto pruned = store().prune_pop3_hidden(a.id);
  ASSERT_TRUE(pruned) << pruned.error().describe();
  EXPECT_EQ(*pruned, 1u);  // only "gone": bob's copy does not keep alice's mark
  auto left = store().pop3_hidden(a.id);
  ASSERT_EQ(left->size(), 2u);
  for (const Pop3Hidden& h : *left) EXPECT_NE(h.blob_id, gone.blob.id);

  // Back in INBOX, the moved message is still hidden: same bytes, same mark.
  ASSERT_TRUE(store().move(archive.id, all_uids(), inbox.id));
  EXPECT_EQ(*store().prune_pop3_hidden(a.id), 0u);
  EXPECT_EQ(store().pop3_hidden(a.id)->size(), 2u);

  ASSERT_TRUE(store().delete_mailbox(mailbox(a.id, "Archive").id));
  ASSERT_TRUE(store().expunge(inbox.id, all_uids()));
  EXPECT_EQ(*store().prune_pop3_hidden(a.id), 2u);
  EXPECT_TRUE(store().pop3_hidden(a.id)->empty());
  EXPECT_EQ(*store().prune_pop3_hidden(a.id), 0u);
}

TEST_P(CrlfSizesTest, CachedPerBlobAndGoneWithIt) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  NewMessage lf = message("a\nb\n");
  NewMessage crlf = message("a\r\nb\r\n");
  ASSERT_TRUE(store().append(inbox.id, {lf, crlf}));
  using Sizes = std::vector<std::optional<uint64_t>>;
  std::string unknown(64, 'f');
  EXPECT_EQ(*store().crlf_sizes({lf.blob.id, crlf.blob.id, unknown}),
            (Sizes{std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_TRUE(store().set_crlf_sizes({{lf.blob.id, 6}, {unknown, 9}}));  // unknown: skipped
  ASSERT_TRUE(store().set_crlf_sizes({}));
  EXPECT_EQ(*store().crlf_sizes({crlf.blob.id, lf.blob.id, unknown}),
            (Sizes{std::nullopt, 6, std::nullopt}));
  EXPECT_TRUE(store().crlf_sizes({})->empty());

  // A copy shares the blob and so the cached size.
  ASSERT_TRUE(store().copy(inbox.id, uid_set_of({1}), mailbox(a.id, "Trash").id));
  reopen();
  EXPECT_EQ(*store().crlf_sizes({lf.blob.id}), (Sizes{6}));

  // When the last reference goes, so does the cache; the same bytes stored again start unknown.
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({1})));
  ASSERT_TRUE(store().expunge(mailbox(a.id, "Trash").id, all_uids()));
  EXPECT_EQ(*store().crlf_sizes({lf.blob.id}), (Sizes{std::nullopt}));
  ASSERT_TRUE(store().append(inbox.id, {message("a\nb\n")}));
  EXPECT_EQ(*store().crlf_sizes({lf.blob.id}), (Sizes{std::nullopt}));
}

ROOST_STORE_SUITE(AccountSettingsTest);
ROOST_STORE_SUITE(Pop3HiddenTest);
ROOST_STORE_SUITE(CrlfSizesTest);

}  // namespace
}  // namespace roost::store::testing
