"""COMPRESS=DEFLATE (RFC 4978) and LITERAL- (RFC 7888) against the real `roost serve`
: a client that speaks raw DEFLATE (Python's zlib, wbits=-15) over
implicit TLS and over plain+STARTTLS, a multi-megabyte APPEND and FETCH, IDLE pushes, a corrupt
stream, curl (which has no COMPRESS) and the LITERAL- configuration."""
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from imap_session_test import MESSAGE, PASSWORD, USER, ImapServer, append, tls_context  # noqa: E402
from roost_harness import expect, run_tests  # noqa: E402


class ZConn:
    """A line-level IMAP client that can switch on DEFLATE in both directions (RFC 4978 §3)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.deflate = None
        self.inflate = None

    def start_deflate(self):
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)
        # Anything already read past the tagged OK was compressed by the server.
        self.buf = self.inflate.decompress(self.buf)

    def compress(self, data, flush=zlib.Z_SYNC_FLUSH):
        out = self.deflate.compress(data)
        return out + self.deflate.flush(flush) if flush != zlib.Z_NO_FLUSH else out

    def send(self, data, flush=zlib.Z_SYNC_FLUSH):
        data = data if isinstance(data, bytes) else data.encode()
        self.sock.sendall(self.compress(data, flush) if self.deflate else data)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError(f"connection closed; have {self.buf[:200]!r}")
        self.buf += self.inflate.decompress(chunk) if self.inflate else chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def until_tagged(self, tag):
        lines = []
        while True:
            lines.append(self.line())
            if lines[-1].startswith(tag + " "):
                return lines

    def command(self, tag, text):
        self.send(f"{tag} {text}\r\n")
        return self.until_tagged(tag)

    def closed_within(self, seconds):
        """True when the server ends the connection within `seconds`."""
        self.sock.settimeout(seconds)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except OSError:  # reset, or TLS torn down without close_notify
            return True

    def close(self):
        self.sock.close()


def connect(s, tls=True):
    sock = socket.create_connection(("127.0.0.1", s.imaps if tls else s.imap), timeout=15)
    if tls:
        sock = tls_context().wrap_socket(sock)
    c = ZConn(sock)
    expect(c.line().startswith("* OK"), "no greeting")
    return c


def starttls(s):
    c = connect(s, tls=False)
    lines = c.command("S", "STARTTLS")
    expect(lines[-1].startswith("S OK"), lines)
    return ZConn(tls_context().wrap_socket(c.sock))


def login(c):
    lines = c.command("L", f'LOGIN {USER} "{PASSWORD}"')
    expect(lines[-1].startswith("L OK [CAPABILITY ") and "COMPRESS=DEFLATE" in lines[-1], lines)


def compress(c, pipelined=b""):
    """COMPRESS DEFLATE; `pipelined` commands go compressed in the same write as the command."""
    zlib_for_pipelined = zlib.compressobj(6, zlib.DEFLATED, -15)
    tail = b""
    if pipelined:
        tail = zlib_for_pipelined.compress(pipelined) + zlib_for_pipelined.flush(zlib.Z_SYNC_FLUSH)
    c.sock.sendall(b"Z COMPRESS DEFLATE\r\n" + tail)
    lines = c.until_tagged("Z")  # RFC 4978 §3: the OK itself is not compressed
    expect(lines[-1].startswith("Z OK"), lines)
    c.start_deflate()
    if pipelined:
        c.deflate = zlib_for_pipelined


def big_message(size):
    rng = random.Random(4978)
    head = (b"From: a@example.com\r\nTo: alice@example.com\r\nSubject: big\r\n"
            b"Content-Type: text/plain\r\n\r\n")
    lines = []
    total = len(head)
    words = [b"mailbox", b"deflate", b"roost", b"literal", b"window", b"server", b"client"]
    while total < size:
        if rng.random() < 0.5:  # half text, half incompressible noise
            line = b" ".join(rng.choice(words) for _ in range(10))
        else:
            line = bytes(rng.randrange(33, 127) for _ in range(76))
        lines.append(line)
        total += len(line) + 2
    return (head + b"\r\n".join(lines) + b"\r\n")[:size]


def fetch_body(c, tag, uid):
    c.send(f"{tag} UID FETCH {uid} BODY[]\r\n")
    line = c.line()
    m = re.match(r"\* \d+ FETCH \(.*BODY\[\] \{(\d+)\}$", line)
    expect(m is not None, line)
    body = c.exactly(int(m.group(1)))
    rest = c.until_tagged(tag)
    expect(rest[-1].startswith(f"{tag} OK"), rest)
    return body


def append_sync(c, tag, message, mailbox="INBOX"):
    """APPEND with a synchronizing literal, sent in compressed pieces without a flush between."""
    c.send(f"{tag} APPEND {mailbox} {{{len(message)}}}\r\n")
    expect(c.line().startswith("+"), "no continuation for APPEND")
    for at in range(0, len(message), 256 * 1024):
        c.send(message[at:at + 256 * 1024], flush=zlib.Z_NO_FLUSH)
    c.send(b"\r\n")
    lines = c.until_tagged(tag)
    expect(lines[-1].startswith(f"{tag} OK [APPENDUID "), lines)
    return int(re.search(r"APPENDUID \d+ (\d+)", lines[-1]).group(1))


def test_compress_over_tls_append_fetch_idle():
    with ImapServer() as s:
        c = connect(s)
        lines = c.command("C", "CAPABILITY")
        expect("COMPRESS=DEFLATE" not in lines[0] and "LITERAL+" in lines[0], lines)
        # RFC 4978 §6: a command of the authenticated state.
        lines = c.command("X", "COMPRESS DEFLATE")
        expect(lines[-1].startswith("X BAD"), lines)
        login(c)
        lines = c.command("U", "COMPRESS LZ4")
        expect(lines[-1].startswith("U BAD"), lines)
        compress(c)
        lines = c.command("S", "SELECT INBOX")
        expect("* 0 EXISTS" in lines and lines[-1].startswith("S OK"), lines)
        message = big_message(3 * 1024 * 1024 + 17)
        uid = append_sync(c, "A", message)
        expect(fetch_body(c, "F", uid) == message, "FETCH BODY[] differs from the APPENDed bytes")
        lines = c.command("Z2", "COMPRESS DEFLATE")
        expect(lines[-1].startswith("Z2 NO [COMPRESSIONACTIVE]"), lines)

        c.send("I IDLE\r\n")
        expect(c.line() == "+ idling", "no IDLE continuation")
        other = s.tls()  # a second, uncompressed session
        start = time.time()
        append(other, "INBOX")
        line = c.line()
        expect(line == "* 2 EXISTS" and time.time() - start < 1.0,
               f"{line!r} after {time.time() - start:.2f}s")
        c.send("DONE\r\n")
        expect(c.until_tagged("I")[-1].startswith("I OK"), "IDLE not ended")
        other.logout()
        lines = c.command("O", "LOGOUT")
        expect(lines[0].startswith("* BYE") and lines[-1].startswith("O OK"), lines)
        c.close()


def test_compress_after_starttls_with_pipelined_commands():
    with ImapServer() as s:
        c = starttls(s)
        login(c)
        # Commands written right behind COMPRESS, in the same packet, are already compressed.
        compress(c, pipelined=b"P1 NOOP\r\nP2 SELECT INBOX\r\n")
        expect(c.until_tagged("P1")[-1].startswith("P1 OK"), "pipelined NOOP")
        lines = c.until_tagged("P2")
        expect(lines[-1].startswith("P2 OK [READ-WRITE]"), lines)
        # A non-synchronizing literal (LITERAL+) of a megabyte, then the message back.
        message = big_message(1024 * 1024)
        c.send(f"A APPEND INBOX (\\Seen) {{{len(message)}+}}\r\n".encode() + message + b"\r\n")
        lines = c.until_tagged("A")
        expect(lines[-1].startswith("A OK [APPENDUID "), lines)
        uid = int(re.search(r"APPENDUID \d+ (\d+)", lines[-1]).group(1))
        expect(fetch_body(c, "F", uid) == message, "FETCH BODY[] differs after STARTTLS+COMPRESS")
        lines = c.command("L", 'LIST "" "*"')
        expect(any(l.endswith(" INBOX") for l in lines) and lines[-1].startswith("L OK"), lines)
        c.close()


def test_corrupt_stream_ends_only_that_session():
    with ImapServer() as s:
        bad, good = connect(s), starttls(s)
        for c in (bad, good):
            login(c)
            compress(c)
        expect(bad.command("N", "NOOP")[-1].startswith("N OK"), "bad NOOP before")
        bad.sock.sendall(b"\xff\xfe\xfd\xfc this is not deflate data\r\n")
        expect(bad.closed_within(5), "the corrupt session stayed open")
        lines = good.command("N", "NOOP")
        expect(lines[-1].startswith("N OK"), lines)
        lines = good.command("S", "STATUS INBOX (MESSAGES)")
        expect(lines[-1].startswith("S OK"), lines)
        plain = s.tls()  # new sessions are served too
        expect(plain.noop()[0] == "OK", "uncompressed session")
        plain.logout()
        deadline = time.time() + 5
        while "net.compression_error" not in s.output() and time.time() < deadline:
            time.sleep(0.05)
        expect("net.compression_error" in s.output(), "no compression_error event logged")
        good.close()


def test_curl_is_unaffected():
    # curl's IMAP client has no COMPRESS (it never sends the command): the advertisement alone
    # must not change anything for it.
    curl = shutil.which("curl")
    if curl is None:
        print("skip: curl not installed")
        return
    with ImapServer() as s:
        c = s.tls()
        append(c, "INBOX")
        c.logout()
        p = subprocess.run([curl, "-sS", "-k", "--max-time", "10", "-u", f"{USER}:{PASSWORD}",
                            f"imaps://127.0.0.1:{s.imaps}/INBOX;UID=1"],
                           capture_output=True)
        expect(p.returncode == 0, p.stderr)
        expect(p.stdout == MESSAGE, p.stdout)
        p = subprocess.run([curl, "-sS", "-k", "--max-time", "10", "-u", f"{USER}:{PASSWORD}",
                            f"imaps://127.0.0.1:{s.imaps}/", "-X", "CAPABILITY"],
                           capture_output=True, text=True)
        expect(p.returncode == 0 and "COMPRESS=DEFLATE" in p.stdout, (p.stdout, p.stderr))


def test_literal_minus_configuration():
    with ImapServer(config="[imap]\nliteral_plus = false\n") as s:
        c = connect(s)
        lines = c.command("C", "CAPABILITY")
        caps = lines[0].split()
        expect("LITERAL-" in caps and "LITERAL+" not in caps, lines)
        login(c)
        caps = c.command("C2", "CAPABILITY")[0].split()
        expect("LITERAL-" in caps and "LITERAL+" not in caps, caps)
        # RFC 7888 §4: up to 4096 octets a non-synchronizing literal is fine.
        ok_message = (MESSAGE + b"x" * 4096)[:4096]
        c.send(b"A APPEND INBOX {4096+}\r\n" + ok_message + b"\r\n")
        lines = c.until_tagged("A")
        expect(lines[-1].startswith("A OK [APPENDUID "), lines)
        # 4097 octets: BAD [TOOBIG]; the bytes are read past, never run as commands.
        injected = b"\r\nX1 DELETE Sent\r\nX2 LOGOUT\r\n"
        too_big = (MESSAGE + injected + b"y" * 4097)[:4097]
        c.send(b"B APPEND INBOX {4097+}\r\n" + too_big + b"\r\nN NOOP\r\n")
        lines = c.until_tagged("B")
        expect(lines[-1].startswith("B BAD [TOOBIG]"), lines)
        lines = c.until_tagged("N")
        expect(lines[-1].startswith("N OK"), lines)
        expect(not any(l.startswith("X") for l in lines), lines)
        lines = c.command("S", "STATUS INBOX (MESSAGES)")
        expect("MESSAGES 1" in lines[0], lines)
        lines = c.command("L", 'LIST "" Sent')
        expect(any(l.startswith("* LIST ") and "Sent" in l for l in lines), lines)  # X1 never ran
        # A synchronizing literal of any size still works, and so does LOGIN's {n+} small form.
        big = big_message(100000)
        c.send(f"D APPEND INBOX {{{len(big)}}}\r\n")
        expect(c.line().startswith("+"), "no continuation")
        c.send(big + b"\r\n")
        expect(c.until_tagged("D")[-1].startswith("D OK [APPENDUID "), "synchronizing APPEND")
        lines = c.command("Q", "LOGOUT")
        expect(lines[-1].startswith("Q OK"), lines)
        c.close()


if __name__ == "__main__":
    run_tests([test_compress_over_tls_append_fetch_idle,
               test_compress_after_starttls_with_pipelined_commands,
               test_corrupt_stream_ends_only_that_session, test_curl_is_unaffected,
               test_literal_minus_configuration])
