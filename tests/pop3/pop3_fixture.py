"""Shared by the POP3 tests: `roost serve` with pop3, pop3s and imaps listeners on a fresh data
dir with one account, an IMAP side (imaplib over TLS) to put messages in and look at them, and a
line-level POP3 client for what poplib hides (exact bytes, pipelining)."""
import imaplib
import os
import poplib
import re
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from roost_harness import (ROOST, LineClient, MailServer, TempDir, expect,  # noqa: E402,F401
                           free_port, roost, run_tests, unverified_tls)

USER, PASSWORD = "alice", "correct horse battery"


tls_context = unverified_tls


class Pop3Server(MailServer):
    """roost serve with pop3 + pop3s + imaps listeners and the account alice."""

    def __init__(self, config="", data_dir=None):
        super().__init__(["pop3", "pop3s", "imaps"], {USER: PASSWORD}, config, data_dir)

    # --- POP3 ---
    def poplib(self, login=True, user=USER, password=PASSWORD):
        conn = poplib.POP3_SSL("127.0.0.1", self.pop3s, context=tls_context(), timeout=10)
        if login:
            conn.user(user)
            conn.pass_(password)
        return conn

    def raw(self, tls=True):
        sock = socket.create_connection(("127.0.0.1", self.pop3s if tls else self.pop3),
                                        timeout=10)
        if tls:
            sock = tls_context().wrap_socket(sock)
        raw = Raw(sock)
        raw.greeting = raw.line()
        expect(raw.greeting.startswith(b"+OK"), raw.greeting)
        return raw

    def raw_login(self):
        raw = self.raw()
        expect(raw.command("USER " + USER).startswith(b"+OK"), "USER")
        reply = raw.command("PASS " + PASSWORD)
        expect(reply.startswith(b"+OK"), reply)
        return raw

    # --- IMAP ---
    def imap(self):
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=tls_context(), timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, *messages, mailbox="INBOX"):
        imap = self.imap()
        try:
            for m in messages:
                typ, data = imap.append(mailbox, None, None, m)
                expect(typ == "OK", f"APPEND: {typ} {data}")
        finally:
            imap.logout()

    def append_raw(self, data, mailbox="INBOX"):
        """APPEND with the bytes exactly as given (imaplib would turn bare LFs into CRLF)."""
        sock = tls_context().wrap_socket(
            socket.create_connection(("127.0.0.1", self.imaps), timeout=10))
        raw = Raw(sock)
        raw.line()  # greeting
        raw.send(f'a LOGIN {USER} "{PASSWORD}"\r\n')
        expect(raw.line().startswith(b"a OK"), "IMAP LOGIN")
        raw.send(f"b APPEND {mailbox} {{{len(data)}}}\r\n")
        expect(raw.line().startswith(b"+"), "APPEND continuation")
        raw.send(data + b"\r\n")
        while True:
            line = raw.line()
            if line.startswith(b"b "):
                expect(line.startswith(b"b OK"), line)
                break
        raw.send("c LOGOUT\r\n")
        raw.close()

    def imap_messages(self, mailbox="INBOX"):
        """[(uid, flags, bytes)] of a mailbox, as IMAP sees them."""
        imap = self.imap()
        try:
            typ, _ = imap.select(f'"{mailbox}"')
            expect(typ == "OK", f"SELECT {mailbox}: {typ}")
            typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            expect(typ == "OK", data)
            out = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta = item[0].decode()
                uid = int(re.search(r"UID (\d+)", meta).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", meta).group(1).split()
                out.append((uid, flags, item[1]))
            return out
        finally:
            imap.logout()


class Raw(LineClient):
    """A line-level POP3 client: exact bytes, pipelining, multi-line responses."""

    def line(self):
        return self.raw_line()

    def command(self, text):
        self.send(text + "\r\n")
        return self.line()

    def multiline(self):
        """The lines of a multi-line body up to the terminator, exactly as sent (stuffed)."""
        lines = []
        while True:
            line = self.line()
            if line == b".":
                return lines
            lines.append(line)


def unstuff(lines):
    """The message bytes a client gets from a RETR body (RFC 1939 §3)."""
    return b"".join((l[1:] if l.startswith(b".") else l) + b"\r\n" for l in lines)


def crlf(data):
    """Bare LFs as CRLF: what RETR must send for stored bytes (and a final CRLF if missing)."""
    out = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    if out and not out.endswith(b"\n"):
        out += b"\r\n"
    return out


def message(subject, body="Hello\r\n", extra=""):
    return (f"From: sender@example.com\r\nTo: {USER}@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@example.com>\r\n{extra}\r\n{body}").encode()
