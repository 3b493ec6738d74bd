#include "imap/engine/binary_section.h"

#include <gtest/gtest.h>

#include "imap/engine/engine_test_util.h"
#include "imap/engine/message_section.h"

namespace roost::imap {
namespace {

using testing::crlf;

std::optional<std::string> binary_of(const std::string& message, std::vector<uint32_t> section) {
  mime::ParsedMessage parsed = mime::parse(message);
  auto index = section.empty() ? std::optional<uint32_t>(0) : find_part(parsed, section);
  if (!index) return "no such part";
  return binary_entity(message, parsed, *index, section.empty());
}

TEST(BinarySection, SinglePartMessageIsDecodedAndRelabelled) {
  // Dovecot's BINARY[]: the encoding field goes, "binary" is added last, the body is decoded.
  std::string m = crlf(
      "Subject: x\n"
      "Content-Transfer-Encoding:\n"
      " base64\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "aMOpbGxv\n");
  EXPECT_EQ(binary_of(m, {}), crlf("Subject: x\n"
                                   "Content-Type: text/plain; charset=utf-8\n"
                                   "Content-Transfer-Encoding: binary\n"
                                   "\n") +
                                  "h\xc3\xa9llo");
  // Identity encodings stay as they are, header included.
  std::string plain = crlf("Subject: x\nContent-Transfer-Encoding: 8bit\n\nh\xc3\xa9llo\n");
  EXPECT_EQ(binary_of(plain, {}), plain);
}

const std::string kMultipart = crlf(
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "preamble\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=C3=A9\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: BASE64\n"
    "\n"
    "AAECAw==\n"
    "--b--\n"
    "epilogue\n");

TEST(BinarySection, PartsBelowAreDecodedDelimitersKept) {
  std::string inner = crlf(
                          "Subject: inner\n"
                          "Content-Type: application/octet-stream\n"
                          "Content-Transfer-Encoding: binary\n"
                          "\n") +
                      std::string("\0\1\2\3", 4);
  EXPECT_EQ(binary_of(kMultipart, {}), crlf("Content-Type: multipart/mixed; boundary=b\n"
                                            "\n"
                                            "preamble\n"
                                            "--b\n"
                                            "Content-Type: text/plain\n"
                                            "Content-Transfer-Encoding: binary\n"
                                            "\n"
                                            "caf\xc3\xa9\n"
                                            "--b\n"
                                            "Content-Type: message/rfc822\n"
                                            "\n") +
                                           inner + crlf("\n--b--\nepilogue\n"));
  // BINARY[2] of the message/rfc822 part: the encapsulated message in binary form.
  EXPECT_EQ(binary_of(kMultipart, {2}), inner);
}

TEST(BinarySection, EncodedMessageIsDecodedWholeEncodedMultipartWalked) {
  std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Type: message/rfc822\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "U3ViamVjdDogaQ0KDQpib2R5DQo=\n"  // "Subject: i\r\n\r\nbody\r\n"
      "--b--\n");
  EXPECT_EQ(binary_of(m, {1}), "Subject: i\r\n\r\nbody\r\n");
  // RFC 2045 §6.4: a multipart is never encoded whatever its header says: sent as it is.
  std::string mp = crlf(
      "Content-Type: multipart/mixed; boundary=b\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "--b\n"
      "\n"
      "plain\n"
      "--b--\n");
  EXPECT_EQ(binary_of(mp, {}), mp);
}

TEST(BinarySection, UnknownEncodingAnywhereBelowFails) {
  std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Transfer-Encoding: x-uuencode\n"
      "\n"
      "zzz\n"
      "--b--\n");
  EXPECT_EQ(binary_of(m, {}), std::nullopt);
  EXPECT_EQ(binary_of(crlf("Content-Transfer-Encoding: x-unknown\n\nzzz\n"), {}), std::nullopt);
}

TEST(BinarySection, CyclicStoredTreeEnds) {
  mime::ParsedMessage parsed = mime::parse(kMultipart);
  parsed.parts[1].children.push_back(0);  // corrupt: a part that contains the root
  EXPECT_TRUE(binary_entity(kMultipart, parsed, 0, true).has_value());
}

}  // namespace
}  // namespace roost::imap
