#include "store_fixture.h"

namespace roost::store::testing {
namespace {

using MessagesTest = StoreTest;
using Pair = std::pair<uint64_t, uint64_t>;  // bytes, messages

TEST_P(MessagesTest, UidsAscendNeverReused) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  auto first = append_texts(inbox.id, 3, "a");
  EXPECT_EQ(first, (std::vector<Uid>{1, 2, 3}));
  auto ex = store().expunge(inbox.id, uid_set_of({3}));
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->expunged, std::vector<Uid>{3});
  reopen();
  auto next = append_texts(inbox.id, 2, "b");
  EXPECT_EQ(next, (std::vector<Uid>{4, 5}));
  EXPECT_EQ(uids_of(inbox.id), (std::vector<Uid>{1, 2, 4, 5}));
  MailboxInfo now = mailbox(a.id, "INBOX");
  EXPECT_EQ(now.uidnext, 6u);
  EXPECT_EQ(now.uidvalidity, inbox.uidvalidity);
  EXPECT_EQ(now.messages, 4u);
}

TEST_P(MessagesTest, SentDateAndHeaderAreKeptForSortAndSearch) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo archive = mailbox(a.id, "Archive");
  NewMessage dated = message("Date: x\r\nSubject: dated\r\n\r\nbody\r\n");
  dated.sent_date = 1600000000;
  dated.header = "Date: x\r\nSubject: dated\r\n\r\n";
  NewMessage undated = message("no header kept");
  ASSERT_TRUE(store().append(inbox.id, {dated, undated}));
  ASSERT_TRUE(store().copy(inbox.id, all_uids(), archive.id));
  for (MailboxId id : {inbox.id, archive.id}) {
    auto entries = store().list_messages(id, all_uids());
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].sent_date, 1600000000);
    EXPECT_EQ((*entries)[1].sent_date, -1);
  }
  using Headers = std::vector<std::pair<Uid, std::string>>;
  for (MailboxId id : {inbox.id, archive.id}) {
    auto headers = store().headers(id, all_uids());
    ASSERT_TRUE(headers) << headers.error().describe();
    EXPECT_EQ(*headers, (Headers{{1, *dated.header}}));  // none kept for the undated one
  }
  // The same bytes appended again with a header: kept for the new entry only.
  undated.header = "kept later";
  ASSERT_TRUE(store().append(inbox.id, {undated}));
  EXPECT_EQ(*store().headers(inbox.id, uid_set_of({2, 3})), (Headers{{3, "kept later"}}));
  // Expunge, MOVE and mailbox deletion take the headers with their entries.
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({1})));
  EXPECT_EQ(*store().headers(inbox.id, all_uids()), (Headers{{3, "kept later"}}));
  ASSERT_TRUE(store().move(inbox.id, uid_set_of({3}), archive.id));
  EXPECT_TRUE(store().headers(inbox.id, all_uids())->empty());
  EXPECT_EQ(*store().headers(archive.id, all_uids()),
            (Headers{{1, *dated.header}, {3, "kept later"}}));
  MailboxInfo work = *store().create_mailbox(a.id, "Work");
  ASSERT_TRUE(store().copy(archive.id, all_uids(), work.id));
  ASSERT_TRUE(store().delete_mailbox(work.id));
  EXPECT_TRUE(store().headers(work.id, all_uids())->empty());
}

TEST_P(MessagesTest, AppendKeepsFieldsAndCounters) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::vector<NewMessage> batch;
  batch.push_back(message("one", kSeen, {"$Label1", "work", "$label1"}));
  batch.push_back(message("two!", kDeleted));
  auto r = store().append(inbox.id, batch);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->uidvalidity, inbox.uidvalidity);
  ASSERT_EQ(r->messages.size(), 2u);
  auto entries = store().list_messages(inbox.id, all_uids());
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  const MessageEntry& e = (*entries)[0];
  EXPECT_EQ(e.blob, batch[0].blob);
  EXPECT_EQ(e.flags.system, kSeen);
  EXPECT_EQ(e.flags.keywords, (std::vector<std::string>{"$Label1", "work"}));
  EXPECT_EQ(e.internal_date, 1700000000);
  EXPECT_EQ(e.internal_date_tz, 60);
  EXPECT_GT(e.save_date, 0);
  EXPECT_EQ(*store().parsed_of(e.blob.id), batch[0].parsed);
  // Many at once, in the order asked (repeats included); one unknown blob fails the batch.
  auto many = store().parsed_of_many({batch[1].blob.id, e.blob.id, batch[1].blob.id});
  ASSERT_TRUE(many) << many.error().describe();
  EXPECT_EQ(*many, (std::vector<std::string>{batch[1].parsed, batch[0].parsed, batch[1].parsed}));
  EXPECT_EQ(store().parsed_of_many({})->size(), 0u);
  EXPECT_EQ(store().parsed_of_many({e.blob.id, std::string(64, 'a')}).error().kind,
            ErrorKind::NotFound);
  EXPECT_EQ(*store().find_by_blob(inbox.id, batch[1].blob.id), std::optional<Uid>(2));
  EXPECT_EQ(*store().find_by_blob(inbox.id, std::string(64, 'a')), std::nullopt);
  MailboxInfo after = mailbox(a.id, "INBOX");
  EXPECT_EQ(after.messages, 2u);
  EXPECT_EQ(after.unseen, 1u);
  EXPECT_EQ(after.deleted, 1u);
  EXPECT_EQ(after.bytes, 7u);
  auto bytes = store().blobs().read(e.blob.id);
  ASSERT_TRUE(bytes);
  EXPECT_EQ((*bytes)->bytes(), "one");
  EXPECT_EQ(store().append(inbox.id + 999, {}).error().kind, ErrorKind::NotFound);
}

TEST_P(MessagesTest, ModseqStrictlyIncreasesOnEveryChange) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo trash = mailbox(a.id, "Trash");
  ModSeq last = inbox.highest_modseq;
  auto step = [&](const char* what) {
    ModSeq now = mailbox(a.id, "INBOX").highest_modseq;
    EXPECT_GT(now, last) << what;
    last = now;
  };
  auto appended = store().append(inbox.id, {message("m1"), message("m2"), message("m3")});
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->messages[0].modseq, mailbox(a.id, "INBOX").highest_modseq);
  step("append");
  auto flags = store().store_flags(inbox.id, uid_set_of({1}), {FlagOp::Add, {kSeen, {}}, {}});
  ASSERT_TRUE(flags);
  ASSERT_EQ(flags->changed.size(), 1u);
  EXPECT_EQ(flags->changed[0].modseq, mailbox(a.id, "INBOX").highest_modseq);
  step("flags");
  ASSERT_TRUE(store().copy(inbox.id, uid_set_of({1}), trash.id));
  EXPECT_EQ(mailbox(a.id, "INBOX").highest_modseq, last);  // copy leaves the source alone
  EXPECT_GT(mailbox(a.id, "Trash").highest_modseq, trash.highest_modseq);
  ASSERT_TRUE(store().move(inbox.id, uid_set_of({2}), trash.id));
  step("move");
  auto ex = store().expunge(inbox.id, uid_set_of({3}));
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->modseq, mailbox(a.id, "INBOX").highest_modseq);
  step("expunge");
  // Nothing to do: no new MODSEQ.
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({3})));
  auto noop = store().store_flags(inbox.id, uid_set_of({1}), {FlagOp::Add, {kSeen, {}}, {}});
  ASSERT_TRUE(noop);
  EXPECT_TRUE(noop->changed.empty());
  EXPECT_EQ(mailbox(a.id, "INBOX").highest_modseq, last);
  reopen();
  append_texts(inbox.id, 1);
  step("append after reopen");
}

TEST_P(MessagesTest, FlagsAddRemoveReplaceAndKeywords) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 3);
  auto add = store().store_flags(inbox.id, all_uids(),
                                 {FlagOp::Add, {kSeen | kFlagged, {"Work", "$Junk", "work"}}, {}});
  ASSERT_TRUE(add);
  ASSERT_EQ(add->changed.size(), 3u);
  EXPECT_EQ(add->changed[0].flags.keywords, (std::vector<std::string>{"$Junk", "Work"}));
  EXPECT_EQ(mailbox(a.id, "INBOX").unseen, 0u);
  auto same = store().store_flags(inbox.id, all_uids(), {FlagOp::Add, {kSeen, {"WORK"}}, {}});
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->changed.empty());
  auto remove =
      store().store_flags(inbox.id, uid_set_of({2}), {FlagOp::Remove, {kSeen, {"WORK"}}, {}});
  ASSERT_TRUE(remove);
  ASSERT_EQ(remove->changed.size(), 1u);
  EXPECT_EQ(remove->changed[0].flags, (Flags{kFlagged, {"$Junk"}}));
  EXPECT_EQ(mailbox(a.id, "INBOX").unseen, 1u);
  auto replace =
      store().store_flags(inbox.id, uid_set_of({3}), {FlagOp::Replace, {kDeleted, {}}, {}});
  ASSERT_TRUE(replace);
  EXPECT_EQ(mailbox(a.id, "INBOX").deleted, 1u);
  auto states = store().message_states(inbox.id);
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 3u);
  EXPECT_EQ((*states)[0].flags, (Flags{kSeen | kFlagged, {"$Junk", "Work"}}));
  EXPECT_EQ((*states)[1].flags, (Flags{kFlagged, {"$Junk"}}));
  EXPECT_EQ((*states)[2].flags, (Flags{kDeleted, {}}));
  auto bad = store().store_flags(inbox.id, all_uids(), {FlagOp::Add, {0, {"has space"}}, {}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Syntax);
}

// SELECT's read: counts from the mailbox row, keywords in use (not those only ever used) and the
// first unseen message's sequence number counted from either end of the mailbox.
TEST_P(MessagesTest, SummaryHasKeywordsInUseAndFirstUnseen) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  auto empty = store().mailbox_summary(inbox.id, true);
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_EQ(empty->info.messages, 0u);
  EXPECT_TRUE(empty->keywords.empty());
  EXPECT_FALSE(empty->first_unseen);
  append_texts(inbox.id, 10);
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({2, 3})));
  ASSERT_TRUE(store().store_flags(inbox.id, {{1, 7}}, {FlagOp::Add, {kSeen, {}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({4}), {FlagOp::Add, {0, {"b", "a"}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({5, 9}), {FlagOp::Add, {0, {"c"}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({6}), {FlagOp::Add, {0, {"gone"}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({6}), {FlagOp::Remove, {0, {"gone"}}, {}}));
  auto s = store().mailbox_summary(inbox.id, true);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->info.messages, 8u);
  EXPECT_EQ(s->info.highest_modseq, mailbox(a.id, "INBOX").highest_modseq);
  EXPECT_EQ(s->keywords, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s->first_unseen, 6u);  // UIDs 1 4 5 6 7 8 9 10: UID 8 (near the end) is 6th
  EXPECT_FALSE(store().mailbox_summary(inbox.id, false)->first_unseen);
  ASSERT_TRUE(store().store_flags(inbox.id, {{8, 10}}, {FlagOp::Add, {kSeen, {}}, {}}));
  EXPECT_FALSE(store().mailbox_summary(inbox.id, true)->first_unseen);
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({4}), {FlagOp::Remove, {kSeen, {}}, {}}));
  EXPECT_EQ(store().mailbox_summary(inbox.id, true)->first_unseen, 2u);  // near the start
  EXPECT_EQ(store().mailbox_summary(999999, true).error().kind, ErrorKind::NotFound);
}

// The columns a session's view is built from, and what changed after a MODSEQ.
TEST_P(MessagesTest, FlagTableHasColumnsAndChangesSince) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 5);
  ModSeq base = mailbox(a.id, "INBOX").highest_modseq;
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({2, 4}), {FlagOp::Add, {kSeen, {"x"}}, {}}));
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({5}), {FlagOp::Add, {0, {"y"}}, {}}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({3})));
  auto t = store().flag_table(inbox.id, base);
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ(t->uids, (std::vector<Uid>{1, 2, 4, 5}));
  EXPECT_EQ(t->system, (std::vector<uint32_t>{0, kSeen, kSeen, 0}));
  ASSERT_EQ(t->keyword_set.size(), 4u);
  EXPECT_EQ(t->keyword_set[0], 0u);
  EXPECT_EQ(t->keyword_set[1], t->keyword_set[2]);  // one interned set for both
  EXPECT_EQ(t->keyword_sets[t->keyword_set[1]], std::vector<std::string>{"x"});
  EXPECT_EQ(t->keyword_sets[t->keyword_set[3]], std::vector<std::string>{"y"});
  EXPECT_EQ(t->keyword_sets.size(), 3u);
  ASSERT_EQ(t->changed.size(), 3u);
  EXPECT_EQ(t->changed[0].first, 2u);
  EXPECT_EQ(t->changed[2].first, 5u);
  EXPECT_EQ(t->expunged, std::vector<Uid>{3});
  EXPECT_EQ(t->highest_modseq, mailbox(a.id, "INBOX").highest_modseq);
  auto now = store().flag_table(inbox.id, t->highest_modseq);
  EXPECT_TRUE(now->changed.empty() && now->expunged.empty());
}

TEST_P(MessagesTest, UnchangedSinceReportsModified) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 3);
  ModSeq base = mailbox(a.id, "INBOX").highest_modseq;
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({2}), {FlagOp::Add, {kAnswered, {}}, {}}));
  auto r = store().store_flags(inbox.id, all_uids(), {FlagOp::Add, {kSeen, {}}, base});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->modified, std::vector<Uid>{2});
  ASSERT_EQ(r->changed.size(), 2u);
  EXPECT_EQ(r->changed[0].uid, 1u);
  EXPECT_EQ(r->changed[1].uid, 3u);
  auto states = store().message_states(inbox.id);
  EXPECT_EQ((*states)[1].flags.system, kAnswered);
}

TEST_P(MessagesTest, CopyAndMoveShareBlobs) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo archive = mailbox(a.id, "Archive");
  MailboxInfo trash = mailbox(a.id, "Trash");
  append_texts(inbox.id, 4);
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({3}), {FlagOp::Add, {kSeen, {"k"}}, {}}));
  size_t stored = stored_blobs();
  auto copied = store().copy(inbox.id, uid_set_of({1, 3}), archive.id);
  ASSERT_TRUE(copied);
  EXPECT_EQ(copied->dest_uidvalidity, archive.uidvalidity);
  EXPECT_EQ(copied->mapping, (std::vector<std::pair<Uid, Uid>>{{1, 1}, {3, 2}}));
  auto src = store().list_messages(inbox.id, uid_set_of({3}));
  auto dst = store().list_messages(archive.id, uid_set_of({2}));
  ASSERT_TRUE(src && dst);
  EXPECT_EQ((*dst)[0].blob, (*src)[0].blob);
  EXPECT_EQ((*dst)[0].flags, (*src)[0].flags);
  EXPECT_EQ((*dst)[0].internal_date, (*src)[0].internal_date);
  EXPECT_EQ(stored_blobs(), stored);

  auto moved = store().move(inbox.id, uid_set_of({2, 3}), trash.id);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->mapping, (std::vector<std::pair<Uid, Uid>>{{2, 1}, {3, 2}}));
  EXPECT_EQ(uids_of(inbox.id), (std::vector<Uid>{1, 4}));
  EXPECT_EQ(uids_of(trash.id), (std::vector<Uid>{1, 2}));
  EXPECT_EQ(stored_blobs(), stored);
  auto changes = store().changes_since(inbox.id, 0);
  ASSERT_TRUE(changes);
  EXPECT_EQ(changes->expunged, (std::vector<Uid>{2, 3}));
  // The blob shared by Archive and Trash stays until its last entry goes.
  auto entry = (*dst)[0];
  ASSERT_TRUE(store().expunge(archive.id, all_uids()));
  EXPECT_EQ((*store().blobs().read(entry.blob.id))->bytes().substr(0, 8), "Subject:");
  ASSERT_TRUE(store().expunge(trash.id, all_uids()));
  EXPECT_FALSE(store().blobs().read(entry.blob.id));
  EXPECT_EQ(stored_blobs(), 2u);
  EXPECT_EQ(store().copy(inbox.id, all_uids(), inbox.id + 999).error().kind, ErrorKind::NotFound);
}

TEST_P(MessagesTest, ChangesSince) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  append_texts(inbox.id, 5);
  ModSeq mark = mailbox(a.id, "INBOX").highest_modseq;
  ASSERT_TRUE(store().store_flags(inbox.id, uid_set_of({2}), {FlagOp::Add, {kFlagged, {}}, {}}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({4})));
  append_texts(inbox.id, 1, "late");
  auto c = store().changes_since(inbox.id, mark);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->changed.size(), 2u);
  EXPECT_EQ(c->changed[0].uid, 2u);
  EXPECT_EQ(c->changed[0].flags.system, kFlagged);
  EXPECT_EQ(c->changed[1].uid, 6u);
  EXPECT_EQ(c->expunged, std::vector<Uid>{4});
  EXPECT_EQ(c->highest_modseq, mailbox(a.id, "INBOX").highest_modseq);
  auto none = store().changes_since(inbox.id, c->highest_modseq);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->changed.empty());
  EXPECT_TRUE(none->expunged.empty());
  EXPECT_EQ(store().changes_since(inbox.id + 999, 0).error().kind, ErrorKind::NotFound);
}

TEST_P(MessagesTest, UsageFollowsEveryChange) {
  auto usage_of = [&](AccountId id) {
    auto u = store().usage(id);
    EXPECT_TRUE(u);
    return u ? Pair{u->bytes, u->messages} : Pair{};
  };
  Account a = make_account();
  Account b = make_account("bob");
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  MailboxInfo archive = mailbox(a.id, "Archive");
  ASSERT_TRUE(store().append(inbox.id, {message("12345"), message("1234567890")}));
  EXPECT_EQ(usage_of(a.id), (Pair{15, 2}));
  ASSERT_TRUE(store().copy(inbox.id, all_uids(), archive.id));
  EXPECT_EQ(usage_of(a.id), (Pair{30, 4}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({1})));
  EXPECT_EQ(usage_of(a.id), (Pair{25, 3}));
  ASSERT_TRUE(store().move(inbox.id, all_uids(), archive.id));
  EXPECT_EQ(usage_of(a.id), (Pair{25, 3}));
  auto sub = store().create_mailbox(a.id, "sub");
  ASSERT_TRUE(store().copy(archive.id, all_uids(), sub->id));
  EXPECT_EQ(usage_of(a.id), (Pair{50, 6}));
  ASSERT_TRUE(store().delete_mailbox(sub->id));
  EXPECT_EQ(usage_of(a.id), (Pair{25, 3}));
  EXPECT_EQ(usage_of(b.id), (Pair{0, 0}));
  ASSERT_TRUE(store().delete_account(a.id));
  EXPECT_EQ(store().usage(a.id).error().kind, ErrorKind::NotFound);
  EXPECT_EQ(stored_blobs(), 0u);
}

TEST_P(MessagesTest, SameBytesTwiceIsOneBlob) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  auto first = store().blobs().put("identical bytes");
  auto second = store().blobs().put("identical bytes");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(first->size, 15u);
  EXPECT_EQ(first->id.size(), 64u);
  NewMessage m;
  m.blob = *first;
  ASSERT_TRUE(store().append(inbox.id, {m, m}));
  EXPECT_EQ(stored_blobs(), 1u);
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({1})));
  EXPECT_EQ(stored_blobs(), 1u);
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({2})));
  EXPECT_EQ(stored_blobs(), 0u);
}

// A batch read answers as one read() per blob would, in the order asked: small and big blobs,
// one staged (committed, not yet appended), one asked twice, one gone and one malformed id.
TEST_P(MessagesTest, ReadManyAnswersAsReadDoesInOrder) {
  Account a = make_account();
  MailboxInfo inbox = mailbox(a.id, "INBOX");
  std::string small = "Subject: small\r\n\r\nbody";
  std::string big(100 * 1024, 'b');
  NewMessage m1 = message(small);
  NewMessage m2 = message(big);
  ASSERT_TRUE(store().append(inbox.id, {m1, m2}));
  auto staged = store().blobs().put("staged, no entry yet");
  ASSERT_TRUE(staged);
  auto gone = store().blobs().put("expunged");
  ASSERT_TRUE(gone);
  NewMessage m3;
  m3.blob = *gone;
  ASSERT_TRUE(store().append(inbox.id, {m3}));
  ASSERT_TRUE(store().expunge(inbox.id, uid_set_of({3})));
  std::vector<std::string> ids = {m2.blob.id, staged->id, m1.blob.id, gone->id,
                                  "not-a-blob-id",  m1.blob.id};
  auto read = store().blobs().read_many(ids);
  ASSERT_EQ(read.size(), ids.size());
  ASSERT_TRUE(read[0] && read[1] && read[2] && read[5]);
  EXPECT_EQ((*read[0])->bytes(), big);
  EXPECT_EQ((*read[1])->bytes(), "staged, no entry yet");
  EXPECT_EQ((*read[2])->bytes(), small);
  EXPECT_EQ((*read[5])->bytes(), small);
  ASSERT_FALSE(read[3]);
  EXPECT_EQ(read[3].error().kind, ErrorKind::NotFound);
  ASSERT_FALSE(read[4]);
  EXPECT_EQ(read[4].error().kind, ErrorKind::NotFound);
  EXPECT_TRUE(store().blobs().read_many({}).empty());
}

TEST_P(MessagesTest, BlobWriterStreamsChunks) {
  auto writer = store().blobs().begin();
  ASSERT_TRUE(writer);
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 16; ++i) ASSERT_TRUE((*writer)->write(chunk));
  EXPECT_EQ((*writer)->size(), 16u * chunk.size());
  auto ref = (*writer)->commit();
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->size, 16u * chunk.size());
  auto whole = store().blobs().put(std::string(16 * chunk.size(), 'x'));
  EXPECT_EQ(whole->id, ref->id);
  auto aborted = store().blobs().begin();
  ASSERT_TRUE((*aborted)->write("gone"));
  (*aborted)->abort();
  EXPECT_EQ(stored_blobs(), 1u);
  EXPECT_TRUE(std::filesystem::is_empty(std::filesystem::path(dir()) / "tmp"));
}

ROOST_STORE_SUITE(MessagesTest);

}  // namespace
}  // namespace roost::store::testing
