#!/usr/bin/env python3
"""Writes the MIME test corpus: *.eml files plus index.json, deterministically.

    python3 tests/data/corpus/make_corpus.py [OUTDIR]   (default: this folder)

Every message uses CRLF line endings except those in the "malformed" category
that deliberately do not. The same script always produces the same bytes
(fixed seeds, fixed dates), so the committed files can be regenerated and
diffed. Standard library only.
"""

import base64
import json
import os
import quopri
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ----- building blocks -----------------------------------------------------------


def crlf(text):
    """str/bytes with \\n line ends -> bytes with CRLF (text passes as UTF-8)."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def b64(data, width=76):
    enc = base64.b64encode(data)
    return b"".join(enc[i:i + width] + b"\r\n" for i in range(0, len(enc), width))


def qp(data):
    """Quoted-printable of bytes; text line breaks (\\n or \\r\\n) stay hard breaks."""
    data = data.replace(b"\r\n", b"\n")
    return crlf(quopri.encodestring(data))


def ew_b(text, charset="utf-8"):
    """RFC 2047 B encoded word."""
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def ew_q(text, charset="utf-8"):
    """RFC 2047 Q encoded word."""
    out = []
    for byte in text.encode(charset):
        ch = chr(byte)
        if ch == " ":
            out.append("_")
        elif ch.isalnum() and byte < 128:
            out.append(ch)
        elif ch in "!*+-/" and byte < 128:
            out.append(ch)
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def headers(pairs):
    """[(name, value)] -> CRLF header block (no trailing blank line). Values may be
    bytes (raw 8-bit) or str (UTF-8); embedded \\n become CRLF (for folding)."""
    out = b""
    for name, value in pairs:
        if isinstance(value, str):
            value = value.encode("utf-8")
        out += name.encode() + b": " + crlf(value) + b"\r\n"
    return out


BASE_DATE = "Mon, 06 May 2024 10:%02d:%02d +0200"


def top(n, subject, extra=(), frm="Alice Example <alice@example.org>",
        to="Bob Example <bob@example.net>", date=None, mime=True, msgid=True):
    """Standard top-level headers for message number n (deterministic)."""
    pairs = [("From", frm), ("To", to), ("Subject", subject),
             ("Date", date or BASE_DATE % (n // 60 % 60, n % 60))]
    if msgid:
        pairs.append(("Message-ID", "<corpus-%04d@roost.test>" % n))
    if mime:
        pairs.append(("MIME-Version", "1.0"))
    return headers(pairs + list(extra))


def part(ctype, body=b"", cte=None, extra=(), raw_body=False):
    """One MIME entity: headers, blank line, body. body is bytes or str; it is
    encoded according to cte unless raw_body (then it is used as is)."""
    pairs = [("Content-Type", ctype)] if ctype is not None else []
    if cte:
        pairs.append(("Content-Transfer-Encoding", cte))
    pairs += list(extra)
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not raw_body:
        c = (cte or "7bit").lower()
        if c == "base64":
            body = b64(body)
        elif c == "quoted-printable":
            body = qp(body)
        elif c == "binary":
            pass
        else:
            body = crlf(body)
    return headers(pairs) + b"\r\n" + body


def multipart(subtype, parts, boundary, preamble=b"", epilogue=b"", params="",
              extra=(), close=True):
    """A multipart entity (headers + body) from already-built parts."""
    ctype = 'multipart/%s; boundary="%s"%s' % (subtype, boundary, params)
    body = crlf(preamble)
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    for p in parts:
        body += b"--" + boundary.encode() + b"\r\n" + p
        if not p.endswith(b"\r\n"):
            body += b"\r\n"
    if close:
        body += b"--" + boundary.encode() + b"--\r\n"
    body += crlf(epilogue)
    return headers([("Content-Type", ctype)] + list(extra)) + b"\r\n" + body


def message(top_headers, entity):
    """Top-level headers followed by an entity (its own Content-* headers + body)."""
    return top_headers + entity


def simple(top_headers, body, ctype="text/plain; charset=us-ascii", cte=None, extra=()):
    return message(top_headers, part(ctype, body, cte, extra))


# Deterministic binary payloads.

def rbytes(seed, n):
    return random.Random(seed).randbytes(n)


def tiny_gif(color=0):
    """A valid 1x1 GIF built by hand (header, palette, image, trailer)."""
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes([color, 0, 0]) + b"\xff\xff\xff"
            + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod\n"
         "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim\n"
         "veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea\n"
         "commodo consequat.\n")

SAMPLES = {
    "us-ascii": "Hello, world. This is plain English text with nothing special.\n",
    "utf-8": "Grüße aus Köln! Ελληνικά, русский, 日本語, עברית, emoji \U0001F600 and ∑ ≠ ∞.\n",
    "iso-8859-1": "Déjà vu: naïve café, crème brûlée, Größe ½, «guillemets», ©®.\n",
    "windows-1252": "\u201cSmart quotes\u201d \u2013 en dash \u2014 em dash, \u20ac 10, \u2122, \u2026 and \u2018single\u2019.\n",
    "koi8-r": "Привет, мир! Съешь же ещё этих мягких французских булок, да выпей чаю.\n",
    "iso-2022-jp": "こんにちは、世界。これは日本語のテキストです。漢字とカタカナ。\n",
    "gb2312": "你好，世界。这是简体中文的测试邮件，包含常用汉字。\n",
    "big5": "你好，世界。這是繁體中文的測試郵件，包含常用漢字。\n",
}
PY_CODEC = {"windows-1252": "cp1252", "koi8-r": "koi8_r", "iso-2022-jp": "iso2022_jp",
            "iso-8859-1": "latin-1"}


def enc(text, charset):
    return text.encode(PY_CODEC.get(charset, charset))


# ----- the corpus ------------------------------------------------------------------


class Corpus:
    def __init__(self):
        self.items = []  # (file name, category, description, bytes)
        self.names = set()

    def add(self, category, slug, description, data):
        name = "%s_%s.eml" % (category, slug)
        if name in self.names:
            raise ValueError("duplicate " + name)
        self.names.add(name)
        self.items.append((name, category, description, data))

    @property
    def n(self):
        return len(self.items) + 1


def gen_charsets(c):
    for cs, text in SAMPLES.items():
        body = enc(text * 3, cs)
        ctes = ["7bit"] if cs in ("us-ascii", "iso-2022-jp") else ["8bit", "quoted-printable", "base64"]
        if cs == "us-ascii":
            ctes += ["quoted-printable", None]
        if cs == "iso-2022-jp":
            ctes += ["base64"]
        for cte in ctes:
            slug = "%s_%s" % (cs, cte or "nocte")
            c.add("charset", slug, "text/plain in %s, CTE %s" % (cs, cte or "absent"),
                  simple(top(c.n, "Charset %s (%s)" % (cs, cte)), body,
                         "text/plain; charset=%s" % cs, cte))
    # charset parameter variants
    utf8 = SAMPLES["utf-8"].encode()
    c.add("charset", "quoted_upper_param", 'charset="UTF-8" quoted and upper-case',
          simple(top(c.n, "quoted charset"), utf8, 'text/plain; CHARSET="UTF-8"', "8bit"))
    c.add("charset", "unknown_charset", "charset=x-unknown-charset",
          simple(top(c.n, "unknown charset"), utf8, "text/plain; charset=x-unknown-charset", "8bit"))
    c.add("charset", "no_charset_8bit", "text/plain without charset but 8-bit UTF-8 body",
          simple(top(c.n, "no charset"), utf8, "text/plain", "8bit"))
    c.add("charset", "mislabelled", "latin-1 bytes labelled utf-8",
          simple(top(c.n, "mislabelled"), enc(SAMPLES["iso-8859-1"], "iso-8859-1"),
                 "text/plain; charset=utf-8", "8bit"))
    c.add("charset", "utf8_bom", "UTF-8 body with byte-order mark",
          simple(top(c.n, "BOM"), b"\xef\xbb\xbf" + utf8, "text/plain; charset=utf-8", "8bit"))
    c.add("charset", "no_content_type", "no Content-Type at all (defaults to text/plain us-ascii)",
          message(top(c.n, "no content-type"), b"\r\n" + crlf(LOREM)))
    c.add("charset", "no_mime_version", "no MIME-Version header, Content-Type present",
          message(top(c.n, "no mime-version", mime=False),
                  part("text/plain; charset=utf-8", utf8, "8bit")))
    c.add("charset", "utf16", "text/plain charset utf-16 base64",
          simple(top(c.n, "utf-16"), SAMPLES["utf-8"].encode("utf-16"),
                 "text/plain; charset=utf-16", "base64"))


def gen_rfc2047(c):
    T = "Grüße aus Köln"
    cases = [
        ("b_utf8", "B word utf-8", ew_b(T)),
        ("q_utf8", "Q word utf-8", ew_q(T)),
        ("b_latin1", "B word iso-8859-1", ew_b("Déjà vu", "iso-8859-1")),
        ("q_latin1", "Q word iso-8859-1", ew_q("Déjà vu", "iso-8859-1")),
        ("q_koi8r", "Q word koi8-r", ew_q("Привет мир", "koi8-r")),
        ("b_koi8r", "B word koi8-r", ew_b("Привет мир", "koi8-r")),
        ("b_iso2022jp", "B word iso-2022-jp",
         "=?iso-2022-jp?B?%s?=" % base64.b64encode("日本語の件名".encode("iso2022_jp")).decode()),
        ("b_gb2312", "B word gb2312", ew_b("你好世界", "gb2312")),
        ("b_big5", "B word big5", ew_b("你好世界", "big5")),
        ("b_cp1252", "B word windows-1252", "=?windows-1252?B?%s?=" % base64.b64encode(
            "\u201cquoted\u201d \u20ac".encode("cp1252")).decode()),
        ("mixed_plain", "plain text around an encoded word", "Re: " + ew_q("Köln") + " meeting"),
        ("adjacent_space", "adjacent encoded words separated by space (space dropped)",
         ew_q("Grüße ") + " " + ew_q("aus Köln")),
        ("adjacent_fold", "adjacent encoded words across a fold",
         ew_b("Grüße aus ") + "\n " + ew_b("Köln und Düsseldorf")),
        ("adjacent_nospace", "encoded words with no whitespace between them",
         ew_q("Grüße") + ew_q(" aus Köln")),
        ("split_multibyte", "a UTF-8 character split across two B words",
         "=?utf-8?B?%s?= =?utf-8?B?%s?=" % (base64.b64encode("Gr\u00fc".encode()[:3]).decode(),
                                            base64.b64encode("\u00fc".encode()[1:] + b"sse").decode())),
        ("mixed_charsets", "adjacent words in different charsets",
         ew_q("Déjà", "iso-8859-1") + " " + ew_b("Привет", "koi8-r")),
        ("lowercase_markers", "lower-case b/q markers and charset", "=?utf-8?b?%s?= =?UTF-8?q?caf=C3=A9?=" %
         base64.b64encode("Grüße".encode()).decode()),
        ("language", "RFC 2231 language in encoded word", "=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?="),
        ("broken_unterminated", "encoded word missing ?=", "=?utf-8?Q?Gr=C3=BC=C3=9Fe and more"),
        ("broken_charset", "unknown charset in encoded word", "=?x-bogus?Q?hello_world?="),
        ("broken_base64", "invalid base64 in B word", "=?utf-8?B?R3L!!!x=?= tail"),
        ("broken_q", "bad hex in Q word", "=?utf-8?Q?Gr=ZZ=C3?="),
        ("broken_encoding", "unknown encoding letter", "=?utf-8?X?abc?="),
        ("empty_text", "encoded word with empty text", "before =?utf-8?Q??= after"),
        ("inside_word", "encoded word glued inside a word (must stay literal)",
         "foo" + ew_q("bär") + "baz"),
        ("in_quotes", "encoded word inside a quoted string", '"%s"' % ew_q("Grüße")),
        ("too_long", "encoded word longer than 75 characters", ew_b("ü" * 60)),
        ("question_marks", "Q word encoding '?' and '_' and '='", "=?utf-8?Q?what=3F_a=5Fb_=3D_c?="),
        ("many_words", "30 adjacent encoded words folded",
         "\n ".join(ew_q("wörd%02d " % i) for i in range(30))),
    ]
    for slug, desc, subject in cases:
        c.add("rfc2047", "subject_" + slug, "Subject: " + desc,
              simple(top(c.n, subject), LOREM))
    names = [
        ("name_b", "From display name as B word", "%s <jurgen@example.de>" % ew_b("Jürgen Müller")),
        ("name_q", "From display name as Q word", "%s <jurgen@example.de>" % ew_q("Jürgen Müller", "iso-8859-1")),
        ("name_quoted_ew", "encoded word inside quoted display name",
         '"%s" <jurgen@example.de>' % ew_q("Jürgen")),
        ("name_mixed", "display name mixing atoms and encoded words",
         "Dr. %s Smith <smith@example.com>" % ew_b("Zoë")),
        ("name_comment_ew", "encoded word inside a comment", "smith@example.com (%s)" % ew_q("Zoë Smith")),
        ("name_broken", "broken encoded word in display name", "=?utf-8?B?####?= <x@example.com>"),
    ]
    for slug, desc, frm in names:
        c.add("rfc2047", slug, desc, simple(top(c.n, "encoded names", frm=frm), LOREM))
    c.add("rfc2047", "to_list", "To list where every name is encoded",
          simple(top(c.n, "encoded To", to=", ".join(
              "%s <u%d@example.net>" % (ew_q("Ünïcödé %d" % i), i) for i in range(5))), LOREM))


def attachment(i, rng, kind):
    """(part bytes, description) for attachment number i of the given CTE kind."""
    if kind == "base64":
        data = rng.randbytes(200 + 97 * i)
        return part('application/octet-stream; name="data%d.bin"' % i, data, "base64",
                    [("Content-Disposition", 'attachment; filename="data%d.bin"' % i)]), "base64 binary"
    if kind == "quoted-printable":
        text = ("Line %d with accents: é à ü and a trailing space \nand=equals\n" % i) * 3
        return part('text/plain; charset=utf-8; name="notes%d.txt"' % i, text, "quoted-printable",
                    [("Content-Disposition", 'attachment; filename="notes%d.txt"' % i)]), "qp text"
    if kind == "7bit":
        return part('text/csv; charset=us-ascii; name="table%d.csv"' % i,
                    "a,b,c\n1,2,3\n4,5,%d\n" % i, "7bit",
                    [("Content-Disposition", 'attachment; filename="table%d.csv"' % i)]), "7bit csv"
    if kind == "8bit":
        return part('text/plain; charset=iso-8859-1; name="latin%d.txt"' % i,
                    enc(SAMPLES["iso-8859-1"] * 2, "iso-8859-1"), "8bit",
                    [("Content-Disposition", 'attachment; filename="latin%d.txt"' % i)]), "8bit latin-1"
    if kind == "binary":
        data = bytes(range(256)) + rng.randbytes(64)
        return part('application/octet-stream; name="raw%d.bin"' % i, data, "binary",
                    [("Content-Disposition", 'attachment; filename="raw%d.bin"' % i)]), "binary raw bytes"
    raise ValueError(kind)


def gen_mixed(c):
    kinds = ["base64", "quoted-printable", "7bit", "8bit", "binary"]
    for count in range(1, 6):
        for variant in range(4):
            rng = random.Random(1000 + count * 10 + variant)
            chosen = [kinds[(variant + j) % 5] for j in range(count)]
            if variant == 3 and "binary" in chosen:
                chosen = [k if k != "binary" else "base64" for k in chosen]
            parts = [part("text/plain; charset=utf-8", "Body text for %d attachments.\n" % count, "7bit")]
            descs = []
            for j, kind in enumerate(chosen):
                p, d = attachment(j, rng, kind)
                parts.append(p)
                descs.append(d)
            pre = "This is a multi-part message in MIME format.\n" if variant % 2 == 0 else ""
            epi = "epilogue text\n" if variant == 1 else ""
            c.add("mixed", "%d_att_v%d" % (count, variant),
                  "multipart/mixed with %d attachment(s): %s" % (count, ", ".join(descs)),
                  message(top(c.n, "%d attachments" % count),
                          multipart("mixed", parts, "=_mix_%d_%d" % (count, variant), pre, epi)))


HTML = ("<html><head><meta charset=\"utf-8\"></head><body><p>Hello <b>world</b> "
        "\u00e9\u00e8</p><img src=\"cid:img1@roost.test\"></body></html>\n")


def gen_alternative(c):
    txt = part("text/plain; charset=utf-8", "Hello world \u00e9\u00e8\n", "quoted-printable")
    html = part("text/html; charset=utf-8", HTML, "quoted-printable")
    c.add("alternative", "text_html", "multipart/alternative text + html (QP)",
          message(top(c.n, "alternative"), multipart("alternative", [txt, html], "alt-1")))
    c.add("alternative", "html_base64", "alternative with base64 html",
          message(top(c.n, "alternative b64"), multipart("alternative", [
              part("text/plain; charset=us-ascii", "plain\n"),
              part("text/html; charset=utf-8", HTML, "base64")], "alt-2")))
    c.add("alternative", "three", "alternative text / enriched / html",
          message(top(c.n, "three alternatives"), multipart("alternative", [
              part("text/plain", "plain\n"), part("text/enriched", "<bold>rich</bold>\n"),
              part("text/html", "<p>html</p>\n")], "alt-3")))
    c.add("alternative", "html_only", "single text/html message, no multipart",
          simple(top(c.n, "html only"), HTML, "text/html; charset=utf-8", "8bit"))
    c.add("alternative", "in_mixed", "mixed( alternative(text, html), pdf )",
          message(top(c.n, "alt in mixed"), multipart("mixed", [
              multipart("alternative", [txt, html], "alt-4-inner"),
              part('application/pdf; name="doc.pdf"', b"%PDF-1.4\n" + rbytes(5, 300), "base64",
                   [("Content-Disposition", 'attachment; filename="doc.pdf"')])], "alt-4-outer")))


def gen_related(c):
    for i in range(4):
        imgs = [part("image/gif; name=\"img%d.gif\"" % k, tiny_gif(k), "base64",
                     [("Content-ID", "<img%d@roost.test>" % k),
                      ("Content-Disposition", 'inline; filename="img%d.gif"' % k)])
                for k in range(1, 2 + i)]
        html = part("text/html; charset=utf-8", HTML, "7bit" if i % 2 else "quoted-printable")
        params = '; type="text/html"' + ('; start="<root@roost.test>"' if i == 2 else "")
        if i == 2:
            html = part("text/html; charset=utf-8", HTML, "8bit", [("Content-ID", "<root@roost.test>")])
        rel = multipart("related", [html] + imgs, "rel-%d" % i, params=params)
        if i == 3:
            rel = multipart("alternative", [part("text/plain", "plain version\n"), rel], "rel-alt-3")
        c.add("related", "images_%d" % (i + 1),
              "multipart/related html with %d inline image(s)%s" % (
                  i + 1, ", inside alternative" if i == 3 else ""),
              message(top(c.n, "related %d" % i), rel))


def nest(depth, leaf, tag, subtypes=("mixed", "alternative", "related", "parallel")):
    """depth levels of multiparts around leaf; each level adds a sibling text part."""
    entity = leaf
    for d in range(depth):
        sib = part("text/plain; charset=us-ascii", "sibling at depth %d\n" % (depth - d))
        entity = multipart(subtypes[d % len(subtypes)], [sib, entity], "%s-d%d" % (tag, depth - d))
    return entity


def gen_nested(c):
    for depth in range(2, 7):
        leaf = part("text/plain; charset=utf-8", "deepest leaf at %d\n" % depth, "8bit")
        c.add("nested", "depth_%d" % depth, "multiparts nested %d deep, one sibling per level" % depth,
              message(top(c.n, "nested %d" % depth), nest(depth, leaf, "n%d" % depth)))
    rng = random.Random(77)
    c.add("nested", "wide_deep", "3-deep tree with several children per level",
          message(top(c.n, "tree"), multipart("mixed", [
              multipart("alternative", [part("text/plain", "a\n"), multipart("related", [
                  part("text/html", "<p>b</p>\n"), part("image/gif", tiny_gif(), "base64",
                                                         [("Content-ID", "<g@x>")])], "t-rel")],
                        "t-alt"),
              multipart("mixed", [attachment(0, rng, "base64")[0], attachment(1, rng, "7bit")[0]], "t-mix2"),
              part("text/plain", "tail\n")], "t-top")))
    c.add("nested", "empty_multipart", "multipart with zero body parts (only closing delimiter)",
          message(top(c.n, "empty multipart"),
                  headers([("Content-Type", 'multipart/mixed; boundary="nothing"')]) +
                  b"\r\npreamble only\r\n--nothing--\r\n"))
    c.add("nested", "empty_parts", "multipart with empty body parts",
          message(top(c.n, "empty parts"), multipart("mixed", [b"\r\n", b"\r\n", part("text/plain", "")],
                                                      "ep")))


def embedded(n, subject, entity):
    return top(1000 + n, subject, frm="Carol <carol@example.com>", to="Dave <dave@example.com>") + entity


def gen_rfc822(c):
    inner = embedded(1, "inner message", part("text/plain", "inner body\n"))
    c.add("rfc822", "simple", "message/rfc822 attachment",
          message(top(c.n, "forward"), multipart("mixed", [
              part("text/plain", "see attached\n"),
              part("message/rfc822", inner, raw_body=True,
                   extra=[("Content-Disposition", "attachment")])], "fw-1")))
    inner_mp = embedded(2, "inner multipart", multipart("mixed", [
        part("text/plain", "inner text\n"),
        part('application/octet-stream; name="x.bin"', rbytes(9, 100), "base64")], "inner-mp"))
    c.add("rfc822", "multipart_inside", "message/rfc822 whose body is multipart/mixed",
          message(top(c.n, "forward mp"), multipart("mixed", [
              part("text/plain", "see attached\n"), part("message/rfc822", inner_mp, raw_body=True)],
              "fw-2")))
    level2 = embedded(3, "level 2", multipart("mixed", [
        part("text/plain", "level 2 text\n"), part("message/rfc822", inner, raw_body=True)], "lvl2"))
    level1 = embedded(4, "level 1", multipart("mixed", [
        part("text/plain", "level 1 text\n"), part("message/rfc822", level2, raw_body=True)], "lvl1"))
    c.add("rfc822", "nested_twice", "message/rfc822 inside message/rfc822 inside message/rfc822",
          message(top(c.n, "nested forwards"), multipart("mixed", [
              part("text/plain", "top text\n"), part("message/rfc822", level1, raw_body=True)], "lvl0")))
    c.add("rfc822", "toplevel", "top-level Content-Type message/rfc822",
          message(top(c.n, "bounce"), part("message/rfc822", inner, raw_body=True)))
    c.add("rfc822", "base64_encoded", "message/rfc822 with (illegal) base64 CTE",
          message(top(c.n, "b64 rfc822"), multipart("mixed", [
              part("text/plain", "x\n"), part("message/rfc822", inner, "base64")], "fw-5")))
    c.add("rfc822", "headers_only_inner", "message/rfc822 whose message has no body",
          message(top(c.n, "inner headers only"), multipart("mixed", [
              part("message/rfc822", embedded(5, "no body", b""), raw_body=True)], "fw-6")))
    c.add("rfc822", "report", "multipart/report delivery status notification",
          message(top(c.n, "Undelivered Mail Returned to Sender", frm="MAILER-DAEMON@example.org"),
                  multipart("report", [
                      part("text/plain", "Delivery failed.\n"),
                      part("message/delivery-status", "Reporting-MTA: dns; mx.example.org\n\n"
                           "Final-Recipient: rfc822; nobody@example.net\nAction: failed\nStatus: 5.1.1\n"),
                      part("text/rfc822-headers", embedded(6, "original", b""))],
                      "dsn-1", params="; report-type=delivery-status")))
    c.add("rfc822", "message_global", "message/global (RFC 6532) with UTF-8 headers",
          message(top(c.n, "global"), multipart("mixed", [
              part("text/plain", "x\n"),
              part("message/global", headers([("From", "Jürgen <jürgen@exämple.de>"),
                                              ("Subject", "Grüße")]) + b"\r\nbody\r\n", "8bit",
                   raw_body=True)], "glob")))


def gen_digest_signed(c):
    msgs = [b"\r\n" + embedded(10 + i, "digest item %d" % i, part("text/plain", "item %d\n" % i))
            for i in range(3)]
    c.add("digest", "default_type", "multipart/digest with parts defaulting to message/rfc822",
          message(top(c.n, "digest"), multipart("digest", msgs, "dig-1")))
    c.add("digest", "explicit_and_text", "digest with explicit message/rfc822 and a text/plain part",
          message(top(c.n, "digest 2"), multipart("digest", [
              part("message/rfc822", embedded(20, "explicit", part("text/plain", "e\n")), raw_body=True),
              part("text/plain", "a text part inside a digest\n"), msgs[0]], "dig-2")))
    sig = ("-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE" + "A" * 60 +
           "\n=abcd\n-----END PGP SIGNATURE-----\n")
    c.add("signed", "pgp_mime", "multipart/signed with application/pgp-signature",
          message(top(c.n, "signed"), multipart("signed", [
              part("text/plain; charset=us-ascii", "signed text\n", "quoted-printable"),
              part('application/pgp-signature; name="signature.asc"', sig, "7bit",
                   [("Content-Description", "OpenPGP digital signature")])],
              "sig-1", params='; micalg=pgp-sha256; protocol="application/pgp-signature"')))
    c.add("signed", "smime_detached", "multipart/signed with application/pkcs7-signature",
          message(top(c.n, "smime signed"), multipart("signed", [
              multipart("alternative", [part("text/plain", "t\n"), part("text/html", "<p>t</p>\n")], "sm-alt"),
              part('application/pkcs7-signature; name="smime.p7s"', rbytes(11, 800), "base64",
                   [("Content-Disposition", 'attachment; filename="smime.p7s"')])],
              "sig-2", params='; protocol="application/pkcs7-signature"; micalg=sha-256')))
    c.add("signed", "pgp_encrypted", "multipart/encrypted (PGP/MIME)",
          message(top(c.n, "encrypted"), multipart("encrypted", [
              part("application/pgp-encrypted", "Version: 1\n"),
              part('application/octet-stream; name="encrypted.asc"',
                   "-----BEGIN PGP MESSAGE-----\n\n" + base64.b64encode(rbytes(12, 300)).decode() +
                   "\n-----END PGP MESSAGE-----\n", "7bit")],
              "enc-1", params='; protocol="application/pgp-encrypted"')))
    c.add("signed", "smime_enveloped", "application/pkcs7-mime enveloped-data",
          simple(top(c.n, "smime encrypted"), rbytes(13, 1200),
                 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"', "base64",
                 [("Content-Disposition", 'attachment; filename="smime.p7m"')]))


def gen_rfc2231(c):
    cases = [
        ("charset_lang", "filename*=utf-8'en'... with percent escapes",
         "attachment; filename*=utf-8'en'%C3%A9t%C3%A9%20report.pdf", None),
        ("charset_nolang", "filename*=iso-8859-1''...",
         "attachment; filename*=iso-8859-1''d%E9j%E0.txt", None),
        ("continuations", "plain continuations filename*0/*1/*2",
         'attachment; filename*0="a-very-long-"; filename*1="file-name-split-"; filename*2="in-three.txt"', None),
        ("continuations_encoded", "encoded continuations filename*0*/*1*",
         "attachment; filename*0*=utf-8''%E6%97%A5%E6%9C%AC; filename*1*=%E8%AA%9E.txt", None),
        ("continuations_mixed", "encoded first segment, plain second",
         "attachment; filename*0*=utf-8''caf%C3%A9-; filename*1=\"menu.txt\"", None),
        ("out_of_order", "continuations listed out of order",
         'attachment; filename*1="second.txt"; filename*0="first-"', None),
        ("both_forms", "filename and filename* both present",
         "attachment; filename=\"fallback.txt\"; filename*=utf-8''%C3%BCber.txt", None),
        ("name_in_ctype", "Content-Type name*= with charset",
         "attachment", "application/octet-stream; name*=utf-8''%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82.bin"),
        ("name_continuation_ctype", "Content-Type name*0*/name*1*",
         "attachment", "application/octet-stream; name*0*=koi8-r''%F0%D2%C9; name*1*=%D7%C5%D4.bin"),
        ("missing_segment", "continuation with a gap (0 and 2)",
         'attachment; filename*0="part0-"; filename*2="part2.txt"', None),
        ("bad_percent", "invalid percent escape in extended value",
         "attachment; filename*=utf-8''bad%ZZname%.txt", None),
        ("no_charset", "extended value without charset quote marks",
         "attachment; filename*=plain%20name.txt", None),
        ("raw_utf8", "raw 8-bit UTF-8 in quoted filename (non-standard but common)",
         'attachment; filename="r\u00e9sum\u00e9.pdf"', None),
        ("ew_in_filename", "RFC 2047 word in filename (non-standard but common)",
         'attachment; filename="%s"' % ew_b("résumé.pdf"), None),
        ("long_folded", "long parameter folded across lines",
         'attachment;\n filename*0*=utf-8\'\'%E2%80%9Cvery%20long%20name%20;\n filename*1*=with%20many%20pieces%E2%80%9D.txt;\n size=1234', None),
    ]
    for slug, desc, disp, ctype in cases:
        att = part(ctype or "application/octet-stream", rbytes(len(slug), 64), "base64",
                   [("Content-Disposition", disp)])
        c.add("rfc2231", slug, desc, message(top(c.n, "rfc2231 " + slug), multipart("mixed", [
            part("text/plain", "see attachment\n"), att], "r2231-" + slug)))


def gen_content_headers(c):
    cases = [
        ("disposition_params", "Content-Disposition with creation-date, size, quoted params",
         [("Content-Disposition", 'attachment; filename="a.txt"; creation-date="Mon, 06 May 2024 10:00:00 +0200"; size=42; read-date="Tue, 07 May 2024 10:00:00 +0200"')]),
        ("disposition_inline", "inline disposition without params", [("Content-Disposition", "inline")]),
        ("disposition_upper", "disposition type and params in upper case",
         [("Content-Disposition", 'ATTACHMENT; FILENAME="UP.TXT"')]),
        ("disposition_unknown", "unknown disposition type", [("Content-Disposition", "x-weird; foo=bar")]),
        ("language_one", "Content-Language single tag", [("Content-Language", "en")]),
        ("language_list", "Content-Language list with comment",
         [("Content-Language", "de-CH, fr (French), en-US")]),
        ("location", "Content-Location absolute URI", [("Content-Location", "http://www.example.com/a/b.txt")]),
        ("location_folded", "Content-Location folded", [("Content-Location", "http://www.example.com/\n very/long/path/file.txt")]),
        ("md5", "Content-MD5", [("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ==")]),
        ("id", "Content-ID", [("Content-ID", "<part1.abc@roost.test>")]),
        ("description", "Content-Description plain", [("Content-Description", "A text part, described")]),
        ("description_ew", "Content-Description with encoded word",
         [("Content-Description", ew_q("Beschreibung für Teil"))]),
        ("all", "every Content-* header at once",
         [("Content-ID", "<all@roost.test>"), ("Content-Description", "everything"),
          ("Content-Disposition", 'attachment; filename="all.txt"'), ("Content-Language", "en, de"),
          ("Content-Location", "all.txt"), ("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")]),
        ("ctype_params", "Content-Type with many params, comments and odd spacing",
         [], ),
    ]
    for case in cases:
        slug, desc, extra = case
        ctype = "text/plain; charset=us-ascii"
        if slug == "ctype_params":
            ctype = 'text/plain (comment) ; charset = "us-ascii" ; format=flowed; delsp=yes; X-Foo="a;b"; x-empty=""'
        p = part(ctype, "part body\n", "7bit", extra)
        c.add("content", slug + "_part", desc + " (on a body part)",
              message(top(c.n, "content " + slug), multipart("mixed", [p, part("text/plain", "2\n")], "ch-" + slug)))
        if slug in ("all", "language_list", "md5", "description_ew", "ctype_params"):
            c.add("content", slug + "_top", desc + " (on the top-level single part)",
                  message(top(c.n, "content top " + slug), p))
    c.add("content", "text_types", "text/enriched, text/calendar, application/json, audio, video, model",
          message(top(c.n, "types"), multipart("mixed", [
              part("text/calendar; method=REQUEST; charset=utf-8",
                   "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"),
              part("application/json", '{"a": 1}\n'),
              part("audio/ogg", rbytes(21, 100), "base64"),
              part("video/mp4", rbytes(22, 100), "base64"),
              part("model/gltf+json", "{}\n"),
              part("X-Custom/X-Thing", "x\n")], "types")))


def gen_addresses(c):
    cases = [
        ("group", "To with a named group of two",
         {"To": "Team: alice@example.org, Bob <bob@example.org>;"}),
        ("empty_group", "undisclosed-recipients empty group", {"To": "undisclosed-recipients:;"}),
        ("groups_mixed", "groups mixed with plain addresses",
         {"To": "a@example.org, Friends: b@example.org, c@example.org;, d@example.org, Empty:;"}),
        ("route", "obsolete route address",
         {"From": "Old Timer <@relay1.example,@relay2.example:old@example.org>"}),
        ("quoted_name", "quoted display name with escapes and specials",
         {"From": '"Smith, John \\"JJ\\" (Jr.)" <john@example.com>'}),
        ("comments", "comments everywhere",
         {"From": "john (the man) @ (at) example (dot) .com (end)"}),
        ("comment_name", "name only in trailing comment", {"From": "john@example.com (John Smith)"}),
        ("missing_host", "address without a host", {"To": "localuser, <other>, Name <third>"}),
        ("missing_local", "address with empty local part", {"To": "<@example.com>, \"\"@example.org"}),
        ("quoted_local", "quoted local part", {"To": '"john..doe"@example.com, "a b"@example.org'}),
        ("ip_literal", "domain literal", {"To": "user@[192.0.2.1], user@[IPv6:2001:db8::1]"}),
        ("no_angle", "bare addr-specs list", {"To": "a@x.org,b@y.org ,  c@z.org"}),
        ("many", "200 recipients, folded",
         {"To": ",\n ".join("User %d <user%d@example.org>" % (i, i) for i in range(200))}),
        ("all_fields", "From, Sender, Reply-To, To, Cc, Bcc all different",
         {"Sender": "Secretary <sec@example.org>", "Reply-To": "List <list@example.org>",
          "Cc": "Carol <carol@example.org>, dave@example.org", "Bcc": "Eve <eve@example.org>",
          "In-Reply-To": "<orig-1@example.org>"}),
        ("multiple_from", "two mailboxes in From with Sender",
         {"From": "A <a@example.org>, B <b@example.org>", "Sender": "A <a@example.org>"}),
        ("empty_to", "empty To header", {"To": ""}),
        ("utf8_raw_addr", "raw UTF-8 address (RFC 6532)", {"To": "Jürgen <jürgen@exämple.de>"}),
        ("trailing_dot_name", "unquoted name with dots (obs-phrase)", {"From": "John Q. Public <jqp@example.com>"}),
        ("angle_only", "angle addr without name", {"From": "<solo@example.com>"}),
        ("broken_angle", "unterminated angle bracket", {"To": "Broken <broken@example.com, next@example.com"}),
        ("broken_quote", "unterminated quoted display name", {"From": '"Unterminated <u@example.com>'}),
        ("group_in_from", "group syntax in From (invalid but seen)", {"From": "Group: a@example.org;"}),
        ("nested_group_like", "group containing a group-like token", {"To": "Outer: Inner: x@y.z;;"}),
        ("semicolon_list", "addresses separated by semicolons", {"To": "a@x.org; b@y.org"}),
        ("whitespace_fold", "address list folded with tabs", {"Cc": "one@example.org,\n\ttwo@example.org,\n \tthree@example.org"}),
        ("in_reply_to_multi", "In-Reply-To with several ids and junk",
         {"In-Reply-To": "<a@x> (comment) <b@y> garbage", "References": "<a@x> <b@y>\n <c@z>"}),
        ("no_from", "message without From", {"From": None}),
        ("no_to", "message without To", {"To": None}),
    ]
    for slug, desc, fields in cases:
        pairs = [("From", "Alice <alice@example.org>"), ("To", "Bob <bob@example.net>"),
                 ("Subject", "addresses " + slug), ("Date", BASE_DATE % (1, 2)),
                 ("Message-ID", "<addr-%s@roost.test>" % slug)]
        extra = []
        for k, v in fields.items():
            found = False
            for idx, (name, _) in enumerate(pairs):
                if name == k:
                    pairs[idx] = (k, v)
                    found = True
            if not found:
                extra.append((k, v))
        pairs = [(k, v) for k, v in pairs + extra if v is not None]
        c.add("address", slug, desc, headers(pairs + [("MIME-Version", "1.0")]) +
              part("text/plain", "addresses\n"))


def gen_dates(c):
    dates = [
        ("rfc5322", "canonical RFC 5322", "Mon, 06 May 2024 10:00:00 +0200"),
        ("no_dow", "no day of week", "6 May 2024 10:00:00 -0700"),
        ("no_seconds", "no seconds", "Mon, 6 May 2024 10:00 +0000"),
        ("two_digit_year", "two-digit year (obs)", "Mon, 06 May 99 10:00:00 +0000"),
        ("two_digit_year_00", "two-digit year 05", "Thu, 05 May 05 10:00:00 +0000"),
        ("three_digit_year", "three-digit year (obs: add 1900)", "Mon, 06 May 104 10:00:00 +0000"),
        ("zone_gmt", "obs zone GMT", "Mon, 06 May 2024 10:00:00 GMT"),
        ("zone_ut", "obs zone UT", "Mon, 06 May 2024 10:00:00 UT"),
        ("zone_est", "obs zone EST", "Mon, 06 May 2024 10:00:00 EST"),
        ("zone_pdt", "obs zone PDT", "Mon, 06 May 2024 10:00:00 PDT"),
        ("zone_military", "military zone Z", "Mon, 06 May 2024 10:00:00 Z"),
        ("zone_military_j", "military zone J (invalid letter)", "Mon, 06 May 2024 10:00:00 J"),
        ("zone_missing", "no zone", "Mon, 06 May 2024 10:00:00"),
        ("zone_comment", "zone followed by comment", "Mon, 06 May 2024 10:00:00 -0800 (PST)"),
        ("zone_odd", "zone +1345 (Chatham)", "Mon, 06 May 2024 10:00:00 +1345"),
        ("whitespace", "extra whitespace and folding", "Mon,\n  6   May   2024   10:00:00   +0200"),
        ("lowercase", "lower-case names", "mon, 06 may 2024 10:00:00 +0200"),
        ("full_names", "full day and month names", "Monday, 06 May 2024 10:00:00 +0200"),
        ("leap_second", "second = 60", "Sun, 31 Dec 2016 23:59:60 +0000"),
        ("epoch", "1970 epoch", "Thu, 01 Jan 1970 00:00:00 +0000"),
        ("before_epoch", "year 1900", "Mon, 01 Jan 1900 00:00:00 +0000"),
        ("far_future", "year 2099", "Thu, 31 Dec 2099 23:59:59 -1200"),
        ("y2038", "after 2038", "Wed, 20 Jan 2038 03:14:08 +0000"),
        ("iso8601", "ISO 8601 instead of RFC 5322", "2024-05-06T10:00:00Z"),
        ("asctime", "asctime format", "Mon May  6 10:00:00 2024"),
        ("invalid_text", "free text", "yesterday afternoon"),
        ("invalid_feb30", "February 30", "Fri, 30 Feb 2024 10:00:00 +0000"),
        ("invalid_hour", "hour 25", "Mon, 06 May 2024 25:61:61 +0000"),
        ("invalid_month", "unknown month", "Mon, 06 Mai 2024 10:00:00 +0000"),
        ("invalid_zone", "garbage zone", "Mon, 06 May 2024 10:00:00 +99999"),
        ("empty", "empty Date header", ""),
        ("wrong_dow", "day of week does not match date", "Fri, 06 May 2024 10:00:00 +0200"),
    ]
    for slug, desc, date in dates:
        c.add("date", slug, "Date: " + desc, simple(top(c.n, "date " + slug, date=date), "date test\n"))
    c.add("date", "missing", "no Date header at all",
          headers([("From", "a@example.org"), ("To", "b@example.org"), ("Subject", "no date")]) +
          b"\r\nno date\r\n")
    c.add("date", "two_dates", "two Date headers",
          headers([("From", "a@example.org"), ("Date", "Mon, 06 May 2024 10:00:00 +0200"),
                   ("Date", "Tue, 07 May 2024 10:00:00 +0200"), ("Subject", "two dates")]) + b"\r\nx\r\n")


def gen_headers(c):
    long_word = "x" * 2000
    c.add("header", "long_unfoldable", "Subject with a 2000-character word (no fold possible)",
          simple(top(c.n, "long " + long_word), "x\n"))
    c.add("header", "long_folded_subject", "Subject of 3000 characters folded every ~70",
          simple(top(c.n, "\n ".join("word%03d and some more text to fill" % i for i in range(80))), "x\n"))
    c.add("header", "fold_tabs", "headers folded with tabs and multiple whitespace",
          simple(top(c.n, "folded\n\twith\n \t tabs"), "x\n"))
    c.add("header", "fold_empty_line", "folded header with a whitespace-only continuation line",
          simple(top(c.n, "folded with\n \n blank continuation"), "x\n"))
    c.add("header", "long_references", "References with 300 message ids",
          message(top(c.n, "refs", extra=[("References", "\n ".join("<ref%d@example.org>" % i for i in range(300)))]),
                  part("text/plain", "x\n")))
    c.add("header", "many_received", "100 Received headers",
          message(top(c.n, "received", extra=[("Received", "from relay%d.example.org by relay%d.example.org;\n %s" % (
              i, i + 1, BASE_DATE % (0, i % 60))) for i in range(100)]), part("text/plain", "x\n")))
    c.add("header", "case_names", "header names in odd cases",
          headers([("FROM", "a@example.org"), ("subject", "lower subject"), ("dAtE", BASE_DATE % (0, 0)),
                   ("mime-version", "1.0"), ("CONTENT-TYPE", "TEXT/PLAIN; CHARSET=US-ASCII")]) + b"\r\nx\r\n")
    c.add("header", "whitespace_before_colon", "'Subject : value' (obs whitespace before colon)",
          b"From: a@example.org\r\nSubject : spaced colon\r\nTo : b@example.org\r\n\r\nx\r\n")
    c.add("header", "empty_values", "headers with empty values",
          b"From: a@example.org\r\nSubject:\r\nTo: \r\nCc:\r\nMessage-ID:\r\n\r\nx\r\n")
    c.add("header", "x_headers", "many unknown X- headers and one 900-character header line",
          message(top(c.n, "x headers", extra=[("X-Header-%d" % i, "value %d" % i) for i in range(50)] +
                      [("X-Long", "y" * 900)]), part("text/plain", "x\n")))
    c.add("header", "message_id_forms", "odd Message-ID forms",
          headers([("From", "a@example.org"), ("Subject", "msgid"),
                   ("Message-ID", "  <with spaces @ example.org>  (comment)")]) + b"\r\nx\r\n")
    c.add("header", "subject_only_ws", "Subject of only whitespace",
          b"From: a@example.org\r\nSubject:    \t \r\n\r\nx\r\n")


def gen_malformed(c):
    t = lambda s: top(c.n, s)  # noqa: E731
    c.add("malformed", "missing_final_boundary", "multipart without closing --boundary--",
          message(t("missing final boundary"), multipart("mixed", [
              part("text/plain", "one\n"), part("text/plain", "two\n")], "mfb", close=False)))
    c.add("malformed", "boundary_never_present", "boundary parameter never appears in body",
          message(t("no boundary in body"), headers([("Content-Type", 'multipart/mixed; boundary="absent"')]) +
                  b"\r\n" + crlf("just text\n--other\nContent-Type: text/plain\n\nx\n")))
    c.add("malformed", "no_boundary_param", "multipart without a boundary parameter",
          message(t("no boundary param"), headers([("Content-Type", "multipart/mixed")]) +
                  b"\r\n--x\r\n\r\ntext\r\n--x--\r\n"))
    c.add("malformed", "empty_boundary_param", 'boundary=""',
          message(t("empty boundary"), headers([("Content-Type", 'multipart/mixed; boundary=""')]) +
                  b"\r\n--\r\n\r\ntext\r\n----\r\n"))
    c.add("malformed", "boundary_trailing_ws", "delimiter lines with trailing whitespace",
          message(t("boundary ws"), headers([("Content-Type", 'multipart/mixed; boundary="ws"')]) +
                  b"\r\n--ws  \r\nContent-Type: text/plain\r\n\r\none\r\n--ws\t\r\n\r\ntwo\r\n--ws-- \r\n"))
    c.add("malformed", "boundary_prefix", "inner boundary is a prefix of the outer",
          message(t("prefix boundaries"), multipart("mixed", [
              multipart("alternative", [part("text/plain", "a\n"), part("text/html", "<p>a</p>\n")], "b"),
              part("text/plain", "tail\n")], "bb")))
    c.add("malformed", "same_boundary_nested", "nested multipart reuses the parent's boundary",
          message(t("same boundary"), multipart("mixed", [
              multipart("alternative", [part("text/plain", "a\n")], "same"),
              part("text/plain", "tail\n")], "same")))
    c.add("malformed", "part_no_blank_line", "body part header runs straight into the next boundary",
          message(t("part without blank"), headers([("Content-Type", 'multipart/mixed; boundary="pnb"')]) +
                  b"\r\n--pnb\r\nContent-Type: text/plain\r\n--pnb\r\nContent-Type: text/plain\r\n\r\nok\r\n--pnb--\r\n"))
    c.add("malformed", "duplicate_headers", "two Subject, two From, two Content-Type headers",
          b"From: first@example.org\r\nFrom: second@example.org\r\nSubject: first subject\r\n"
          b"Subject: second subject\r\nTo: b@example.org\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: text/plain; charset=us-ascii\r\nContent-Type: text/html; charset=utf-8\r\n"
          b"Message-ID: <dup1@x>\r\nMessage-ID: <dup2@x>\r\n\r\n<p>which type?</p>\r\n")
    c.add("malformed", "no_blank_line", "no blank line between header and body",
          b"From: a@example.org\r\nTo: b@example.org\r\nSubject: no separator\r\n"
          b"This line is body text but there was no empty line.\r\nSecond body line.\r\n")
    c.add("malformed", "header_only", "headers only, no blank line, no body",
          b"From: a@example.org\r\nTo: b@example.org\r\nSubject: header only\r\n")
    c.add("malformed", "header_only_no_final_crlf", "headers only, last line without CRLF",
          b"From: a@example.org\r\nSubject: no final newline")
    c.add("malformed", "empty_body", "headers and blank line, empty body",
          b"From: a@example.org\r\nTo: b@example.org\r\nSubject: empty body\r\n\r\n")
    c.add("malformed", "body_only", "no headers: message starts with a blank line",
          b"\r\nOnly a body, no headers at all.\r\n")
    c.add("malformed", "single_byte", "a one-byte message", b"x")
    c.add("malformed", "bare_lf", "entire message with bare LF line endings",
          (t("bare lf") + part("text/plain", LOREM)).replace(b"\r\n", b"\n"))
    c.add("malformed", "bare_lf_multipart", "multipart message with bare LF line endings",
          message(t("lf multipart"), multipart("mixed", [part("text/plain", "one\n"),
                                                         part("text/plain", "two\n")], "lf")).replace(b"\r\n", b"\n"))
    c.add("malformed", "bare_cr", "entire message with bare CR line endings",
          (t("bare cr") + part("text/plain", LOREM)).replace(b"\r\n", b"\r"))
    c.add("malformed", "mixed_endings", "mixture of CRLF, LF and CR line endings",
          b"From: a@example.org\r\nTo: b@example.org\nSubject: mixed endings\r\n\r\nline1\nline2\rline3\r\nline4\n")
    c.add("malformed", "nul_body", "NUL bytes in a text body",
          simple(t("nul in body"), b"before\x00after\r\nmore\x00\x00nuls\r\n"))
    c.add("malformed", "nul_header", "NUL byte inside a header value",
          b"From: a@example.org\r\nSubject: nul\x00inside\r\nTo: b@example.org\r\n\r\nbody\r\n")
    c.add("malformed", "8bit_headers_utf8", "raw UTF-8 in Subject and From without encoding",
          headers([("From", "Jürgen Müller <jm@example.de>"), ("To", "Zoë <zoe@example.org>"),
                   ("Subject", "Grüße – 日本語 raw"), ("Date", BASE_DATE % (2, 2))]) + b"\r\nbody\r\n")
    c.add("malformed", "8bit_headers_latin1", "raw latin-1 bytes in headers",
          b"From: J\xfcrgen <j@example.de>\r\nSubject: Gr\xfc\xdfe aus K\xf6ln\r\n\r\nbody\r\n")
    c.add("malformed", "8bit_in_ctype", "raw 8-bit in Content-Type parameter",
          message(t("8bit param"), part('text/plain; name="r\u00e9sum\u00e9.txt"', "x\n")))
    c.add("malformed", "base64_invalid_chars", "base64 body with invalid characters",
          message(t("bad base64 chars"), part("text/plain", b"SGVsbG8g!!d29y$$bGQ=\r\n***\r\n", "base64",
                                               raw_body=True)))
    c.add("malformed", "base64_bad_padding", "base64 with wrong padding and truncated quantum",
          message(t("bad padding"), part("application/octet-stream", b"SGVsbG8=V29ybGQ\r\nQQ\r\n=\r\n",
                                         "base64", raw_body=True)))
    c.add("malformed", "base64_in_multipart", "base64 attachment body with a bad line in the middle",
          message(t("bad b64 part"), multipart("mixed", [
              part("text/plain", "x\n"),
              part("image/png", b64(rbytes(31, 200)) + b"this is not base64 at all\r\n" + b64(rbytes(32, 60)),
                   "base64", raw_body=True)], "b64bad")))
    c.add("malformed", "qp_invalid", "quoted-printable with bad escapes",
          message(t("bad qp"), part("text/plain; charset=utf-8",
                                    b"bad =ZZ escape, lower =c3=a9, dangling =\r\nand =4\r\nend=\r\n",
                                    "quoted-printable", raw_body=True)))
    c.add("malformed", "unknown_cte", "unknown Content-Transfer-Encoding",
          simple(t("unknown cte"), "xyz\n", "text/plain", "x-uuencode"))
    c.add("malformed", "cte_on_multipart", "base64 CTE on a multipart (forbidden)",
          message(t("cte multipart"), multipart("mixed", [part("text/plain", "a\n")], "cm",
                                                extra=[("Content-Transfer-Encoding", "base64")])))
    c.add("malformed", "line_over_998_body", "body line of 5000 octets",
          simple(t("long body line"), "y" * 5000 + "\nshort\n"))
    c.add("malformed", "line_over_998_header", "unfolded header line of 3000 octets",
          message(t("long header line"), headers([("X-Long", "z" * 3000)]) + part("text/plain", "x\n")))
    c.add("malformed", "line_100k", "one 100,000-octet body line without any line break",
          message(t("100k line"), b"Content-Type: text/plain\r\n\r\n" + b"w" * 100000))
    for name, value, desc in [
            ("ctype_no_subtype", "text", "Content-Type without subtype"),
            ("ctype_slash_only", "/", "Content-Type of just '/'"),
            ("ctype_garbage", "!!garbage!!; ;;; =", "garbage Content-Type"),
            ("ctype_unterminated_quote", 'text/plain; charset="utf-8', "unterminated quoted parameter"),
            ("ctype_param_no_value", "text/plain; charset; format=", "parameters without values"),
            ("ctype_dup_param", "text/plain; charset=utf-8; charset=iso-8859-1", "duplicated parameter"),
            ("ctype_empty", "", "empty Content-Type")]:
        c.add("malformed", name, desc, message(t(name), part(value, "body\n")))
    c.add("malformed", "no_colon_header", "header line without a colon",
          b"From: a@example.org\r\nThis is not a header\r\nSubject: after junk\r\n\r\nbody\r\n")
    c.add("malformed", "leading_continuation", "message starting with a continuation line",
          b" leading whitespace line\r\nFrom: a@example.org\r\nSubject: x\r\n\r\nbody\r\n")
    c.add("malformed", "mbox_from_line", "message starting with an mbox 'From ' line",
          b"From alice@example.org Mon May  6 10:00:00 2024\r\n" + top(c.n, "mbox") + b"\r\nbody\r\n")
    c.add("malformed", "header_space_name", "header name containing a space",
          b"From: a@example.org\r\nX Bad Name: value\r\nSubject: x\r\n\r\nbody\r\n")
    c.add("malformed", "ctrl_chars_header", "control characters in headers",
          b"From: a@example.org\r\nSubject: bell\x07 esc\x1b del\x7f\r\n\r\nbody\r\n")
    c.add("malformed", "many_headers", "2000 header lines",
          top(c.n, "many headers", extra=[("X-H%d" % i, "v") for i in range(2000)]) + b"\r\nx\r\n")
    c.add("malformed", "rfc822_truncated", "message/rfc822 part whose message is cut off mid-header",
          message(t("truncated rfc822"), multipart("mixed", [
              part("message/rfc822", b"From: x@example.org\r\nSubject: cut", raw_body=True)], "tr")))
    c.add("malformed", "multipart_in_text_boundary", "boundary strings inside a text/plain (not multipart)",
          simple(t("fake boundaries"), "--fake\nContent-Type: text/html\n\n<p>no</p>\n--fake--\n"))
    c.add("malformed", "binary_top_nul", "binary CTE top-level with NULs and bare CR/LF",
          simple(t("binary top"), bytes(range(256)) * 4, "application/octet-stream", "binary"))

    # 200-deep nesting
    leaf = part("text/plain", "bottom of 200 levels\n")
    entity = leaf
    for d in range(200, 0, -1):
        entity = multipart("mixed", [entity], "d%03d" % d)
    c.add("malformed", "nesting_200", "multipart/mixed nested 200 deep (one part each level)",
          message(t("200 deep"), entity))
    entity = part("text/plain", "bottom of 60 message/rfc822 levels\n")
    for d in range(60):
        entity = part("message/rfc822", headers([("Subject", "level %d" % d)]) + entity, raw_body=True)
    c.add("malformed", "rfc822_nesting_60", "message/rfc822 nested 60 deep",
          message(t("rfc822 deep"), entity))
    # 500 parts
    parts = [part("text/plain; charset=us-ascii", "part %d\n" % i) for i in range(500)]
    c.add("malformed", "parts_500", "multipart/mixed with 500 body parts",
          message(t("500 parts"), multipart("mixed", parts, "p500")))
    parts = [part("text/plain", "p%d\n" % i) for i in range(5000)]
    c.add("malformed", "parts_5000", "multipart/mixed with 5000 tiny body parts",
          message(t("5000 parts"), multipart("mixed", parts, "p5k")))


def build():
    c = Corpus()
    for gen in (gen_charsets, gen_rfc2047, gen_mixed, gen_alternative, gen_related, gen_nested,
                gen_rfc822, gen_digest_signed, gen_rfc2231, gen_content_headers, gen_addresses,
                gen_dates, gen_headers, gen_malformed):
        gen(c)
    return c


def write(outdir):
    c = build()
    os.makedirs(outdir, exist_ok=True)
    # Remove stale generated files so renames do not leave orphans behind.
    for name in os.listdir(outdir):
        if name.endswith(".eml") and name not in c.names:
            os.remove(os.path.join(outdir, name))
    index = []
    total = 0
    for name, category, desc, data in c.items:
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        total += len(data)
        index.append({"file": name, "category": category, "description": desc,
                      "size": len(data), "crlf_only": _crlf_only(data),
                      "has_nul": b"\0" in data})
    with open(os.path.join(outdir, "index.json"), "w") as f:
        json.dump(index, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return len(c.items), total


def _crlf_only(data):
    stripped = data.replace(b"\r\n", b"")
    return b"\r" not in stripped and b"\n" not in stripped


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    count, size = write(out)
    print("wrote %d messages, %d bytes, to %s" % (count, size, out))
