#include "imap/engine/message_section.h"

#include <gtest/gtest.h>

#include "imap/engine/engine_test_util.h"

namespace roost::imap {
namespace {

using testing::crlf;

TEST(FilterHeader, BlankLineOnlyWhenTheHeaderHasOne) {
  // RFC 9051 §6.4.5: no blank line for a message that has no body and no blank line.
  EXPECT_EQ(filter_header(crlf("Subject: a\nFrom: b\n"), {"SUBJECT"}, false), "Subject: a\r\n");
  EXPECT_EQ(filter_header(crlf("Subject: a\nFrom: b\n"), {"SUBJECT"}, true), "From: b\r\n");
  EXPECT_EQ(filter_header("Subject: a", {"SUBJECT"}, false), "Subject: a\r\n");
  EXPECT_EQ(filter_header(crlf("Subject: a\n\n"), {"SUBJECT"}, false), "Subject: a\r\n\r\n");
  EXPECT_EQ(filter_header(crlf("Subject: a\n\n"), {"TO"}, false), "\r\n");
  EXPECT_EQ(filter_header("", {"TO"}, true), "");
}

TEST(FilterHeader, LinesNamingNoFieldAreKeptByNotOnly) {
  // As Dovecot: a line without a colon, or a continuation before any field, is not one of the
  // fields the client excluded.
  std::string header = crlf(" leading\nSubject: a\nnot a header\nFrom: b\n folded\n\n");
  EXPECT_EQ(filter_header(header, {"SUBJECT"}, true),
            crlf(" leading\nnot a header\nFrom: b\n folded\n\n"));
  EXPECT_EQ(filter_header(header, {"SUBJECT", "FROM"}, false),
            crlf("Subject: a\nFrom: b\n folded\n\n"));
}

TEST(MessageSection, HeaderFieldsOfAHeaderOnlyEncapsulatedMessage) {
  std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Subject: no body\n"
      "From: a@x\n"
      "--b--\n");
  mime::ParsedMessage parsed = mime::parse(m);
  SectionSpec fields;
  fields.part = {1};
  fields.text = SectionSpec::Text::HeaderFields;
  fields.fields = {"SUBJECT"};
  auto bytes = section_bytes(m, parsed, fields);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->data(), "Subject: no body\r\n");
}

}  // namespace
}  // namespace roost::imap
