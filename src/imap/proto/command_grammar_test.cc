// Every command form, parsed whole and one byte at a time (parse_one checks both agree).
#include <gtest/gtest.h>

#include "imap/proto/parser_test_util.h"

namespace roost::imap {
namespace {

using testing::parse_error;
using testing::parse_one;

template <class T>
T args_of(const Command& c) {
  EXPECT_TRUE(std::holds_alternative<T>(c.args));
  return std::holds_alternative<T>(c.args) ? std::get<T>(c.args) : T{};
}

TEST(CommandGrammar, SimpleCommands) {
  struct Case {
    const char* text;
    CommandName name;
  } cases[] = {
      {"a1 CAPABILITY\r\n", CommandName::Capability},
      {"a NOOP\r\n", CommandName::Noop},
      {"a logout\r\n", CommandName::Logout},
      {"a StartTLS\r\n", CommandName::StartTls},
      {"a NAMESPACE\r\n", CommandName::Namespace},
      {"a IDLE\r\n", CommandName::Idle},
      {"a CHECK\r\n", CommandName::Check},
      {"a CLOSE\r\n", CommandName::Close},
      {"a UNSELECT\r\n", CommandName::Unselect},
      {"a EXPUNGE\r\n", CommandName::Expunge},
  };
  for (const Case& c : cases) {
    Command cmd = parse_one(c.text);
    EXPECT_EQ(cmd.name, c.name) << c.text;
    EXPECT_FALSE(cmd.uid);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(cmd.args));
  }
  EXPECT_EQ(parse_one("tag.1 NOOP\n").tag, "tag.1");  // bare LF tolerated
}

TEST(CommandGrammar, LoginAuthenticateEnableIdCompress) {
  auto login = args_of<LoginArgs>(parse_one("a LOGIN fred \"pa ss\\\"w\"\r\n"));
  EXPECT_EQ(login.user, "fred");
  EXPECT_EQ(login.password, "pa ss\"w");
  login = args_of<LoginArgs>(parse_one("a LOGIN {4}\r\nfred {3}\r\nx y\r\n"));
  EXPECT_EQ(login.user, "fred");
  EXPECT_EQ(login.password, "x y");
  login = args_of<LoginArgs>(parse_one("a LOGIN {4+}\r\nfred pw]\r\n"));
  EXPECT_EQ(login.password, "pw]");

  auto auth = args_of<AuthenticateArgs>(parse_one("a AUTHENTICATE plain\r\n"));
  EXPECT_EQ(auth.mechanism, "PLAIN");
  EXPECT_FALSE(auth.initial_response);
  auth = args_of<AuthenticateArgs>(parse_one("a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n"));
  EXPECT_EQ(*auth.initial_response, std::string("\0fred\0secret", 12));
  auth = args_of<AuthenticateArgs>(parse_one("a AUTHENTICATE EXTERNAL =\r\n"));
  EXPECT_EQ(*auth.initial_response, "");

  auto enable = args_of<EnableArgs>(parse_one("a ENABLE CONDSTORE utf8=accept IMAP4rev2\r\n"));
  EXPECT_EQ(enable.capabilities,
            (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT", "IMAP4REV2"}));

  EXPECT_FALSE(args_of<IdArgs>(parse_one("a ID NIL\r\n")).params);
  auto id = args_of<IdArgs>(parse_one("a ID (\"name\" \"Thunderbird\" \"os\" NIL)\r\n"));
  ASSERT_TRUE(id.params);
  ASSERT_EQ(id.params->size(), 2u);
  EXPECT_EQ((*id.params)[0].second, "Thunderbird");
  EXPECT_FALSE((*id.params)[1].second);
  EXPECT_TRUE(args_of<IdArgs>(parse_one("a ID ()\r\n")).params->empty());

  EXPECT_EQ(args_of<CompressArgs>(parse_one("a COMPRESS deflate\r\n")).mechanism, "DEFLATE");
}

TEST(CommandGrammar, SelectExamineWithCondstoreAndQresync) {
  auto s = args_of<SelectArgs>(parse_one("a SELECT inbox\r\n"));
  EXPECT_EQ(s.mailbox, "INBOX");
  Command ex = parse_one("a EXAMINE \"Sent Items\" (CONDSTORE)\r\n");
  EXPECT_EQ(ex.name, CommandName::Examine);
  EXPECT_TRUE(args_of<SelectArgs>(ex).condstore);
  s = args_of<SelectArgs>(parse_one("a SELECT INBOX (QRESYNC (67890007 20050715194045000))\r\n"));
  ASSERT_TRUE(s.qresync);
  EXPECT_EQ(s.qresync->uid_validity, 67890007u);
  EXPECT_EQ(s.qresync->mod_seq, 20050715194045000ull);
  EXPECT_FALSE(s.qresync->known_uids);
  s = args_of<SelectArgs>(parse_one(
      "a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:20,25 41:60,211)))"
      "\r\n"));
  ASSERT_TRUE(s.qresync && s.qresync->known_uids && s.qresync->seq_match);
  EXPECT_EQ(s.qresync->known_uids->to_string(), "41:211,214:541");
  EXPECT_EQ(s.qresync->seq_match->first.to_string(), "1:20,25");
  EXPECT_EQ(s.qresync->seq_match->second.to_string(), "41:60,211");
  s = args_of<SelectArgs>(parse_one("a SELECT INBOX (QRESYNC (1 2 (3 4)) CONDSTORE)\r\n"));
  EXPECT_TRUE(s.condstore && s.qresync && s.qresync->seq_match && !s.qresync->known_uids);
  EXPECT_EQ(parse_error("a SELECT INBOX (FOO)\r\n").first, "a");
  // RFC 7162 §3.2.5: no "*" in the known sets, a nz uidvalidity and modseq, sets of one length.
  parse_error("a SELECT INBOX (QRESYNC (1 2 1:*))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 2 1:5 (1:* 1:5)))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 2 $))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (0 2))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 0))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 2 1:5 (1:3 1:4)))\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 2 1:5 (1:3)))\r\n");
  parse_error("a SELECT INBOX (QRESYNC 1 2)\r\n");
  parse_error("a SELECT INBOX (QRESYNC (1 2 3 4))\r\n");
}

TEST(CommandGrammar, MailboxNamesAreDecoded) {
  auto m = args_of<MailboxArgs>(parse_one("a CREATE \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"\r\n"));
  EXPECT_EQ(m.mailbox, "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  m = args_of<MailboxArgs>(parse_one("a CREATE Archive (USE (\\Archive))\r\n"));
  EXPECT_EQ(m.special_use, std::vector<std::string>{"\\Archive"});
  // With UTF8=ACCEPT the name is taken as UTF-8 and "&" is literal.
  m = args_of<MailboxArgs>(parse_one("a DELETE \"A&B\"\r\n", {}, true));
  EXPECT_EQ(m.mailbox, "A&B");
  m = args_of<MailboxArgs>(parse_one("a SUBSCRIBE \"Caf\xc3\xa9\"\r\n"));
  EXPECT_EQ(m.mailbox, "Caf\xc3\xa9");
  EXPECT_EQ(parse_one("a UNSUBSCRIBE x\r\n").name, CommandName::Unsubscribe);
  auto r = args_of<RenameArgs>(parse_one("a RENAME {3}\r\nold new\r\n"));
  EXPECT_EQ(r.from, "old");
  EXPECT_EQ(r.to, "new");
  EXPECT_EQ(parse_error("a CREATE \"&Jjo\"\r\n").first, "a");  // unterminated shift
}

TEST(CommandGrammar, ListForms) {
  auto l = args_of<ListArgs>(parse_one("a LIST \"\" *\r\n"));
  EXPECT_EQ(l.reference, "");
  EXPECT_EQ(l.patterns, std::vector<std::string>{"*"});
  EXPECT_FALSE(l.extended);
  l = args_of<ListArgs>(parse_one(
      "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"INBOX\" %/%) RETURN (CHILDREN SPECIAL-USE "
      "STATUS (MESSAGES UNSEEN SIZE))\r\n"));
  EXPECT_TRUE(l.extended && l.select_subscribed && l.select_recursive_match);
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "%/%"}));
  EXPECT_TRUE(l.return_children && l.return_special_use && !l.return_subscribed);
  ASSERT_TRUE(l.return_status);
  EXPECT_EQ(l.return_status->size(), 3u);
  l = args_of<ListArgs>(parse_one("a LIST (SPECIAL-USE) \"\" *\r\n"));
  EXPECT_TRUE(l.select_special_use);
  l = args_of<ListArgs>(parse_one("a LIST \"\" % RETURN (SUBSCRIBED)\r\n"));
  EXPECT_TRUE(l.return_subscribed);
  l = args_of<ListArgs>(parse_one("a LIST () \"\" % RETURN ()\r\n"));
  EXPECT_TRUE(l.extended);
  l = args_of<ListArgs>(parse_one("a LIST ~/Mail/ INBOX.%]\r\n"));
  EXPECT_EQ(l.patterns[0], "INBOX.%]");
  Command lsub = parse_one("a LSUB \"#news.\" \"comp.mail.*\"\r\n");
  EXPECT_EQ(lsub.name, CommandName::Lsub);
  EXPECT_EQ(args_of<ListArgs>(lsub).patterns[0], "comp.mail.*");
  parse_error("a LIST (RECURSIVEMATCH) \"\" *\r\n");
  parse_error("a LIST (BOGUS) \"\" *\r\n");
  parse_error("a LIST \"\" * RETURN (BOGUS)\r\n");
}

TEST(CommandGrammar, Status) {
  auto s = args_of<StatusArgs>(
      parse_one("a STATUS blurdybloop (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT "
                "HIGHESTMODSEQ APPENDLIMIT MAILBOXID)\r\n"));
  EXPECT_EQ(s.mailbox, "blurdybloop");
  EXPECT_EQ(s.items.size(), 10u);
  EXPECT_EQ(s.items[8], StatusItem::AppendLimit);
  EXPECT_EQ(s.items.back(), StatusItem::MailboxId);
  parse_error("a STATUS x ()\r\n");
  parse_error("a STATUS x (FOO)\r\n");
}

TEST(CommandGrammar, FetchAttributes) {
  auto f = args_of<FetchArgs>(parse_one("a FETCH 1:* ALL\r\n"));
  EXPECT_EQ(f.items.size(), 4u);
  EXPECT_EQ(args_of<FetchArgs>(parse_one("a FETCH 1 FAST\r\n")).items.size(), 3u);
  f = args_of<FetchArgs>(parse_one("a FETCH 2,4 FULL\r\n"));
  EXPECT_EQ(f.items.back().type, FetchItemType::Body);
  f = args_of<FetchArgs>(parse_one(
      "a FETCH 1 (FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT ENVELOPE BODY "
      "BODYSTRUCTURE UID MODSEQ SAVEDATE EMAILID THREADID PREVIEW BINARY.SIZE[1])\r\n"));
  ASSERT_EQ(f.items.size(), 16u);
  EXPECT_EQ(f.items[7].type, FetchItemType::Body);
  EXPECT_EQ(f.items[14].type, FetchItemType::Preview);
  EXPECT_EQ(f.items[15].type, FetchItemType::BinarySize);
  EXPECT_EQ(f.items[15].section.part, std::vector<uint32_t>{1});

  f = args_of<FetchArgs>(
      parse_one("a FETCH 1 (BODY[] BODY.PEEK[HEADER.FIELDS (From Subject)] BODY[1.2.MIME] "
                "BODY[3.TEXT]<0.2048> BODY[HEADER.FIELDS.NOT (X-A)] BODY[4] BINARY[1.1] "
                "BINARY.PEEK[]<10.20> PREVIEW (LAZY))\r\n"));
  ASSERT_EQ(f.items.size(), 9u);
  EXPECT_EQ(f.items[0].type, FetchItemType::BodySection);
  EXPECT_FALSE(f.items[0].peek);
  EXPECT_TRUE(f.items[1].peek);
  EXPECT_EQ(f.items[1].section.text, SectionSpec::Text::HeaderFields);
  EXPECT_EQ(f.items[1].section.fields, (std::vector<std::string>{"FROM", "SUBJECT"}));
  EXPECT_EQ(f.items[2].section.part, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(f.items[2].section.text, SectionSpec::Text::Mime);
  EXPECT_EQ(f.items[3].partial, (Partial{0, 2048}));
  EXPECT_EQ(f.items[4].section.text, SectionSpec::Text::HeaderFieldsNot);
  EXPECT_EQ(f.items[5].section.part, std::vector<uint32_t>{4});
  EXPECT_EQ(f.items[6].type, FetchItemType::BinarySection);
  EXPECT_TRUE(f.items[7].peek);
  EXPECT_EQ(f.items[7].partial, (Partial{10, 20}));
  EXPECT_TRUE(f.items[8].lazy);

  Command uf = parse_one("a UID FETCH 300:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
  EXPECT_TRUE(uf.uid);
  f = args_of<FetchArgs>(uf);
  EXPECT_EQ(f.changed_since, 12345u);
  EXPECT_TRUE(f.vanished);
  f = args_of<FetchArgs>(parse_one("a FETCH $ PREVIEW (CHANGEDSINCE 1)\r\n"));
  EXPECT_TRUE(f.set.is_saved_result());
  EXPECT_FALSE(f.items[0].lazy);
  EXPECT_EQ(f.changed_since, 1u);

  parse_error("a FETCH 1 (FLAGS) (VANISHED)\r\n");  // needs UID FETCH + CHANGEDSINCE
  parse_error("a FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n");
  parse_error("a FETCH 1 (ALL)\r\n");       // macros are not attributes
  parse_error("a FETCH 1 BODY[MIME]\r\n");  // MIME needs a part
  parse_error("a FETCH 1 BODY[1]<5>\r\n");  // FETCH partial needs a length
  parse_error("a FETCH 0 FLAGS\r\n");
  parse_error("a FETCH 1 BINARY[TEXT]\r\n");
  parse_error("a FETCH 1 BODY[1.]\r\n");
  parse_error("a FETCH 1 BODY[1.2.HEADER.FIELDS ()]\r\n");
}

TEST(CommandGrammar, Store) {
  auto s = args_of<StoreArgs>(parse_one("a STORE 2:4 +FLAGS (\\Deleted $Junk)\r\n"));
  EXPECT_EQ(s.mode, StoreArgs::Mode::Add);
  EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted", "$Junk"}));
  s = args_of<StoreArgs>(parse_one("a STORE 1 -FLAGS.SILENT \\Seen \\Flagged\r\n"));
  EXPECT_EQ(s.mode, StoreArgs::Mode::Remove);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.flags.size(), 2u);
  Command u = parse_one("a UID STORE 1:3 (UNCHANGEDSINCE 0) FLAGS ()\r\n");
  EXPECT_TRUE(u.uid);
  s = args_of<StoreArgs>(u);
  EXPECT_EQ(s.unchanged_since, 0u);
  EXPECT_TRUE(s.flags.empty());
  parse_error("a STORE 1 LABELS (x)\r\n");
  parse_error("a STORE 1 +FLAGS (\\)\r\n");
}

TEST(CommandGrammar, CopyMoveExpunge) {
  Command c = parse_one("a COPY 2:4 MEETING\r\n");
  EXPECT_EQ(args_of<CopyArgs>(c).mailbox, "MEETING");
  c = parse_one("a UID MOVE 42,44:* Trash\r\n");
  EXPECT_EQ(c.name, CommandName::Move);
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(args_of<CopyArgs>(c).set.to_string(), "42,44:*");
  c = parse_one("a UID COPY $ inbox\r\n");
  EXPECT_EQ(args_of<CopyArgs>(c).mailbox, "INBOX");
  c = parse_one("a UID EXPUNGE 3000:3002\r\n");
  EXPECT_EQ(c.name, CommandName::Expunge);
  EXPECT_EQ(args_of<ExpungeArgs>(c).uids->to_string(), "3000:3002");
  parse_error("a UID EXPUNGE\r\n");
  parse_error("a EXPUNGE 1\r\n");
  parse_error("a UID NOOP\r\n");
}

TEST(CommandGrammar, SearchKeys) {
  auto s = args_of<SearchArgs>(parse_one(
      "a SEARCH CHARSET utf-8 ALL ANSWERED BCC x BEFORE 1-Feb-1994 BODY \"a b\" CC c DELETED "
      "DRAFT FLAGGED FROM Smith KEYWORD $Junk LARGER 100 NEW NOT SEEN OLD ON 01-Jan-2020 "
      "OR SEEN (UNSEEN FLAGGED) RECENT SEEN SENTBEFORE 1-Jan-2000 SENTON 2-Jan-2000 "
      "SENTSINCE 3-Jan-2000 SINCE \"4-Jan-2000\" SMALLER 5 SUBJECT hi TEXT t TO z UID 1:5 "
      "UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD foo UNSEEN HEADER X-Spam yes 1,3:* "
      "OLDER 3600 YOUNGER 60 MODSEQ 620 MODSEQ \"/flags/\\\\draft\" all 5 SAVEDBEFORE 1-Jan-2021 "
      "SAVEDON 1-Jan-2021 SAVEDSINCE 1-Jan-2021 SAVEDATESUPPORTED EMAILID M6d99ac3275bb4e "
      "THREADID T64b478a75b7ea9\r\n"));
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_FALSE(s.result);
  ASSERT_EQ(s.key.type, SearchKeyType::And);
  const auto& k = s.key.children;
  ASSERT_EQ(k.size(), 46u);
  EXPECT_EQ(k[3].date, (Date{1994, 2, 1}));
  EXPECT_EQ(k[4].text, "a b");
  EXPECT_EQ(k[13].type, SearchKeyType::Not);
  EXPECT_EQ(k[16].type, SearchKeyType::Or);
  EXPECT_EQ(k[16].children[1].type, SearchKeyType::And);
  EXPECT_EQ(k[16].children[1].children.size(), 2u);
  EXPECT_EQ(k[25].type, SearchKeyType::Text);
  EXPECT_EQ(k[27].set.to_string(), "1:5");
  EXPECT_EQ(k[34].header_name, "X-Spam");
  EXPECT_EQ(k[35].type, SearchKeyType::SequenceSet);
  EXPECT_EQ(k[36].number, 3600u);
  EXPECT_EQ(k[38].type, SearchKeyType::ModSeq);
  EXPECT_EQ(k[39].entry_name, "/flags/\\draft");
  EXPECT_EQ(k[39].entry_type, "all");
  EXPECT_EQ(k[39].number, 5u);
  EXPECT_EQ(k[43].type, SearchKeyType::SaveDateSupported);
  EXPECT_EQ(k[44].text, "M6d99ac3275bb4e");
  EXPECT_EQ(k[45].type, SearchKeyType::ThreadId);

  Command u = parse_one("a UID SEARCH RETURN (MIN MAX COUNT SAVE) BODY {5}\r\nhello\r\n");
  EXPECT_EQ(u.name, CommandName::Search);
  EXPECT_TRUE(u.uid);
  s = args_of<SearchArgs>(parse_one("a SEARCH RETURN () $ SUBJECT {3}\r\nfoo\r\n"));
  ASSERT_TRUE(s.result);
  EXPECT_TRUE(s.result->all);
  EXPECT_TRUE(s.key.children[0].set.is_saved_result());
  EXPECT_EQ(s.key.children[1].text, "foo");

  parse_error("a SEARCH\r\n");
  parse_error("a SEARCH FOO\r\n");
  parse_error("a SEARCH BEFORE 31-Feb-2020\r\n");
  parse_error("a SEARCH OLDER 0\r\n");
  parse_error("a SEARCH OR SEEN\r\n");
  parse_error("a SEARCH (SEEN\r\n");
  parse_error("a SEARCH RETURN (FOO) ALL\r\n");
  parse_error("a SEARCH EMAILID a.b\r\n");
}

TEST(CommandGrammar, CondstoreModifiersAndModseqKey) {
  // RFC 7162 §3.1.4: CHANGEDSINCE after the item list or a macro; 0 is taken (as Dovecot does).
  auto f = args_of<FetchArgs>(parse_one("a FETCH 1:* FAST (changedsince 0)\r\n"));
  EXPECT_EQ(f.changed_since, 0u);
  EXPECT_EQ(f.items.size(), 3u);
  f = args_of<FetchArgs>(parse_one("a UID FETCH 1:* MODSEQ (VANISHED CHANGEDSINCE 9)\r\n"));
  ASSERT_EQ(f.items.size(), 1u);
  EXPECT_EQ(f.items[0].type, FetchItemType::ModSeq);
  EXPECT_TRUE(f.vanished);
  EXPECT_EQ(f.changed_since, 9u);
  parse_error("a FETCH 1 FLAGS (CHANGEDSINCE)\r\n");
  parse_error("a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)\r\n");  // > 2^63-1
  parse_error("a FETCH 1 FLAGS ()\r\n");
  parse_error("a FETCH 1 FLAGS (CHANGEDSINCE 5 FOO)\r\n");

  // RFC 7162 §3.1.3: UNCHANGEDSINCE takes mod-sequence-valzer, before the flag operation.
  auto st = args_of<StoreArgs>(
      parse_one("a STORE 1,3 (UNCHANGEDSINCE 9223372036854775807) -FLAGS.SILENT (\\Seen)\r\n"));
  EXPECT_EQ(st.unchanged_since, 9223372036854775807ull);
  EXPECT_TRUE(st.silent);
  EXPECT_EQ(st.mode, StoreArgs::Mode::Remove);
  EXPECT_FALSE(args_of<StoreArgs>(parse_one("a STORE 1 FLAGS ()\r\n")).unchanged_since);
  parse_error("a STORE 1 (UNCHANGEDSINCE) FLAGS ()\r\n");
  parse_error("a STORE 1 (UNCHANGEDSINCE 5 X) FLAGS ()\r\n");
  parse_error("a STORE 1 (FOO 5) FLAGS ()\r\n");
  parse_error("a STORE 1 FLAGS () (UNCHANGEDSINCE 5)\r\n");

  // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type] mod-sequence-valzer, also inside NOT/OR.
  auto s = args_of<SearchArgs>(parse_one(
      "a SEARCH OR MODSEQ 0 NOT MODSEQ \"/FLAGS/$Junk\" PRIV 7 MODSEQ \"/flags/\\\\Seen\" shared "
      "12\r\n"));
  ASSERT_EQ(s.key.children.size(), 2u);
  const SearchKey& either = s.key.children[0];
  EXPECT_EQ(either.type, SearchKeyType::Or);
  EXPECT_EQ(either.children[0].number, 0u);
  EXPECT_EQ(either.children[1].children[0].entry_name, "/FLAGS/$Junk");
  EXPECT_EQ(either.children[1].children[0].entry_type, "priv");
  EXPECT_EQ(s.key.children[1].entry_name, "/flags/\\Seen");
  EXPECT_EQ(s.key.children[1].entry_type, "shared");
  EXPECT_EQ(s.key.children[1].number, 12u);
  parse_error("a SEARCH MODSEQ\r\n");
  parse_error("a SEARCH MODSEQ \"/flags/\\\\Seen\" 5\r\n");       // type is required
  parse_error("a SEARCH MODSEQ \"/flags/\\\\Seen\" none 5\r\n");  // unknown type
  parse_error("a SEARCH MODSEQ \"/annotate/x\" all 5\r\n");       // not a flag entry
  parse_error("a SEARCH MODSEQ \"/flags/\" all 5\r\n");           // no flag
  parse_error("a SEARCH MODSEQ \"/flags/a b\" all 5\r\n");        // not an atom
  parse_error("a SEARCH MODSEQ 9223372036854775808\r\n");
}

TEST(CommandGrammar, SortAndThread) {
  Command c =
      parse_one("a UID SORT (REVERSE ARRIVAL subject DISPLAYFROM) UTF-8 SINCE 1-Feb-1994\r\n");
  EXPECT_TRUE(c.uid);
  auto s = args_of<SortArgs>(c);
  ASSERT_EQ(s.criteria.size(), 3u);
  EXPECT_TRUE(s.criteria[0].reverse);
  EXPECT_EQ(s.criteria[1].key, SortCriterion::Key::Subject);
  EXPECT_EQ(s.charset, "UTF-8");
  auto t = args_of<ThreadArgs>(parse_one("a THREAD references US-ASCII TEXT \"gewp\" ALL\r\n"));
  EXPECT_EQ(t.algorithm, "REFERENCES");
  EXPECT_EQ(t.key.children.size(), 2u);
  parse_error("a SORT () UTF-8 ALL\r\n");
  parse_error("a SORT (ARRIVAL) ALL\r\n");  // charset is mandatory
  parse_error("a THREAD ORDEREDSUBJECT UTF-8\r\n");
}

TEST(CommandGrammar, ErrorsCarryTheTag) {
  auto e = parse_error("x17 FROB\r\n");
  EXPECT_EQ(e.first, "x17");
  EXPECT_EQ(e.second.kind, ErrorKind::Syntax);
  EXPECT_EQ(parse_error("x18 LOGIN fred\r\n").first, "x18");
  EXPECT_EQ(parse_error("x19 SELECT\r\n").first, "x19");
  EXPECT_EQ(parse_error("x20 NOOP extra\r\n").first, "x20");
  EXPECT_EQ(parse_error("x21\r\n").first, "x21");
  EXPECT_EQ(parse_error("(bad NOOP\r\n").first, "");
  EXPECT_EQ(parse_error("+ NOOP\r\n").first, "");
}

}  // namespace
}  // namespace roost::imap
