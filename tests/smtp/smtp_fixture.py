"""Shared by the SMTP tests: `roost serve` with submission, submissions, smtp, lmtp and imaps
listeners on a fresh data dir with local domain example.org, and helpers to read what arrived
(imaplib over TLS)."""
import imaplib
import os
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from local_dns import LocalDns  # noqa: E402
from roost_harness import (ROOST, LineClient, MailServer, TempDir, expect,  # noqa: E402,F401
                           roost, run_tests, unverified_tls)

DOMAIN = "example.org"
ALICE, BOB = "alice", "bob@example.org"
PASSWORD = "correct horse battery"

BASE_CONFIG = f"""
[smtp]
hostname = "mx.example.org"
local_domains = ["{DOMAIN}", "catchall.test"]
aliases = ["sales@{DOMAIN}=alice", "@example.net=@{DOMAIN}", "@catchall.test=bob@{DOMAIN}",
           "ünïcode@{DOMAIN}=alice"]
"""


class SmtpServer(MailServer):
    def __init__(self, smtp_keys="", protocols=None):
        """smtp_keys: more [smtp] lines (the base section is the last table of the config)."""
        if protocols is None:
            protocols = ["submission", "submissions", "smtp", "lmtp", "imaps"]
        super().__init__(protocols, {ALICE: PASSWORD, BOB: PASSWORD}, BASE_CONFIG + smtp_keys)

    def __enter__(self):
        # DNS answers come from a local server with no records (every .test name is NXDOMAIN),
        # never from the machine's resolver: the port 25 checks and the queue stay offline.
        self.dns = LocalDns().__enter__()
        self.config = (f'[dns]\nresolver = "{self.dns.resolver()}"\ntimeout_ms = 2000\n'
                       + self.config)
        try:
            return super().__enter__()
        except BaseException:
            self.dns.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        try:
            super().__exit__(*exc)
        finally:
            self.dns.__exit__(*exc)

    # --- SMTP clients ---
    def submit(self, login=True, user=ALICE):
        s = smtplib.SMTP("127.0.0.1", self.submission_port(), timeout=10)
        s.ehlo("client.test")
        s.starttls(context=unverified_tls())
        s.ehlo("client.test")
        if login:
            s.login(user, PASSWORD)
        return s

    def submission_port(self):
        return getattr(self, "submission")

    def submit_tls(self, login=True, user=ALICE):
        s = smtplib.SMTP_SSL("127.0.0.1", getattr(self, "submissions"), timeout=10,
                             context=unverified_tls())
        s.ehlo("client.test")
        if login:
            s.login(user, PASSWORD)
        return s

    def mx(self):
        s = smtplib.SMTP("127.0.0.1", self.smtp, timeout=10)
        s.ehlo("sender.test")
        return s

    def raw(self, port):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        client = LineClient(sock)
        greeting = client.raw_line()
        expect(greeting.startswith(b"220 "), greeting)
        return client

    # --- IMAP side ---
    def imap(self, user=ALICE):
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=unverified_tls(),
                                 timeout=10)
        conn.login(user, PASSWORD)
        return conn

    def messages(self, user=ALICE, mailbox="INBOX"):
        """Every message's exact bytes in the mailbox, in UID order."""
        conn = self.imap(user)
        try:
            typ, _ = conn.select(mailbox, readonly=True)
            expect(typ == "OK", f"select {mailbox}")
            typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[])")
            out = []
            for item in data:
                if isinstance(item, tuple):
                    out.append(item[1])
            return out
        finally:
            conn.logout()

    def count(self, user=ALICE, mailbox="INBOX"):
        conn = self.imap(user)
        try:
            typ, data = conn.select(mailbox, readonly=True)
            return int(data[0])
        finally:
            conn.logout()


def reply_of(line_client):
    """A whole (multi-line) reply: (code, [lines])."""
    lines = []
    while True:
        line = line_client.raw_line().decode("utf-8", "replace")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), lines


def message(sender, to, subject="hello", body="Hello there.\r\n", extra=""):
    return (f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
            f"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <{time.time()}@client.test>\r\n"
            f"{extra}\r\n{body}").encode()


def added_headers(stored, sent):
    """The header fields the server put before the message; asserts the rest is what was sent."""
    expect(stored.endswith(sent), f"stored message does not end with the sent bytes:\n{stored!r}")
    prefix = stored[:len(stored) - len(sent)].decode()
    names = []
    for line in prefix.split("\r\n"):
        if line and not line[0] in " \t":
            names.append(line.split(":", 1)[0])
    return names, prefix
