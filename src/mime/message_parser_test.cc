#include <gtest/gtest.h>

#include <algorithm>

#include "mime/message.h"

namespace roost::mime {
namespace {

std::string_view body(std::string_view bytes, const Part& p) {
  return bytes.substr(p.body_offset, p.body_size);
}

// n nested multiparts, each with a distinct boundary, and one text leaf at the bottom.
std::string nested_multiparts(int n) {
  std::string head = "Subject: deep\r\n", tail;
  for (int i = 0; i < n; ++i) {
    std::string b = "=_" + std::to_string(i) + "_=";  // no boundary prefixes another
    head += "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b + "\r\n";
    tail = "\r\n--" + b + "--" + tail;
  }
  return head + "Content-Type: text/plain\r\n\r\nbottom" + tail + "\r\n";
}

std::string nested_messages(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "Subject: level " + std::to_string(i) + "\r\nContent-Type: message/rfc822\r\n\r\n";
  return s + "Subject: leaf\r\n\r\nbottom\r\n";
}

TEST(MessageParser, ThousandDeepMultipartsBecomeLeafAtLimit) {
  std::string in = nested_multiparts(1000);
  ParsedMessage m = parse(in);
  EXPECT_TRUE(m.truncated_nesting);
  // 100 levels as Dovecot counts them: depths 0..98 are containers, depth 99 is a leaf.
  ASSERT_EQ(m.parts.size(), 100u);
  for (size_t i = 0; i < 99; ++i) {
    EXPECT_EQ(m.parts[i].type, "multipart");
    EXPECT_EQ(m.parts[i].children, (std::vector<uint32_t>{static_cast<uint32_t>(i + 1)}));
  }
  EXPECT_EQ(m.parts[99].type, "application");
  EXPECT_EQ(m.parts[99].subtype, "octet-stream");
  EXPECT_TRUE(body(in, m.parts[99]).starts_with("--=_99_=\r\n"));
  auto back = deserialize(serialize(m));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(MessageParser, ThousandDeepMessages) {
  std::string in = nested_messages(1000);
  ParsedMessage m = parse(in);
  EXPECT_TRUE(m.truncated_nesting);
  ASSERT_EQ(m.parts.size(), 100u);
  ASSERT_TRUE(m.parts[98].envelope);
  EXPECT_EQ(m.parts[98].envelope->subject, "level 99");
  EXPECT_EQ(m.parts[99].type, "application");
}

TEST(MessageParser, WithinLimitsEverythingIsParsed) {
  std::string in = nested_multiparts(20);
  ParsedMessage m = parse(in);
  EXPECT_FALSE(m.truncated_nesting);
  ASSERT_EQ(m.parts.size(), 21u);
  EXPECT_EQ(body(in, m.parts[20]), "bottom");
  EXPECT_EQ(m.preview, "bottom");
}

TEST(MessageParser, CustomDepthLimit) {
  ParseLimits limits;
  limits.max_depth = 2;
  ParsedMessage m = parse(nested_multiparts(5), limits);
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_TRUE(m.truncated_nesting);
}

TEST(MessageParser, MaxPartsFoldsTheRest) {
  std::string in = "Content-Type: multipart/mixed; boundary=x\r\n\r\n";
  for (int i = 0; i < 10; ++i) in += "--x\r\n\r\npart" + std::to_string(i) + "\r\n";
  in += "--x--\r\n";
  ParseLimits limits;
  limits.max_parts = 4;
  ParsedMessage m = parse(in, limits);
  ASSERT_EQ(m.parts.size(), 4u);
  EXPECT_EQ(body(in, m.parts[3]), "part2");
  EXPECT_TRUE(m.truncated_nesting);
}

TEST(MessageParser, MaxHeaderFieldsIgnoresLaterFields) {
  std::string in;
  for (int i = 0; i < 20; ++i) in += "X-Filler: " + std::to_string(i) + "\r\n";
  in += "Subject: late\r\n\r\nbody";
  ParseLimits limits;
  limits.max_header_fields = 10;
  EXPECT_EQ(parse(in, limits).envelope.subject, std::nullopt);
  EXPECT_EQ(parse(in).envelope.subject, "late");
}

TEST(MessageParser, InvalidContentTypeFallsBackToTextPlain) {
  ParsedMessage m = parse("Content-Type: garbage\r\n\r\nx");
  EXPECT_EQ(m.parts[0].type, "text");
  EXPECT_EQ(m.parts[0].params, (Params{{"charset", "us-ascii"}}));
}

TEST(MessageParser, MultipartWithoutBoundaryParameter) {
  std::string in = "Content-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n";
  ParsedMessage m = parse(in);
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(m.parts[1].body_size, 0u);
  EXPECT_EQ(body(in, m.parts[0]), "--x\r\nhello\r\n");
}

TEST(MessageParser, DelimiterAtBodyStartAndTrailingJunkOnDelimiter) {
  std::string in =
      "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q  "
      "\r\n\r\none\r\n--qjunk\r\n\r\ntwo\r\n--q--";
  ParsedMessage m = parse(in);
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(body(in, m.parts[1]), "one");
  EXPECT_EQ(body(in, m.parts[2]), "two");
}

TEST(MessageParser, LineCountsPartialLastLine) {
  // Line breaks are counted, as Dovecot does: a last line without one adds nothing.
  ParsedMessage m = parse("\r\na\r\nb");
  EXPECT_EQ(m.parts[0].body_lines, 1u);
  EXPECT_EQ(m.parts[0].header_size, 2u);
}

TEST(MessageParser, LineCountsEveryByteValueAtEveryOffset) {
  // Bytes that differ from LF in one bit (0x0B, 0x8A, ...) next to real ones, at each position
  // of an eight-byte word, and bodies of every length up to three words.
  const std::string tricky = "\x0a\x8a\x0b\x08\x00\xff\x2a\x0a\x0a\x4a\x0e";
  for (size_t len = 0; len <= 24; ++len) {
    for (size_t shift = 0; shift < tricky.size(); ++shift) {
      std::string body;
      for (size_t i = 0; i < len; ++i) body += tricky[(i + shift) % tricky.size()];
      std::string msg = "Content-Type: text/plain\r\n\r\n" + body;
      ParsedMessage m = parse(msg);
      uint64_t expected = static_cast<uint64_t>(std::count(body.begin(), body.end(), '\n'));
      ASSERT_EQ(m.parts[0].body_lines, expected) << "len " << len << " shift " << shift;
    }
  }
}

TEST(MessageParser, DecodedFieldsAndDate) {
  ParsedMessage m = parse(
      "Subject: =?utf-8?q?caf=C3=A9?=\r\nDate: Sat, 1 Jan 2000 00:00:00 +0000\r\n"
      "To: a@b.test\r\nBcc: c@d.test\r\n\r\n");
  EXPECT_EQ(m.subject, "caf\xC3\xA9");
  EXPECT_EQ(m.date_unix, 946684800);
  EXPECT_EQ(m.to, "a@b.test");
  EXPECT_EQ(m.bcc, "c@d.test");
}

TEST(MessageParser, PreviewIsCappedAt256Characters) {
  std::string text = "\xC3\xA9 \r\n\t \xC3\xA9";
  for (int i = 0; i < 300; ++i) text += "\xC3\xA9";
  ParsedMessage m = parse("Content-Type: text/plain; charset=utf-8\r\n\r\n" + text);
  size_t chars = 0;
  for (unsigned char c : m.preview) chars += (c & 0xC0) != 0x80;
  EXPECT_EQ(chars, 256u);
  EXPECT_TRUE(m.preview.starts_with("\xC3\xA9 \xC3\xA9\xC3\xA9"));
}

TEST(MessageParser, AttachmentIsNotPreview) {
  ParsedMessage m = parse(
      "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Disposition: attachment\r\n"
      "\r\nnotes.txt content\r\n--z\r\nContent-Type: text/html\r\n\r\n<p>shown</p>\r\n--z--\r\n");
  EXPECT_EQ(m.preview, "shown");
}

// RFC 2046 §5.1.1: the CRLF before a delimiter is the delimiter's, also when it follows a part's
// header directly (found by tests/imap/imap_dovecot_diff_test.py: BODY[n.MIME] took it).
TEST(MessageParser, PartHeaderEndingAtDelimiterKeepsNoBlankLine) {
  std::string in =
      "Content-Type: multipart/mixed; boundary=ep\r\n\r\n"
      "--ep\r\n\r\n--ep\r\nContent-Type: text/plain\r\n\r\n--ep\r\n"
      "Content-Type: multipart/mixed; boundary=ep2\r\n\r\n--ep2\r\n\r\nx\r\n--ep2--\r\n--ep--\r\n";
  ParsedMessage m = parse(in);
  ASSERT_EQ(m.parts[0].children.size(), 3u);
  const Part& empty = m.parts[m.parts[0].children[0]];
  EXPECT_EQ(empty.header_size, 0u);
  EXPECT_EQ(empty.body_size, 0u);
  const Part& header_only = m.parts[m.parts[0].children[1]];
  EXPECT_EQ(in.substr(header_only.header_offset, header_only.header_size),
            "Content-Type: text/plain\r\n");
  EXPECT_EQ(header_only.body_size, 0u);
  // A multipart's own first delimiter right after its header is not the parent's.
  const Part& inner = m.parts[m.parts[0].children[2]];
  ASSERT_EQ(inner.children.size(), 1u);
  EXPECT_EQ(body(in, m.parts[inner.children[0]]), "x");
}

// Inputs that would be quadratic with naive look-ahead; a regression shows up as a timeout.
TEST(MessageParser, PathologicalInputsStayLinear) {
  auto repeat = [](std::string_view unit, size_t n) {
    std::string s;
    s.reserve(unit.size() * n);
    for (size_t i = 0; i < n; ++i) s += unit;
    return s;
  };
  for (std::string_view unit : {"=?a?q?", "<@", "a@[", "(", "\"", "&", "-"}) {
    std::string in = "Subject: " + repeat(unit, 200000) + "\r\nFrom: " + repeat(unit, 200000) +
                     "\r\nContent-Type: text/html\r\n\r\n" + repeat(unit, 50000);
    ParsedMessage m = parse(in);
    EXPECT_EQ(m.parts.size(), 1u);
  }
  std::string many =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n" + repeat("--x\r\n", 100000);
  EXPECT_EQ(parse(many).parts.size(), 10000u);  // ParseLimits::max_parts
}

// A large message is reported in whole windows as it is read (so ingest can drop the mapped
// pages), a small one never; reporting changes nothing in the result.
TEST(MessageParser, ScanProgressCoversLargeMessagesOnly) {
  std::string line(76, 'Q');
  line += "\r\n";
  std::string lines;
  while (lines.size() < (20u << 20)) lines += line;
  std::string in =
      "Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      lines + "\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + lines + "\r\n--b--\r\n";
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  ParsedMessage reported =
      parse(in, {}, [&](uint64_t offset, uint64_t length) { ranges.emplace_back(offset, length); });
  EXPECT_EQ(reported, parse(in));
  ASSERT_EQ(reported.parts.size(), 3u);
  EXPECT_EQ(reported.parts[2].body_lines, lines.size() / line.size());
  uint64_t total = 0;
  for (auto [offset, length] : ranges) {
    EXPECT_LE(offset + length, in.size());
    EXPECT_GT(length, 0u);
    total += length;
  }
  // The delimiter scan reads the whole message once, the line count the text part again.
  EXPECT_GE(total, in.size() - (8u << 20) + lines.size());
  EXPECT_LE(total, in.size() + lines.size());

  ranges.clear();
  parse(nested_multiparts(50), {}, [&](uint64_t o, uint64_t n) { ranges.emplace_back(o, n); });
  EXPECT_TRUE(ranges.empty());
}

}  // namespace
}  // namespace roost::mime
