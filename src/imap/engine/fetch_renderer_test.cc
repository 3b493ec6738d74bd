#include "imap/engine/fetch_renderer.h"

#include <gtest/gtest.h>

#include "imap/engine/engine_test_util.h"
#include "imap/engine/message_section.h"

namespace roost::imap {
namespace {

using testing::crlf;
using testing::fetch_items;

const std::string kMixed = crlf(
    "From: Alice <alice@example.org>\n"
    "To: Bob <bob@example.net>\n"
    "Subject: Test\n"
    "X-Long: folded\n"
    " continuation\n"
    "Date: Mon, 06 May 2024 10:01:02 +0200\n"
    "Message-ID: <a@x>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n"
    "\n"
    "preamble\n"
    "--b1\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=E9 au lait\n"
    "--b1\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "AAECAw==\n"
    "--b1\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "From: Carol <carol@example.com>\n"
    "Content-Type: multipart/alternative; boundary=\"b2\"\n"
    "\n"
    "--b2\n"
    "Content-Type: text/plain\n"
    "\n"
    "inner text\n"
    "--b2\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>inner <b>html</b></p>\n"
    "--b2--\n"
    "--b1\n"
    "Content-Type: text/plain\n"
    "Content-Transfer-Encoding: x-unknown\n"
    "\n"
    "zzz\n"
    "--b1--\n");

const std::string kSimple = crlf(
    "Subject: hello\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aMOpbGxv\n");  // "héllo"

struct Fixture {
  std::string bytes;
  mime::ParsedMessage parsed;
  store::MessageEntry entry;
  explicit Fixture(std::string b) : bytes(std::move(b)), parsed(mime::parse(bytes)) {
    entry.uid = 7;
    entry.modseq = 42;
    entry.blob = {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", bytes.size()};
    entry.flags.system = store::kSeen;
    entry.flags.keywords = {"$Forwarded"};
    entry.internal_date = 1714982462;  // 2024-05-06 08:01:02 UTC
    entry.internal_date_tz = 120;
    entry.save_date = 1714982462;
  }
  std::string fetch(std::string_view items, FetchOptions options = {}) const {
    FetchInput in{3, &entry, &parsed, bytes};
    auto r = render_fetch(in, fetch_items(items), options);
    EXPECT_TRUE(r) << items;
    return r ? *r : std::string();
  }
  std::string literal(std::string_view data) const {
    return "{" + std::to_string(data.size()) + "}\r\n" + std::string(data);
  }
};

TEST(FetchRenderer, SimpleItems) {
  Fixture f(kMixed);
  EXPECT_EQ(f.fetch("(UID FLAGS)"), "* 3 FETCH (UID 7 FLAGS (\\Seen $Forwarded))\r\n");
  EXPECT_EQ(f.fetch("INTERNALDATE"), "* 3 FETCH (INTERNALDATE \"06-May-2024 10:01:02 +0200\")\r\n");
  EXPECT_EQ(f.fetch("RFC822.SIZE"),
            "* 3 FETCH (RFC822.SIZE " + std::to_string(f.bytes.size()) + ")\r\n");
  EXPECT_EQ(f.fetch("MODSEQ"), "* 3 FETCH (MODSEQ (42))\r\n");
  EXPECT_EQ(f.fetch("SAVEDATE"), "* 3 FETCH (SAVEDATE \"06-May-2024 08:01:02 +0000\")\r\n");
  EXPECT_EQ(f.fetch("(EMAILID THREADID)"),
            "* 3 FETCH (EMAILID (M0123456789abcdef01234567) THREADID NIL)\r\n");
  EXPECT_EQ(f.fetch("PREVIEW"), "* 3 FETCH (PREVIEW {13}\r\ncafé au lait)\r\n");
  FetchOptions utf8;
  utf8.style.utf8_quoted = true;
  EXPECT_EQ(f.fetch("PREVIEW", utf8), "* 3 FETCH (PREVIEW \"café au lait\")\r\n");
  f.entry.save_date = 0;
  EXPECT_EQ(f.fetch("SAVEDATE"), "* 3 FETCH (SAVEDATE NIL)\r\n");
}

TEST(FetchRenderer, EnvelopeAndStructureUseProtoWriters) {
  Fixture f(kSimple);
  std::string out = f.fetch("(ENVELOPE BODY BODYSTRUCTURE)");
  EXPECT_NE(out.find("ENVELOPE (NIL \"hello\" NIL NIL NIL NIL NIL NIL NIL NIL)"), std::string::npos)
      << out;
  EXPECT_NE(out.find("BODY (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 10 1)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"base64\" "
                     "10 1 NIL NIL NIL NIL)"),
            std::string::npos)
      << out;
}

TEST(FetchRenderer, WholeMessageForms) {
  Fixture f(kMixed);
  size_t split = f.bytes.find("\r\n\r\n") + 4;
  std::string header = f.bytes.substr(0, split), text = f.bytes.substr(split);
  EXPECT_EQ(f.fetch("RFC822"), "* 3 FETCH (RFC822 " + f.literal(f.bytes) + ")\r\n");
  EXPECT_EQ(f.fetch("RFC822.HEADER"), "* 3 FETCH (RFC822.HEADER " + f.literal(header) + ")\r\n");
  EXPECT_EQ(f.fetch("RFC822.TEXT"), "* 3 FETCH (RFC822.TEXT " + f.literal(text) + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[]"), "* 3 FETCH (BODY[] " + f.literal(f.bytes) + ")\r\n");
  EXPECT_EQ(f.fetch("BODY.PEEK[HEADER]"), "* 3 FETCH (BODY[HEADER] " + f.literal(header) + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[TEXT]"), "* 3 FETCH (BODY[TEXT] " + f.literal(text) + ")\r\n");
}

TEST(FetchRenderer, HeaderFields) {
  Fixture f(kMixed);
  EXPECT_EQ(f.fetch("BODY.PEEK[HEADER.FIELDS (subject x-long FROM)]"),
            "* 3 FETCH (BODY[HEADER.FIELDS (SUBJECT X-LONG FROM)] " +
                f.literal(crlf("From: Alice <alice@example.org>\nSubject: Test\n"
                               "X-Long: folded\n continuation\n\n")) +
                ")\r\n");
  EXPECT_EQ(f.fetch("BODY[HEADER.FIELDS (X-None)]"),
            "* 3 FETCH (BODY[HEADER.FIELDS (X-NONE)] {2}\r\n\r\n)\r\n");
  std::string out = f.fetch("BODY[HEADER.FIELDS.NOT (From To Subject X-Long Date Message-ID)]");
  EXPECT_EQ(out, "* 3 FETCH (BODY[HEADER.FIELDS.NOT (FROM TO SUBJECT X-LONG DATE MESSAGE-ID)] " +
                     f.literal(crlf("MIME-Version: 1.0\n"
                                    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n")) +
                     ")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.HEADER.FIELDS (SUBJECT)]"),
            "* 3 FETCH (BODY[3.HEADER.FIELDS (SUBJECT)] " + f.literal("Subject: inner\r\n\r\n") +
                ")\r\n");
}

TEST(FetchRenderer, PartsAndNestedMessage) {
  Fixture f(kMixed);
  EXPECT_EQ(f.fetch("BODY[1]"), "* 3 FETCH (BODY[1] " + f.literal("caf=E9 au lait") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[1.MIME]"),
            "* 3 FETCH (BODY[1.MIME] " +
                f.literal(crlf("Content-Type: text/plain; charset=iso-8859-1\n"
                               "Content-Transfer-Encoding: quoted-printable\n\n")) +
                ")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.HEADER]"),
            "* 3 FETCH (BODY[3.HEADER] " +
                f.literal(crlf("Subject: inner\nFrom: Carol <carol@example.com>\n"
                               "Content-Type: multipart/alternative; boundary=\"b2\"\n\n")) +
                ")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.1]"), "* 3 FETCH (BODY[3.1] " + f.literal("inner text") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.2]"),
            "* 3 FETCH (BODY[3.2] " + f.literal("<p>inner <b>html</b></p>") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.2.MIME]"),
            "* 3 FETCH (BODY[3.2.MIME] " + f.literal("Content-Type: text/html\r\n\r\n") + ")\r\n");
  std::string text = f.fetch("BODY[3.TEXT]");
  EXPECT_TRUE(text.starts_with("* 3 FETCH (BODY[3.TEXT] {")) << text;
  EXPECT_NE(text.find("--b2\r\nContent-Type: text/plain"), std::string::npos);
  std::string whole = f.fetch("BODY[3]");
  EXPECT_NE(whole.find("}\r\nSubject: inner\r\n"), std::string::npos) << whole;
  // Parts that do not exist, and HEADER of a part that is not a message: "".
  EXPECT_EQ(f.fetch("BODY[9]"), "* 3 FETCH (BODY[9] \"\")\r\n");
  EXPECT_EQ(f.fetch("BODY[1.2]"), "* 3 FETCH (BODY[1.2] \"\")\r\n");
  EXPECT_EQ(f.fetch("BODY[1.HEADER]"), "* 3 FETCH (BODY[1.HEADER] \"\")\r\n");
  EXPECT_EQ(f.fetch("BODY[3.3]"), "* 3 FETCH (BODY[3.3] \"\")\r\n");
}

TEST(FetchRenderer, NonMultipartPartOne) {
  Fixture f(kSimple);
  EXPECT_EQ(f.fetch("BODY[1]"), "* 3 FETCH (BODY[1] " + f.literal("aMOpbGxv\r\n") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[2]"), "* 3 FETCH (BODY[2] \"\")\r\n");
  EXPECT_EQ(f.fetch("BODY[1.1]"), "* 3 FETCH (BODY[1.1] \"\")\r\n");
  EXPECT_EQ(f.fetch("BINARY[1]"), "* 3 FETCH (BINARY[1] " + f.literal("h\xc3\xa9llo") + ")\r\n");
  EXPECT_EQ(f.fetch("BINARY.SIZE[1]"), "* 3 FETCH (BINARY.SIZE[1] 6)\r\n");
}

TEST(FetchRenderer, Partials) {
  Fixture f(kMixed);
  EXPECT_EQ(f.fetch("BODY[1]<0.4>"), "* 3 FETCH (BODY[1]<0> " + f.literal("caf=") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY.PEEK[1]<5.100>"),
            "* 3 FETCH (BODY[1]<5> " + f.literal("9 au lait") + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[1]<14.5>"), "* 3 FETCH (BODY[1]<14> \"\")\r\n");
  EXPECT_EQ(f.fetch("BODY[1]<500.5>"), "* 3 FETCH (BODY[1]<500> \"\")\r\n");
  EXPECT_EQ(f.fetch("BINARY[2]<1.2>"),
            "* 3 FETCH (BINARY[2]<1> " + f.literal("\x01\x02") + ")\r\n");
  EXPECT_EQ(f.fetch("BINARY[2]<9.2>"), "* 3 FETCH (BINARY[2]<9> \"\")\r\n");
}

TEST(FetchRenderer, BinaryDecodes) {
  Fixture f(kMixed);
  EXPECT_EQ(f.fetch("BINARY.PEEK[1]"),
            "* 3 FETCH (BINARY[1] " + f.literal("caf\xe9 au lait") + ")\r\n");
  EXPECT_EQ(f.fetch("BINARY[2]"),
            "* 3 FETCH (BINARY[2] ~{4}\r\n" + std::string("\0\1\2\3", 4) + ")\r\n");
  EXPECT_EQ(f.fetch("(BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3.1])"),
            "* 3 FETCH (BINARY.SIZE[1] 12 BINARY.SIZE[2] 4 BINARY.SIZE[3.1] 10)\r\n");
  EXPECT_EQ(f.fetch("BINARY[9]"), "* 3 FETCH (BINARY[9] \"\")\r\n");
  FetchInput in{3, &f.entry, &f.parsed, f.bytes};
  auto r = render_fetch(in, fetch_items("BINARY[4]"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is_unknown_cte(r.error()));
  r = render_fetch(in, fetch_items("BINARY.SIZE[4]"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(is_unknown_cte(r.error()));
  EXPECT_TRUE(render_fetch(in, fetch_items("BODY[4]")));  // BODY sends the encoded bytes
}

TEST(FetchRenderer, NulInBodyBecomes0x80) {
  Fixture f(crlf("Subject: x\n\na") + std::string("\0b", 2));
  EXPECT_EQ(f.fetch("BODY[TEXT]"),
            "* 3 FETCH (BODY[TEXT] {3}\r\na\x80"
            "b)\r\n");
  EXPECT_EQ(f.fetch("BINARY[1]"),
            "* 3 FETCH (BINARY[1] ~{3}\r\na" + std::string("\0b", 2) + ")\r\n");
}

TEST(FetchRenderer, SeenAndNeeds) {
  EXPECT_TRUE(sets_seen(fetch_items("BODY[]")));
  EXPECT_TRUE(sets_seen(fetch_items("RFC822")));
  EXPECT_TRUE(sets_seen(fetch_items("RFC822.TEXT")));
  EXPECT_TRUE(sets_seen(fetch_items("BINARY[1]")));
  EXPECT_FALSE(sets_seen(fetch_items("BODY.PEEK[]")));
  EXPECT_FALSE(sets_seen(fetch_items("BINARY.PEEK[1]")));
  EXPECT_FALSE(sets_seen(fetch_items("(RFC822.HEADER RFC822.SIZE BINARY.SIZE[1] ENVELOPE)")));
  FetchNeeds flags = fetch_needs(fetch_items("(FLAGS UID RFC822.SIZE INTERNALDATE MODSEQ)"));
  EXPECT_FALSE(flags.parsed || flags.bytes);
  FetchNeeds env = fetch_needs(fetch_items("(ENVELOPE BODYSTRUCTURE)"));
  EXPECT_TRUE(env.parsed && !env.bytes);
  EXPECT_TRUE(fetch_needs(fetch_items("BODY.PEEK[HEADER]")).bytes);
  // The session sets \Seen first; add_flags reports it.
  Fixture f(kSimple);
  FetchOptions o;
  o.add_flags = true;
  EXPECT_EQ(f.fetch("BODY[1]<0.1>", o),
            "* 3 FETCH (BODY[1]<0> {1}\r\na FLAGS (\\Seen $Forwarded))\r\n");
  EXPECT_EQ(f.fetch("(FLAGS BODY[1]<0.1>)", o),
            "* 3 FETCH (FLAGS (\\Seen $Forwarded) BODY[1]<0> {1}\r\na)\r\n");
  // RFC 7162 §3.2.4: a CONDSTORE-aware client also learns UID and MODSEQ, each once.
  o.add_uid = o.add_modseq = true;
  EXPECT_EQ(f.fetch("BODY[1]<0.1>", o),
            "* 3 FETCH (BODY[1]<0> {1}\r\na FLAGS (\\Seen $Forwarded) UID 7 MODSEQ (42))\r\n");
  EXPECT_EQ(f.fetch("(MODSEQ UID BODY[1]<1.1>)", o),
            "* 3 FETCH (MODSEQ (42) UID 7 BODY[1]<1> {1}\r\nM FLAGS (\\Seen $Forwarded))\r\n");
  FetchOptions only;
  only.add_modseq = true;
  EXPECT_EQ(f.fetch("(FLAGS MODSEQ)", only),
            "* 3 FETCH (FLAGS (\\Seen $Forwarded) MODSEQ (42))\r\n");
}

TEST(FetchRenderer, FlagsOnlyNeedsNoMessage) {
  store::MessageEntry e;
  e.uid = 1;
  e.flags.system = store::kAnswered | store::kDraft | store::kDeleted | store::kFlagged;
  FetchInput in{1, &e, nullptr, {}};
  auto r = render_fetch(in, fetch_items("(FLAGS UID)"));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "* 1 FETCH (FLAGS (\\Answered \\Flagged \\Deleted \\Draft) UID 1)\r\n");
}

TEST(MessageSection, TopLevelMessageRfc822) {
  std::string m = crlf("Content-Type: message/rfc822\n\nSubject: in\n\nbody\n");
  auto parsed = mime::parse(m);
  auto one = find_part(parsed, std::vector<uint32_t>{1});
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 0u);
  auto root = find_message_root(parsed, std::vector<uint32_t>{1});
  ASSERT_TRUE(root);
  EXPECT_EQ(part_header(m, parsed.parts[*root]), "Subject: in\r\n\r\n");
  auto inner = find_part(parsed, std::vector<uint32_t>{1, 1});
  ASSERT_TRUE(inner);
  EXPECT_EQ(part_body(m, parsed.parts[*inner]), "body\r\n");
}

}  // namespace
}  // namespace roost::imap
