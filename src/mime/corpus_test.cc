// Hand-checked expectations for the real-shaped messages in tests/data/mime/*.eml.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mime/content_type.h"
#include "mime/message.h"
#include "mime/transfer_encoding.h"

namespace roost::mime {
namespace {

std::string load(const std::string& name) {
  std::ifstream f(std::string(ROOST_TEST_DATA_DIR) + "/mime/" + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Loaded {
  std::string bytes;
  ParsedMessage m;
  std::string_view header(size_t i) const {
    return std::string_view(bytes).substr(m.parts.at(i).header_offset, m.parts.at(i).header_size);
  }
  std::string_view body(size_t i) const {
    return std::string_view(bytes).substr(m.parts.at(i).body_offset, m.parts.at(i).body_size);
  }
  const Part& part(size_t i) const { return m.parts.at(i); }
};

Loaded parse_file(const std::string& name) {
  Loaded l;
  l.bytes = load(name);
  l.m = parse(l.bytes);
  return l;
}

Address addr(std::optional<std::string> name, std::string mailbox, std::string host) {
  Address a;
  a.name = std::move(name);
  a.mailbox = std::move(mailbox);
  a.host = std::move(host);
  return a;
}

void expect_type(const Part& p, std::string_view type, std::string_view subtype) {
  EXPECT_EQ(p.type, type);
  EXPECT_EQ(p.subtype, subtype);
}

TEST(Corpus, Simple) {
  auto l = parse_file("01_simple.eml");
  ASSERT_EQ(l.m.parts.size(), 1u);
  expect_type(l.part(0), "text", "plain");
  EXPECT_EQ(l.part(0).params, (Params{{"charset", "us-ascii"}}));
  EXPECT_EQ(l.part(0).encoding, "7bit");  // the default, spelled as Dovecot sends it
  EXPECT_TRUE(l.header(0).starts_with("Return-Path: <john@example.com>\r\n"));
  EXPECT_TRUE(l.header(0).ends_with("local.machine.example>\r\n\r\n"));
  EXPECT_EQ(l.body(0), "Hello world\r\nSecond line\r\n");
  EXPECT_EQ(l.part(0).body_lines, 2u);
  const Envelope& e = l.m.envelope;
  EXPECT_EQ(e.date, "Fri, 21 Nov 1997 09:55:06 -0600");
  EXPECT_EQ(e.subject, "Saying Hello");
  EXPECT_EQ(e.from, (std::vector<Address>{addr("John Doe", "john", "example.com")}));
  EXPECT_EQ(e.sender, e.from);  // RFC 9051 §7.5.2 default
  EXPECT_EQ(e.reply_to, e.from);
  EXPECT_EQ(e.to, (std::vector<Address>{addr("Mary Smith", "mary", "example.net")}));
  EXPECT_TRUE(e.cc.empty());
  EXPECT_EQ(e.message_id, "<1234@local.machine.example>");
  EXPECT_EQ(e.in_reply_to, std::nullopt);
  EXPECT_EQ(l.m.date_unix, 880127706);
  EXPECT_EQ(l.m.from, "John Doe <john@example.com>");
  EXPECT_EQ(l.m.preview, "Hello world Second line");
}

TEST(Corpus, MixedWithAttachment) {
  auto l = parse_file("02_mixed_attachment.eml");
  ASSERT_EQ(l.m.parts.size(), 3u);
  expect_type(l.part(0), "multipart", "mixed");
  EXPECT_EQ(l.part(0).children, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(l.part(0).body_offset + l.part(0).body_size, l.bytes.size());
  EXPECT_TRUE(l.body(0).starts_with("This is a multi-part message"));
  EXPECT_TRUE(l.body(0).ends_with("--XyZ123--\r\nepilogue text\r\n"));
  expect_type(l.part(1), "text", "plain");
  EXPECT_EQ(l.header(1),
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
  EXPECT_EQ(l.body(1), "See the report.");
  EXPECT_EQ(l.part(1).body_lines, 0u);  // line breaks, as Dovecot counts: none here
  EXPECT_EQ(l.part(1).encoding, "7bit");
  expect_type(l.part(2), "application", "pdf");
  EXPECT_EQ(l.part(2).params, (Params{{"name", "report.pdf"}}));
  EXPECT_EQ(l.part(2).encoding, "base64");
  ASSERT_TRUE(l.part(2).disposition);
  EXPECT_EQ(l.part(2).disposition->type, "attachment");
  EXPECT_EQ(l.part(2).disposition->params, (Params{{"filename", "report.pdf"}, {"size", "117"}}));
  EXPECT_EQ(l.part(2).body_lines, 0u);  // only text/* and message/* count lines
  std::string pdf;
  EXPECT_TRUE(decode_base64(l.body(2), pdf));
  std::string line = "%PDF-1.4 fake pdf bytes for the corpus\n";
  EXPECT_EQ(pdf, line + line + line);
  EXPECT_EQ(l.m.subject, "Report attached");
  EXPECT_EQ(l.m.date_unix, 1073304000);
  EXPECT_EQ(l.m.preview, "See the report.");
}

TEST(Corpus, Alternative) {
  auto l = parse_file("03_alternative.eml");
  ASSERT_EQ(l.m.parts.size(), 3u);
  expect_type(l.part(0), "multipart", "alternative");
  EXPECT_EQ(l.part(0).params, (Params{{"boundary", "alt42"}}));
  EXPECT_EQ(l.body(1), "Prices =E0 la carte: 10=80 only,=20\r\nthis week.");
  EXPECT_EQ(l.part(1).body_lines, 1u);  // one line break; the last line has none
  EXPECT_EQ(l.part(1).encoding, "quoted-printable");
  expect_type(l.part(2), "text", "html");
  EXPECT_EQ(l.body(2), "<html><body><p>Prices &agrave; la carte</p></body></html>");
  EXPECT_EQ(l.m.preview, "Prices \xC3\xA0 la carte: 10\xE2\x82\xAC only, this week.");
}

TEST(Corpus, RelatedWithInlineImage) {
  auto l = parse_file("04_related.eml");
  ASSERT_EQ(l.m.parts.size(), 3u);
  EXPECT_EQ(l.part(0).params, (Params{{"boundary", "rel"}, {"type", "text/html"}}));
  expect_type(l.part(2), "image", "png");
  EXPECT_EQ(l.part(2).id, "<img1@example.com>");
  EXPECT_EQ(l.part(2).location, "http://example.com/img/logo.png");
  ASSERT_TRUE(l.part(2).disposition);
  EXPECT_EQ(l.part(2).disposition->type, "inline");
  EXPECT_TRUE(l.part(2).disposition->params.empty());
  EXPECT_EQ(l.body(2), "iVBORw0KGgo=");
  EXPECT_EQ(l.m.preview, "Mockup");
}

TEST(Corpus, RfcMessageNestedTwice) {
  auto l = parse_file("05_nested_rfc822.eml");
  ASSERT_EQ(l.m.parts.size(), 7u);
  expect_type(l.part(0), "multipart", "mixed");
  EXPECT_EQ(l.part(0).children, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(l.body(1), "See below.");
  expect_type(l.part(2), "message", "rfc822");
  EXPECT_EQ(l.part(2).description, "forwarded message");
  EXPECT_EQ(l.part(2).children, (std::vector<uint32_t>{3}));
  EXPECT_TRUE(l.body(2).starts_with("From: middle@example.com\r\n"));
  EXPECT_TRUE(l.body(2).ends_with("Pizza at noon?\r\n--L2--"));
  ASSERT_TRUE(l.part(2).envelope);
  EXPECT_EQ(l.part(2).envelope->subject, "Fwd: lunch");
  EXPECT_EQ(l.part(2).envelope->from,
            (std::vector<Address>{addr(std::nullopt, "middle", "example.com")}));
  EXPECT_EQ(l.part(2).envelope->message_id, "<mid@example.com>");
  // The encapsulated message: header and body tile the message/rfc822 body exactly.
  expect_type(l.part(3), "multipart", "mixed");
  EXPECT_EQ(l.part(3).header_offset, l.part(2).body_offset);
  EXPECT_EQ(l.part(3).body_offset + l.part(3).body_size,
            l.part(2).body_offset + l.part(2).body_size);
  EXPECT_EQ(l.part(3).children, (std::vector<uint32_t>{4, 5}));
  EXPECT_EQ(l.header(4), "\r\n");
  EXPECT_EQ(l.body(4), "Forwarding again.");
  expect_type(l.part(5), "message", "rfc822");
  EXPECT_EQ(l.body(5),
            "From: \"Original Sender\" <orig@example.com>\r\nSubject: lunch\r\n"
            "Date: Tue, 1 Feb 2005 13:00:00 +0100\r\n\r\nPizza at noon?");
  EXPECT_EQ(l.part(5).body_lines, 4u);  // line breaks: "Pizza at noon?" has none
  ASSERT_TRUE(l.part(5).envelope);
  EXPECT_EQ(l.part(5).envelope->from,
            (std::vector<Address>{addr("Original Sender", "orig", "example.com")}));
  EXPECT_EQ(l.part(5).envelope->date, "Tue, 1 Feb 2005 13:00:00 +0100");
  EXPECT_EQ(l.part(5).children, (std::vector<uint32_t>{6}));
  EXPECT_EQ(l.body(6), "Pizza at noon?");
  EXPECT_EQ(l.m.envelope.subject, "Fwd: Fwd: lunch");
  EXPECT_EQ(l.m.preview, "See below.");
}

TEST(Corpus, DigestChildrenDefaultToMessage) {
  auto l = parse_file("06_digest.eml");
  ASSERT_EQ(l.m.parts.size(), 6u);
  EXPECT_EQ(l.part(0).children, (std::vector<uint32_t>{1, 3, 5}));
  expect_type(l.part(1), "message", "rfc822");
  EXPECT_TRUE(l.part(1).params.empty());
  EXPECT_EQ(l.header(1), "\r\n");
  ASSERT_TRUE(l.part(1).envelope);
  EXPECT_EQ(l.part(1).envelope->subject, "first");
  EXPECT_EQ(l.body(2), "First message.");
  EXPECT_EQ(l.part(3).envelope->subject, "second");
  EXPECT_EQ(l.body(4), "Second message.");
  expect_type(l.part(5), "text", "plain");
  EXPECT_TRUE(l.part(5).params.empty());  // Content-Type given without charset
  EXPECT_EQ(l.body(5), "Footer.");
  EXPECT_EQ(l.m.preview, "Footer.");  // text inside attached messages is not the preview
}

TEST(Corpus, Latin1) {
  auto l = parse_file("07_latin1.eml");
  EXPECT_EQ(l.m.envelope.subject, "=?ISO-8859-1?Q?R=E9union_d=E9plac=E9e?=");
  EXPECT_EQ(l.m.subject,
            "R\xC3\xA9union d\xC3\xA9plac\xC3\xA9"
            "e");
  EXPECT_EQ(l.m.from, "Andr\xC3\xA9 <andre@example.fr>");
  EXPECT_EQ(l.m.preview,
            "La r\xC3\xA9union est d\xC3\xA9plac\xC3\xA9"
            "e \xC3\xA0 jeudi.");
}

TEST(Corpus, Windows1252) {
  auto l = parse_file("08_windows1252.eml");
  EXPECT_EQ(l.m.subject,
            "\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x82\xAC"
            "100");
  EXPECT_EQ(l.m.preview,
            "\xE2\x80\x9CSmart quotes\xE2\x80\x9D cost \xE2\x82\xAC"
            "100 \xE2\x80\x93 really.");
  EXPECT_EQ(l.part(0).encoding, "8bit");
}

TEST(Corpus, Koi8r) {
  auto l = parse_file("09_koi8r.eml");
  EXPECT_EQ(l.m.subject, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");  // Привет
  EXPECT_EQ(l.m.preview,
            "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80");
}

TEST(Corpus, Iso2022jp) {
  auto l = parse_file("10_iso2022jp.eml");
  EXPECT_EQ(l.m.subject, "\xE4\xBC\x9A\xE8\xAD\xB0");  // 会議
  EXPECT_EQ(l.m.preview,
            "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xE4\xB8\x96\xE7\x95\x8C");
}

TEST(Corpus, Gb2312) {
  auto l = parse_file("11_gb2312.eml");
  EXPECT_EQ(l.m.subject, "\xE6\xB5\x8B\xE8\xAF\x95");  // 测试
  EXPECT_EQ(l.m.preview, "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C");
}

TEST(Corpus, Rfc2231Filenames) {
  auto l = parse_file("12_rfc2231.eml");
  ASSERT_EQ(l.m.parts.size(), 2u);
  // Stored as IMAP shows them (sections joined, not decoded); decode_params() for the rest.
  EXPECT_EQ(l.part(1).params, (Params{{"name*", "utf-8''%E2%82%AC%20invoice 2024.pdf"}}));
  EXPECT_EQ(decode_params(l.part(1).params), (Params{{"name", "\xE2\x82\xAC invoice 2024.pdf"}}));
  ASSERT_TRUE(l.part(1).disposition);
  EXPECT_EQ(l.part(1).disposition->params, (Params{{"filename*", "iso-8859-1'fr'r%E9sum%E9.txt"}}));
  EXPECT_EQ(decoded_param(l.part(1).disposition->params, "filename"), "r\xC3\xA9sum\xC3\xA9.txt");
  EXPECT_EQ(l.body(1), "AAEC");
}

TEST(Corpus, MissingFinalBoundary) {
  auto l = parse_file("13_missing_final_boundary.eml");
  ASSERT_EQ(l.m.parts.size(), 3u);
  EXPECT_EQ(l.body(1), "part one");
  EXPECT_EQ(l.body(2), "part two never closed\r\n");
  EXPECT_EQ(l.part(2).body_offset + l.part(2).body_size, l.bytes.size());
  EXPECT_EQ(l.part(0).body_offset + l.part(0).body_size, l.bytes.size());
}

TEST(Corpus, BoundaryNeverAppears) {
  auto l = parse_file("14_boundary_never_appears.eml");
  ASSERT_EQ(l.m.parts.size(), 2u);
  EXPECT_EQ(l.body(0), "Just some text\r\nwith no delimiter at all.\r\n");
  EXPECT_EQ(l.part(0).children, (std::vector<uint32_t>{1}));
  expect_type(l.part(1), "text", "plain");
  EXPECT_EQ(l.part(1).header_size, 0u);
  EXPECT_EQ(l.part(1).body_size, 0u);
  EXPECT_EQ(l.m.preview, "");
}

TEST(Corpus, BadBase64) {
  auto l = parse_file("15_bad_base64.eml");
  std::string out;
  EXPECT_FALSE(decode_base64(l.body(0), out));
  EXPECT_EQ(out, "Hello world");
  EXPECT_EQ(l.m.preview, "Hello world");
}

TEST(Corpus, EightBitHeaders) {
  auto l = parse_file("16_8bit_headers.eml");
  EXPECT_EQ(l.m.envelope.subject,
            "Gr\xC3\xBC\xC3\x9F"
            "e aus K\xC3\xB6ln");
  EXPECT_EQ(l.m.subject,
            "Gr\xC3\xBC\xC3\x9F"
            "e aus K\xC3\xB6ln");
  ASSERT_EQ(l.m.envelope.from.size(), 1u);
  EXPECT_EQ(l.m.envelope.from[0].name, "J\xFCrgen Gro\xDF");  // raw bytes kept
  EXPECT_EQ(l.m.from, "J\xC3\xBCrgen Gro\xC3\x9F <jg@example.de>");
}

TEST(Corpus, NulBytes) {
  auto l = parse_file("17_nul_bytes.eml");
  EXPECT_EQ(l.m.envelope.subject, std::string("has\0nul", 7));
  EXPECT_EQ(l.body(0), std::string_view("body\0with\0nuls\r\n", 16));
  EXPECT_EQ(l.part(0).body_lines, 1u);
}

TEST(Corpus, BareLineFeeds) {
  auto l = parse_file("18_bare_lf.eml");
  ASSERT_EQ(l.m.parts.size(), 3u);
  EXPECT_TRUE(l.header(0).ends_with("boundary=\"lf\"\n\n"));
  EXPECT_EQ(l.header(1), "Content-Type: text/plain\n\n");
  EXPECT_EQ(l.body(1), "plain lf");
  EXPECT_EQ(l.body(2), "<b>html lf</b>");
  EXPECT_EQ(l.m.preview, "plain lf");
}

TEST(Corpus, HeaderOnly) {
  auto l = parse_file("19_header_only.eml");
  ASSERT_EQ(l.m.parts.size(), 1u);
  EXPECT_EQ(l.part(0).header_size, l.bytes.size());
  EXPECT_EQ(l.part(0).body_offset, l.bytes.size());
  EXPECT_EQ(l.part(0).body_size, 0u);
  EXPECT_EQ(l.m.envelope.subject, "header only");
  EXPECT_EQ(l.m.envelope.to, (std::vector<Address>{addr(std::nullopt, "b", "example.com")}));
}

TEST(Corpus, Empty) {
  auto l = parse_file("20_empty.eml");
  ASSERT_EQ(l.m.parts.size(), 1u);
  expect_type(l.part(0), "text", "plain");
  EXPECT_EQ(l.part(0).header_size + l.part(0).body_size, 0u);
  EXPECT_EQ(l.m.envelope, Envelope{});
  EXPECT_EQ(l.m.date_unix, -1);
}

TEST(Corpus, LongLines) {
  auto l = parse_file("21_long_lines.eml");
  EXPECT_EQ(l.m.subject, std::string(1200, 'S'));
  EXPECT_EQ(l.body(0), std::string(2500, 'x') + "\r\nshort\r\n");
  EXPECT_EQ(l.part(0).body_lines, 2u);
}

TEST(Corpus, AddressEdgeCases) {
  auto l = parse_file("22_addresses.eml");
  const Envelope& e = l.m.envelope;
  EXPECT_EQ(e.from, (std::vector<Address>{addr("Smith, John", "john.smith", "example.com")}));
  ASSERT_EQ(e.sender.size(), 1u);
  EXPECT_EQ(e.sender[0].adl, "@relay1.example,@relay2.example");
  EXPECT_EQ(e.sender[0].mailbox, "bounce");
  ASSERT_EQ(e.reply_to.size(), 2u);
  EXPECT_TRUE(e.reply_to[0].is_group_start);
  EXPECT_EQ(e.reply_to[0].mailbox, "Undisclosed recipients");
  EXPECT_EQ(e.reply_to[0].host, std::nullopt);
  EXPECT_TRUE(e.reply_to[1].is_group_end);
  ASSERT_EQ(e.to.size(), 5u);
  EXPECT_EQ(e.to[0].mailbox, "A Team");
  EXPECT_EQ(e.to[1], addr(std::nullopt, "ann", "example.com"));
  EXPECT_EQ(e.to[2], addr("Bob B.", "bob", "example.com"));
  EXPECT_TRUE(e.to[3].is_group_end);
  EXPECT_EQ(e.to[4], addr(std::nullopt, "carol", "MISSING_DOMAIN"));
  ASSERT_EQ(e.cc.size(), 2u);
  EXPECT_EQ(e.cc[0], addr("=?UTF-8?B?SsO2cmc=?=", "joerg", "example.de"));
  EXPECT_EQ(e.cc[1], addr("Dave D", "dave", "example.com"));
  EXPECT_TRUE(e.bcc.empty());
  EXPECT_EQ(e.in_reply_to, "<prev@example.com>");
  EXPECT_EQ(l.m.to, "ann@example.com, Bob B. <bob@example.com>, carol");
  EXPECT_EQ(l.m.cc, "J\xC3\xB6rg <joerg@example.de>, Dave D <dave@example.com>");
}

TEST(Corpus, PartHeaderRunsIntoBoundary) {
  auto l = parse_file("23_part_header_runs_into_boundary.eml");
  ASSERT_EQ(l.m.parts.size(), 4u);
  EXPECT_EQ(l.header(1), "Content-Type: text/plain");  // the CRLF belongs to the delimiter
  EXPECT_EQ(l.part(1).body_size, 0u);
  EXPECT_EQ(l.part(2).header_size, 0u);
  EXPECT_EQ(l.part(2).body_size, 0u);
  EXPECT_EQ(l.part(2).params, (Params{{"charset", "us-ascii"}}));
  EXPECT_EQ(l.body(3), "last");
}

TEST(Corpus, HtmlOnlyPreview) {
  auto l = parse_file("24_html_only.eml");
  EXPECT_EQ(l.m.preview, "Hello & welcome, caf\xC3\xA9 \xE2\x98\x83 boldtext");
}

TEST(Corpus, BoundariesThatPrefixEachOther) {
  auto l = parse_file("25_prefix_boundaries.eml");
  ASSERT_EQ(l.m.parts.size(), 4u);
  EXPECT_EQ(l.part(0).children, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(l.part(1).children, (std::vector<uint32_t>{2}));
  EXPECT_EQ(l.body(1),
            "--=_b_inner\r\nContent-Type: text/plain\r\n\r\ninner plain\r\n--=_b_inner--");
  EXPECT_EQ(l.body(2), "inner plain");
  EXPECT_EQ(l.body(3), "outer second");
}

TEST(Corpus, MessageGlobal) {
  auto l = parse_file("26_message_global.eml");
  ASSERT_EQ(l.m.parts.size(), 2u);
  expect_type(l.part(0), "message", "global");
  ASSERT_TRUE(l.part(0).envelope);
  EXPECT_EQ(l.part(0).envelope->subject, "inner global");
  EXPECT_EQ(l.part(0).envelope->from[0].name, "=?utf-8?q?M=C3=BCller?=");
  EXPECT_EQ(l.part(0).body_lines, 4u);
  EXPECT_EQ(l.body(1), "inner body\r\n");
  EXPECT_EQ(l.m.envelope.subject, "global");
}

TEST(Corpus, FoldedHeaders) {
  auto l = parse_file("27_folded_headers.eml");
  EXPECT_EQ(l.m.envelope.subject, "This is a folded subject");
  EXPECT_EQ(l.m.envelope.to.size(), 2u);
  EXPECT_EQ(l.part(0).params, (Params{{"charset", "utf-8"}, {"format", "flowed"}}));
  EXPECT_EQ(l.body(0), "folded\r\n");
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(ROOST_TEST_DATA_DIR) + "/mime")) {
    if (e.path().extension() == ".eml") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Corpus, AtLeastTwentyFiveMessages) { EXPECT_GE(corpus_files().size(), 25u); }

TEST(Corpus, SerializeRoundTrip) {
  for (const auto& name : corpus_files()) {
    ParsedMessage m = parse(load(name));
    auto back = deserialize(serialize(m));
    ASSERT_TRUE(back) << name;
    EXPECT_EQ(*back, m) << name;
  }
}

// Offsets of every part stay inside the bytes for any prefix of any corpus message.
TEST(Corpus, TruncatedPrefixesNeverCrash) {
  for (const auto& name : corpus_files()) {
    std::string bytes = load(name);
    size_t step = bytes.size() > 600 ? bytes.size() / 300 : 1;
    for (size_t n = 0; n <= bytes.size(); n += step) {
      std::string prefix = bytes.substr(0, n);
      ParsedMessage m = parse(prefix);
      ASSERT_FALSE(m.parts.empty());
      for (const auto& p : m.parts) {
        ASSERT_LE(p.header_offset + p.header_size, n) << name << " at " << n;
        ASSERT_LE(p.body_offset + p.body_size, n) << name << " at " << n;
      }
      auto back = deserialize(serialize(m));
      ASSERT_TRUE(back);
      ASSERT_EQ(*back, m) << name << " at " << n;
    }
  }
}

}  // namespace
}  // namespace roost::mime
