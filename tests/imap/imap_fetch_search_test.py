"""FETCH, STORE, SEARCH, SORT and THREAD against the real `roost serve`:
varied MIME messages, \\Seen by BODY[] but not BODY.PEEK, BINARY, STORE seen by a second session
(at NOOP and during IDLE), ESEARCH, charset searches, SORT/THREAD on a small reply thread, UID
forms, and RFC 9051 §7.5.1 (no EXPUNGE during FETCH)."""
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from roost_harness import expect, run_tests  # noqa: E402
from imap_session_test import ImapServer, PASSWORD, USER, append  # noqa: E402

ATTACHMENT = bytes(range(256))

MIXED = (b"From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: report\r\n"
         b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\n"
         b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
         b"--XX\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attached numbers\r\n"
         b"--XX\r\nContent-Type: application/octet-stream; name=n.bin\r\n"
         b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=n.bin\r\n"
         b"\r\n" + __import__("base64").encodebytes(ATTACHMENT).replace(b"\n", b"\r\n") +
         b"--XX--\r\n")

NESTED = (b"From: Carl <carl@example.org>\r\nTo: ann@example.com\r\nSubject: fwd: old news\r\n"
          b"Date: Tue, 2 Jan 2024 10:00:00 +0000\r\nMessage-ID: <m2@example.org>\r\n"
          b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=YY\r\n\r\n"
          b"--YY\r\nContent-Type: text/plain\r\n\r\nForwarded below\r\n"
          b"--YY\r\nContent-Type: message/rfc822\r\n\r\n"
          b"From: dan@example.net\r\nSubject: inner zebra\r\n\r\nInner body\r\n"
          b"--YY--\r\n")

LATIN = (b"From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.fr>\r\nTo: ann@example.com\r\n"
         b"Subject: =?ISO-8859-1?Q?caf=E9?=\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n"
         b"Message-ID: <m3@example.fr>\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: text/plain; charset=ISO-8859-1\r\n"
         b"Content-Transfer-Encoding: quoted-printable\r\n\r\nUne cr=E8me br=FBl=E9e\r\n")


def thread_message(n, subject, refs=b""):
    return (b"From: t@example.com\r\nTo: ann@example.com\r\nSubject: " + subject +
            b"\r\nDate: Thu, " + str(3 + n).encode() + b" Jan 2024 10:00:00 +0000\r\n"
            b"Message-ID: <t" + str(n).encode() + b"@example.com>\r\n" + refs + b"\r\nbody\r\n")


class Client:
    """Raw IMAP over TLS that reads literals, so responses come back whole as bytes."""

    def __init__(self, server, rev2=False):
        self.raw = server.raw()
        self.raw.line()
        self.n = 0
        expect(self.command(f'LOGIN {USER} "{PASSWORD}"')[-1].startswith(b"T"), "login")
        if rev2:
            self.command("ENABLE IMAP4rev2")

    def read_response(self):
        line = b""
        while True:
            part = self._line()
            line += part
            m = re.search(rb"\{(\d+)\}$", part)
            if not m:
                return line
            line += b"\r\n" + self._take(int(m.group(1)))

    def _line(self):
        while b"\r\n" not in self.raw.buf:
            chunk = self.raw.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed; have {self.raw.buf!r}")
            self.raw.buf += chunk
        line, self.raw.buf = self.raw.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.raw.buf) < n:
            self.raw.buf += self.raw.sock.recv(65536)
        data, self.raw.buf = self.raw.buf[:n], self.raw.buf[n:]
        return data

    def send(self, data):
        self.raw.send(data)

    def command(self, text):
        self.n += 1
        tag = f"T{self.n}"
        self.raw.send(f"{tag} {text}\r\n")
        return self.until(tag)

    def until(self, tag):
        out = []
        while True:
            r = self.read_response()
            out.append(r)
            if r.startswith(tag.encode() + b" "):
                return out

    def ok(self, text):
        r = self.command(text)
        expect(re.match(rb"T\d+ OK", r[-1]), (text, r))
        return r


def setup(server):
    c = server.tls()
    for m in (MIXED, NESTED, LATIN):
        append(c, "INBOX", None, m)
    c.logout()


def test_fetch_items_and_seen():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        c.ok("SELECT INBOX")
        r = c.ok("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE UID)")
        text = r[0]
        expect(text.startswith(b"* 1 FETCH (") and b"FLAGS ()" in text, r)
        expect(f"RFC822.SIZE {len(MIXED)}".encode() in text and b"UID 1" in text, text)
        expect(b'"report"' in text and b'"ann" "example.com"' in text, text)
        expect(b'("application" "octet-stream"' in text.replace(b'"APPLICATION"', b'"application"')
               or b"octet-stream" in text.lower(), text)
        expect(b"INTERNALDATE \"" in text, text)
        r = c.ok("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        expect(b"Subject: report\r\n\r\n" in r[0] and b"\\Seen" not in r[0], r)
        r = c.ok("FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[TEXT]<0.10>)")
        expect(b"BODY[1.MIME] {" in r[0] and b"Content-Type: text/plain" in r[0], r)
        expect(b"BODY[TEXT]<0> {10}\r\n--XX\r\nCont" in r[0], r)
        r = c.ok("FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])")
        expect(ATTACHMENT in r[0] and b"BINARY.SIZE[2] 256" in r[0], r)
        r = c.ok("FETCH 1 FLAGS")
        expect(b"\\Seen" not in r[0], r)  # PEEK never sets \Seen
        r = c.ok("FETCH 1 BODY[]")
        expect(MIXED in r[0] and b"FLAGS (\\Seen)" in r[0], r)
        r = c.ok("NOOP")
        expect(not any(b"FETCH" in x for x in r), r)  # our own \Seen is not announced twice
        r = c.ok("FETCH 2 BODY.PEEK[2.1]")  # the nested message's body part
        expect(b"Inner body" in r[0], r)
        r = c.ok("UID FETCH 3 (BODY.PEEK[TEXT])")
        expect(b"UID 3" in r[0] and b"cr=E8me" in r[0], r)
        r = c.ok("UID FETCH 2:* FLAGS")
        expect(len(r) == 3 and all(b"UID" in x for x in r[:2]), r)
        r = c.ok("UID FETCH 90:95 FLAGS")  # UIDs outside the mailbox are ignored
        expect(len(r) == 1, r)
        r = c.command("FETCH 9 FLAGS")
        expect(r[-1].startswith(b"T") and b" BAD " in r[-1], r)
        c.ok("EXAMINE INBOX")
        r = c.ok("FETCH 2 BODY[TEXT]")  # read-only: \Seen is not set
        r = c.ok("FETCH 2 FLAGS")
        expect(b"\\Seen" not in r[0], r)


def test_binary_append_and_unknown_cte():
    with ImapServer() as s:
        c = Client(s)
        body = (b"From: a@example.com\r\nSubject: raw\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                b"nul\x00byte\r\n")
        c.n += 1
        c.send(f"T{c.n} APPEND INBOX ~{{{len(body)}}}\r\n".encode())
        expect(c.read_response().startswith(b"+"), "no continuation")
        c.send(body + b"\r\n")
        r = c.until(f"T{c.n}")
        expect(b"OK" in r[-1], r)
        weird = (b"From: a@example.com\r\nSubject: odd\r\nContent-Transfer-Encoding: x-odd\r\n\r\n"
                 b"data\r\n")
        append(s.tls(), "INBOX", None, weird)
        c.ok("SELECT INBOX")
        r = c.ok("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])")
        expect(b"BINARY[1] ~{10}\r\nnul\x00byte\r\n" in r[0] and b"BINARY.SIZE[1] 10" in r[0], r)
        r = c.command("FETCH 2 BINARY.PEEK[1]")
        expect(b"NO [UNKNOWN-CTE]" in r[-1], r)


def test_store_and_other_sessions():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        other = Client(s)
        c.ok("SELECT INBOX")
        other.ok("SELECT INBOX")
        # Once a session has shown flags, a change undone before it looks again is not told (a
        # view loaded later, after SELECT, tells every message changed since SELECT).
        other.ok("FETCH 1:* (FLAGS)")
        r = c.ok("STORE 1 +FLAGS (\\Flagged $Work)")
        expect(any(b"* FLAGS (" in x and b"$Work" in x for x in r), r)
        expect(any(x.startswith(b"* 1 FETCH (FLAGS (\\Flagged $Work))") for x in r), r)
        r = c.ok("STORE 1 +FLAGS (\\Flagged)")  # nothing changed: nothing to report
        expect(len(r) == 1, r)
        r = c.ok("STORE 1:2 +FLAGS.SILENT (\\Seen)")
        expect(len(r) == 1, r)
        r = c.ok("NOOP")
        expect(len(r) == 1, r)  # the silent change is not echoed later either
        r = c.ok("UID STORE 2 -FLAGS (\\Seen)")
        expect(any(x.startswith(b"* 2 FETCH (UID 2 FLAGS ())") for x in r), r)
        r = c.ok("STORE 3 FLAGS (\\Answered)")
        expect(any(b"* 3 FETCH (FLAGS (\\Answered))" in x for x in r), r)
        r = c.command("STORE 1 +FLAGS (\\Bogus)")
        expect(b" BAD " in r[-1], r)
        r = other.ok("NOOP")
        joined = b"\n".join(r)
        expect(b"* 1 FETCH (FLAGS (\\Seen \\Flagged $Work))" in joined, r)
        expect(b"* 3 FETCH (FLAGS (\\Answered))" in joined, r)
        expect(b"* 2 FETCH" not in joined, r)  # +Seen then -Seen: back where it started
        r = c.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        r = other.ok("NOOP")
        expect(any(b"* 2 FETCH (FLAGS (\\Deleted))" in x for x in r), r)
        other.ok("EXAMINE INBOX")
        r = other.command("STORE 1 +FLAGS (\\Seen)")
        expect(b" NO " in r[-1], r)


def test_idle_sees_flag_change():
    with ImapServer() as s:
        setup(s)
        idler = Client(s)
        idler.ok("SELECT INBOX")
        idler.send(b"I IDLE\r\n")
        expect(idler.read_response() == b"+ idling", "no continuation")
        c = Client(s)
        c.ok("SELECT INBOX")
        start = time.time()
        c.ok("STORE 2 +FLAGS (\\Flagged)")
        line = idler.read_response()
        expect(line == b"* 2 FETCH (FLAGS (\\Flagged))" and time.time() - start < 1.0, line)
        idler.send(b"DONE\r\n")
        expect(idler.until("I")[-1].startswith(b"I OK"), "IDLE not ended")


def test_no_expunge_during_fetch():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        other = Client(s)
        c.ok("SELECT INBOX")
        other.ok("SELECT INBOX")
        other.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        r = c.ok("FETCH 1:* UID")
        expect(not any(b"EXPUNGE" in x for x in r), r)  # RFC 9051 §7.5.1
        expect(sum(1 for x in r if x.startswith(b"* ")) == 2, r)  # the expunged one is skipped
        r = c.ok("SEARCH ALL")
        expect(not any(b"EXPUNGE" in x for x in r), r)
        r = c.ok("NOOP")
        expect(r[0] == b"* 1 EXPUNGE", r)
        r = c.ok("FETCH 1:* UID")
        expect(r[0] == b"* 1 FETCH (UID 2)" and r[1] == b"* 2 FETCH (UID 3)", r)
        other.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        r = c.ok("UID FETCH 1:* FLAGS")  # the UID form may announce it at once
        expect(r[0] == b"* 2 FETCH (UID 3 FLAGS ())" and r[1] == b"* 1 EXPUNGE", r)


def test_search_keys():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        c.ok("SELECT INBOX")
        c.ok("STORE 1 +FLAGS.SILENT (\\Flagged $Work)")
        c.ok("STORE 3 +FLAGS.SILENT (\\Seen)")

        def search(query, uid=False):
            r = c.ok(("UID " if uid else "") + "SEARCH " + query)
            found = [x for x in r if x.startswith(b"* SEARCH")]
            expect(len(found) == 1, (query, r))
            return [int(n) for n in found[0].split()[2:]]

        cases = [
            ("ALL", [1, 2, 3]), ("FLAGGED", [1]), ("UNSEEN", [1, 2]), ("SEEN", [3]),
            ("KEYWORD $Work", [1]), ("UNKEYWORD $Work", [2, 3]),
            ("SUBJECT report", [1]),
            ("FROM carl", [2]), ("TO ann@example.com", [2, 3]), ("BODY numbers", [1]),
            ("TEXT zebra", [2]), ('HEADER Message-ID "<m3@example.fr>"', [3]),
            ("LARGER 400", [1]), ("SMALLER 400", [2, 3]), ("SENTBEFORE 2-Jan-2024", [1]),
            ("SENTSINCE 2-Jan-2024", [2, 3]), ("OR FLAGGED SEEN", [1, 3]), ("NOT FLAGGED", [2, 3]),
            ("2:*", [2, 3]), ("UID 3", [3]), ("SINCE 1-Jan-2000", [1, 2, 3]),
            ("YOUNGER 3600", [1, 2, 3]), ("OLDER 3600", []),
        ]
        for query, want in cases:
            got = search(query)
            expect(got == want, (query, got, want))
        expect(search("FLAGGED", uid=True) == [1], "UID SEARCH")
        # CHARSET UTF-8 with a literal: the decoded ISO-8859-1 subject and QP body match.
        word = "CAFÉ".encode("utf-8")
        c.n += 1
        tag = f"T{c.n}"
        c.send(f"{tag} SEARCH CHARSET UTF-8 SUBJECT {{{len(word)}}}\r\n".encode())
        expect(c.read_response().startswith(b"+"), "no continuation")
        c.send(word + b"\r\n")
        r = c.until(tag)
        expect(b"* SEARCH 3" in r and r[-1].startswith(tag.encode() + b" OK"), r)
        r = c.ok('SEARCH CHARSET UTF-8 BODY "BRÛLÉE"')
        expect(b"* SEARCH 3" in r, r)
        r = c.ok("SEARCH CHARSET US-ASCII FROM ren")
        expect(b"* SEARCH 3" in r, r)
        r = c.ok("SORT (REVERSE DISPLAYFROM) UTF-8 ALL")  # RFC 5957: Ann, Carl, René
        expect(r[0] == b"* SORT 3 2 1", r)
        r = c.ok("UID SORT (DISPLAYTO ARRIVAL) UTF-8 ALL")
        expect(r[0] == b"* SORT 2 3 1", r)
        r = c.command("SEARCH CHARSET KOI8-R ALL")
        expect(b"NO [BADCHARSET (UTF-8 US-ASCII)]" in r[-1], r)


def test_search_many_messages():
    """Batches big enough to be split in halves searched side by side, small messages (kept in the
    index) and large ones (files) mixed: BODY, TEXT and SUBJECT find exactly the messages that
    hold the word in any letter case, in order."""
    with ImapServer() as s:
        c = s.tls()
        want_body, want_subject = [], []
        for n in range(1, 151):
            word = ""
            if n % 7 == 0:
                word = ["gazpacho", "GAZPACHO", "GazPacho"][n % 3]
                want_body.append(n)
            subject = "Lunch GAZPACHO" if n % 11 == 0 else f"note {n}"
            if n % 11 == 0:
                want_subject.append(n)
            filler = b"y" * (70000 if n % 5 == 0 else 200)  # every fifth one past 64 KiB
            body = f"line one\r\nsoup: {word}\r\n".encode() + filler + b"\r\n"
            append(c, "INBOX", None, f"From: a@example.com\r\nSubject: {subject}\r\n\r\n".encode()
                   + body)
        c.logout()
        c = Client(s)
        c.ok("SELECT INBOX")

        def search(query):
            r = c.ok("SEARCH " + query)
            found = [x for x in r if x.startswith(b"* SEARCH")]
            expect(len(found) == 1, (query, r))
            return [int(n) for n in found[0].split()[2:]]

        expect(search("BODY gazpacho") == want_body, search("BODY gazpacho"))
        expect(search("TEXT GAZPACHO") == sorted(set(want_body) | set(want_subject)), "TEXT")
        expect(search("SUBJECT gazpacho") == want_subject, "SUBJECT")
        expect(search("BODY gazpachos") == [], "no match")
        expect(search("NOT BODY gazpacho") == [n for n in range(1, 151) if n not in want_body],
               "NOT BODY")


def test_esearch():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        c.ok("SELECT INBOX")
        r = c.ok("SEARCH RETURN (MIN MAX COUNT) ALL")
        expect(r[0] == b'* ESEARCH (TAG "T%d") MIN 1 MAX 3 COUNT 3' % c.n, r)
        r = c.ok("UID SEARCH RETURN () 2:3")
        expect(r[0] == b'* ESEARCH (TAG "T%d") UID ALL 2:3' % c.n, r)
        r = c.ok("SEARCH RETURN (COUNT ALL) FLAGGED")
        expect(r[0] == b'* ESEARCH (TAG "T%d") COUNT 0' % c.n, r)
        rev2 = Client(s, rev2=True)
        rev2.ok("SELECT INBOX")
        r = rev2.ok("UID SEARCH ALL")
        expect(r[0] == b'* ESEARCH (TAG "T%d") UID ALL 1:3' % rev2.n, r)
        r = rev2.ok("SEARCH SUBJECT zebra")
        expect(r[0] == b'* ESEARCH (TAG "T%d")' % rev2.n, r)  # nothing matched: no ALL


def test_searchres():
    # RFC 5182: RETURN (SAVE) keeps the result as '$' for later commands of this selection.
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        c.ok("SELECT INBOX")
        r = c.ok("SEARCH RETURN (SAVE) 2:3")
        expect(not any(x.startswith(b"* ESEARCH") or x.startswith(b"* SEARCH") for x in r), r)
        r = c.ok("FETCH $ (UID)")
        expect(r[:-1] == [b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 3)"], r)
        r = c.ok("UID SEARCH UID $ NOT 3")
        expect(r[0] == b"* SEARCH 2", r)
        c.ok("STORE $ +FLAGS.SILENT (\\Flagged)")
        r = c.ok("SEARCH FLAGGED")
        expect(r[0] == b"* SEARCH 2 3", r)
        r = c.ok("SEARCH RETURN (SAVE MIN) ALL")  # with MIN alone, only the minimum is saved
        expect(r[0] == b'* ESEARCH (TAG "T%d") MIN 1' % c.n, r)
        r = c.ok("FETCH $ (UID)")
        expect(r[:-1] == [b"* 1 FETCH (UID 1)"], r)
        c.ok("UID COPY $ Archive")
        c.ok("UNSELECT")
        c.ok("SELECT INBOX")  # a new selection starts with an empty '$'
        r = c.ok("FETCH $ (UID)")
        expect(r[:-1] == [], r)
        caps = c.ok("CAPABILITY")[0]
        expect(b" SEARCHRES" in caps, caps)


def test_objectid():
    # RFC 8474: MAILBOXID survives RENAME; EMAILID is the same for copies; THREADID is NIL.
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        r = c.ok("CREATE Projects")
        created = re.search(rb"\[MAILBOXID \((F\d+)\)\]", r[-1])
        expect(created is not None, r)
        r = c.ok("STATUS Projects (MAILBOXID MESSAGES)")
        want = rb'\* STATUS "?Projects"? \(MAILBOXID \(%s\) MESSAGES 0\)$' % created.group(1)
        expect(re.match(want, r[0]), r)
        c.ok("RENAME Projects Work")
        r = c.ok("SELECT Work")
        expect(b"* OK [MAILBOXID (%s)] Ok" % created.group(1) in r, r)
        r = c.ok("SELECT INBOX")
        inbox = [x for x in r if x.startswith(b"* OK [MAILBOXID (F")]
        expect(len(inbox) == 1 and created.group(1) not in inbox[0], r)
        r = c.ok("FETCH 1 (EMAILID THREADID)")
        m = re.match(rb"\* 1 FETCH \(EMAILID \((M[0-9a-f]{24})\) THREADID NIL\)", r[0])
        expect(m is not None, r)
        c.ok("COPY 1 Work")
        c.ok("SELECT Work")
        r = c.ok("FETCH 1 (EMAILID)")
        expect(b"EMAILID (%s)" % m.group(1) in r[0], r)
        r = c.ok("SEARCH EMAILID %s" % m.group(1).decode())
        expect(r[0] == b"* SEARCH 1", r)
        caps = c.ok("CAPABILITY")[0]
        expect(b" OBJECTID" in caps, caps)


def test_sort_and_thread():
    with ImapServer() as s:
        c0 = s.tls()
        append(c0, "INBOX", None, thread_message(1, b"Lunch"))
        append(c0, "INBOX", None, thread_message(2, b"Re: lunch",
                                                 b"References: <t1@example.com>\r\n"))
        append(c0, "INBOX", None, thread_message(3, b"Agenda"))
        append(c0, "INBOX", None, thread_message(4, b"Re: Re: Lunch",
                                                 b"References: <t1@example.com> <t2@example.com>\r\n"))
        c0.logout()
        c = Client(s)
        c.ok("SELECT INBOX")
        r = c.ok("SORT (SUBJECT) UTF-8 ALL")
        expect(r[0] == b"* SORT 3 1 2 4", r)
        r = c.ok("SORT (REVERSE DATE) UTF-8 ALL")
        expect(r[0] == b"* SORT 4 3 2 1", r)
        r = c.ok("UID SORT (ARRIVAL) UTF-8 2:*")
        expect(r[0] == b"* SORT 2 3 4", r)
        r = c.ok("SORT (SIZE SUBJECT) US-ASCII SUBJECT lunch")
        expect(r[0].startswith(b"* SORT") and sorted(r[0].split()[2:]) == [b"1", b"2", b"4"], r)
        r = c.ok("THREAD ORDEREDSUBJECT UTF-8 ALL")
        expect(r[0] == b"* THREAD (1 (2)(4))(3)", r)  # RFC 5256: children of the first
        r = c.ok("THREAD REFERENCES UTF-8 ALL")
        expect(r[0] == b"* THREAD (1 2 4)(3)", r)
        r = c.ok("UID THREAD REFERENCES UTF-8 ALL")
        expect(r[0] == b"* THREAD (1 2 4)(3)", r)
        r = c.command("THREAD NOSUCH UTF-8 ALL")
        expect(b" BAD " in r[-1], r)
        r = c.command("SORT (SUBJECT) KOI8-R ALL")
        expect(b"BADCHARSET" in r[-1], r)
        r = c.ok("CAPABILITY")
        caps = r[0]
        for cap in (b" SORT", b"THREAD=ORDEREDSUBJECT", b"THREAD=REFERENCES", b"ESEARCH",
                    b"BINARY", b"WITHIN", b"PREVIEW", b"SAVEDATE", b"SORT=DISPLAY"):
            expect(cap in caps, (cap, caps))


def test_sort_and_header_search_survive_schema_v3_upgrade():
    """An index from before schema v4 (no kept headers, no sent dates) is upgraded at start and
    answers SORT and SEARCH HEADER exactly as before; messages stored after the upgrade too."""
    queries = ["SORT (DATE) UTF-8 ALL", "SORT (REVERSE DATE SUBJECT) UTF-8 ALL",
               "UID SEARCH HEADER Message-ID <t2@example.com>", "SEARCH HEADER Subject lunch",
               "SEARCH HEADER References t1", "SEARCH HEADER Date \"\"", "SEARCH FROM \"\"",
               "SEARCH NOT HEADER X-Missing \"\"", "SEARCH SUBJECT lunch HEADER Subject re"]
    undated = b"From: u@example.com\r\nSubject: Undated lunch\r\n\r\nbody\r\n"
    bad_date = b"From: b@example.com\r\nDate: soon\r\nSubject: bad date\r\n\r\nbody\r\n"
    with ImapServer() as s:
        c0 = s.tls()
        append(c0, "INBOX", None, thread_message(3, b"Agenda"))
        append(c0, "INBOX", None, undated)
        append(c0, "INBOX", None, thread_message(1, b"Lunch"))
        append(c0, "INBOX", None, bad_date)
        append(c0, "INBOX", None, thread_message(2, b"Re: lunch",
                                                 b"References: <t1@example.com>\r\n"))
        c0.logout()
        c = Client(s)
        c.ok("SELECT INBOX")
        before = [c.ok(q)[0] for q in queries]
        expect(before[0] == b"* SORT 3 5 1 2 4", before)
        expect(before[2] == b"* SEARCH 5", before)
        s.stop()
        db = sqlite3.connect(os.path.join(s.dir, "index.sqlite"))
        db.executescript("ALTER TABLE messages DROP COLUMN sent_date;"
                         "DROP TABLE message_headers;"
                         "UPDATE schema_version SET version = 3;")
        db.close()
        s.start()
        c = Client(s)
        c.ok("SELECT INBOX")
        after = [c.ok(q)[0] for q in queries]
        expect(after == before, list(zip(queries, before, after)))
        c0 = s.tls()
        append(c0, "INBOX", None, thread_message(4, b"Re: Re: Lunch",
                                                 b"References: <t1@example.com> <t2@example.com>\r\n"))
        c0.logout()
        c.ok("NOOP")
        expect(c.ok("SEARCH HEADER References t1")[0] == b"* SEARCH 5 6", "new and old")
        expect(c.ok("SORT (DATE) UTF-8 ALL")[0] == b"* SORT 3 5 1 6 2 4", "sort")


def test_preview_savedate_and_large_fetch():
    with ImapServer() as s:
        setup(s)
        c = Client(s)
        c.ok("SELECT INBOX")
        r = c.ok("FETCH 1:3 (PREVIEW SAVEDATE)")
        expect(b'PREVIEW "See the attached numbers"' in r[0] and b"SAVEDATE \"" in r[0], r)
        expect("PREVIEW \"Une crème brûlée\"".encode() in r[2] or b"PREVIEW {" in r[2], r)
        r = c.ok("FETCH 2 (PREVIEW (LAZY))")
        expect(b"PREVIEW " in r[0], r)
        r = c.ok("SEARCH SAVEDSINCE 1-Jan-2000 SAVEDATESUPPORTED")
        expect(b"* SEARCH 1 2 3" in r, r)
        r = c.ok("SEARCH SAVEDBEFORE 1-Jan-2000")
        expect(b"* SEARCH" in r, r)
        # Many large bodies: written in several batches, every one whole and in order.
        big = b"From: a@example.com\r\nSubject: big\r\n\r\n" + (b"x" * 98 + b"\r\n") * 1500
        other = s.tls()
        for _ in range(25):
            append(other, "INBOX", None, big)
        other.logout()
        c.ok("NOOP")
        r = c.ok("FETCH 4:* BODY.PEEK[]")
        expect(len(r) == 26, len(r))
        for i, x in enumerate(r[:-1]):
            expect(x.startswith(b"* %d FETCH (BODY[] {%d}" % (i + 4, len(big))) and big in x, i)


if __name__ == "__main__":
    run_tests([test_fetch_items_and_seen, test_binary_append_and_unknown_cte,
               test_store_and_other_sessions, test_idle_sees_flag_change,
               test_no_expunge_during_fetch, test_search_keys, test_esearch, test_searchres,
               test_objectid, test_search_many_messages,
               test_sort_and_thread, test_sort_and_header_search_survive_schema_v3_upgrade,
               test_preview_savedate_and_large_fetch])
