"""FETCH of literals of 1 MiB and more, which the server streams from the mapped message in
pieces (cmd/fetch.cc), against the real `roost serve`: the bytes on the wire are the same as for
small literals, whatever the item.

A 3.5 MiB multipart message (a 2 MiB 8bit part with NUL bytes, a 1.5 MiB base64 part) sits
between two small ones, and one FETCH of all three must come back in order with:
- BODY[] / RFC822 / BODY[1] with each NUL sent as 0x80, BINARY[] / BINARY[1] as literal8 "~{n}"
  with the NULs kept, BINARY[2] decoded and BINARY.SIZE exact;
- a partial BODY[]<o.n> across the two parts;
- RFC822 (not PEEK) setting \\Seen: FLAGS, and for a CONDSTORE client UID and MODSEQ, after the
  streamed literal;
- the same answers under COMPRESS=DEFLATE.
"""
import base64
import os
import random
import re
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_compress_test import ZConn, compress, connect, login  # noqa: E402
from roost_harness import expect, run_tests  # noqa: E402
from imap_session_test import ImapServer  # noqa: E402

MiB = 1 << 20
BOUNDARY = b"roost-stream"


def build_message():
    rng = random.Random(3516)
    text_lines = []
    size = 0
    while size < 2 * MiB:  # 8bit text with a NUL now and then
        line = bytes(rng.choice(b"abcdefghij \x00\xe9") for _ in range(70))
        text_lines.append(line)
        size += len(line) + 2
    text = b"\r\n".join(text_lines)
    raw = rng.randbytes(3 * MiB // 2)
    encoded = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    header = (b"From: a@example.com\r\nSubject: streamed\r\nMIME-Version: 1.0\r\n"
              b'Content-Type: multipart/mixed; boundary="' + BOUNDARY + b'"\r\n\r\n')
    part1_mime = b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    part2_mime = (b"Content-Type: application/octet-stream\r\n"
                  b"Content-Transfer-Encoding: base64\r\n\r\n")
    message = (header + b"--" + BOUNDARY + b"\r\n" + part1_mime + text + b"\r\n--" + BOUNDARY +
               b"\r\n" + part2_mime + encoded + b"\r\n--" + BOUNDARY + b"--\r\n")
    binary = (header + b"--" + BOUNDARY + b"\r\n" + part1_mime + text + b"\r\n--" + BOUNDARY +
              b"\r\n" + b"Content-Type: application/octet-stream\r\n"
              b"Content-Transfer-Encoding: binary\r\n\r\n" + raw + b"\r\n--" + BOUNDARY +
              b"--\r\n")
    return message, text, raw, binary


SMALL = b"From: b@example.com\r\nSubject: small\r\n\r\nsmall body\r\n"


def append(c, tag, message):
    c.send(f"{tag} APPEND INBOX ~{{{len(message)}}}\r\n")  # literal8: the message has NULs
    expect(c.line().startswith("+"), "no continuation for APPEND")
    c.send(message + b"\r\n")
    lines = c.until_tagged(tag)
    expect(lines[-1].startswith(f"{tag} OK"), lines)


def read_response(c, tag):
    """The untagged responses up to the tagged one as raw bytes (literals inline), and it."""
    out = []
    while True:
        line = c.line()
        if line.startswith(tag + " "):
            return out, line
        data = line.encode("utf-8", "surrogateescape")
        while True:
            m = re.search(rb"~?\{(\d+)\}$", data)
            if not m:
                break
            data += b"\r\n" + c.exactly(int(m.group(1)))
            data += c.line().encode("latin-1", "replace")
        out.append(data)


def literal(data, binary=False):
    return (b"~" if binary and b"\0" in data else b"") + b"{%d}\r\n" % len(data) + data


def check(c, message, text, raw, binary):
    nul = message.replace(b"\0", b"\x80")
    offset, length = len(message) // 2 - 12345, 1536 * 1024
    c.send("F FETCH 1:3 (UID BODY.PEEK[] BINARY.PEEK[] BINARY.SIZE[2] "
           f"BODY.PEEK[]<{offset}.{length}> BODY.PEEK[1] BINARY.PEEK[1] BINARY.PEEK[2])\r\n")
    out, done = read_response(c, "F")
    expect(done.startswith("F OK"), done)
    expect(len(out) == 3, [x[:60] for x in out])
    small = SMALL.replace(b"\0", b"\x80")
    small_body = b"small body\r\n"
    for seq, uid, got in zip((1, 3), (1, 3), (out[0], out[2])):
        want = (b"* %d FETCH (UID %d BODY[] " % (seq, uid) + literal(small) + b" BINARY[] " +
                literal(small) + b' BINARY.SIZE[2] 0 BODY[]<%d> "" BODY[1] ' % offset +
                literal(small_body) + b" BINARY[1] " + literal(small_body) + b' BINARY[2] "")')
        expect(got == want, f"message {seq}: {got[:200]!r}")
    big = out[1]
    want = (b"* 2 FETCH (UID 2 BODY[] " + literal(nul) + b" BINARY[] " +
            literal(binary, True) + b" BINARY.SIZE[2] %d" % len(raw) + b" BODY[]<%d> " % offset +
            literal(nul[offset:offset + length]) + b" BODY[1] " +
            literal(text.replace(b"\0", b"\x80")) + b" BINARY[1] " + literal(text, True) +
            b" BINARY[2] " + literal(raw, True) + b")")
    expect(big == want, f"the big message's FETCH differs from byte "
           f"{next((i for i, (a, b) in enumerate(zip(big, want)) if a != b), min(len(big), len(want)))}")


def test_streamed_literals_are_the_same_bytes():
    message, text, raw, binary = build_message()
    with ImapServer() as s:
        c = connect(s)
        login(c)
        for tag, m in (("A", SMALL), ("B", message), ("C", SMALL)):
            append(c, tag, m)
        lines = c.command("E", "ENABLE CONDSTORE")
        expect(lines[-1].startswith("E OK"), lines)
        lines = c.command("S", "SELECT INBOX")
        expect(lines[-1].startswith("S OK"), lines)
        check(c, message, text, raw, binary)
        # RFC 9051 §6.4.5 / RFC 7162 §3.2.4: RFC822 sets \Seen, reported after the literal.
        c.send("R FETCH 2 RFC822\r\n")
        out, done = read_response(c, "R")
        expect(done.startswith("R OK"), done)
        m = re.fullmatch(rb"\* 2 FETCH \(RFC822 (.*) FLAGS \(\\Seen\) UID 2 MODSEQ \((\d+)\)\)",
                         out[-1], re.S)
        expect(m and m.group(1) == literal(message.replace(b"\0", b"\x80")), out[-1][:80])
        # The same under COMPRESS=DEFLATE (RFC 4978), where Connection deflates each piece.
        compress(c)
        check(c, message, text, raw, binary)
        lines = c.command("O", "LOGOUT")
        expect(lines[-1].startswith("O OK"), lines)
        c.close()


if __name__ == "__main__":
    run_tests([test_streamed_literals_are_the_same_bytes])
