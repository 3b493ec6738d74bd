#include "imap/proto/body_structure.h"

#include <gtest/gtest.h>

namespace roost::imap {
namespace {

mime::Part part(std::string type, std::string subtype, uint64_t size, uint64_t lines = 0) {
  mime::Part p;
  p.type = std::move(type);
  p.subtype = std::move(subtype);
  p.body_size = size;
  p.body_lines = lines;
  return p;
}

mime::Address address(std::optional<std::string> name, std::string mailbox, std::string host) {
  mime::Address a;
  a.name = std::move(name);
  a.mailbox = std::move(mailbox);
  a.host = std::move(host);
  return a;
}

std::string bodystructure(const mime::ParsedMessage& m, bool extensible) {
  std::string out;
  write_body_structure(out, m, 0, extensible);
  return out;
}

TEST(BodyStructure, SingleTextPart) {
  mime::ParsedMessage m;
  m.parts.push_back(part("TEXT", "PLAIN", 3028, 92));
  m.parts[0].params = {{"CHARSET", "US-ASCII"}};
  m.parts[0].encoding = "7BIT";  // RFC 9051 §7.5.2 example: everything as written
  EXPECT_EQ(bodystructure(m, true),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL "
            "NIL)");
  EXPECT_EQ(bodystructure(m, false),
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
}

TEST(Envelope, DefaultsSenderAndReplyToAndWritesGroups) {
  mime::Envelope e;
  e.date = "Mon, 1 Jan 2024 00:00:00 +0000";
  e.subject = "Hi \"there\"";
  e.from = {address("Ann", "ann", "example.org")};
  mime::Address start, end;
  start.mailbox = "friends";
  start.is_group_start = true;
  end.is_group_end = true;
  e.to = {start, address(std::nullopt, "bob", "ex.com"), end};
  e.message_id = "<m1@x>";
  std::string out;
  write_envelope(out, e);
  EXPECT_EQ(out,
            "(\"Mon, 1 Jan 2024 00:00:00 +0000\" \"Hi \\\"there\\\"\" "
            "((\"Ann\" NIL \"ann\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) "
            "((\"Ann\" NIL \"ann\" \"example.org\")) "
            "((NIL NIL \"friends\" NIL)(NIL NIL \"bob\" \"ex.com\")(NIL NIL NIL NIL)) NIL NIL NIL "
            "\"<m1@x>\")");
  mime::Envelope empty;
  out.clear();
  write_envelope(out, empty);
  EXPECT_EQ(out, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(BodyStructure, MultipartWithMessageAndAttachment) {
  mime::ParsedMessage m;
  m.parts.push_back(part("multipart", "mixed", 900));
  m.parts[0].params = {{"boundary", "b1"}};
  m.parts[0].children = {1, 2, 4};
  m.parts.push_back(part("text", "plain", 10, 1));
  m.parts[1].params = {{"charset", "utf-8"}};
  m.parts[1].encoding = "quoted-printable";
  m.parts.push_back(part("message", "rfc822", 200, 8));
  m.parts[2].encoding = "7bit";
  mime::Envelope inner;
  inner.subject =
      "Gr\xc3\xbc\xc3\x9f"
      "e";
  inner.from = {address("Ann", "ann", "example.org")};
  inner.sender = {address(std::nullopt, "s", "example.org")};
  m.parts[2].envelope = inner;
  m.parts[2].children = {3};
  m.parts.push_back(part("text", "html", 50, 2));
  m.parts[3].encoding = "7bit";
  m.parts.push_back(part("application", "pdf", 400));
  mime::Part& pdf = m.parts[4];
  pdf.params = {{"name", "x.pdf"}};
  pdf.id = "<id@x>";
  pdf.description = "A file";
  pdf.encoding = "base64";
  pdf.md5 = "abc";
  pdf.disposition = mime::Disposition{"attachment", {{"filename", "x.pdf"}}};
  pdf.language = {"en", "fr"};
  pdf.location = "http://x";

  const std::string env =
      "(NIL {7}\r\nGr\xc3\xbc\xc3\x9f"
      "e ((\"Ann\" NIL \"ann\" \"example.org\")) "
      "((NIL NIL \"s\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) NIL NIL NIL NIL "
      "NIL)";
  EXPECT_EQ(
      bodystructure(m, true),
      "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 10 1 NIL NIL "
      "NIL NIL)"
      "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 " +
          env +
          " (\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 50 2 NIL NIL NIL NIL) 8 "
          "NIL NIL NIL NIL)"
          "(\"application\" \"pdf\" (\"name\" \"x.pdf\") \"<id@x>\" \"A file\" \"base64\" "
          "400 \"abc\" (\"attachment\" (\"filename\" \"x.pdf\")) (\"en\" \"fr\") "
          "\"http://x\") \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)");
  EXPECT_EQ(bodystructure(m, false),
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 10 1)"
            "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 " +
                env +
                " (\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 50 2) 8)"
                "(\"application\" \"pdf\" (\"name\" \"x.pdf\") \"<id@x>\" \"A file\" \"base64\" "
                "400) \"mixed\")");
  // A single part by index: the attachment; one language is still a list, as Dovecot sends it.
  pdf.language = {"de"};
  std::string out;
  write_body_structure(out, m, 4, true);
  EXPECT_EQ(out,
            "(\"application\" \"pdf\" (\"name\" \"x.pdf\") \"<id@x>\" \"A file\" \"base64\" 400 "
            "\"abc\" (\"attachment\" (\"filename\" \"x.pdf\")) (\"de\") \"http://x\")");
}

TEST(BodyStructure, MalformedTreesStillRenderValidSyntax) {
  mime::ParsedMessage m;
  m.parts.push_back(part("multipart", "alternative", 0));
  m.parts[0].children = {0, 7};  // a cycle and an index out of range
  EXPECT_EQ(bodystructure(m, false),
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) "
            "\"alternative\")");
  mime::ParsedMessage none;
  EXPECT_EQ(bodystructure(none, true),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL)");
  // message/rfc822 without a parsed body is a basic part; the default encoding is "7bit".
  mime::ParsedMessage msg;
  msg.parts.push_back(part("message", "rfc822", 5, 1));
  EXPECT_EQ(bodystructure(msg, false), "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 5)");
}

TEST(BodyStructure, RendersWhatTheMimeParserProduces) {
  std::string raw =
      "From: Ann <ann@example.org>\r\nSubject: hi\r\nContent-Type: multipart/mixed; "
      "boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\n"
      "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--b1--\r\n";
  mime::ParsedMessage m = mime::parse(raw);
  std::string out;
  write_body_structure(out, m, 0, true);
  EXPECT_TRUE(out.starts_with("((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL ")) << out;
  EXPECT_NE(out.find("(\"message\" \"rfc822\" NIL NIL NIL "), std::string::npos) << out;
  EXPECT_NE(out.find("(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL)"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with(" \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)")) << out;
}

}  // namespace
}  // namespace roost::imap
