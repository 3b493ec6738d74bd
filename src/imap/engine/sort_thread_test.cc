#include "imap/engine/sort_thread.h"

#include <gtest/gtest.h>

#include <deque>

#include "imap/engine/base_subject.h"
#include "imap/engine/engine_test_util.h"

namespace roost::imap {
namespace {

using testing::crlf;
using testing::sort_criteria;

TEST(BaseSubject, Rfc5256Rules) {
  auto base = [](std::string_view s) { return extract_base_subject(s).text; };
  EXPECT_EQ(base("Re: [list] Fwd: Hi (fwd)"), "Hi");
  EXPECT_EQ(base("RE : Re[2]: FW:fwd:  x"), "x");
  EXPECT_EQ(base("[PATCH] fix"), "fix");
  EXPECT_EQ(base("[PATCH]"), "[PATCH]");  // removing the blob would leave nothing
  EXPECT_EQ(base("[fwd: Re: hello]"), "hello");
  EXPECT_EQ(base("Reply: x"), "Reply: x");
  EXPECT_EQ(base("  tabs\tand   spaces  "), "tabs and spaces");
  EXPECT_EQ(base(""), "");
  EXPECT_TRUE(extract_base_subject("Re: x").reply_or_forward);
  EXPECT_TRUE(extract_base_subject("x (fwd)").reply_or_forward);
  EXPECT_TRUE(extract_base_subject("[fwd: x]").reply_or_forward);
  EXPECT_FALSE(extract_base_subject("[list] x").reply_or_forward);
}

// Keeps the parsed messages alive for the records that point at them.
struct Mailbox {
  std::deque<mime::ParsedMessage> parsed;
  std::vector<SortRecord> records;

  void add(std::string headers, int64_t internal = 0, uint64_t size = 0) {
    std::string bytes = crlf(headers + "\nbody\n");
    parsed.push_back(mime::parse(bytes));
    SortRecord r;
    r.seq = static_cast<uint32_t>(records.size() + 1);
    r.number = r.seq;
    r.internal_date = internal;
    r.size = size;
    r.parsed = &parsed.back();
    r.references = header_value(bytes.substr(0, bytes.find("\r\n\r\n") + 4), "References");
    records.push_back(std::move(r));
  }
  std::string sort(std::string_view criteria) const {
    std::string out;
    for (uint32_t n : sort_messages(records, sort_criteria(criteria))) {
      out += (out.empty() ? "" : " ") + std::to_string(n);
    }
    return out;
  }
  std::string thread(ThreadAlgorithm a) const { return thread_messages(records, a); }
};

std::string date(int seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "Date: Thu, 01 Jan 1970 %02d:%02d:%02d +0000\n", seconds / 3600,
                seconds / 60 % 60, seconds % 60);
  return buf;
}

Mailbox sort_mailbox() {
  Mailbox m;
  m.add("Subject: Re: beta\nFrom: Zed <zed@x>\nTo: amy@x\n" + date(3000), 100, 300);
  m.add("Subject: alpha\nFrom: Bob <bob@x>\nTo: Carl <carl@x>\nCc: dan@x\n" + date(1000), 300, 100);
  m.add("Subject: Beta\nFrom: =?utf-8?q?=C3=80lice?= <ann@x>\nTo: bea@x\nCc: al@x\n", 2000, 200);
  return m;
}

TEST(Sort, EachCriterion) {
  Mailbox m = sort_mailbox();
  EXPECT_EQ(m.sort("(ARRIVAL)"), "1 2 3");
  EXPECT_EQ(m.sort("(REVERSE ARRIVAL)"), "3 2 1");
  EXPECT_EQ(m.sort("(DATE)"), "2 3 1");  // 3 has no Date: INTERNALDATE 2000
  EXPECT_EQ(m.sort("(SIZE)"), "2 3 1");
  EXPECT_EQ(m.sort("(SUBJECT)"), "2 1 3");  // "beta" twice: mailbox order
  EXPECT_EQ(m.sort("(REVERSE SUBJECT)"), "1 3 2");
  EXPECT_EQ(m.sort("(FROM)"), "3 2 1");         // ann, bob, zed
  EXPECT_EQ(m.sort("(TO)"), "1 3 2");           // amy, bea, carl
  EXPECT_EQ(m.sort("(CC)"), "1 3 2");           // "", al, dan
  EXPECT_EQ(m.sort("(DISPLAYFROM)"), "2 1 3");  // bob, zed, àlice (code point order)
  EXPECT_EQ(m.sort("(DISPLAYTO)"), "1 3 2");    // amy@x, bea@x, carl
  EXPECT_EQ(m.sort("(SUBJECT DATE)"), "2 3 1");
  EXPECT_EQ(m.sort("(SUBJECT REVERSE DATE)"), "2 1 3");
  EXPECT_EQ(m.sort("(REVERSE SIZE ARRIVAL)"), "1 3 2");
}

// SORT by DATE alone keeps only each message's date (no parsed message): the same order.
TEST(Sort, DateWithoutParsedMessages) {
  Mailbox m = sort_mailbox();
  std::vector<SortRecord> dates_only = m.records;
  for (SortRecord& r : dates_only) {
    r.date_unix = r.parsed->date_unix;
    r.parsed = nullptr;
  }
  for (std::string_view criteria : {"(DATE)", "(REVERSE DATE)", "(DATE SIZE)", "(ARRIVAL)"}) {
    auto expected = sort_messages(m.records, sort_criteria(criteria));
    EXPECT_EQ(sort_messages(dates_only, sort_criteria(criteria)), expected) << criteria;
  }
}

// Found by the live Dovecot comparison (tests/imap/imap_dovecot_diff_test.py).
TEST(Sort, AsciiCasemapUpperCasesAndGroupsSortByName) {
  Mailbox m;
  m.add("Subject: addresses comments\nTo: undisclosed-recipients:;\n");
  m.add("Subject: addresses comment_name\nTo: Team: zoe@x;\n");
  m.add("Subject: addresses commentz\nTo: mia@x\n");
  // RFC 4790 §9.2.1: "S" (0x53) < "Z" < "_" (0x5F) once letters are upper case.
  EXPECT_EQ(m.sort("(SUBJECT)"), "1 3 2");
  // RFC 5256 §3: the first address of a group is its start marker, named by the group.
  EXPECT_EQ(m.sort("(TO)"), "3 2 1");         // mia, team, undisclosed-recipients
  EXPECT_EQ(m.sort("(DISPLAYTO)"), "3 2 1");  // mia@x, team, undisclosed-recipients
}

TEST(Thread, OrderedSubject) {
  Mailbox m;
  m.add("Subject: Hello\n" + date(1));
  m.add("Subject: Re: Hello\n" + date(2));
  m.add("Subject: Other\n" + date(3));
  m.add("Subject: Re: hello\n" + date(4));
  m.add("Subject: Solo\n" + date(5));
  m.add("Subject: Re: Other\n" + date(6));
  EXPECT_EQ(m.thread(ThreadAlgorithm::OrderedSubject), "(1 (2)(4))(3 6)(5)");
  EXPECT_EQ(Mailbox().thread(ThreadAlgorithm::OrderedSubject), "");
}

TEST(Thread, References) {
  Mailbox m;
  m.add("Message-ID: <1@x>\nSubject: A\n" + date(1));
  m.add("Message-ID: <2@x>\nReferences: <1@x>\nSubject: Re: A\n" + date(2));
  m.add("Message-ID: <3@x>\nReferences: <1@x>\n <2@x>\nSubject: Re: A\n" + date(3));
  m.add("Message-ID: <4@x>\nReferences: <1@x>\nSubject: Re: A\n" + date(4));
  m.add("Message-ID: <5@x>\nReferences: <gone@x>\nSubject: B\n" + date(5));  // dummy promoted
  m.add("Message-ID: <6@x>\nReferences: <gone2@x>\nSubject: C\n" + date(6));
  m.add("Message-ID: <7@x>\nReferences: <gone2@x>\nSubject: C\n" + date(7));  // dummy kept
  m.add("Subject: Re: B\n" + date(8));                                        // merged by subject
  m.add("Message-ID: <9@x>\nSubject: D\n" + date(9));
  m.add("Message-ID: <10@x>\nSubject: D\n" + date(10));  // same subject, no reply: new dummy
  m.add("Message-ID: <11@x>\nIn-Reply-To: <3@x>\nSubject: Re: A\n" + date(11));
  EXPECT_EQ(m.thread(ThreadAlgorithm::References), "(1 (2 3 11)(4))(5 8)((6)(7))((9)(10))");
}

TEST(Thread, ReferencesOrderAndOddities) {
  Mailbox m;
  // Children sorted by date, not arrival; a reply arriving before its parent.
  m.add("Message-ID: <c@x>\nReferences: <p@x>\nSubject: Re: p\n" + date(30));
  m.add("Message-ID: <b@x>\nReferences: <p@x>\nSubject: Re: p\n" + date(20));
  m.add("Message-ID: <p@x>\nSubject: p\n" + date(10));
  // A loop in References (the second link is refused) and a duplicate Message-ID.
  m.add("Message-ID: <x@x>\nReferences: <y@x>\nSubject: loop\n" + date(40));
  m.add("Message-ID: <y@x>\nReferences: <x@x>\nSubject: loop2\n" + date(41));
  m.add("Message-ID: <p@x>\nSubject: dup\n" + date(50));
  EXPECT_EQ(m.thread(ThreadAlgorithm::References), "(3 (2)(1))(5 4)(6)");
}

TEST(Thread, AlgorithmNames) {
  EXPECT_EQ(thread_algorithm_from_name("references"), ThreadAlgorithm::References);
  EXPECT_EQ(thread_algorithm_from_name("ORDEREDSUBJECT"), ThreadAlgorithm::OrderedSubject);
  EXPECT_EQ(thread_algorithm_from_name("REFS"), std::nullopt);
}

TEST(MessageIds, Parse) {
  EXPECT_EQ(parse_message_ids("<a@b> junk <c@d>\r\n\t<e\r\n @f>"),
            (std::vector<std::string>{"a@b", "c@d", "e@f"}));
  EXPECT_TRUE(parse_message_ids("none").empty());
}

}  // namespace
}  // namespace roost::imap
