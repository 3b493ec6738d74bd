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
  // The response text; the same items rendered as pieces with small min_slice values (every
  // literal, or the larger ones, as slices) must flatten to the same bytes.
  std::string fetch(std::string_view items, FetchOptions options = {}) const {
    FetchInput in{3, &entry, &parsed, bytes, {}};
    auto r = render_fetch(in, fetch_items(items), options);
    EXPECT_TRUE(r) << items;
    for (uint64_t min_slice : {uint64_t{1}, uint64_t{7}, uint64_t{64}}) {
      FetchOptions sliced = options;
      sliced.min_slice = min_slice;
      auto pieces = render_fetch_pieces(in, fetch_items(items), sliced);
      EXPECT_EQ(bool(pieces), bool(r)) << items;
      if (pieces && r) {
        EXPECT_EQ(pieces->flatten(bytes), *r) << items << " min_slice " << min_slice;
      }
    }
    return r ? *r : std::string();
  }
  RenderedFetch pieces(std::string_view items, uint64_t min_slice) const {
    FetchInput in{3, &entry, &parsed, bytes, {}};
    FetchOptions options;
    options.min_slice = min_slice;
    auto r = render_fetch_pieces(in, fetch_items(items), options);
    EXPECT_TRUE(r) << items;
    return r ? std::move(*r) : RenderedFetch{};
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
  FetchInput in{3, &f.entry, &f.parsed, f.bytes, {}};
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

// What the pieces are: text up to the literal, then the slice of the stored bytes.
std::string describe(const RenderedFetch& r) {
  std::string out;
  for (const FetchPiece& p : r.pieces) {
    if (!out.empty()) out += " | ";
    if (p.slice)
      out += "slice " + std::to_string(p.offset) + "+" + std::to_string(p.length) +
             (p.nul_to_0x80 ? " nul" : "");
    else
      out += "text " + std::to_string(p.text.size());
  }
  return out;
}

// "text <size of s>", as describe() writes a text piece.
std::string text(std::string_view s) { return "text " + std::to_string(s.size()); }

TEST(FetchRenderer, LargeLiteralsAreSlicesOfTheMessage) {
  Fixture f(kMixed);
  size_t split = f.bytes.find("\r\n\r\n") + 4;
  std::string size = std::to_string(f.bytes.size());
  EXPECT_EQ(describe(f.pieces("BODY[]", 64)), text("* 3 FETCH (BODY[] {" + size + "}\r\n") +
                                                  " | slice 0+" + size + " | " + text(")\r\n"));
  std::string body_size = std::to_string(f.bytes.size() - split);
  EXPECT_EQ(describe(f.pieces("(UID RFC822.TEXT)", 64)),
            text("* 3 FETCH (UID 7 RFC822.TEXT {" + body_size + "}\r\n") + " | slice " +
                std::to_string(split) + "+" + body_size + " | " + text(")\r\n"));
  // Under min_slice the literal is text, as render_fetch() writes it.
  EXPECT_EQ(describe(f.pieces("BODY[1]", 64)),
            text("* 3 FETCH (BODY[1] {14}\r\ncaf=E9 au lait)\r\n"));
  size_t one = f.bytes.find("caf=E9");
  EXPECT_EQ(describe(f.pieces("BODY[1]<5.100>", 1)), text("* 3 FETCH (BODY[1]<5> {9}\r\n") +
                                                         " | slice " + std::to_string(one + 5) +
                                                         "+9 | " + text(")\r\n"));
  // BINARY of a 7bit part is its stored bytes; of a quoted-printable one, decoded text.
  size_t inner = f.bytes.find("inner text");
  EXPECT_EQ(describe(f.pieces("BINARY[3.1]", 1)), text("* 3 FETCH (BINARY[3.1] {10}\r\n") +
                                                      " | slice " + std::to_string(inner) +
                                                      "+10 | " + text(")\r\n"));
  EXPECT_EQ(describe(f.pieces("BINARY[1]", 1)),
            text("* 3 FETCH (BINARY[1] {12}\r\ncaf\xe9 au lait)\r\n"));
  // HEADER.FIELDS is built text, never a slice.
  EXPECT_FALSE(f.pieces("BODY[HEADER.FIELDS (SUBJECT)]", 1).has_slices());
  // Nothing to slice in a response without message data.
  EXPECT_EQ(describe(f.pieces("(UID FLAGS)", 1)),
            text("* 3 FETCH (UID 7 FLAGS (\\Seen $Forwarded))\r\n"));
}

TEST(FetchRenderer, LargeBinaryOfAMultipartKeepsStoredStretches) {
  // BINARY[] of the whole message: the header and the 7bit part are slices, the base64 part's
  // rewritten header and decoded body text (RFC 3516 §4.2, binary_section.h).
  Fixture f(
      crlf("Content-Type: multipart/mixed; boundary=\"b\"\n"
           "\n"
           "--b\n"
           "Content-Type: text/plain\n"
           "\n"
           "plain\n"
           "--b\n"
           "Content-Type: application/octet-stream\n"
           "Content-Transfer-Encoding: base64\n"
           "\n"
           "AAECAw==\n"
           "--b--\n"));
  std::string wire = f.fetch("BINARY[]");
  EXPECT_NE(wire.find("Content-Transfer-Encoding: binary\r\n\r\n" + std::string("\0\1\2\3", 4)),
            std::string::npos);
  RenderedFetch binary = f.pieces("BINARY[]", 1);
  // Header and first part as stored | rewritten header + 4 decoded bytes | "\r\n--b--\r\n".
  EXPECT_EQ(describe(binary), "text 28 | slice 0+92 | text 81 | slice 177+9 | text 3");
  EXPECT_EQ(binary.flatten(f.bytes), wire);
  EXPECT_EQ(f.fetch("BINARY.SIZE[]"),
            "* 3 FETCH (BINARY.SIZE[] " + std::to_string(wire.size() - 28 - 3) + ")\r\n");
  EXPECT_EQ(f.fetch("BINARY[]<100.20>"),
            "* 3 FETCH (BINARY[]<100> " + f.literal(wire.substr(28 + 100, 20)) + ")\r\n");
}

TEST(FetchRenderer, LargeLiteralWithNul) {
  Fixture f(crlf("Subject: x\n\na") + std::string("\0b", 2));
  // BODY[]: the slice is sent with NUL as 0x80; BINARY[]: as stored, in a literal8.
  EXPECT_EQ(describe(f.pieces("BODY[TEXT]", 1)),
            text("* 3 FETCH (BODY[TEXT] {3}\r\n") + " | slice 14+3 nul | " + text(")\r\n"));
  RenderedFetch binary = f.pieces("BINARY[1]", 1);
  EXPECT_EQ(describe(binary),
            text("* 3 FETCH (BINARY[1] ~{3}\r\n") + " | slice 14+3 | " + text(")\r\n"));
  EXPECT_EQ(binary.flatten(f.bytes),
            "* 3 FETCH (BINARY[1] ~{3}\r\na" + std::string("\0b", 2) + ")\r\n");
  EXPECT_EQ(f.fetch("BINARY[]"), "* 3 FETCH (BINARY[] ~{17}\r\n" + f.bytes + ")\r\n");
  EXPECT_EQ(f.fetch("BODY[]<12.4>"), "* 3 FETCH (BODY[]<12> {4}\r\n\r\na\x80)\r\n");
}

TEST(FetchRenderer, LargeLiteralScanReportsWindows) {
  // 20 MiB of body: the NUL scan reports the 8 MiB windows it read, so the caller drops them.
  std::string body(20 << 20, 'x');
  for (size_t i = 78; i < body.size(); i += 80) body.replace(i, 2, "\r\n");
  Fixture f("Subject: big\r\n\r\n" + body);
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  FetchInput in{3, &f.entry, &f.parsed, f.bytes, {}};
  in.scanned = [&](uint64_t offset, uint64_t length) { seen.emplace_back(offset, length); };
  FetchOptions options;
  options.min_slice = 1 << 20;
  auto r = render_fetch_pieces(in, fetch_items("BODY.PEEK[TEXT]"), options);
  ASSERT_TRUE(r);
  std::string size = std::to_string(body.size());
  EXPECT_EQ(describe(*r), text("* 3 FETCH (BODY[TEXT] {" + size + "}\r\n") + " | slice 16+" + size +
                              " | " + text(")\r\n"));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(uint64_t{16}, uint64_t{(8 << 20) - 16}));
  EXPECT_EQ(seen[1], std::make_pair(uint64_t{8 << 20}, uint64_t{8 << 20}));
  EXPECT_EQ(seen[2].first + seen[2].second, f.bytes.size());
  EXPECT_EQ(r->flatten(f.bytes),
            "* 3 FETCH (BODY[TEXT] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n");
  // A small literal is scanned without reports.
  seen.clear();
  ASSERT_TRUE(render_fetch_pieces(in, fetch_items("BODY.PEEK[HEADER]"), options));
  EXPECT_TRUE(seen.empty());
}

TEST(SlicedBytes, SubstrAcrossSegments) {
  std::string message = "0123456789";
  SlicedBytes b;
  b.append_slice(2, 3);  // "234"
  b.append_text("ab");
  b.append_slice(5, 2);  // "56"
  b.append_slice(7, 1);  // merged: "567"
  EXPECT_EQ(b.segments().size(), 3u);
  EXPECT_EQ(b.size(), 8u);
  EXPECT_EQ(b.flatten(message), "234ab567");
  EXPECT_EQ(b.substr(1, 5).flatten(message), "34ab5");
  EXPECT_EQ(b.substr(4, std::nullopt).flatten(message), "b567");
  EXPECT_EQ(b.substr(8, 2).size(), 0u);
  EXPECT_EQ(b.substr(100, std::nullopt).size(), 0u);
  EXPECT_EQ(SlicedBytes::of_view(message, std::string_view(message).substr(4, 3)).flatten(message),
            "456");
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
  FetchInput in{1, &e, nullptr, {}, {}};
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
