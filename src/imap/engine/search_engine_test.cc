#include "imap/engine/search_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "imap/engine/engine_test_util.h"
#include "imap/engine/text_fold.h"

namespace roost::imap {
namespace {

using testing::crlf;
using testing::search_key;

const std::string kMessage = crlf(
    "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\n"
    "To: Bob <bob@example.net>, carol@example.com\n"
    "Cc: Dave <dave@example.net>\n"
    "Bcc: eve@example.com\n"
    "Subject: =?UTF-8?B?w4ljbGFpcg==?= report\n"  // "Éclair report"
    "Date: Sun, 05 May 2024 23:30:00 -0200\n"     // 2024-05-06 01:30 UTC
    "X-Priority: High\n"
    "Content-Type: multipart/alternative; boundary=\"b\"\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Un caf=E9 cr=E8me, s'il vous pla=EEt.\n"
    "--b\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "PHA+SGlkZGVuIDxiPnRyZWFzdXJlPC9iPjwvcD4=\n"  // <p>Hidden <b>treasure</b></p>
    "--b--\n");

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = kMessage;
    parsed_ = mime::parse(bytes_);
    entry_.uid = 20;
    entry_.modseq = 100;
    entry_.blob = {"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 1000};
    entry_.flags.system = store::kSeen | store::kFlagged;
    entry_.flags.keywords = {"$Important"};
    entry_.internal_date = 1714953600 + 3600;  // 2024-05-06 01:00 UTC
    entry_.internal_date_tz = 0;
    entry_.save_date = 1715040000;  // 2024-05-07 00:00 UTC
    ctx_.max_seq = 10;
    ctx_.max_uid = 30;
    ctx_.now_unix = entry_.internal_date + 1000;
  }

  SearchMessage message() {
    SearchMessage m;
    m.seq = 4;
    m.entry = &entry_;
    m.load_parsed = [this]() -> Result<const mime::ParsedMessage*> {
      ++parsed_loads_;
      return &parsed_;
    };
    m.load_bytes = [this]() -> Result<std::string_view> {
      ++byte_loads_;
      return std::string_view(bytes_);
    };
    return m;
  }

  bool matches(std::string_view program) {
    SearchProgram p(search_key(program));
    auto r = p.matches(message(), ctx_);
    EXPECT_TRUE(r) << program;
    return r && *r;
  }

  std::string bytes_;
  mime::ParsedMessage parsed_;
  store::MessageEntry entry_;
  SearchContext ctx_;
  int parsed_loads_ = 0, byte_loads_ = 0;
};

TEST_F(SearchTest, Flags) {
  EXPECT_TRUE(matches("ALL"));
  EXPECT_TRUE(matches("SEEN"));
  EXPECT_TRUE(matches("FLAGGED"));
  EXPECT_TRUE(matches("UNANSWERED"));
  EXPECT_TRUE(matches("UNDELETED"));
  EXPECT_TRUE(matches("UNDRAFT"));
  EXPECT_FALSE(matches("UNSEEN"));
  EXPECT_FALSE(matches("UNFLAGGED"));
  EXPECT_FALSE(matches("ANSWERED"));
  EXPECT_FALSE(matches("DELETED"));
  EXPECT_FALSE(matches("DRAFT"));
  EXPECT_TRUE(matches("KEYWORD $important"));
  EXPECT_FALSE(matches("KEYWORD $Junk"));
  EXPECT_TRUE(matches("UNKEYWORD $Junk"));
  EXPECT_FALSE(matches("UNKEYWORD $Important"));
  // No \Recent in Roost: RECENT and NEW never match, OLD always does.
  EXPECT_FALSE(matches("RECENT"));
  EXPECT_FALSE(matches("NEW"));
  EXPECT_TRUE(matches("OLD"));
  entry_.flags.system = store::kAnswered | store::kDeleted | store::kDraft;
  EXPECT_TRUE(matches("ANSWERED DELETED DRAFT UNSEEN UNFLAGGED"));
  EXPECT_FALSE(matches("NEW"));
}

TEST_F(SearchTest, NumbersAndSets) {
  EXPECT_TRUE(matches("4"));
  EXPECT_TRUE(matches("1:4"));
  EXPECT_TRUE(matches("3,5:*,4"));
  EXPECT_FALSE(matches("5:*"));
  EXPECT_TRUE(matches("UID 20"));
  EXPECT_TRUE(matches("UID 15:*"));
  EXPECT_FALSE(matches("UID 25:*"));  // 25:30
  EXPECT_FALSE(matches("UID 21:24"));
  EXPECT_TRUE(matches("LARGER 999"));
  EXPECT_FALSE(matches("LARGER 1000"));
  EXPECT_TRUE(matches("SMALLER 1001"));
  EXPECT_FALSE(matches("SMALLER 1000"));
  EXPECT_TRUE(matches("MODSEQ 100"));
  EXPECT_FALSE(matches("MODSEQ 101"));
  EXPECT_TRUE(matches("MODSEQ \"/flags/\\\\seen\" all 50"));
  ctx_.saved_uids = {{18, 22}};
  EXPECT_TRUE(matches("$"));
  EXPECT_TRUE(matches("UID $"));
  ctx_.saved_uids = {{1, 3}};
  EXPECT_FALSE(matches("$"));
}

TEST_F(SearchTest, Dates) {
  // INTERNALDATE 2024-05-06 01:00 UTC, shown in its own zone.
  EXPECT_TRUE(matches("ON 6-May-2024"));
  EXPECT_TRUE(matches("SINCE 6-May-2024"));
  EXPECT_TRUE(matches("BEFORE 7-May-2024"));
  EXPECT_FALSE(matches("BEFORE 6-May-2024"));
  EXPECT_FALSE(matches("SINCE 7-May-2024"));
  entry_.internal_date_tz = -120;  // 5-May 23:00 -0200
  EXPECT_TRUE(matches("ON 5-May-2024"));
  // Date header: 5-May 23:30 -0200 (the header's own date, not UTC's 6-May).
  EXPECT_TRUE(matches("SENTON 5-May-2024"));
  EXPECT_TRUE(matches("SENTBEFORE 6-May-2024"));
  EXPECT_FALSE(matches("SENTSINCE 6-May-2024"));
  EXPECT_TRUE(matches("SENTSINCE 5-May-2024"));
  // Save date 2024-05-07 UTC.
  EXPECT_TRUE(matches("SAVEDON 7-May-2024"));
  EXPECT_TRUE(matches("SAVEDSINCE 7-May-2024"));
  EXPECT_FALSE(matches("SAVEDBEFORE 7-May-2024"));
  EXPECT_TRUE(matches("SAVEDATESUPPORTED"));
  entry_.save_date = 0;  // unknown: INTERNALDATE
  EXPECT_TRUE(matches("SAVEDON 6-May-2024"));
  // OLDER/YOUNGER against the injected now (1000 s later).
  EXPECT_TRUE(matches("OLDER 999"));
  EXPECT_TRUE(matches("OLDER 1000"));
  EXPECT_FALSE(matches("OLDER 1001"));
  EXPECT_TRUE(matches("YOUNGER 1001"));
  EXPECT_FALSE(matches("YOUNGER 1000"));
}

TEST_F(SearchTest, MissingDateNeverMatchesSent) {
  bytes_ = crlf("Subject: x\n\nbody\n");
  parsed_ = mime::parse(bytes_);
  EXPECT_FALSE(matches("SENTON 1-Jan-1970"));
  EXPECT_FALSE(matches("SENTBEFORE 1-Jan-2100"));
  EXPECT_TRUE(matches("NOT SENTSINCE 1-Jan-1970"));
}

// Found by the live Dovecot comparison (tests/imap/imap_dovecot_diff_test.py).
TEST_F(SearchTest, GroupNamesAndMissingSubject) {
  bytes_ = crlf("To: undisclosed-recipients:;\nCc: Friends: a@x.org, b@y.org;\n\nbody\n");
  parsed_ = mime::parse(bytes_);
  EXPECT_TRUE(matches("TO undisclosed-recipients"));
  EXPECT_TRUE(matches("CC friends"));
  EXPECT_TRUE(matches("CC b@y.org"));
  // "" is in every field there is, even an empty one, and in none that is missing.
  EXPECT_FALSE(matches("SUBJECT \"\""));
  EXPECT_FALSE(matches("FROM \"\""));
  EXPECT_TRUE(matches("TO \"\""));
  bytes_ = crlf("Subject:\nBcc:\n\nbody\n");
  parsed_ = mime::parse(bytes_);
  EXPECT_TRUE(matches("SUBJECT \"\""));
  EXPECT_TRUE(matches("BCC \"\""));
  EXPECT_FALSE(matches("CC \"\""));
}

TEST_F(SearchTest, AddressesAndSubject) {
  EXPECT_TRUE(matches("FROM \"andré\""));        // decoded display name
  EXPECT_TRUE(matches("FROM \"ANDRÉ\""));        // Latin-1 case folding
  EXPECT_TRUE(matches("FROM =?ISO-8859-1?Q?"));  // raw encoded form
  EXPECT_TRUE(matches("FROM andre@example"));
  EXPECT_FALSE(matches("FROM bob"));
  EXPECT_TRUE(matches("TO BOB"));
  EXPECT_TRUE(matches("TO carol@example.com"));
  EXPECT_FALSE(matches("TO dave"));
  EXPECT_TRUE(matches("CC dave"));
  EXPECT_FALSE(matches("CC eve"));
  EXPECT_TRUE(matches("BCC eve"));
  EXPECT_TRUE(matches("SUBJECT \"éclair\""));
  EXPECT_TRUE(matches("SUBJECT \"ÉCLAIR REPORT\""));
  EXPECT_FALSE(matches("SUBJECT \"café\""));
  EXPECT_TRUE(matches("SUBJECT \"\""));
}

TEST_F(SearchTest, HeaderBodyText) {
  EXPECT_TRUE(matches("HEADER X-Priority high"));
  EXPECT_TRUE(matches("HEADER x-priority \"\""));  // present
  EXPECT_FALSE(matches("HEADER X-Missing \"\""));
  EXPECT_FALSE(matches("HEADER X-Priority low"));
  EXPECT_TRUE(matches("HEADER Subject \"éclair\""));  // decoded
  EXPECT_TRUE(matches("BODY \"CAFÉ CRÈME\""));        // QP + ISO-8859-1 → UTF-8, folded
  EXPECT_TRUE(matches("BODY \"plaît\""));
  EXPECT_TRUE(matches("BODY \"hidden treasure\""));  // base64 HTML, tags removed
  EXPECT_FALSE(matches("BODY <b>"));
  EXPECT_FALSE(matches("BODY \"Éclair\""));  // header text is not body
  EXPECT_TRUE(matches("TEXT \"Éclair\""));
  EXPECT_TRUE(matches("TEXT x-priority"));
  EXPECT_TRUE(matches("TEXT treasure"));
  EXPECT_FALSE(matches("TEXT nowhere"));
}

TEST_F(SearchTest, BooleanAndIds) {
  EXPECT_TRUE(matches("OR UNSEEN FLAGGED"));
  EXPECT_FALSE(matches("OR UNSEEN DELETED"));
  EXPECT_TRUE(matches("NOT DELETED"));
  EXPECT_FALSE(matches("NOT SEEN"));
  EXPECT_TRUE(matches("(SEEN FLAGGED) NOT (OR DELETED DRAFT)"));
  EXPECT_TRUE(matches("EMAILID Mabcdef0123456789abcdef01"));
  EXPECT_FALSE(matches("EMAILID Mabcdef0123456789abcdef02"));
  EXPECT_FALSE(matches("THREADID T1"));
}

TEST_F(SearchTest, CheapKeysFirstAndLazyLoading) {
  SearchProgram flags(search_key("SEEN UID 1:*"));
  EXPECT_FALSE(flags.needs_parsed());
  ASSERT_TRUE(flags.matches(message(), ctx_));
  EXPECT_EQ(parsed_loads_ + byte_loads_, 0);
  // The body key comes first in the program but UNSEEN fails before anything is loaded.
  SearchProgram p(search_key("BODY \"café\" UNSEEN"));
  EXPECT_TRUE(p.needs_bytes());
  auto r = p.matches(message(), ctx_);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(parsed_loads_ + byte_loads_, 0);
  // Several text keys load each thing once.
  SearchProgram q(search_key("BODY \"café\" TEXT treasure FROM \"andré\" HEADER X-Priority high"));
  r = q.matches(message(), ctx_);
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_EQ(parsed_loads_, 1);
  EXPECT_EQ(byte_loads_, 1);
}

TEST_F(SearchTest, HeaderKeysReadTheKeptHeaderElseTheBlob) {
  std::string kept = bytes_.substr(0, static_cast<size_t>(parsed_.parts[0].header_size));
  SearchMessage m = message();
  int header_loads = 0;
  m.load_header = [&]() -> Result<std::optional<std::string_view>> {
    ++header_loads;
    return std::optional<std::string_view>(kept);
  };
  SearchProgram p(search_key("HEADER X-Priority high FROM \"\" NOT HEADER Message-ID \"\""));
  EXPECT_TRUE(p.needs_header());
  EXPECT_FALSE(p.needs_parsed());
  auto r = p.matches(m, ctx_);
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_EQ(parsed_loads_ + byte_loads_, 0);
  EXPECT_GE(header_loads, 1);
  // Not kept (an index from before schema v4): the same answer from the parsed message and bytes.
  m.load_header = []() -> Result<std::optional<std::string_view>> { return std::nullopt; };
  r = p.matches(m, ctx_);
  ASSERT_TRUE(r);
  EXPECT_TRUE(*r);
  EXPECT_EQ(parsed_loads_, 1);
  EXPECT_EQ(byte_loads_, 1);
  EXPECT_FALSE(SearchProgram(search_key("SUBJECT x BODY y")).needs_header());
}

TEST_F(SearchTest, LoaderErrorsPropagate) {
  SearchMessage m = message();
  m.load_bytes = []() -> Result<std::string_view> { return make_error(ErrorKind::Io, "gone"); };
  SearchProgram p(search_key("BODY x"));
  auto r = p.matches(m, ctx_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
}

TEST(TextFold, LatinGreekCyrillic) {
  EXPECT_EQ(fold_case("ÀÉÎÕÜ ÆØÞ ×"), "àéîõü æøþ ×");
  EXPECT_EQ(fold_case("ŁÓDŹ Ÿ"), "łódź ÿ");
  EXPECT_EQ(fold_case("ΑΘΩ ПРИВЕТ Ё"), "αθω привет ё");
  EXPECT_TRUE(contains_folded("Grüße aus KÖLN", fold_case("köln")));
  EXPECT_FALSE(contains_folded("abc", "abcd"));
  EXPECT_EQ(fold_case(std::string("A\xff\xc3")), std::string("a\xff\xc3"));  // invalid kept
  // ASCII runs around multi-byte characters; only A-Z change ('@' and '[' border them).
  EXPECT_EQ(fold_case("@AZ[ Hello WORLD 123 `az{ \xC3\x89T\xC3\x89 FIN"),
            "@az[ hello world 123 `az{ \xC3\xA9t\xC3\xA9 fin");
}

// The ASCII fast path (no folded copy) answers as folding the haystack and searching would:
// random haystacks of letters in both cases, the bytes '@' '[' '`' '{' that sit next to the
// letters (OR 0x20 must not make '@' an '`'), and multi-byte characters, at every length around
// the 16-byte blocks, with needles cut from the haystack and random ones.
TEST(TextFold, AsciiNeedleAgreesWithFoldingTheHaystack) {
  const std::vector<std::string> alphabet = {"a", "A", "b", "B", "z", "Z", "@", "[", "`",
                                             "{", " ", "\xC3\x89", "\xC3\xA9", "\xFF"};
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int round = 0; round < 4000; ++round) {
    std::string hay;
    size_t units = pick(70);
    for (size_t i = 0; i < units; ++i) hay += alphabet[pick(alphabet.size())];
    std::string needle;
    if (!hay.empty() && round % 2 == 0) {
      size_t from = pick(hay.size());
      needle = hay.substr(from, 1 + pick(std::min<size_t>(6, hay.size() - from)));
    } else {
      for (size_t i = 1 + pick(4); i > 0; --i) needle += "abz@[`{ "[pick(8)];
    }
    std::string folded = fold_case(needle);
    bool ascii = std::all_of(folded.begin(), folded.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) continue;
    bool expected = fold_case(hay).find(folded) != std::string::npos;
    ASSERT_EQ(contains_folded(hay, folded), expected) << "hay=" << hay << " needle=" << folded;
    ASSERT_EQ(contains_ascii_folded(hay, folded), expected) << "hay=" << hay;
  }
  EXPECT_TRUE(contains_ascii_folded(std::string(40, 'x') + "NeEdLe", "needle"));
  EXPECT_FALSE(contains_ascii_folded(std::string(40, 'x') + "NeEdL", "needle"));
  EXPECT_FALSE(contains_ascii_folded("@BC", "`bc"));
  EXPECT_TRUE(contains_ascii_folded("", ""));
}

TEST(DateHeaderZone, Forms) {
  EXPECT_EQ(date_header_zone_minutes("Mon, 6 May 2024 10:00:00 +0130"), 90);
  EXPECT_EQ(date_header_zone_minutes("Mon, 6 May 2024 10:00:00 -0800 (PST)"), -480);
  EXPECT_EQ(date_header_zone_minutes("Mon, 6 May 2024 10:00:00 GMT"), 0);
  EXPECT_EQ(date_header_zone_minutes("2024-05-06"), 0);
}

}  // namespace
}  // namespace roost::imap
