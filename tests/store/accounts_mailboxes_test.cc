#include <algorithm>
#include <map>

#include "store_fixture.h"

namespace roost::store::testing {
namespace {

using AccountsTest = StoreTest;
using MailboxesTest = StoreTest;

std::vector<std::string> names_of(const std::vector<MailboxInfo>& boxes) {
  std::vector<std::string> names;
  for (const auto& b : boxes) names.push_back(b.name);
  std::sort(names.begin(), names.end());
  return names;
}

TEST_P(AccountsTest, CreateFindListDelete) {
  auto a = store().create_account("Alice", "hash1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "alice");
  EXPECT_EQ(a->password_hash, "hash1");
  auto dup = store().create_account("ALICE", "x");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::Exists);

  auto found = store().find_account("aLiCe");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a->id);
  EXPECT_EQ(store().get_account(a->id)->name, "alice");
  EXPECT_EQ(store().find_account("bob").error().kind, ErrorKind::NotFound);

  ASSERT_TRUE(store().set_password_hash(a->id, "hash2"));
  EXPECT_EQ(store().get_account(a->id)->password_hash, "hash2");
  EXPECT_EQ(store().set_password_hash(a->id + 100, "x").error().kind, ErrorKind::NotFound);

  make_account("bob");
  auto all = store().list_accounts();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alice");
  EXPECT_EQ((*all)[1].name, "bob");

  ASSERT_TRUE(store().delete_account(a->id));
  EXPECT_EQ(store().get_account(a->id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().list_mailboxes(a->id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().delete_account(a->id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().list_accounts()->size(), 1u);
}

TEST_P(AccountsTest, DefaultMailboxesWithRoles) {
  Account a = make_account();
  auto boxes = store().list_mailboxes(a.id);
  ASSERT_TRUE(boxes);
  EXPECT_EQ(names_of(*boxes),
            (std::vector<std::string>{"Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"}));
  for (const auto& b : *boxes) {
    EXPECT_TRUE(b.subscribed) << b.name;
    EXPECT_EQ(b.uidnext, 1u);
    EXPECT_GT(b.uidvalidity, 0u);
    EXPECT_GT(b.highest_modseq, 0u);
    static const std::map<std::string, SpecialUse> kRoles = {
        {"INBOX", SpecialUse::None},  {"Sent", SpecialUse::Sent}, {"Drafts", SpecialUse::Drafts},
        {"Trash", SpecialUse::Trash}, {"Junk", SpecialUse::Junk}, {"Archive", SpecialUse::Archive}};
    EXPECT_EQ(b.role, kRoles.at(b.name)) << b.name;
  }
  EXPECT_EQ(mailbox(a.id, "inbox").name, "INBOX");
  EXPECT_EQ(mailbox(a.id, "InBoX").id, mailbox(a.id, "INBOX").id);
  EXPECT_EQ(store().find_mailbox(a.id, "sent").error().kind, ErrorKind::NotFound);
  auto usage = store().usage(a.id);
  ASSERT_TRUE(usage);
  EXPECT_EQ(usage->messages, 0u);
}

TEST_P(MailboxesTest, CreateMakesParentsAndRejectsDuplicates) {
  Account a = make_account();
  auto c = store().create_mailbox(a.id, "work/projects/roost");
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->name, "work/projects/roost");
  EXPECT_FALSE(c->subscribed);
  EXPECT_EQ(mailbox(a.id, "work").role, SpecialUse::None);
  mailbox(a.id, "work/projects");
  EXPECT_EQ(store().create_mailbox(a.id, "work").error().kind, ErrorKind::Exists);
  EXPECT_EQ(store().create_mailbox(a.id, "inbox").error().kind, ErrorKind::Exists);
  auto child = store().create_mailbox(a.id, "inbox/sub");
  ASSERT_TRUE(child);
  EXPECT_EQ(child->name, "INBOX/sub");
  auto flagged = store().create_mailbox(a.id, "Important", SpecialUse::Flagged);
  ASSERT_TRUE(flagged);
  EXPECT_EQ(flagged->role, SpecialUse::Flagged);
  EXPECT_EQ(store().create_mailbox(a.id + 999, "x").error().kind, ErrorKind::NotFound);
}

TEST_P(MailboxesTest, NamesAreValidated) {
  Account a = make_account();
  for (std::string bad :
       {std::string(""), std::string("/a"), std::string("a/"), std::string("a//b"),
        std::string("bad\xff"), std::string("ctl\x01"), std::string(2000, 'x')}) {
    auto r = store().create_mailbox(a.id, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Syntax) << bad;
  }
  EXPECT_TRUE(store().create_mailbox(a.id, "Entwürfe/日本語"));
}

TEST_P(MailboxesTest, RenameMovesChildren) {
  Account a = make_account();
  ASSERT_TRUE(store().create_mailbox(a.id, "a/b/c"));
  MailboxInfo before = mailbox(a.id, "a/b");
  ASSERT_TRUE(store().rename_mailbox(mailbox(a.id, "a").id, "x/y"));
  EXPECT_EQ(store().find_mailbox(a.id, "a").error().kind, ErrorKind::NotFound);
  MailboxInfo after = mailbox(a.id, "x/y/b");
  EXPECT_EQ(after.id, before.id);
  EXPECT_EQ(after.uidvalidity, before.uidvalidity);
  mailbox(a.id, "x/y/b/c");
  mailbox(a.id, "x");  // missing parent of the new name
  EXPECT_EQ(store().rename_mailbox(mailbox(a.id, "Sent").id, "Trash").error().kind,
            ErrorKind::Exists);
  EXPECT_EQ(store().rename_mailbox(mailbox(a.id, "INBOX").id, "Old").error().kind,
            ErrorKind::NoPerm);
  EXPECT_EQ(store().rename_mailbox(mailbox(a.id, "x").id, "x/z").error().kind, ErrorKind::NoPerm);
  EXPECT_EQ(store().rename_mailbox(mailbox(a.id, "x").id, "bad//name").error().kind,
            ErrorKind::Syntax);
}

TEST_P(MailboxesTest, DeleteKeepsChildrenAndProtectsInbox) {
  Account a = make_account();
  ASSERT_TRUE(store().create_mailbox(a.id, "p/q"));
  MailboxInfo p = mailbox(a.id, "p");
  append_texts(p.id, 3);
  ASSERT_TRUE(store().delete_mailbox(p.id));
  EXPECT_EQ(store().get_mailbox(p.id).error().kind, ErrorKind::NotFound);
  mailbox(a.id, "p/q");
  EXPECT_EQ(store().delete_mailbox(mailbox(a.id, "INBOX").id).error().kind, ErrorKind::NoPerm);
  EXPECT_EQ(store().delete_mailbox(p.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store().usage(a.id)->messages, 0u);
}

TEST_P(MailboxesTest, SubscribeAndRole) {
  Account a = make_account();
  auto m = store().create_mailbox(a.id, "lists");
  ASSERT_TRUE(m);
  ASSERT_TRUE(store().set_subscribed(m->id, true));
  EXPECT_TRUE(mailbox(a.id, "lists").subscribed);
  ASSERT_TRUE(store().set_subscribed(m->id, false));
  EXPECT_FALSE(mailbox(a.id, "lists").subscribed);
  ASSERT_TRUE(store().set_role(m->id, SpecialUse::All));
  EXPECT_EQ(mailbox(a.id, "lists").role, SpecialUse::All);
  EXPECT_EQ(store().set_role(m->id + 999, SpecialUse::All).error().kind, ErrorKind::NotFound);
}

TEST_P(MailboxesTest, UidValidityDiffersAfterDeleteAndRecreate) {
  Account a = make_account();
  auto first = store().create_mailbox(a.id, "again");
  ASSERT_TRUE(first);
  ASSERT_TRUE(store().delete_mailbox(first->id));
  auto second = store().create_mailbox(a.id, "again");
  ASSERT_TRUE(second);
  EXPECT_NE(first->uidvalidity, second->uidvalidity);
  EXPECT_NE(first->id, second->id);
  reopen();
  ASSERT_TRUE(store().delete_mailbox(second->id));
  auto third = store().create_mailbox(a.id, "again");
  ASSERT_TRUE(third);
  EXPECT_NE(third->uidvalidity, second->uidvalidity);
  EXPECT_NE(third->uidvalidity, first->uidvalidity);
}

TEST_P(AccountsTest, PersistsAcrossReopen) {
  Account a = make_account();
  ASSERT_TRUE(store().create_mailbox(a.id, "kept"));
  auto uids = append_texts(mailbox(a.id, "kept").id, 2);
  reopen();
  auto found = store().find_account("alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a.id);
  EXPECT_EQ(uids_of(mailbox(a.id, "kept").id), uids);
  EXPECT_EQ(store().usage(a.id)->messages, 2u);
}

TEST_P(AccountsTest, ScramCredentialsAreStoredBesideThePassword) {
  Account a = make_account();
  EXPECT_EQ(a.scram_credentials, "");  // none until a password is set through auth::Directory
  ASSERT_TRUE(store().set_scram_credentials(a.id, "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5"));
  EXPECT_EQ(store().find_account("alice")->scram_credentials,
            "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5");
  ASSERT_TRUE(store().set_password_hash(a.id, "$argon2id$y"));
  reopen();
  auto found = store().get_account(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->scram_credentials, "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5");
  EXPECT_EQ(found->password_hash, "$argon2id$y");
  EXPECT_EQ(store().list_accounts()->front().scram_credentials, found->scram_credentials);
  EXPECT_EQ(store().set_scram_credentials(a.id + 100, "x").error().kind, ErrorKind::NotFound);
}

ROOST_STORE_SUITE(AccountsTest);
ROOST_STORE_SUITE(MailboxesTest);

}  // namespace
}  // namespace roost::store::testing
