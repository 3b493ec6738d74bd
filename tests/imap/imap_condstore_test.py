"""CONDSTORE and QRESYNC (RFC 7162) against the real `roost serve`, with
two or more sessions on one mailbox: CAPABILITY and ENABLE, HIGHESTMODSEQ in SELECT/EXAMINE, STATUS
and LIST-STATUS, the CONDSTORE enabling commands, FETCH MODSEQ and CHANGEDSINCE, STORE
UNCHANGEDSINCE with [MODIFIED] (.SILENT and unchanged flags included), SEARCH/ESEARCH/SORT with the
MODSEQ key, QRESYNC SELECT after flag changes and expunges in another session, UID FETCH
CHANGEDSINCE VANISHED, VANISHED for EXPUNGE, UID EXPUNGE, MOVE, other sessions and IDLE, and the
HIGHESTMODSEQ a QRESYNC client may resynchronize from."""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from roost_harness import expect, run_tests  # noqa: E402
from imap_session_test import ImapServer, append  # noqa: E402
from imap_fetch_search_test import Client  # noqa: E402


def message(n):
    return f"From: a@example.com\r\nSubject: m{n}\r\n\r\nBody {n}\r\n".encode()


def fill(server, count, flags=None):
    deadline = time.time() + 10
    while True:  # ImapServer waits for the imap listener; the imaps one may come a moment later
        try:
            socket.create_connection(("127.0.0.1", server.imaps), timeout=1).close()
            break
        except OSError:
            expect(time.time() < deadline, "imaps listener did not come up")
            time.sleep(0.05)
    c = server.tls()
    uids = [append(c, "INBOX", flags(i) if flags else None, message(i))[1]
            for i in range(1, count + 1)]
    c.logout()
    return uids


class Conn:
    """A raw session whose responses come back as text lines (literals inline)."""

    def __init__(self, server, *commands):
        self.c = Client(server)
        for text in commands:
            self.ok(text)

    def run(self, text):
        return [r.decode("utf-8", "replace") for r in self.c.command(text)]

    def ok(self, text):
        r = self.run(text)
        expect(re.match(r"T\d+ OK", r[-1]), (text, r))
        return r

    def bad(self, text):
        r = self.run(text)
        expect(re.match(r"T\d+ BAD", r[-1]), (text, r))
        return r

    def line(self):
        return self.c.read_response().decode("utf-8", "replace")


def code(lines, name):
    """The value of [NAME value] in any of the lines (None when absent)."""
    for line in lines:
        m = re.search(r"\[" + name + r" ([^\]]+)\]", line)
        if m:
            return m.group(1)
    return None


def highest(lines):
    value = code(lines, "HIGHESTMODSEQ")
    return int(value) if value is not None else None


def fetches(lines):
    """{seq: text inside "* seq FETCH (...)"} of the untagged FETCH responses."""
    out = {}
    for line in lines:
        m = re.match(r"\* (\d+) FETCH \((.*)\)$", line, re.S)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out


def modseqs(conn, set_="1:*"):
    """{uid: modseq} from UID FETCH MODSEQ."""
    out = {}
    for text in fetches(conn.ok(f"UID FETCH {set_} (MODSEQ)")).values():
        out[int(re.search(r"UID (\d+)", text).group(1))] = int(
            re.search(r"MODSEQ \((\d+)\)", text).group(1))
    return out


def status_highest(server):
    conn = Conn(server)
    lines = conn.ok("STATUS INBOX (HIGHESTMODSEQ)")
    return int(re.search(r"HIGHESTMODSEQ (\d+)", lines[0]).group(1))


def test_capability_enable_and_highestmodseq_everywhere():
    with ImapServer() as s:
        fill(s, 2)
        a = Conn(s)
        caps = a.ok("CAPABILITY")[0].split()
        expect("CONDSTORE" in caps and "QRESYNC" in caps, caps)
        expect(a.ok("ENABLE CONDSTORE")[0] == "* ENABLED CONDSTORE", "ENABLE CONDSTORE")
        expect(a.ok("ENABLE CONDSTORE")[0] == "* ENABLED", "enabled twice")
        expect(a.ok("ENABLE QRESYNC")[0] == "* ENABLED QRESYNC", "ENABLE QRESYNC")
        b = Conn(s)
        expect(b.ok("ENABLE QRESYNC CONDSTORE")[0] == "* ENABLED QRESYNC", "QRESYNC implies it")
        # RFC 7162 §3.1.2.1: every SELECT/EXAMINE reports HIGHESTMODSEQ, CONDSTORE-aware or not.
        plain = Conn(s)
        selected = plain.ok("SELECT INBOX")
        h = highest(selected)
        expect(h is not None and h == status_highest(s), selected)
        expect(not any("CLOSED" in x for x in selected), selected)
        # RFC 7162 §3.2.11: [CLOSED] ends the previous mailbox, before the new one's responses.
        examined = plain.ok("EXAMINE Archive")
        expect(examined[0] == "* OK [CLOSED] Previous mailbox is now closed", examined)
        expect(highest(examined) is not None, examined)
        # STATUS and LIST-STATUS HIGHESTMODSEQ follow the mailbox.
        c = Conn(s)
        lines = c.ok("STATUS INBOX (MESSAGES HIGHESTMODSEQ)")
        expect(lines[0] == f'* STATUS INBOX (MESSAGES 2 HIGHESTMODSEQ {h})', lines)
        a.ok("SELECT INBOX")
        a.ok("STORE 1 +FLAGS.SILENT (\\Seen)")
        lines = c.ok('LIST "" INBOX RETURN (STATUS (HIGHESTMODSEQ))')
        m = re.search(r"HIGHESTMODSEQ (\d+)", lines[1])
        expect(m and int(m.group(1)) > h, lines)
        # QRESYNC and VANISHED need ENABLE QRESYNC (RFC 7162 §3.2.5, §3.2.6).
        uv = code(selected, "UIDVALIDITY")
        plain.bad(f"SELECT INBOX (QRESYNC ({uv} {h}))")
        plain.ok("SELECT INBOX")
        plain.bad(f"UID FETCH 1:* FLAGS (CHANGEDSINCE {h} VANISHED)")
        # SELECT (CONDSTORE) is fine without ENABLE.
        expect(highest(plain.ok("SELECT INBOX (CONDSTORE)")) is not None, "CONDSTORE select")


def test_enabling_commands_report_highestmodseq_then_modseq_everywhere():
    with ImapServer() as s:
        fill(s, 2)
        writer = Conn(s, "SELECT INBOX")
        # A session that is not CONDSTORE-aware gets the RFC 9051 FETCH FLAGS.
        unaware = Conn(s, "SELECT INBOX")
        writer.ok("STORE 1 +FLAGS.SILENT ($Start)")
        r = unaware.ok("NOOP")
        expect("* 1 FETCH (FLAGS ($Start))" in r, r)
        commands = [
            "FETCH 1 (MODSEQ)", "FETCH 1 (FLAGS) (CHANGEDSINCE 1)", "SEARCH MODSEQ 1",
            "UID SORT (ARRIVAL) UTF-8 MODSEQ 1", "STORE 2 (UNCHANGEDSINCE 1) +FLAGS ($Tried)",
            "STATUS INBOX (HIGHESTMODSEQ)", 'LIST "" INBOX RETURN (STATUS (HIGHESTMODSEQ))',
        ]
        for n, command in enumerate(commands):
            conn = Conn(s)
            h = highest(conn.ok("SELECT INBOX"))
            lines = conn.ok(command)
            reports = [x for x in lines if x.startswith("* OK [HIGHESTMODSEQ")]
            # RFC 7162 §3.1: the first enabling command with a mailbox selected reports it.
            expect(reports == [f"* OK [HIGHESTMODSEQ {h}] Highest"], (command, lines))
            again = conn.ok(command)
            expect(not any(x.startswith("* OK [HIGHESTMODSEQ") for x in again), (command, again))
            writer.ok(f"STORE 1 FLAGS.SILENT ($Round{n})")
            now = modseqs(writer, "1")[1]
            r = conn.ok("NOOP")
            # RFC 7162 §3.2.4: from now on flag updates carry UID and MODSEQ.
            expect(f"* 1 FETCH (UID 1 FLAGS ($Round{n}) MODSEQ ({now}))" in r, (command, r))
        # ENABLE CONDSTORE before SELECT: aware at once, nothing extra at SELECT.
        conn = Conn(s, "ENABLE CONDSTORE")
        lines = conn.ok("SELECT INBOX")
        expect(len([x for x in lines if "HIGHESTMODSEQ" in x]) == 1, lines)
        writer.ok("STORE 1 FLAGS.SILENT ($Last)")
        r = conn.ok("NOOP")
        expect(any(x.startswith("* 1 FETCH (UID 1 FLAGS ($Last) MODSEQ (") for x in r), r)
        r = unaware.ok("NOOP")
        expect("* 1 FETCH (FLAGS ($Last))" in r, r)


def test_fetch_modseq_and_changedsince():
    with ImapServer() as s:
        fill(s, 4)
        a = Conn(s, "SELECT INBOX")
        before = modseqs(a)
        expect(sorted(before) == [1, 2, 3, 4] and len(set(before.values())) == 4, before)
        h = highest(a.ok("SELECT INBOX"))
        b = Conn(s, "SELECT INBOX")
        b.ok("STORE 2 +FLAGS.SILENT ($Work)")
        b.ok("STORE 4 +FLAGS.SILENT (\\Flagged)")
        after = modseqs(b)
        a.ok("NOOP")  # takes the unsolicited FETCHes, so only the solicited ones follow
        r = a.ok(f"FETCH 1:* (FLAGS) (CHANGEDSINCE {h})")
        got = fetches(r)
        expect(got == {2: f"FLAGS ($Work) MODSEQ ({after[2]})",
                       4: f"FLAGS (\\Flagged) MODSEQ ({after[4]})"}, r)
        r = a.ok(f"UID FETCH 3:* (FLAGS) (CHANGEDSINCE {after[2]})")
        expect(fetches(r) == {4: f"UID 4 FLAGS (\\Flagged) MODSEQ ({after[4]})"}, r)
        r = a.ok(f"FETCH 1:* (UID) (CHANGEDSINCE {after[4]})")
        expect(fetches(r) == {}, r)
        # RFC 7162 §3.2.4: a FETCH that sets \Seen tells the aware client UID and MODSEQ too.
        r = a.ok("FETCH 3 (BODY[TEXT])")
        text = fetches(r)[3]
        m = re.search(r"FLAGS \(\\Seen\) UID 3 MODSEQ \((\d+)\)", text)
        expect(m and int(m.group(1)) > after[4], r)
        expect(modseqs(b, "3")[3] == int(m.group(1)), "MODSEQ of the \\Seen change")


def test_store_unchangedsince_modified_silent_and_unchanged():
    with ImapServer() as s:
        fill(s, 5, flags=lambda i: "(\\Seen)" if i == 3 else None)
        a = Conn(s, "SELECT INBOX (CONDSTORE)")
        m = modseqs(a)
        h = max(m.values())
        b = Conn(s, "SELECT INBOX")
        b.ok("STORE 2 +FLAGS.SILENT ($Other)")
        r = a.ok(f"STORE 1:2 (UNCHANGEDSINCE {h}) +FLAGS (\\Flagged)")
        expect(code(r, "MODIFIED") == "2", r)  # changed by b after h: left alone
        now = modseqs(b)
        got = fetches(r)
        expect(got[1] == f"UID 1 FLAGS (\\Flagged) MODSEQ ({now[1]})", r)
        expect(now[1] > now[2] > h, now)
        # b's change reaches a after the command, with UID and MODSEQ.
        expect(got[2] == f"UID 2 FLAGS ($Other) MODSEQ ({now[2]})", r)
        expect(b.ok("FETCH 2 FLAGS")[0] == "* 2 FETCH (FLAGS ($Other))", "2 not flagged")
        # §3.1.3: passing messages get a FETCH with MODSEQ even with .SILENT; when the flags
        # already were as asked, with their MODSEQ unchanged (example 3).
        r = a.ok(f"STORE 3:4 (UNCHANGEDSINCE {now[1]}) +FLAGS.SILENT (\\Seen)")
        after = modseqs(b)
        expect(after[3] == m[3] and after[4] > now[1], after)
        expect(fetches(r) == {3: f"UID 3 MODSEQ ({m[3]})", 4: f"UID 4 MODSEQ ({after[4]})"}, r)
        expect(code(r, "MODIFIED") is None, r)
        r = a.ok(f"STORE 3 (UNCHANGEDSINCE {after[4]}) +FLAGS (\\Seen)")
        expect(fetches(r) == {3: f"UID 3 FLAGS (\\Seen) MODSEQ ({m[3]})"}, r)
        # UNCHANGEDSINCE 0 always fails (a system flag always exists).
        r = a.ok("STORE 5 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)")
        expect(code(r, "MODIFIED") == "5" and fetches(r) == {}, r)
        expect(modseqs(b, "5")[5] == m[5], "5 untouched")
        # A plain .SILENT STORE still tells an aware client the new MODSEQ.
        r = a.ok("STORE 5 +FLAGS.SILENT (\\Answered)")
        expect(fetches(r) == {5: f"UID 5 MODSEQ ({modseqs(b, '5')[5]})"}, r)
        # MODIFIED speaks sequence numbers for STORE and UIDs for UID STORE.
        a.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        r = a.ok("STORE 1:2 (UNCHANGEDSINCE 0) +FLAGS (\\Draft)")
        expect(code(r, "MODIFIED") == "1:2", r)
        r = a.ok("UID STORE 2:3 (UNCHANGEDSINCE 0) +FLAGS (\\Draft)")
        expect(code(r, "MODIFIED") == "2:3", r)
        a.ok("EXAMINE INBOX")
        r = a.run("STORE 1 (UNCHANGEDSINCE 99) +FLAGS (\\Draft)")
        expect(" NO " in r[-1], r)


def test_search_esearch_and_sort_report_modseq():
    with ImapServer() as s:
        fill(s, 3)
        a = Conn(s, "SELECT INBOX")
        m = modseqs(a)
        m1, m2, m3 = m[1], m[2], m[3]

        def one(text, prefix):
            r = a.ok(text)
            found = [x for x in r if x.startswith(prefix)]
            expect(len(found) == 1, (text, r))
            return found[0]

        expect(one(f"SEARCH MODSEQ {m2}", "* SEARCH") == f"* SEARCH 2 3 (MODSEQ {m3})", m)
        expect(one(f"SEARCH MODSEQ {m3 + 1}", "* SEARCH") == "* SEARCH", "no match, no MODSEQ")
        expect(one(f"UID SEARCH NOT MODSEQ {m2}", "* SEARCH") == f"* SEARCH 1 (MODSEQ {m1})", m)
        expect(one(f'SEARCH MODSEQ "/flags/\\\\seen" all {m2}', "* SEARCH") ==
               f"* SEARCH 2 3 (MODSEQ {m3})", "entry name and type")
        expect(one("SEARCH ALL", "* SEARCH") == "* SEARCH 1 2 3", "no MODSEQ key")
        # RFC 4731 §3.2: the MODSEQ of what is returned (MIN/MAX alone: just those).
        r = one(f"SEARCH RETURN (MIN) MODSEQ {m1}", "* ESEARCH")
        expect(r.endswith(f" MIN 1 MODSEQ {m1}"), r)
        r = one(f"SEARCH RETURN (MAX COUNT) MODSEQ {m1}", "* ESEARCH")
        expect(r.endswith(f" MAX 3 COUNT 3 MODSEQ {m3}"), r)
        r = one(f"UID SEARCH RETURN (ALL) MODSEQ {m2}", "* ESEARCH")
        expect(r.endswith(f" UID ALL 2:3 MODSEQ {m3}"), r)
        r = one(f"SEARCH RETURN (COUNT) MODSEQ {m3 + 1}", "* ESEARCH")
        expect(r.endswith(" COUNT 0"), r)
        expect(one(f"SORT (REVERSE SUBJECT) UTF-8 MODSEQ {m2}", "* SORT") ==
               f"* SORT 3 2 (MODSEQ {m3})", "SORT")
        expect(one("SORT (ARRIVAL) UTF-8 ALL", "* SORT") == "* SORT 1 2 3", "SORT without")
        # A change moves the message up.
        a.ok("STORE 1 +FLAGS.SILENT (\\Flagged)")
        m1 = modseqs(a, "1")[1]
        expect(one(f"SEARCH MODSEQ {m3 + 1}", "* SEARCH") == f"* SEARCH 1 (MODSEQ {m1})", m1)
        rev2 = Conn(s, "ENABLE IMAP4rev2", "SELECT INBOX")
        r = [x for x in rev2.ok(f"SEARCH MODSEQ {m2}") if x.startswith("* ESEARCH")]
        expect(r and r[0].endswith(f" ALL 1:3 MODSEQ {m1}"), r)
        a.bad('SEARCH MODSEQ "/annotate/x" all 1')


def test_qresync_select_after_changes_in_another_session():
    with ImapServer() as s:
        fill(s, 6)
        first = Conn(s, "ENABLE QRESYNC")
        selected = first.ok("SELECT INBOX")
        uv, h0 = code(selected, "UIDVALIDITY"), highest(selected)
        other = Conn(s, "SELECT INBOX")
        other.ok("STORE 2 +FLAGS.SILENT (\\Seen $Work)")
        other.ok("STORE 3,5 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        fill(s, 1)  # uid 7
        other.ok("NOOP")  # its view learns of uid 7
        now = modseqs(other)
        h1 = status_highest(s)

        c = Conn(s, "ENABLE QRESYNC")
        r = c.ok(f"SELECT INBOX (QRESYNC ({uv} {h0}))")
        expect(highest(r) == h1 and "* 5 EXISTS" in r, r)
        vanished = r.index("* VANISHED (EARLIER) 3,5")
        expect(fetches(r) == {2: f"UID 2 FLAGS (\\Seen $Work) MODSEQ ({now[2]})",
                              5: f"UID 7 FLAGS () MODSEQ ({now[7]})"}, r)
        expect(vanished < r.index(f"* 2 FETCH (UID 2 FLAGS (\\Seen $Work) MODSEQ ({now[2]}))"), r)
        # known-uids limits both the VANISHED and the FETCH responses.
        r = c.ok(f"SELECT INBOX (QRESYNC ({uv} {h0} 1:4))")
        expect(r[0] == "* OK [CLOSED] Previous mailbox is now closed", r)
        expect("* VANISHED (EARLIER) 3" in r and list(fetches(r)) == [2], r)
        # Message sequence match data is accepted (every expunge is known exactly anyway).
        r = c.ok(f"EXAMINE INBOX (QRESYNC ({uv} {h0} 1:4 (1:2 1:2)))")
        expect("* VANISHED (EARLIER) 3" in r and list(fetches(r)) == [2], r)
        # A different UIDVALIDITY: nothing to resynchronize; an up-to-date client: nothing new.
        for params in (f"{int(uv) + 1} {h0}", f"{uv} {h1}"):
            r = c.ok(f"SELECT INBOX (QRESYNC ({params}))")
            expect(not any("VANISHED" in x for x in r) and fetches(r) == {}, (params, r))
        # The resynchronized session stays in step: other changes come with UID and MODSEQ.
        other.ok("STORE 1 +FLAGS.SILENT (\\Answered)")
        r = c.ok("NOOP")
        expect(f"* 1 FETCH (UID 1 FLAGS (\\Answered) MODSEQ ({modseqs(other, '1')[1]}))" in r, r)
        first.bad("SELECT INBOX (QRESYNC (0 1))")  # parser: uidvalidity must be non-zero


def test_uid_fetch_changedsince_vanished():
    with ImapServer() as s:
        fill(s, 5)
        holder = Conn(s, "ENABLE QRESYNC")
        h0 = highest(holder.ok("SELECT INBOX"))
        other = Conn(s, "SELECT INBOX")
        other.ok("STORE 1 +FLAGS.SILENT (\\Answered)")
        other.ok("STORE 2,5 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        m1 = modseqs(other, "1")[1]
        # A client reconnecting without QRESYNC SELECT: uid 5 was the last one and still counts.
        c = Conn(s, "ENABLE QRESYNC", "SELECT INBOX")
        r = c.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)")
        expect(r[0] == "* VANISHED (EARLIER) 2,5", r)
        expect(fetches(r) == {1: f"UID 1 FLAGS (\\Answered) MODSEQ ({m1})"}, r)
        r = c.ok(f"UID FETCH 3:4 (FLAGS) (CHANGEDSINCE {h0} VANISHED)")
        expect(len(r) == 1, r)
        r = c.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {status_highest(s)} VANISHED)")
        expect(len(r) == 1, r)
        c.bad(f"FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)")  # UID FETCH only
        # The session that still shows 2 and 5 hears of them once, as plain VANISHED.
        r = holder.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)")
        expect(not any("EARLIER" in x for x in r) and "* VANISHED 2,5" in r, r)
        expect(fetches(r) == {1: f"UID 1 FLAGS (\\Answered) MODSEQ ({m1})"}, r)
        expect(highest(r[-1:]) == status_highest(s), r)


def test_expunges_are_vanished_with_qresync():
    with ImapServer() as s:
        fill(s, 7)
        a = Conn(s, "ENABLE QRESYNC", "SELECT INBOX")
        r = a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        expect(re.fullmatch(r"UID 2 MODSEQ \(\d+\)", fetches(r)[2]), r)
        r = a.ok("EXPUNGE")
        expect(r[0] == "* VANISHED 2" and not any("EXPUNGE" in x for x in r[:-1]), r)
        # The tagged OK tells the HIGHESTMODSEQ to resynchronize from (no FETCH showed it).
        expect(highest(r[-1:]) == status_highest(s), r)
        a.ok("UID STORE 4 +FLAGS.SILENT (\\Deleted)")
        r = a.ok("UID EXPUNGE 4")
        expect(r[0] == "* VANISHED 4", r)
        r = a.ok("UID MOVE 5 Archive")
        expect(r[0].startswith("* OK [COPYUID ") and r[1] == "* VANISHED 5", r)
        expect(not any("EXPUNGE" in x for x in r), r)
        # Another session's expunge: VANISHED at the next command that may tell it...
        other = Conn(s, "SELECT INBOX")
        other.ok("STORE 4 +FLAGS.SILENT (\\Deleted)")  # uid 7
        r = other.ok("EXPUNGE")
        expect("* 4 EXPUNGE" in r, r)  # the other session is not QRESYNC: EXPUNGE as before
        r = a.ok("FETCH 1:* (UID)")  # RFC 9051 §7.5.1: not during FETCH
        expect(not any("VANISHED" in x for x in r), r)
        r = a.ok("NOOP")
        expect(r[0] == "* VANISHED 7", r)
        # ...and while one is held back, a FETCH MODSEQ newer than it must not become the
        # client's HIGHESTMODSEQ: the tagged OK takes it back to the last safe value.
        other.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        gone = status_highest(s)
        a.ok("FETCH 1 (FLAGS)")  # sees the expunge, may not tell it
        r = a.ok("STORE 2 +FLAGS (\\Flagged)")
        m = re.search(r"MODSEQ \((\d+)\)", fetches(r)[2])
        expect(m and int(m.group(1)) > gone, r)
        expect(highest(r[-1:]) is not None and highest(r[-1:]) < gone, r)
        r = a.ok("NOOP")
        expect(r[0] == "* VANISHED 1" and highest(r[-1:]) == status_highest(s), r)


def test_idle_pushes_modseq_and_vanished():
    with ImapServer() as s:
        fill(s, 3)
        idler = Conn(s, "ENABLE QRESYNC", "SELECT INBOX")
        idler.c.send(b"I IDLE\r\n")
        expect(idler.line() == "+ idling", "no continuation")
        other = Conn(s, "SELECT INBOX")
        other.ok("STORE 1 +FLAGS.SILENT (\\Seen)")
        m1 = modseqs(other, "1")[1]
        expect(idler.line() == f"* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ ({m1}))", "flag push")
        other.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        other.ok("EXPUNGE")
        line = idler.line()
        if line.startswith("* 2 FETCH"):  # the flag change may come on its own first
            line = idler.line()
        expect(line == "* VANISHED 2", line)
        expect(idler.line() == f"* OK [HIGHESTMODSEQ {status_highest(s)}] Highest", "after")
        idler.c.send(b"DONE\r\n")
        r = [x.decode() for x in idler.c.until("I")]
        expect(r == ["I OK IDLE terminated"], r)


if __name__ == "__main__":
    run_tests([test_capability_enable_and_highestmodseq_everywhere,
               test_enabling_commands_report_highestmodseq_then_modseq_everywhere,
               test_fetch_modseq_and_changedsince,
               test_store_unchangedsince_modified_silent_and_unchanged,
               test_search_esearch_and_sort_report_modseq,
               test_qresync_select_after_changes_in_another_session,
               test_uid_fetch_changedsince_vanished,
               test_expunges_are_vanished_with_qresync,
               test_idle_pushes_modseq_and_vanished])
