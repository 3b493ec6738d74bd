"""COPY/MOVE (RFC 6851) with COPYUID (RFC 4315), UID EXPUNGE, MULTIAPPEND (RFC 3502) and
AUTHENTICATE SCRAM-SHA-256 (RFC 5802, RFC 7677) against the real `roost serve`
. The server and raw-client helpers come from imap_session_test."""
import base64
import hashlib
import hmac
import imaplib
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_session_test import (MESSAGE, PASSWORD, USER, ImapServer, append,  # noqa: E402
                               login_raw)
from roost_harness import expect, run_tests  # noqa: E402


def message(n):
    return f"From: a@example.com\r\nSubject: m{n}\r\n\r\nBody {n}\r\n".encode()


def fill(c, mailbox, count, flags=None):
    return [append(c, mailbox, flags, message(i))[1] for i in range(count)]


def count_of(c, mailbox):
    typ, data = c.status(mailbox, "(MESSAGES)")
    expect(typ == "OK", data)
    return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))


def test_copy_and_uid_copy_answer_copyuid():
    with ImapServer() as s:
        c = s.tls()
        uids = fill(c, "INBOX", 4)
        c.select("INBOX")
        typ, data = c.copy("2:3", "Archive")
        expect(typ == "OK", data)
        m = re.search(rb"\[COPYUID (\d+) (\S+) (\S+)\]", data[0])
        expect(m is not None, data)
        expect(m.group(2) == f"{uids[1]}:{uids[2]}".encode() and m.group(3) == b"1:2", data)
        expect(count_of(c, "Archive") == 2 and count_of(c, "INBOX") == 4, "copy kept the source")
        # UID COPY: nonexistent UIDs are ignored; none at all gives OK without COPYUID.
        # imaplib's uid() drops the tagged text, where COPYUID is: read it via _simple_command.
        typ, data = c._simple_command("UID", "COPY", f"{uids[3]},900:999", "Archive")
        expect(typ == "OK" and f" {uids[3]} 3]".encode() in data[0], data)
        typ, data = c._simple_command("UID", "COPY", "900:999", "Archive")
        expect(typ == "OK" and b"COPYUID" not in (data[0] or b""), data)
        # Out-of-range sequence numbers are BAD (RFC 9051 §9).
        try:
            c.copy("5", "Archive")
            raise AssertionError("COPY of sequence number 5 of 4 was accepted")
        except imaplib.IMAP4.error as e:
            expect("BAD" in str(e) and "out of range" in str(e), str(e))
        # A missing target: NO [TRYCREATE].
        typ, data = c.copy("1", "Nowhere")
        expect(typ == "NO", data)
        c.logout()


def test_copy_to_same_mailbox_and_trycreate_raw():
    with ImapServer() as s:
        c = s.tls()
        fill(c, "INBOX", 2)
        c.logout()
        r = s.raw()
        login_raw(r)
        r.command("S", "SELECT INBOX")
        lines = r.command("C", "COPY 1:2 INBOX")
        expect("* 4 EXISTS" in lines, lines)
        expect(re.match(r"C OK \[COPYUID \d+ 1:2 3:4\]", lines[-1]), lines)
        lines = r.command("T", "COPY 1 Nowhere")
        expect(lines[-1].startswith("T NO [TRYCREATE]"), lines)
        lines = r.command("B", "COPY 0 INBOX")
        expect(lines[-1].startswith("B BAD"), lines)
        lines = r.command("E", "EXAMINE INBOX")
        lines = r.command("M", "MOVE 1 Archive")
        expect(lines[-1].startswith("M NO [READ-ONLY]"), lines)
        lines = r.command("C2", "COPY 1 Archive")  # COPY from a read-only mailbox is fine
        expect(lines[-1].startswith("C2 OK [COPYUID"), lines)
        r.close()


def test_move_sends_copyuid_then_expunges_and_other_session_sees_them():
    with ImapServer() as s:
        c = s.tls()
        fill(c, "INBOX", 5)
        c.logout()
        mover, watcher = s.raw(), s.raw()
        login_raw(mover)
        login_raw(watcher)
        mover.command("S", "SELECT INBOX")
        watcher.command("S", "SELECT INBOX")
        lines = mover.command("M", "MOVE 2,4 Archive")
        expect(re.match(r"\* OK \[COPYUID \d+ 2,4 1:2\]", lines[0]), lines)
        # Renumbered as they go: 2 is expunged, then the old 4 is now 3.
        expect(lines[1:3] == ["* 2 EXPUNGE", "* 3 EXPUNGE"], lines)
        expect(lines[-1].startswith("M OK"), lines)
        lines = mover.command("U", "UID MOVE 5,77 Trash")
        expect(re.match(r"\* OK \[COPYUID \d+ 5 1\]", lines[0]), lines)
        expect(lines[1] == "* 3 EXPUNGE" and lines[-1].startswith("U OK"), lines)
        lines = watcher.command("N", "NOOP")
        expunged = [line for line in lines if line.endswith("EXPUNGE")]
        expect(expunged == ["* 2 EXPUNGE", "* 3 EXPUNGE", "* 3 EXPUNGE"], lines)
        lines = watcher.command("F", "STATUS Archive (MESSAGES)")
        expect(any("MESSAGES 2" in line for line in lines), lines)
        mover.close()
        watcher.close()


def test_uid_expunge_removes_only_deleted_among_given_uids():
    with ImapServer() as s:
        c = s.tls()
        d1 = append(c, "INBOX", "(\\Deleted)")[1]
        keep = append(c, "INBOX")[1]
        d2 = append(c, "INBOX", "(\\Deleted)")[1]
        c.select("INBOX")
        typ, data = c.uid("EXPUNGE", f"{d1}:{keep}")
        expect(typ == "OK", data)
        expect(c.response("EXPUNGE")[1] == [b"1"], "only the first was expunged")
        expect(count_of(c, "INBOX") == 2, "UID EXPUNGE removed too much")
        typ, data = c.uid("EXPUNGE", str(d2))
        expect(typ == "OK" and count_of(c, "INBOX") == 1, data)
        c.logout()


def raw_multiappend(r, tag, mailbox, messages):
    """MULTIAPPEND with synchronizing literals, waiting for each continuation."""
    lines = []
    head = f"{tag} APPEND {mailbox}"
    for i, (flags, body) in enumerate(messages):
        r.send(f"{head} {flags} {{{len(body)}}}\r\n" if i == 0 else f" {flags} {{{len(body)}}}\r\n")
        line = r.line()
        if not line.startswith("+"):
            lines.append(line)
            return lines + ([] if line.startswith(tag + " ") else r.until_tagged(tag))
        r.send(body)
    r.send("\r\n")
    return lines + r.until_tagged(tag)


def test_multiappend_commits_all_or_nothing():
    with ImapServer() as s:
        r = s.raw()
        login_raw(r)
        lines = raw_multiappend(r, "A", "INBOX",
                                [("(\\Seen)", message(1)), ("()", message(2)),
                                 ("(\\Flagged)", message(3))])
        expect(re.match(r"A OK \[APPENDUID \d+ 1:3\]", lines[-1]), lines)
        # Non-synchronizing literals in one go (LITERAL+).
        body = message(4)
        r.send(f"B APPEND INBOX {{{len(body)}+}}\r\n".encode() + body +
               f" (\\Seen) {{{len(body)}+}}\r\n".encode() + body + b"\r\n")
        lines = r.until_tagged("B")
        expect(re.match(r"B OK \[APPENDUID \d+ 4:5\]", lines[-1]), lines)
        # A bad flag on the second message: nothing of this command is stored.
        lines = raw_multiappend(r, "C", "INBOX", [("()", message(6)), ("(\\Bogus)", message(7))])
        expect(lines[-1].startswith("C BAD"), lines)
        lines = r.command("S", "STATUS INBOX (MESSAGES)")
        expect(any("MESSAGES 5" in line for line in lines), lines)
        lines = r.command("N", "NOOP")
        expect(lines[-1].startswith("N OK"), lines)
        r.close()
        c = s.tls()
        typ, data = c._simple_command("APPEND", "Missing", "()", "{5}")
        expect(typ == "NO", data)
        c.logout()


class ScramClient:
    """The client side of SCRAM-SHA-256 (RFC 5802 §3), written here from the RFC."""

    def __init__(self, user, password, gs2=b"n,,"):
        self.user, self.password, self.gs2 = user, password, gs2
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.server_signature = None

    def first(self):
        self.bare = f"n={self.user},r={self.nonce}".encode()
        return self.gs2 + self.bare

    def final(self, server_first):
        attrs = dict(a.split("=", 1) for a in server_first.decode().split(","))
        expect(attrs["r"].startswith(self.nonce) and int(attrs["i"]) >= 4096, server_first)
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(),
                                     base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = b"c=" + base64.b64encode(self.gs2) + b",r=" + attrs["r"].encode()
        auth_message = self.bare + b"," + server_first + b"," + without_proof
        signature = hmac.digest(stored_key, auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self.server_signature = hmac.digest(server_key, auth_message, "sha256")
        return without_proof + b",p=" + base64.b64encode(proof)

    def __call__(self, challenge):
        """imaplib's authobject: one call per continuation."""
        if not challenge and not hasattr(self, "bare"):
            return self.first()
        if challenge.startswith(b"r="):
            return self.final(challenge)
        expect(challenge == b"v=" + base64.b64encode(self.server_signature), challenge)
        self.verified = True
        return b""


def b64(data):
    return base64.b64encode(data).decode()


def test_scram_sha256_login():
    with ImapServer() as s:
        c = s.tls(login=False)
        expect("AUTH=SCRAM-SHA-256" in c.capabilities and
               "AUTH=SCRAM-SHA-256-PLUS" not in c.capabilities, c.capabilities)
        client = ScramClient(USER, PASSWORD)
        typ, data = c.authenticate("SCRAM-SHA-256", client)
        expect(typ == "OK" and getattr(client, "verified", False), data)
        expect(c.select("INBOX")[0] == "OK", "selected after SCRAM")
        c.logout()
        # SASL-IR (RFC 4959): client-first on the command line, "y" gs2 flag accepted.
        r = s.raw()
        r.line()
        client = ScramClient("bob", "bob password", gs2=b"y,,")
        r.send(f"A AUTHENTICATE SCRAM-SHA-256 {b64(client.first())}\r\n")
        line = r.line()
        expect(line.startswith("+ "), line)
        r.send(b64(client.final(base64.b64decode(line[2:]))) + "\r\n")
        line = r.line()
        expect(line == "+ " + b64(b"v=" + base64.b64encode(client.server_signature)), line)
        r.send("\r\n")
        lines = r.until_tagged("A")
        expect(lines[-1].startswith("A OK [CAPABILITY"), lines)
        r.close()
        # Wrong password: AUTHENTICATIONFAILED, no server-final.
        c = s.tls(login=False)
        try:
            c.authenticate("SCRAM-SHA-256", ScramClient(USER, "wrong"))
            raise AssertionError("wrong SCRAM password accepted")
        except imaplib.IMAP4.error as e:
            expect("AUTHENTICATIONFAILED" in str(e), str(e))
        c.logout()
        # Channel binding ("p=") is refused; cleartext is refused before any exchange.
        r = s.raw()
        r.line()
        lines = r.command("P", "AUTHENTICATE SCRAM-SHA-256 " + b64(b"p=tls-unique,,n=alice,r=abc"))
        expect(lines[-1].startswith("P NO"), lines)
        r.close()
        r = s.raw(tls=False)
        r.line()
        lines = r.command("T", "AUTHENTICATE SCRAM-SHA-256 " + b64(ScramClient(USER, "x").first()))
        expect(lines[-1].startswith("T NO [PRIVACYREQUIRED]"), lines)
        r.close()


def test_scram_fails_for_accounts_without_credentials():
    with ImapServer() as s:
        # An account whose password was set before SCRAM credentials existed.
        db = sqlite3.connect(os.path.join(s.dir, "index.sqlite"))
        db.execute("UPDATE accounts SET scram = '' WHERE name = 'bob'")
        db.commit()
        db.close()
        c = s.tls(login=False)
        try:
            c.authenticate("SCRAM-SHA-256", ScramClient("bob", "bob password"))
            raise AssertionError("SCRAM without stored credentials accepted")
        except imaplib.IMAP4.error as e:
            expect("AUTHENTICATIONFAILED" in str(e), str(e))
        expect(c.login("bob", "bob password")[0] == "OK", "LOGIN still works")
        c.logout()


def test_capabilities_after_login():
    with ImapServer() as s:
        c = s.tls()
        caps = c.capability()[1][0].decode().split()
        for want in ("UIDPLUS", "MOVE", "MULTIAPPEND"):
            expect(want in caps, f"{want} missing in {caps}")
        c.logout()


if __name__ == "__main__":
    run_tests([test_copy_and_uid_copy_answer_copyuid,
               test_copy_to_same_mailbox_and_trycreate_raw,
               test_move_sends_copyuid_then_expunges_and_other_session_sees_them,
               test_uid_expunge_removes_only_deleted_among_given_uids,
               test_multiappend_commits_all_or_nothing,
               test_scram_sha256_login,
               test_scram_fails_for_accounts_without_credentials,
               test_capabilities_after_login])
