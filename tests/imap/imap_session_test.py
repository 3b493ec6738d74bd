"""IMAP session core against the real `roost serve`: greeting and
CAPABILITY, STARTTLS and LOGINDISABLED, LOGIN/AUTHENTICATE, mailbox commands, APPEND, EXPUNGE,
IDLE pushes between two sessions, parser errors, and curl over imaps."""
import imaplib
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from roost_harness import (ROOST, LineClient, MailServer, TempDir, expect,  # noqa: E402
                           free_port, roost, run_tests, unverified_tls)

USER, PASSWORD = "alice", "correct horse battery"
MESSAGE = b"From: a@example.com\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nHello\r\n"


tls_context = unverified_tls


class ImapServer(MailServer):
    """roost serve with imap + imaps listeners on a fresh data dir and two accounts."""

    def __init__(self, config=""):
        super().__init__(["imap", "imaps"], {USER: PASSWORD, "bob": "bob password"}, config)

    def tls(self, login=True):
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=tls_context(), timeout=10)
        if login:
            conn.login(USER, PASSWORD)
        return conn

    def raw(self, tls=True):
        sock = socket.create_connection(("127.0.0.1", self.imaps if tls else self.imap),
                                        timeout=10)
        if tls:
            sock = tls_context().wrap_socket(sock)
        return Raw(sock)


class Raw(LineClient):
    """A line-level IMAP client for what imaplib hides (exact lines, pipelining)."""

    def line(self):
        return self.raw_line().decode("utf-8", "replace")

    def until_tagged(self, tag):
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + " "):
                return lines

    def command(self, tag, text):
        self.send(f"{tag} {text}\r\n")
        return self.until_tagged(tag)


def login_raw(raw):
    raw.line()  # greeting
    lines = raw.command("L", f'LOGIN {USER} "{PASSWORD}"')
    expect(lines[-1].startswith("L OK"), lines)


def test_greeting_capability_and_starttls():
    with ImapServer() as s:
        plain = imaplib.IMAP4("127.0.0.1", s.imap, timeout=10)
        expect(plain.welcome.startswith(b"* OK [CAPABILITY IMAP4rev2 IMAP4rev1"), plain.welcome)
        caps = plain.capabilities
        for want in ("STARTTLS", "LOGINDISABLED", "IDLE", "ID", "ENABLE", "NAMESPACE",
                     "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "UNSELECT", "SASL-IR"):
            expect(want in caps, f"{want} missing in {caps}")
        expect(not any(c.startswith("AUTH=") for c in caps), caps)
        try:
            plain.login(USER, PASSWORD)
            raise AssertionError("LOGIN over cleartext was accepted")
        except imaplib.IMAP4.error as e:
            expect("PRIVACYREQUIRED" in str(e), str(e))
        plain.starttls(ssl_context=tls_context())
        caps = plain.capabilities
        expect("AUTH=PLAIN" in caps and "LOGINDISABLED" not in caps and "STARTTLS" not in caps,
               caps)
        typ, data = plain.login(USER, PASSWORD)
        expect(typ == "OK" and b"[CAPABILITY IMAP4rev2" in data[0], data)
        expect("AUTH=PLAIN" not in plain.capability()[1][0].decode(), "AUTH= after login")
        plain.logout()


def test_allow_plaintext_lets_login_through_without_tls():
    with ImapServer(config="[auth]\nallow_plaintext = true\n") as s:
        plain = imaplib.IMAP4("127.0.0.1", s.imap, timeout=10)
        caps = plain.capabilities
        expect("LOGINDISABLED" not in caps and "AUTH=PLAIN" in caps and "STARTTLS" in caps, caps)
        typ, _ = plain.login(USER, PASSWORD)
        expect(typ == "OK", typ)
        plain.logout()


def test_starttls_discards_pipelined_commands_and_refuses_twice():
    with ImapServer() as s:
        r = s.raw(tls=False)
        r.line()
        r.send("S STARTTLS\r\nX LOGIN alice injected\r\n")
        expect(r.until_tagged("S")[-1].startswith("S OK"), "STARTTLS refused")
        tls = tls_context().wrap_socket(r.sock)
        r = Raw(tls)
        lines = r.command("C", "CAPABILITY")
        expect("AUTH=PLAIN" in lines[0] and lines[-1].startswith("C OK"), lines)
        lines = r.command("T", "STARTTLS")
        expect(lines[-1].startswith("T BAD"), lines)  # already TLS, and the injected X never ran
        expect(not any(l.startswith("X ") for l in lines), lines)
        r.close()


def test_bad_password_and_authenticate():
    with ImapServer() as s:
        c = s.tls(login=False)
        try:
            c.login(USER, "wrong")
            raise AssertionError("bad password accepted")
        except imaplib.IMAP4.error as e:
            expect("AUTHENTICATIONFAILED" in str(e), str(e))
        c.logout()
        r = s.raw()
        r.line()
        import base64
        ir = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        lines = r.command("A", f"AUTHENTICATE PLAIN {ir}")
        expect(lines[-1].startswith("A OK [CAPABILITY"), lines)
        r.close()
        r = s.raw()
        r.line()
        r.send("B AUTHENTICATE LOGIN\r\n")
        expect(r.line() == "+ VXNlcm5hbWU6", "no username challenge")
        r.send(base64.b64encode(USER.encode()).decode() + "\r\n")
        expect(r.line() == "+ UGFzc3dvcmQ6", "no password challenge")
        r.send(base64.b64encode(PASSWORD.encode()).decode() + "\r\n")
        lines = r.until_tagged("B")
        expect(lines[-1].startswith("B OK"), lines)
        r.close()
        r = s.raw()
        r.line()
        r.send("C AUTHENTICATE PLAIN\r\n")
        expect(r.line().startswith("+"), "no PLAIN continuation")
        r.send("*\r\n")
        expect(r.until_tagged("C")[-1].startswith("C BAD"), "cancel not BAD")
        r.close()


def test_id_enable_namespace_noop():
    with ImapServer() as s:
        r = s.raw()
        login_raw(r)
        lines = r.command("I", 'ID ("name" "test" "version" "1")')
        expect(lines[0].startswith('* ID ("name" "Roost" "version" '), lines)
        lines = r.command("N", "NAMESPACE")
        expect(lines[0] == '* NAMESPACE (("" "/")) NIL NIL', lines)
        lines = r.command("E", "ENABLE IMAP4rev2 CONDSTORE X-UNKNOWN")
        expect(lines[0] == "* ENABLED IMAP4rev2 CONDSTORE", lines)
        lines = r.command("P", "NOOP")
        expect(lines == ["P OK NOOP completed"], lines)
        lines = r.command("F", "FETCH 1 FLAGS")
        expect(lines[-1].startswith("F BAD"), lines)
        lines = r.command("O", "LOGOUT")
        expect(lines[0].startswith("* BYE") and lines[-1].startswith("O OK"), lines)
        r.close()


def names_of(listing):
    out = []
    for item in listing:
        if item is None:
            continue
        text = item.decode() if isinstance(item, bytes) else item[0].decode()
        m = re.match(r'\((.*?)\) "/" (.*)$', text)
        out.append((m.group(2).strip('"'), m.group(1)))
    return out


def test_mailbox_commands():
    with ImapServer() as s:
        c = s.tls()
        typ, data = c.list()
        names = dict(names_of(data))
        for want in ("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"):
            expect(want in names, names)
        expect("\\Sent" in names["Sent"] and "\\HasNoChildren" in names["Sent"], names)
        expect(c.create("Work/Projects")[0] == "OK", "create")
        expect(c.create("Work")[0] == "NO", "create existing")
        typ, data = c.list('""', "%")
        names = dict(names_of(data))
        expect("\\HasChildren" in names["Work"], names)
        expect("Work/Projects" not in names, names)
        typ, data = c.list("Work/", "*")
        expect([n for n, _ in names_of(data)] == ["Work/Projects"], data)
        expect(c.rename("Work", "Jobs")[0] == "OK", "rename")
        names = dict(names_of(c.list()[1]))
        expect("Jobs/Projects" in names and "Work" not in names, names)
        expect(c.subscribe("Jobs/Projects")[0] == "OK", "subscribe")
        typ, data = c.lsub('""', "Jobs*")
        expect([n for n, _ in names_of(data)] == ["Jobs/Projects"], data)
        expect(c.unsubscribe("Jobs/Projects")[0] == "OK", "unsubscribe")
        expect(c.delete("Jobs")[0] == "OK", "delete parent")
        names = dict(names_of(c.list()[1]))
        expect("Jobs/Projects" in names and "Jobs" not in names, names)
        typ, data = c.list('""', "%")
        names = dict(names_of(data))
        expect("\\Noselect" in names.get("Jobs", ""), names)
        typ, data = c.delete("INBOX")
        expect(typ == "NO", data)
        typ, data = c.status("Nope", "(MESSAGES)")
        expect(typ == "NO" and b"NONEXISTENT" in data[0], data)
        typ, data = c._simple_command("CREATE", "Sent2 (USE (\\Sent))")
        expect(typ == "OK", data)
        names = dict(names_of(c.list('""', "Sent2")[1]))
        expect("\\Sent" in names["Sent2"], names)
        c.logout()


def append(c, mailbox, flags=None, message=MESSAGE):
    typ, data = c.append(mailbox, flags, None, message)
    expect(typ == "OK", data)
    m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
    expect(m is not None, data)
    return int(m.group(1)), int(m.group(2))


def test_append_select_status_expunge():
    with ImapServer() as s:
        c = s.tls()
        validity, uid1 = append(c, "INBOX")
        _, uid2 = append(c, "INBOX", "(\\Seen \\Deleted)")
        _, uid3 = append(c, "INBOX", "(\\Seen $Work)")
        expect((uid1, uid2, uid3) == (1, 2, 3), (uid1, uid2, uid3))
        typ, data = c.append("Missing", None, None, MESSAGE)
        expect(typ == "NO" and b"TRYCREATE" in data[0], data)
        typ, data = c.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE)")
        expect(typ == "OK", data)
        text = data[0].decode()
        expect(f"MESSAGES 3" in text and "UIDNEXT 4" in text and f"UIDVALIDITY {validity}" in text
               and "UNSEEN 1" in text and "DELETED 1" in text
               and f"SIZE {3 * len(MESSAGE)}" in text, text)
        typ, data = c.select("INBOX")
        expect(typ == "OK" and data == [b"3"], data)
        expect(b"$Work" in c.untagged_responses.get("FLAGS", [b""])[0], c.untagged_responses)
        typ, data = c.expunge()
        expect(typ == "OK" and data == [b"2"], data)  # uid 2 was seq 2
        typ, data = c.status("INBOX", "(MESSAGES DELETED)")
        expect(b"MESSAGES 2" in data[0] and b"DELETED 0" in data[0], data)
        typ, data = c.select("INBOX", readonly=True)
        expect(typ == "OK" and data == [b"2"], data)
        typ, data = c.expunge()
        expect(typ == "NO", data)
        c.logout()


def test_raw_select_rev1_and_rev2_and_close():
    with ImapServer() as s:
        c = s.tls()
        append(c, "INBOX", "(\\Deleted)")
        append(c, "INBOX")
        c.logout()
        r = s.raw()
        login_raw(r)
        lines = r.command("S", "SELECT INBOX")
        expect("* 0 RECENT" in lines and "* 2 EXISTS" in lines, lines)
        expect(any(l.startswith("* OK [UNSEEN 1]") for l in lines), lines)
        expect(lines[-1].startswith("S OK [READ-WRITE]"), lines)
        lines = r.command("C", "CLOSE")
        expect(lines == ["C OK CLOSE completed"], lines)  # expunged silently
        lines = r.command("E", "ENABLE IMAP4rev2")
        lines = r.command("X", "EXAMINE INBOX")
        expect("* 1 EXISTS" in lines and "* 0 RECENT" not in lines, lines)
        expect(any(l.startswith('* LIST (') and l.endswith('"/" INBOX') for l in lines), lines)
        expect(lines[-1].startswith("X OK [READ-ONLY]"), lines)
        lines = r.command("Y", "SELECT INBOX")
        expect("* OK [CLOSED] Previous mailbox is now closed" in lines, lines)
        lines = r.command("U", "UNSELECT")
        expect(lines[-1].startswith("U OK"), lines)
        lines = r.command("L", 'LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES SIZE))')
        expect(any(l.startswith("* LIST (") and "\\Subscribed" in l and l.endswith(" INBOX")
                   for l in lines), lines)
        expect(any(l.startswith("* STATUS INBOX (MESSAGES 1 SIZE ") for l in lines), lines)
        r.close()


def test_parser_errors_keep_the_session():
    with ImapServer() as s:
        r = s.raw()
        login_raw(r)
        r.send("G1 GARBAGE\r\nG2 NOOP\r\n")
        lines = r.until_tagged("G1")
        expect(lines[-1].startswith("G1 BAD"), lines)
        expect(r.until_tagged("G2")[-1].startswith("G2 OK"), "session did not continue")
        r.send("G3 NOOP " + "x" * 20000 + "\r\nG4 NOOP\r\n")
        lines = r.until_tagged("G3")
        expect(lines[-1].startswith("G3 BAD"), lines)
        expect(r.until_tagged("G4")[-1].startswith("G4 OK"), "session did not continue")
        r.send("G5 LOGIN {5+}\r\nalice {21+}\r\ncorrect horse battery\r\n")
        expect(r.until_tagged("G5")[-1].startswith("G5 BAD"), "LOGIN twice accepted")
        r.close()


def test_configured_parser_limits():
    config = "[imap]\nmax_nesting = 3\nmax_sequence_ranges = 2\nmax_search_keys = 4\n"
    with ImapServer(config=config) as s:
        r = s.raw()
        login_raw(r)
        r.command("S", "SELECT INBOX")
        cases = [("N1", "SEARCH ((((ALL))))"), ("N2", "UID FETCH 1,3,5 FLAGS"),
                 ("N3", "SEARCH ALL SEEN UNSEEN DELETED DRAFT")]
        for tag, command in cases:
            r.send(f"{tag} {command}\r\n")
            lines = r.until_tagged(tag)
            expect(lines[-1].startswith(f"{tag} BAD"), f"{command}: {lines}")
        # Within the limits the same commands work, and the session goes on.
        for tag, command in [("K1", "SEARCH ((ALL))"), ("K2", "UID FETCH 1:5,7 FLAGS"),
                             ("K3", "SEARCH ALL SEEN UNSEEN DELETED")]:
            lines = r.command(tag, command)
            expect(lines[-1].startswith(f"{tag} OK"), f"{command}: {lines}")
        r.close()


def idle_in_inbox(s):
    """A raw TLS session logged in, with INBOX selected, in IDLE (tag I)."""
    idler = s.raw()
    login_raw(idler)
    idler.command("S", "SELECT INBOX")
    idler.send("I IDLE\r\n")
    expect(idler.line() == "+ idling", "no continuation")
    return idler


def test_idle_sees_append_and_expunge_from_another_session():
    with ImapServer() as s:
        idler = idle_in_inbox(s)
        other = s.tls()
        start = time.time()
        append(other, "INBOX")
        line = idler.line()
        expect(line == "* 1 EXISTS" and time.time() - start < 1.0, line)
        append(other, "INBOX")
        expect(idler.line() == "* 2 EXISTS", "second EXISTS")
        append(other, "INBOX", "(\\Deleted)")
        expect(idler.line() == "* 3 EXISTS", "third EXISTS")
        other.select("INBOX")
        start = time.time()
        other.expunge()
        line = idler.line()
        expect(line == "* 3 EXPUNGE" and time.time() - start < 1.0, line)
        idler.send("DONE\r\n")
        expect(idler.until_tagged("I")[-1].startswith("I OK"), "IDLE not ended")
        other.logout()
        idler.close()


def test_idle_sees_mail_imported_by_another_process():
    # `roost import` writes the store from its own process while the server runs.
    with ImapServer() as s:
        idler = idle_in_inbox(s)
        mbox = os.path.join(s.dir, "in.mbox")
        with open(mbox, "wb") as f:
            f.write(b"From a@example.com Mon Jan  1 00:00:00 2024\n" + MESSAGE.replace(b"\r\n", b"\n"))
        start = time.time()
        roost("import", "mbox", mbox, "--account", USER, "--data-dir", s.dir, check=0)
        idler.sock.settimeout(5)
        line = idler.line()
        expect(line == "* 1 EXISTS", line)
        expect(time.time() - start < 3.0, f"push took {time.time() - start:.1f} s")
        idler.send("DONE\r\n")
        expect(idler.until_tagged("I")[-1].startswith("I OK"), "IDLE not ended")
        idler.close()


def test_rename_inbox_utf8_names_and_limits():
    with ImapServer() as s:
        c = s.tls()
        append(c, "INBOX")
        append(c, "INBOX")
        expect(c.rename("INBOX", "Old")[0] == "OK", "rename INBOX")
        typ, data = c.status("INBOX", "(MESSAGES)")
        expect(b"MESSAGES 0" in data[0], data)
        typ, data = c.status("Old", "(MESSAGES APPENDLIMIT)")
        expect(b"MESSAGES 2" in data[0] and b"APPENDLIMIT 67108864" in data[0], data)
        expect("APPENDLIMIT=67108864" in c.capabilities, c.capabilities)
        c.logout()
        r = s.raw()
        login_raw(r)
        # Not enabled: names travel in modified UTF-7 (RFC 3501 §5.1.3).
        lines = r.command("C", 'CREATE "Gr&APw-n"')
        expect(lines[-1].startswith("C OK"), lines)
        lines = r.command("L", 'LIST "" "Gr*"')
        expect(lines[0] == '* LIST (\\HasNoChildren) "/" "Gr&APw-n"', lines)
        lines = r.command("E", "ENABLE UTF8=ACCEPT")
        expect(lines[0] == "* ENABLED UTF8=ACCEPT", lines)
        lines = r.command("L", 'LIST "" "Gr*"')
        expect(lines[0] == '* LIST (\\HasNoChildren) "/" "Grün"', lines)
        lines = r.command("S", 'STATUS "Grün" (MESSAGES)')
        expect(lines[-1].startswith("S OK"), lines)
        # APPEND over the limit is refused before any byte is sent (RFC 7889 §4).
        lines = r.command("A", "APPEND INBOX {999999999999}")
        expect(lines[-1].startswith("A NO [TOOBIG]"), lines)
        # LITERAL+: a non-synchronizing literal needs no continuation.
        r.send(b"P APPEND INBOX (\\Seen) {%d+}\r\n" % len(MESSAGE) + MESSAGE + b"\r\n")
        lines = r.until_tagged("P")
        expect(lines[-1].startswith("P OK [APPENDUID "), lines)
        r.close()


def test_curl_lists_mailboxes():
    curl = shutil.which("curl")
    if curl is None:
        print("skip: curl not installed")
        return
    with ImapServer() as s:
        p = subprocess.run([curl, "-sS", "-k", "--max-time", "10",
                            f"imaps://127.0.0.1:{s.imaps}/", "-u", f"{USER}:{PASSWORD}"],
                           capture_output=True, text=True)
        expect(p.returncode == 0, p.stderr)
        expect("INBOX" in p.stdout and "Sent" in p.stdout, p.stdout)


def test_sessions_per_account_limit():
    with ImapServer(config="[limits]\nmax_sessions_per_account = 2\n") as s:
        a, b = s.tls(), s.tls()
        c = s.tls(login=False)
        try:
            c.login(USER, PASSWORD)
            raise AssertionError("a third session of the account was let in")
        except imaplib.IMAP4.error as e:
            expect("[LIMIT]" in str(e), str(e))
        other = s.tls(login=False)
        other.login("bob", "bob password")  # other accounts are not affected
        a.logout()
        deadline = time.time() + 5
        while True:  # the slot comes back when the first session has ended
            try:
                c.login(USER, PASSWORD)
                break
            except imaplib.IMAP4.error:
                expect(time.time() < deadline, "slot not given back after LOGOUT")
                time.sleep(0.1)
        for conn in (b, c, other):
            conn.logout()


def test_noop_sees_mail_appended_while_select_ran():
    """NOOP asks the store only when a change event came: while another session APPENDs without
    pause and this one re-SELECTs, the last NOOP must still leave the client at the store's count
    (a commit between SELECT's read and the selection is caught by ChangeNotice::latest; the
    unit test change_notice_test.cc pins that part, this window is too short to hit at will)."""
    with ImapServer() as s:
        stop = threading.Event()
        errors = []

        def writer():
            w = s.tls()
            try:
                while not stop.is_set():
                    append(w, "INBOX")
            except Exception as e:  # reported below
                errors.append(repr(e))
            finally:
                w.logout()

        t = threading.Thread(target=writer)
        t.start()
        r = s.raw()
        login_raw(r)
        try:
            for i in range(40):
                lines = r.command(f"S{i}", "SELECT INBOX")
                exists = [int(x.split()[1]) for x in lines if x.endswith(" EXISTS")]
                expect(exists, lines)
                known = exists[-1]
                time.sleep(0.005)
        finally:
            stop.set()
            t.join()
        expect(not errors, errors)
        c = s.tls()
        typ, data = c.status("INBOX", "(MESSAGES)")
        total = int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
        lines = r.command("N", "NOOP")
        for x in lines:
            if x.endswith(" EXISTS"):
                known = int(x.split()[1])
        expect(known == total, f"NOOP left the client at {known} messages of {total}: {lines}")
        c.logout()
        r.close()


if __name__ == "__main__":
    run_tests([test_greeting_capability_and_starttls,
               test_allow_plaintext_lets_login_through_without_tls,
               test_starttls_discards_pipelined_commands_and_refuses_twice,
               test_bad_password_and_authenticate, test_id_enable_namespace_noop,
               test_mailbox_commands, test_append_select_status_expunge,
               test_raw_select_rev1_and_rev2_and_close, test_parser_errors_keep_the_session,
               test_configured_parser_limits,
               test_idle_sees_append_and_expunge_from_another_session,
               test_idle_sees_mail_imported_by_another_process,
               test_rename_inbox_utf8_names_and_limits,
               test_curl_lists_mailboxes, test_sessions_per_account_limit,
               test_noop_sees_mail_appended_while_select_ran])
