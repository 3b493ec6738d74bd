"""The POP3 server against the real `roost serve`: poplib over pop3s and STLS, raw-socket wire
checks (pipelining, byte-stuffing, bare LF, long lines, errors, plaintext refusal, STLS
injection), SASL, [IN-USE] next to a working IMAP session, LOGIN-DELAY, curl pop3s://, RETR
bytes against what IMAP APPEND stored, UIDL stability (sessions, restart, IMAP MOVE out and
back), each DELE policy and \\Seen as an IMAP session sees them, and the login snapshot."""
import base64
import hashlib
import hmac
import os
import poplib
import subprocess
import time

from pop3_fixture import (PASSWORD, USER, Pop3Server, crlf, expect, message, roost, run_tests,
                          tls_context, unstuff)


def retr_raw(raw, n):
    """(LIST size, RETR lines as sent) of message n."""
    listed = raw.command(f"LIST {n}")
    expect(listed.startswith(b"+OK "), listed)
    size = int(listed.split()[2])
    first = raw.command(f"RETR {n}")
    expect(first.startswith(b"+OK"), first)
    return size, raw.multiline()


def test_greeting_capa_and_stls():
    with Pop3Server() as s:
        plain = poplib.POP3("127.0.0.1", s.pop3, timeout=10)
        expect(plain.getwelcome().startswith(b"+OK"), plain.getwelcome())
        caps = plain.capa()
        for want in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE",
                     "STLS", "UTF8", "IMPLEMENTATION"):
            expect(want in caps, f"{want} missing before TLS: {caps}")
        expect(caps["EXPIRE"] == ["NEVER"], caps)
        # No passwords in the clear: neither advertised nor accepted, with a reason.
        expect("USER" not in caps and "SASL" not in caps, caps)
        expect("LOGIN-DELAY" not in caps, caps)
        try:
            plain.user(USER)
            raise AssertionError("USER accepted without TLS")
        except poplib.error_proto as e:
            expect(str(e).startswith("b'-ERR [AUTH]") and "STLS" in str(e), str(e))
        plain.stls(context=tls_context())
        caps = plain.capa()
        expect("STLS" not in caps, caps)
        expect("USER" in caps, caps)
        expect(caps["SASL"] == ["PLAIN", "LOGIN", "SCRAM-SHA-256"], caps)
        expect("APOP" not in caps, caps)
        plain.user(USER)
        reply = plain.pass_(PASSWORD)
        expect(reply.startswith(b"+OK"), reply)
        expect(plain.stat() == (0, 0), plain.stat())
        # After login, CAPA leaves out the AUTHORIZATION-only capabilities.
        caps = plain.capa()
        expect("USER" not in caps and "SASL" not in caps and "TOP" in caps, caps)
        expect(plain.quit().startswith(b"+OK"), "QUIT")


def test_plaintext_refusal_and_apop():
    with Pop3Server() as s:
        raw = s.raw(tls=False)
        for cmd in ("USER alice", "AUTH PLAIN", "AUTH"):
            reply = raw.command(cmd)
            expect(reply.startswith(b"-ERR [AUTH] Plaintext authentication is disabled"), reply)
        reply = raw.command("PASS " + PASSWORD)
        expect(reply.startswith(b"-ERR [AUTH]"), reply)
        reply = raw.command("APOP alice c4c9334bac560ecc979e58001b3e22fb")
        expect(reply.startswith(b"-ERR APOP is not supported"), reply)
        # RFC 1939 §7: no APOP timestamp in the greeting, as APOP is not offered.
        expect(b"<" not in raw.greeting, raw.greeting)
        raw.close()


def test_plaintext_allowed_by_config():
    with Pop3Server(config="[auth]\nallow_plaintext = true\n") as s:
        s.append(message("one"))
        plain = poplib.POP3("127.0.0.1", s.pop3, timeout=10)
        caps = plain.capa()
        expect("USER" in caps and "SASL" in caps and "STLS" in caps, caps)
        plain.user(USER)
        plain.pass_(PASSWORD)
        expect(plain.stat()[0] == 1, plain.stat())
        plain.quit()


def test_stls_discards_pipelined_commands():
    with Pop3Server() as s:
        raw = s.raw(tls=False)
        # A man in the middle appends USER to the client's STLS; the server must not run it.
        raw.send("STLS\r\nUSER alice\r\n")
        expect(raw.line().startswith(b"+OK"), "STLS")
        expect(raw.buf == b"", raw.buf)
        raw.sock = tls_context().wrap_socket(raw.sock)
        reply = raw.command("PASS " + PASSWORD)
        expect(reply == b"-ERR Send USER first", reply)
        raw.close()


def test_poplib_over_pop3s_matches_imap():
    with Pop3Server() as s:
        msgs = [message(f"m{i}", body=f"Body {i}\r\n" * (i + 1)) for i in range(3)]
        s.append(*msgs)
        stored = [m for _, _, m in s.imap_messages()]
        expect(stored == msgs, "IMAP stored bytes differ from APPEND")
        pop = s.poplib()
        count, octets = pop.stat()
        expect(count == 3 and octets == sum(len(m) for m in msgs), (count, octets))
        _, listing, _ = pop.list()
        expect(listing == [f"{i + 1} {len(m)}".encode() for i, m in enumerate(msgs)], listing)
        for i, m in enumerate(msgs):
            _, lines, size = pop.retr(i + 1)
            expect(b"\r\n".join(lines) + b"\r\n" == m, f"RETR {i + 1} bytes differ")
            expect(size == len(m), (size, len(m)))
        _, uidls, _ = pop.uidl()
        ids = [u.split()[1] for u in uidls]
        expect(len(set(ids)) == 3 and all(1 <= len(u) <= 70 for u in ids), ids)
        expect(pop.uidl(2).split()[2] == ids[1], pop.uidl(2))
        _, top, _ = pop.top(3, 1)
        header = msgs[2].split(b"\r\n\r\n")[0].split(b"\r\n")
        expect(top == header + [b"", b"Body 2"], top)
        pop.quit()


def test_bare_lf_long_lines_and_byte_stuffing():
    with Pop3Server() as s:
        long_line = b"x" * 2000
        bare = (b"From: a@example.com\nSubject: bare LF\n\nline one\n.starts with a dot\n"
                + long_line + b"\n.\n..\nlast\n")
        dots = message("dots", body=".\r\n..\r\n.x\r\nx.\r\n" + "." * 1500 + "\r\n")
        s.append_raw(bare)
        s.append_raw(dots)
        stored = [m for _, _, m in s.imap_messages()]
        expect(stored == [bare, dots], "stored bytes are not what APPEND sent")
        raw = s.raw_login()
        for n, m in ((1, bare), (2, dots)):
            size, lines = retr_raw(raw, n)
            got = unstuff(lines)
            expect(got == crlf(m), f"RETR {n}: {got[:300]!r}")
            expect(size == len(got), f"LIST {n} says {size}, RETR sent {len(got)}")
            # Every line that starts with '.' went out stuffed; long lines intact.
            for line in lines:
                expect(not line.startswith(b".") or line.startswith(b".."), line)
            if n == 1:
                expect(long_line in lines, "the 2000-octet line was not sent whole")
        stat = raw.command("STAT")
        expect(stat == f"+OK 2 {len(crlf(bare)) + len(crlf(dots))}".encode(), stat)
        # TOP of the bare-LF message: header, blank line, 2 body lines.
        expect(raw.command("TOP 1 2").startswith(b"+OK"), "TOP")
        expect(unstuff(raw.multiline()) == crlf(bare.split(b"\n.starts")[0] + b"\n.starts with a dot\n"),
               "TOP 1 2")
        raw.close()


def test_big_message_streams_in_slices():
    with Pop3Server() as s:
        # ~3 MiB: many 256 KiB slices, dot-lines and bare LFs across their boundaries.
        body = b"".join(b".line %d\n" % i if i % 7 == 0 else b"line %d %s\r\n" % (i, b"y" * (i % 300))
                        for i in range(20000))
        big = b"From: a@example.com\r\nSubject: big\r\n\r\n" + body
        s.append_raw(big)
        raw = s.raw_login()
        size, lines = retr_raw(raw, 1)
        got = unstuff(lines)
        expect(size == len(got), f"LIST says {size}, RETR sent {len(got)}")
        expect(got == crlf(big), "the big message came back different")
        expect(raw.command("NOOP") == b"+OK", "session after a big RETR")
        raw.close()


def test_unterminated_last_line():
    with Pop3Server() as s:
        m = b"Subject: no final newline\r\n\r\nthe end"
        s.append_raw(m)
        raw = s.raw_login()
        size, lines = retr_raw(raw, 1)
        got = unstuff(lines)
        expect(got == m + b"\r\n", got)
        expect(size == len(got), f"LIST says {size}, RETR sent {len(got)}")
        raw.close()


def test_pipelining():
    with Pop3Server() as s:
        s.append(message("p1"), message("p2"))
        raw = s.raw()
        # Everything in one write; the answers come back in order.
        raw.send(f"CAPA\r\nUSER {USER}\r\nPASS {PASSWORD}\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 2\r\n"
                 "BOGUS\r\nDELE 1\r\nDELE 1\r\nNOOP\r\nSTAT\r\nRSET\r\nSTAT\r\nQUIT\r\n")
        expect(raw.line().startswith(b"+OK"), "CAPA")
        expect(b"PIPELINING" in raw.multiline(), "PIPELINING")
        expect(raw.line().startswith(b"+OK"), "USER")
        expect(raw.line().startswith(b"+OK Logged in"), "PASS")
        two = len(message("p1")) + len(message("p2"))
        expect(raw.line() == f"+OK 2 {two}".encode(), "STAT")
        expect(raw.line().startswith(b"+OK") and len(raw.multiline()) == 2, "LIST")
        expect(raw.line().startswith(b"+OK") and len(raw.multiline()) == 2, "UIDL")
        expect(raw.line().startswith(b"+OK"), "RETR")
        expect(unstuff(raw.multiline()) == message("p2"), "RETR 2 bytes")
        expect(raw.line() == b"-ERR Unknown command", "BOGUS")
        expect(raw.line() == b"+OK Message 1 deleted", "DELE 1")
        expect(raw.line() == b"-ERR Message 1 is already deleted", "DELE 1 again")
        expect(raw.line() == b"+OK", "NOOP")
        expect(raw.line() == f"+OK 1 {len(message('p2'))}".encode(), "STAT after DELE")
        expect(raw.line().startswith(b"+OK Maildrop has 2 messages"), "RSET")
        expect(raw.line() == f"+OK 2 {two}".encode(), "STAT after RSET")
        expect(raw.line().startswith(b"+OK"), "QUIT")
        expect(raw.closed(), "connection still open after QUIT")
        expect(len(s.imap_messages()) == 2, "RSET did not undo DELE")


def test_bad_commands():
    with Pop3Server() as s:
        s.append(message("only"))
        raw = s.raw()
        expect(raw.command("STAT") == b"-ERR Log in first", "STAT before login")
        expect(raw.command("PASS x") == b"-ERR Send USER first", "PASS first")
        expect(raw.command("") == b"-ERR Empty command", "empty")
        expect(raw.command("NOOP " + "x" * 300).startswith(b"-ERR Line too long"), "long")
        raw.command("USER " + USER)
        expect(raw.command("PASS wrong").startswith(b"-ERR [AUTH] Authentication failed"), "bad")
        raw.command("USER " + USER)
        expect(raw.command("PASS " + PASSWORD).startswith(b"+OK"), "login")
        for cmd, want in (("RETR 0", b"-ERR Invalid message number"),
                          ("RETR 2", b"-ERR No such message"),
                          ("LIST 99", b"-ERR No such message"),
                          ("TOP 1", b"-ERR TOP needs a message number and a line count"),
                          ("RETR 4294967296", b"-ERR Invalid message number"),
                          ("STAT 1", b"-ERR STAT takes no arguments"),
                          ("USER bob", b"-ERR Command not valid after login"),
                          ("STLS", b"-ERR Command not valid after login"),
                          ("XTND XMIT", b"-ERR Unknown command")):
            got = raw.command(cmd)
            expect(got == want, f"{cmd}: {got!r}")
        expect(raw.command("stat").startswith(b"+OK 1 "), "still working")
        raw.close()


def test_in_use_while_imap_keeps_working():
    with Pop3Server() as s:
        s.append(message("shared"))
        first = s.poplib()
        second = s.poplib(login=False)
        second.user(USER)
        try:
            second.pass_(PASSWORD)
            raise AssertionError("a second POP3 session got the maildrop")
        except poplib.error_proto as e:
            expect(str(e).startswith("b'-ERR [IN-USE]"), str(e))
        # IMAP is not locked out: it reads, writes and sees the mailbox.
        imap = s.imap()
        typ, data = imap.select("INBOX")
        expect(typ == "OK" and data == [b"1"], (typ, data))
        typ, _ = imap.append("INBOX", None, None, message("during pop3"))
        expect(typ == "OK", typ)
        imap.logout()
        expect(first.stat()[0] == 1, "the POP3 snapshot changed")
        first.quit()
        second.user(USER)
        expect(second.pass_(PASSWORD).startswith(b"+OK"), "login after the first QUIT")
        expect(second.stat()[0] == 2, "the new message is not there at the next login")
        second.quit()


def test_login_right_after_quit():
    # The maildrop is released before QUIT's +OK goes out, so a client that logs in again at
    # once (fetchmail polling several folders, a phone reconnecting) never meets [IN-USE].
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        s.append(*[message(f"m{i}") for i in range(30)])
        for i in range(30):
            pop = s.poplib()
            expect(pop.stat()[0] == 30 - i, pop.stat())
            pop.dele(1)
            expect(pop.quit().startswith(b"+OK"), "QUIT")


def test_dropped_session_releases_the_lock():
    with Pop3Server() as s:
        raw = s.raw_login()
        raw.close()  # no QUIT
        deadline = time.time() + 5
        while True:
            try:
                s.poplib().quit()
                break
            except poplib.error_proto as e:
                if "IN-USE" not in str(e) or time.time() > deadline:
                    raise


def test_login_delay():
    with Pop3Server(config="[pop3]\nlogin_delay_seconds = 3600\n") as s:
        pop = s.poplib(login=False)
        expect(pop.capa().get("LOGIN-DELAY") == ["3600"], pop.capa())
        pop.user(USER)
        pop.pass_(PASSWORD)
        pop.quit()
        pop = s.poplib(login=False)
        pop.user(USER)
        try:
            pop.pass_(PASSWORD)
            raise AssertionError("a second login within LOGIN-DELAY was accepted")
        except poplib.error_proto as e:
            expect(str(e).startswith("b'-ERR [LOGIN-DELAY]"), str(e))


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def test_sasl_mechanisms():
    with Pop3Server() as s:
        s.append(message("sasl"))
        # PLAIN with an initial response.
        raw = s.raw()
        reply = raw.command("AUTH PLAIN " + b64(f"\0{USER}\0{PASSWORD}"))
        expect(reply.startswith(b"+OK Logged in"), reply)
        expect(raw.command("QUIT").startswith(b"+OK"), "QUIT")
        # PLAIN without one, wrong password: [AUTH].
        raw = s.raw()
        expect(raw.command("AUTH PLAIN") == b"+ ", "empty challenge")
        reply = raw.command(b64(f"\0{USER}\0nope"))
        expect(reply == b"-ERR [AUTH] Authentication failed", reply)
        # Cancel; then LOGIN through its two challenges.
        expect(raw.command("AUTH LOGIN").startswith(b"+ "), "LOGIN challenge")
        expect(raw.command("*") == b"-ERR AUTH cancelled", "cancel")
        expect(raw.command("AUTH LOGIN") == b"+ VXNlcm5hbWU6", "Username:")
        expect(raw.command(b64(USER)) == b"+ UGFzc3dvcmQ6", "Password:")
        expect(raw.command(b64(PASSWORD)).startswith(b"+OK Logged in"), "LOGIN")
        raw.command("QUIT")
        # The mechanism list, an unknown mechanism, bad BASE64.
        raw = s.raw()
        expect(raw.command("AUTH") == b"+OK Mechanisms follow", "AUTH list")
        expect(raw.multiline() == [b"PLAIN", b"LOGIN", b"SCRAM-SHA-256"], "mechanisms")
        expect(raw.command("AUTH CRAM-MD5") == b"-ERR Unsupported authentication mechanism", "")
        expect(raw.command("AUTH PLAIN !!!!") == b"-ERR Invalid BASE64 in the SASL response", "")
        # SCRAM-SHA-256 (RFC 5802) with the server-final message as the last challenge.
        nonce = b64(os.urandom(18))
        first_bare = f"n={USER},r={nonce}"
        reply = raw.command("AUTH SCRAM-SHA-256 " + b64("n,," + first_bare))
        expect(reply.startswith(b"+ "), reply)
        server_first = base64.b64decode(reply[2:]).decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        expect(attrs["r"].startswith(nonce), server_first)
        salted = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={attrs['r']}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        reply = raw.command(b64(f"{final_bare},p={b64(proof)}"))
        expect(reply.startswith(b"+ "), reply)
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        want = "v=" + b64(hmac.new(server_key, auth_message, hashlib.sha256).digest())
        expect(base64.b64decode(reply[2:]).decode() == want, "server signature")
        reply = raw.command("")
        expect(reply.startswith(b"+OK Logged in; maildrop has 1 messages"), reply)
        raw.command("QUIT")


def test_curl_pop3s():
    with Pop3Server() as s:
        msgs = [message("curl one"), message("curl two", body="Second\r\n.dot line\r\n")]
        s.append(*msgs)
        base = f"pop3s://127.0.0.1:{s.pop3s}/"
        common = ["curl", "--silent", "--show-error", "--insecure", "--max-time", "20",
                  "--user", f"{USER}:{PASSWORD}"]
        listing = subprocess.run([*common, base], capture_output=True, timeout=30)
        expect(listing.returncode == 0, listing.stderr)
        expect(listing.stdout == b"".join(f"{i + 1} {len(m)}\r\n".encode()
                                          for i, m in enumerate(msgs)), listing.stdout)
        got = subprocess.run([*common, base + "2"], capture_output=True, timeout=30)
        expect(got.returncode == 0, got.stderr)
        expect(got.stdout == msgs[1], got.stdout)


def uidl_map(pop):
    _, lines, _ = pop.uidl()
    return [l.split()[1] for l in lines]


def test_uidl_stability():
    with Pop3Server() as s:
        s.append(message("u1"), message("u2"), message("u3"))
        pop = s.poplib()
        ids = uidl_map(pop)
        pop.quit()
        pop = s.poplib()
        expect(uidl_map(pop) == ids, "UIDL changed between sessions")
        pop.quit()
        s.restart()
        pop = s.poplib()
        expect(uidl_map(pop) == ids, "UIDL changed across a restart")
        pop.quit()
        # IMAP moves message 2 out of INBOX and back: new UID, same UIDL.
        imap = s.imap()
        imap.select("INBOX")
        typ, data = imap.uid("MOVE", "2", "Archive")
        expect(typ == "OK", data)
        imap.select("Archive")
        typ, data = imap.uid("MOVE", "1:*", "INBOX")
        expect(typ == "OK", data)
        imap.logout()
        pop = s.poplib()
        after = uidl_map(pop)
        expect(sorted(after) == sorted(ids), (ids, after))
        expect(after == [ids[0], ids[2], ids[1]], "UIDLs do not follow the messages")
        _, lines, _ = pop.retr(3)
        expect(b"Subject: u2" in lines, "message 3 is not the one moved back")
        pop.quit()


def delete_first_and_quit(s):
    pop = s.poplib()
    _, lines, _ = pop.retr(1)
    pop.dele(1)
    pop.quit()
    return lines


def test_policy_delete():
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        s.append(message("gone"), message("stays"))
        delete_first_and_quit(s)
        left = s.imap_messages()
        expect([b"Subject: stays" in m for _, _, m in left] == [True], left)
        pop = s.poplib()
        expect(pop.stat()[0] == 1, pop.stat())
        pop.quit()


def test_policy_keep():
    with Pop3Server(config='[pop3]\ndelete_policy = "keep"\n') as s:
        s.append(message("hidden"), message("visible"))
        delete_first_and_quit(s)
        inbox = s.imap_messages()
        expect(len(inbox) == 2, "keep removed the message from IMAP")
        expect("\\Seen" in inbox[0][1], inbox[0][1])  # RETR'd, so seen
        pop = s.poplib()
        _, lines, _ = pop.retr(1)
        expect(pop.stat()[0] == 1 and b"Subject: visible" in lines, "POP3 still shows it")
        pop.quit()


def test_policy_move():
    with Pop3Server(config='[pop3]\ndelete_policy = "move"\nmove_to = "Fetched"\n') as s:
        s.append(message("moved"), message("in inbox"))
        delete_first_and_quit(s)
        inbox = s.imap_messages()
        expect(len(inbox) == 1 and b"Subject: in inbox" in inbox[0][2], inbox)
        moved = s.imap_messages("Fetched")
        expect(len(moved) == 1 and moved[0][2] == message("moved"), moved)
        expect("\\Seen" in moved[0][1], f"moved message not seen: {moved[0][1]}")


def test_policy_set_per_account_by_cli():
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        s.append(message("kept by override"), message("other"))
        out = roost("account", "pop3-policy", USER, "keep", "--data-dir", s.dir,
                    "--config", os.path.join(s.dir, "roost.toml"), check=0)
        expect("keep" in out.stdout, out.stdout)
        delete_first_and_quit(s)
        expect(len(s.imap_messages()) == 2, "the account's keep policy was not applied")
        pop = s.poplib()
        expect(pop.stat()[0] == 1, pop.stat())
        pop.quit()


def test_no_update_without_quit():
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        s.append(message("retrieved"), message("peeked"), message("untouched"))
        raw = s.raw_login()
        raw.command("RETR 1")
        raw.multiline()
        raw.command("TOP 2 0")
        raw.multiline()
        expect(raw.command("DELE 3").startswith(b"+OK"), "DELE")
        raw.close()  # the connection drops: no UPDATE (RFC 1939 §6), but RETR counts as read
        deadline = time.time() + 5
        while True:
            inbox = s.imap_messages()
            if "\\Seen" in inbox[0][1] or time.time() > deadline:
                break
            time.sleep(0.1)
        expect(len(inbox) == 3, "a dropped session deleted messages")
        expect(["\\Seen" in flags for _, flags, _ in inbox] == [True, False, False],
               [flags for _, flags, _ in inbox])


def test_seen_after_retr_on_quit():
    with Pop3Server(config='[pop3]\ndelete_policy = "keep"\n') as s:
        s.append(message("r1", body="a\r\nb\r\n"), message("r2"), message("r3"),
                 message("r4", body="a\r\nb\r\nc\r\n"))
        pop = s.poplib()
        pop.retr(2)
        pop.top(1, 1)  # a peek: one of two body lines
        pop.top(3, 99999999)  # fetchmail's way to download: the whole message went out
        pop.top(4, 3)  # exactly all body lines
        pop.quit()
        seen = ["\\Seen" in f for _, f, _ in s.imap_messages()]
        expect(seen == [False, True, True, True], seen)
    with Pop3Server(config='[pop3]\nmark_seen_on_retr = false\n') as s:
        s.append(message("r1"))
        pop = s.poplib()
        pop.retr(1)
        pop.quit()
        expect(s.imap_messages()[0][1] == [], "marked \\Seen although mark_seen_on_retr = false")


def test_snapshot_at_login():
    with Pop3Server() as s:
        s.append(message("before"))
        pop = s.poplib()
        s.append(message("after login"))
        expect(pop.stat()[0] == 1, "a message appended during the session became visible")
        _, listing, _ = pop.list()
        expect(len(listing) == 1, listing)
        pop.quit()
        pop = s.poplib()
        expect(pop.stat()[0] == 2, "the new message is missing at the next login")
        pop.quit()


if __name__ == "__main__":
    run_tests([test_greeting_capa_and_stls, test_plaintext_refusal_and_apop,
               test_plaintext_allowed_by_config, test_stls_discards_pipelined_commands,
               test_poplib_over_pop3s_matches_imap, test_bare_lf_long_lines_and_byte_stuffing,
               test_big_message_streams_in_slices, test_unterminated_last_line, test_pipelining, test_bad_commands,
               test_in_use_while_imap_keeps_working, test_login_right_after_quit,
               test_dropped_session_releases_the_lock,
               test_login_delay, test_sasl_mechanisms, test_curl_pop3s, test_uidl_stability,
               test_policy_delete, test_policy_keep, test_policy_move,
               test_policy_set_per_account_by_cli, test_no_update_without_quit,
               test_seen_after_retr_on_quit, test_snapshot_at_login])
