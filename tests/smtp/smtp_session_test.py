"""The SMTP side against the real binary: submission (STARTTLS on 587, implicit TLS on 465) with
Python smtplib and swaks, inbound port 25, LMTP (smtplib.LMTP), raw wire for PIPELINING, BDAT and
STARTTLS injection; what arrives is read back over IMAP."""
import smtplib
import socket
import subprocess
import time

from smtp_fixture import (ALICE, BOB, DOMAIN, PASSWORD, SmtpServer, TempDir, added_headers,
                          expect, message, reply_of, roost, run_tests, unverified_tls)

ALICE_ADDR = f"alice@{DOMAIN}"


def expect_smtp_error(fn, code, enhanced=None):
    try:
        result = fn()
    except smtplib.SMTPResponseException as e:
        expect(e.smtp_code == code, f"want {code}, got {e.smtp_code} {e.smtp_error!r}")
        if enhanced:
            expect(e.smtp_error.decode().startswith(enhanced), f"want {enhanced}: {e.smtp_error!r}")
        return e
    except smtplib.SMTPRecipientsRefused as e:
        (c, text), = e.recipients.values()
        expect(c == code, f"want {code}, got {c} {text!r}")
        if enhanced:
            expect(text.decode().startswith(enhanced), f"want {enhanced}: {text!r}")
        return e
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        # smtplib's mail()/rcpt() return the reply instead of raising.
        c, text = result
        expect(c == code, f"want {code}, got {c} {text!r}")
        if enhanced:
            expect(text.decode().startswith(enhanced), f"want {enhanced}: {text!r}")
        return result
    raise AssertionError(f"no SMTP error, want {code}")


def test_submission_starttls_delivers_and_idle_sees_it_within_a_second():
    with SmtpServer() as srv:
        imap = srv.imap()
        imap.select("INBOX")
        tag = imap._new_tag().decode()
        imap.send(f"{tag} IDLE\r\n".encode())
        expect(imap.readline().startswith(b"+"), "IDLE continuation")
        s = srv.submit()
        expect("STARTTLS" not in s.esmtp_features, "STARTTLS offered again after TLS")
        expect("auth" in s.esmtp_features, f"AUTH not offered after TLS: {s.esmtp_features}")
        sent = message(ALICE_ADDR, BOB)
        start = time.time()
        s.sendmail(ALICE_ADDR, [ALICE_ADDR], sent)
        imap.sock.settimeout(1.0)
        line = imap.readline()
        elapsed = time.time() - start
        expect(b"EXISTS" in line, f"IDLE did not see the message: {line!r}")
        expect(elapsed < 1.0, f"IDLE saw it after {elapsed:.2f}s")
        imap.send(b"DONE\r\n")
        s.quit()
        stored = srv.messages()
        expect(len(stored) == 1, f"{len(stored)} messages")
        names, prefix = added_headers(stored[0], sent)
        expect(names == ["Received"], f"added headers {names}")
        expect("with ESMTPSA" in prefix and "for <alice@example.org>" in prefix, prefix)


def test_submissions_implicit_tls_delivers_and_adds_message_id_and_date():
    with SmtpServer() as srv:
        s = srv.submit_tls()
        sent = (f"From: Alice <{ALICE_ADDR}>\r\nTo: bob@example.org\r\nSubject: x\r\n\r\n"
                "no date, no id\r\n").encode()
        s.sendmail(ALICE_ADDR, [BOB, ALICE_ADDR], sent)
        s.quit()
        for user in (ALICE, BOB):
            stored = srv.messages(user)
            expect(len(stored) == 1, f"{user}: {len(stored)} messages")
            names, prefix = added_headers(stored[0], sent)
            expect(names == ["Received", "Message-ID", "Date"], f"{user}: added {names}")
            expect("with ESMTPSA" in prefix and "\tfor" not in prefix, prefix)


def test_swaks_submission_and_auth_mechanisms():
    with SmtpServer() as srv:
        for mech in ("PLAIN", "LOGIN", "SCRAM-SHA-256"):
            if mech == "SCRAM-SHA-256":
                # swaks has no SCRAM: use a raw exchange through smtplib's auth hook.
                s = srv.submit(login=False)
                code, _ = scram_login(s, ALICE, PASSWORD)
                expect(code == 235, f"SCRAM: {code}")
                s.sendmail(ALICE_ADDR, [ALICE_ADDR], message(ALICE_ADDR, ALICE_ADDR, "scram"))
                s.quit()
                continue
            p = subprocess.run(
                ["swaks", "--server", "127.0.0.1", "--port", str(srv.submission), "--tls",
                 "--auth", mech, "--auth-user", ALICE, "--auth-password", PASSWORD,
                 "--from", ALICE_ADDR, "--to", ALICE_ADDR, "--h-From", f"<{ALICE_ADDR}>",
                 "--header", f"Subject: swaks {mech}", "--timeout", "10"],
                capture_output=True, text=True, timeout=60)
            expect(p.returncode == 0, f"swaks {mech}: {p.returncode}\n{p.stdout}\n{p.stderr}")
            expect("250 2.0.0 Message accepted" in p.stdout, p.stdout)
        subjects = [m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0] for m in srv.messages()]
        expect(sorted(subjects) == [b"scram", b"swaks LOGIN", b"swaks PLAIN"], subjects)


def scram_login(s, user, password):
    """SCRAM-SHA-256 client (RFC 5802) over smtplib's docmd."""
    import base64
    import hashlib
    import hmac
    import os
    nonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = f"n={user},r={nonce}"
    code, resp = s.docmd("AUTH", "SCRAM-SHA-256 " +
                         base64.b64encode(("n,," + first_bare).encode()).decode())
    expect(code == 334, f"{code} {resp}")
    server_first = base64.b64decode(resp).decode()
    fields = dict(f.split("=", 1) for f in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]),
                                 int(fields["i"]))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(client_key).digest()
    without_proof = f"c=biws,r={fields['r']}"
    auth_msg = f"{first_bare},{server_first},{without_proof}".encode()
    sig = hmac.new(stored, auth_msg, hashlib.sha256).digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, sig))).decode()
    code, resp = s.docmd(base64.b64encode(f"{without_proof},p={proof}".encode()).decode())
    if code == 334:  # server-final as a last challenge
        code, resp = s.docmd("")
    return code, resp


def test_auth_refused_before_starttls_and_mail_needs_auth():
    with SmtpServer() as srv:
        c = srv.raw(srv.submission)
        c.send("EHLO client.test\r\n")
        code, lines = reply_of(c)
        text = "\n".join(lines)
        expect(code == 250 and "STARTTLS" in text and "AUTH" not in text, text)
        c.send("AUTH PLAIN " + "AGFsaWNlAGNvcnJlY3QgaG9yc2UgYmF0dGVyeQ==" + "\r\n")
        code, lines = reply_of(c)
        expect(code == 538 and lines[0].startswith("538 5.7.11"), lines)
        c.send(f"MAIL FROM:<{ALICE_ADDR}>\r\n")
        code, lines = reply_of(c)
        expect(code == 530 and "5.7.0" in lines[0], lines)
        c.close()
        # smtplib agrees: no AUTH advertised before TLS.
        s = smtplib.SMTP("127.0.0.1", srv.submission, timeout=10)
        s.ehlo("x")
        expect(not s.has_extn("auth"), s.esmtp_features)
        s.quit()


def test_wrong_password_535():
    with SmtpServer() as srv:
        s = srv.submit(login=False)
        expect_smtp_error(lambda: s.login(ALICE, "wrong password"), 535, "5.7.8")
        s.quit()


def test_sender_spoofing_553_envelope_and_from_header():
    with SmtpServer() as srv:
        s = srv.submit()
        # Envelope sender that is not alice's.
        expect_smtp_error(lambda: s.mail(BOB), 553, "5.7.1")
        s.rset()
        # Her own envelope, somebody else's From:.
        spoofed = message(BOB, ALICE_ADDR)
        expect_smtp_error(lambda: s.sendmail(ALICE_ADDR, [ALICE_ADDR], spoofed), 553, "5.7.1")
        # An alias and plus-addresses of her own are hers.
        s.sendmail(f"sales@{DOMAIN}", [ALICE_ADDR], message(f"sales@{DOMAIN}", ALICE_ADDR))
        s.sendmail(f"alice+x@{DOMAIN}", [ALICE_ADDR], message(f"alice+x@{DOMAIN}", ALICE_ADDR))
        s.quit()
        expect(srv.count() == 2, f"{srv.count()} messages")


def test_relay_refused_on_every_port_nothing_stored():
    with SmtpServer() as srv:
        for port in (srv.smtp, srv.lmtp):
            c = srv.raw(port)
            c.send("LHLO x\r\n" if port == srv.lmtp else "EHLO x\r\n")
            reply_of(c)
            c.send("MAIL FROM:<someone@elsewhere.test>\r\n")
            expect(reply_of(c)[0] == 250, "MAIL")
            c.send("RCPT TO:<victim@elsewhere.test>\r\n")
            code, lines = reply_of(c)
            expect(code == 554 and "5.7.1" in lines[0], f"port {port}: {lines}")
            c.send("DATA\r\n")
            code, lines = reply_of(c)
            expect(code >= 500, f"DATA after refused RCPT: {lines}")
            c.close()
        # Submission without AUTH: refused at MAIL (with AUTH it is sending, not relaying:
        # test_submission_queues_remote_recipients).
        s = srv.submit(login=False)
        expect_smtp_error(lambda: s.mail(ALICE_ADDR), 530, "5.7.0")
        s.quit()
        for user in (ALICE, BOB):
            expect(srv.count(user) == 0, f"{user} got mail")
        listing = roost("queue", "list", "--data-dir", srv.dir, check=0).stdout
        expect("0 messages queued" in listing, listing)


def test_submission_queues_remote_recipients():
    with SmtpServer() as srv:
        s = srv.submit()
        s.mail(ALICE_ADDR)
        code, text = s.rcpt("someone@elsewhere.test")
        expect(code == 250, (code, text))
        s.rset()
        # Mixed local and remote: the local copy is stored now, the remote one queued (and,
        # elsewhere.test not existing, returned to the sender as a bounce).
        s.sendmail(ALICE_ADDR, [BOB, "someone@elsewhere.test"],
                   message(ALICE_ADDR, "someone@elsewhere.test", "out"))
        s.quit()
        expect(srv.count(BOB) == 1, "the local recipient's copy")
        deadline = time.time() + 20
        while srv.count(ALICE) == 0 and time.time() < deadline:
            time.sleep(0.2)
        bounce = srv.messages(ALICE)
        expect(len(bounce) == 1, f"{len(bounce)} messages for the sender")
        text = bounce[0].decode()
        expect("Final-Recipient: rfc822; someone@elsewhere.test" in text, text)
        expect("the domain elsewhere.test does not exist" in text, text)
        expect("rfc822; " + BOB not in text, text)


def test_size_and_recipient_limits():
    with SmtpServer(smtp_keys="max_message_size = 2000\nmax_recipients = 2\n") as srv:
        s = srv.submit()
        expect("2000" in s.esmtp_features.get("size", ""), s.esmtp_features)
        expect_smtp_error(lambda: s.mail(ALICE_ADDR, ["SIZE=5000"]), 552, "5.3.4")
        s.rset()
        big = message(ALICE_ADDR, ALICE_ADDR, body="x" * 3000 + "\r\n")
        expect_smtp_error(lambda: s.sendmail(ALICE_ADDR, [ALICE_ADDR], big), 552, "5.3.4")
        s.mail(ALICE_ADDR)
        expect(s.rcpt(ALICE_ADDR)[0] == 250, "rcpt 1")
        expect(s.rcpt(BOB)[0] == 250, "rcpt 2")
        code, text = s.rcpt(f"sales@{DOMAIN}")
        expect(code == 452 and text.startswith(b"4.5.3"), (code, text))
        s.rset()
        s.quit()
        expect(srv.count() == 0, "a refused message was stored")


def test_messages_per_hour():
    with SmtpServer(smtp_keys="messages_per_hour = 2\n") as srv:
        s = srv.submit()
        for i in range(2):
            s.sendmail(ALICE_ADDR, [ALICE_ADDR], message(ALICE_ADDR, ALICE_ADDR, f"m{i}"))
        expect_smtp_error(lambda: s.mail(ALICE_ADDR), 450, "4.7.0")
        s.quit()
        # Bob has his own budget.
        b = srv.submit(user=BOB)
        b.sendmail(BOB, [BOB], message(BOB, BOB))
        b.quit()
        expect(srv.count() == 2 and srv.count(BOB) == 1, "counts")


def test_pipelining_in_one_write():
    with SmtpServer() as srv:
        c = srv.raw(srv.smtp)
        body = message("sender@elsewhere.test", ALICE_ADDR, "pipelined")
        c.send(b"EHLO client.test\r\nMAIL FROM:<sender@elsewhere.test>\r\n"
               b"RCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
               b"RCPT TO:<bob@example.org>\r\nDATA\r\n")
        codes = [reply_of(c)[0] for _ in range(6)]
        expect(codes == [250, 250, 250, 550, 250, 354], codes)
        c.send(body + b".\r\nQUIT\r\n")
        codes = [reply_of(c)[0] for _ in range(2)]
        expect(codes == [250, 221], codes)
        c.close()
        expect(srv.count() == 1 and srv.count(BOB) == 1, "delivered")


def test_forged_authentication_results_removed():
    # RFC 8601 §5: a field claiming this server's verdicts (authserv-id mx.example.org) that
    # arrives from outside is a forgery and is not stored; another host's field stays.
    with SmtpServer() as srv:
        s = srv.mx()
        msg = ("Authentication-Results: mx.example.org;\r\n\tdkim=pass header.d=bank.test\r\n"
               "Authentication-Results: relay.other.test; spf=pass smtp.mailfrom=a@b.test\r\n"
               f"From: a@elsewhere.test\r\nTo: {ALICE_ADDR}\r\nSubject: trust me\r\n\r\nbody\r\n")
        s.sendmail("a@elsewhere.test", [ALICE_ADDR], msg.encode())
        s.quit()
        stored = srv.messages(ALICE)[0].decode()
        header = stored.split("\r\n\r\n", 1)[0]
        expect(header.count("Authentication-Results: mx.example.org;") == 1, header)
        expect("dkim=pass header.d=bank.test" not in stored, header)
        expect("Authentication-Results: relay.other.test; spf=pass" in header, header)
        expect(stored.endswith("Subject: trust me\r\n\r\nbody\r\n"), stored)


def test_bdat_chunks_raw_socket():
    with SmtpServer() as srv:
        c = srv.raw(srv.smtp)
        c.send("EHLO client.test\r\n")
        code, lines = reply_of(c)
        expect("CHUNKING" in "\n".join(lines), lines)
        sent = message("sender@elsewhere.test", ALICE_ADDR, "chunks",
                       body="line one\r\n.dot stays\r\n")
        first, second = sent[:40], sent[40:]
        c.send(b"MAIL FROM:<sender@elsewhere.test> BODY=8BITMIME\r\nRCPT TO:<alice@example.org>\r\n"
               + f"BDAT {len(first)}\r\n".encode() + first
               + f"BDAT {len(second)} LAST\r\n".encode() + second)
        codes = [reply_of(c)[0] for _ in range(4)]
        expect(codes == [250, 250, 250, 250], codes)
        # BDAT without a transaction: the chunk is read and refused, the session goes on.
        c.send(b"BDAT 5 LAST\r\nhello" + b"NOOP\r\n")
        expect(reply_of(c)[0] == 503, "BDAT outside a transaction")
        expect(reply_of(c)[0] == 250, "NOOP after the skipped chunk")
        c.close()
        stored = srv.messages()
        expect(len(stored) == 1, len(stored))
        names, prefix = added_headers(stored[0], sent)
        expect(names == ["Received", "Authentication-Results"], names)
        # (libspf2 passes SPF for every loopback client, so only DKIM and DMARC say "none".)
        expect("spf=pass" in prefix and "dkim=none" in prefix and "dmarc=none" in prefix, prefix)


def test_smtputf8_address_delivered():
    with SmtpServer() as srv:
        s = srv.mx()
        expect(s.has_extn("smtputf8"), s.esmtp_features)
        sent = ("From: <sender@elsewhere.test>\r\nTo: <ünïcode@example.org>\r\n"
                "Subject: ünïcode\r\n\r\nHällo\r\n").encode()
        s.sendmail("sender@elsewhere.test", ["ünïcode@example.org"], sent,
                   mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        # Without SMTPUTF8 on MAIL a UTF-8 recipient is refused.
        s.mail("sender@elsewhere.test")
        c = s.docmd("RCPT TO:<ünïcode@example.org>".encode().decode("latin-1"))
        s.quit()
        stored = srv.messages()
        expect(len(stored) == 1, len(stored))
        _, prefix = added_headers(stored[0], sent)
        expect("with UTF8SMTP" in prefix, prefix)
        expect(c[0] == 553, c)


def test_lmtp_per_recipient_statuses():
    with SmtpServer(smtp_keys="") as srv:
        # Fill bob up to a quota? Use an unknown and two valid recipients instead, plus one
        # message refused per recipient by size in a second transaction.
        l = smtplib.LMTP("127.0.0.1", srv.lmtp, timeout=10)
        l.ehlo_or_helo_if_needed = lambda: None
        code, _ = l.docmd("LHLO", "client.test")
        expect(code == 250, code)
        code, _ = l.docmd("EHLO", "client.test")
        expect(code == 500, f"EHLO on LMTP: {code}")
        l.docmd("MAIL", "FROM:<sender@elsewhere.test>")
        expect(l.docmd("RCPT", "TO:<alice@example.org>")[0] == 250, "alice")
        expect(l.docmd("RCPT", "TO:<nobody@example.org>")[0] == 550, "nobody")
        expect(l.docmd("RCPT", "TO:<bob@example.org>")[0] == 250, "bob")
        expect(l.docmd("DATA")[0] == 354, "DATA")
        l.send(message("sender@elsewhere.test", ALICE_ADDR, "lmtp") + b".\r\n")
        replies = [l.getreply() for _ in range(2)]
        expect([r[0] for r in replies] == [250, 250], replies)
        expect(b"alice@example.org" in replies[0][1] and b"bob@example.org" in replies[1][1],
               replies)
        l.docmd("QUIT")
        l.close()
        expect(srv.count() == 1 and srv.count(BOB) == 1, "lmtp delivered")


def test_lmtp_with_smtplib_sendmail():
    with SmtpServer() as srv:
        l = smtplib.LMTP("127.0.0.1", srv.lmtp, timeout=10)
        refused = l.sendmail("sender@elsewhere.test", [ALICE_ADDR, BOB],
                             message("sender@elsewhere.test", ALICE_ADDR, "lmtp2"))
        expect(refused == {}, refused)
        l.quit()
        expect(srv.count() == 1 and srv.count(BOB) == 1, "delivered")


def test_lmtp_over_a_unix_socket():
    """An MTA in front (Postfix's `lmtp:unix:...`) delivers through a Unix domain socket."""
    import os
    import stat
    with TempDir() as sockdir:
        path = os.path.join(sockdir, "lmtp")
        srv = SmtpServer(protocols=["lmtp", "imaps"])
        srv.addresses = {"lmtp": f"unix:{path}"}
        with srv:
            expect(srv.lmtp == path and stat.S_ISSOCK(os.stat(path).st_mode), srv.lmtp)
            l = smtplib.LMTP(path, timeout=10)  # smtplib takes a path starting with "/"
            refused = l.sendmail("sender@elsewhere.test", [ALICE_ADDR],
                                 message("sender@elsewhere.test", ALICE_ADDR, "over a socket"))
            expect(refused == {}, refused)
            l.quit()
            stored = srv.messages()
            expect(len(stored) == 1 and b"Subject: over a socket" in stored[0], stored)
            expect(b"with LMTP" in stored[0] and b"([local])" in stored[0], stored[0][:300])
            srv.stop()  # SIGTERM: a graceful stop
            expect(not os.path.exists(path), "the socket file is removed when the server stops")


def test_inbound_unknown_alias_plus_catchall():
    with SmtpServer() as srv:
        imap = srv.imap()
        expect(imap.create("lists")[0] == "OK", "create lists")
        imap.logout()
        s = srv.mx()
        expect(not s.has_extn("auth"), f"AUTH on port 25: {s.esmtp_features}")
        s.mail("sender@elsewhere.test")
        code, text = s.rcpt("nobody@example.org")
        expect(code == 550 and text.startswith(b"5.1.1"), (code, text))
        s.rset()
        for rcpt, subject in ((f"sales@{DOMAIN}", "alias"), ("alice@example.net", "domain alias"),
                              ("alice+lists@example.org", "plus folder"),
                              ("alice+nofolder@example.org", "plus inbox"),
                              ("anything@catchall.test", "catch-all")):
            s.sendmail("sender@elsewhere.test", [rcpt], message("sender@elsewhere.test", rcpt,
                                                                subject))
        s.quit()
        def subjects(user, box="INBOX"):
            return sorted(m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0]
                          for m in srv.messages(user, box))
        expect(subjects(ALICE) == [b"alias", b"domain alias", b"plus inbox"], subjects(ALICE))
        expect(subjects(ALICE, "lists") == [b"plus folder"], subjects(ALICE, "lists"))
        expect(subjects(BOB) == [b"catch-all"], subjects(BOB))


def test_starttls_discards_pipelined_commands_and_resets():
    with SmtpServer() as srv:
        sock = socket.create_connection(("127.0.0.1", srv.smtp), timeout=10)
        f = sock.makefile("rb")
        expect(f.readline().startswith(b"220"), "greeting")
        sock.sendall(b"EHLO x\r\n")
        while True:
            line = f.readline()
            if line[3:4] == b" ":
                break
        sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@elsewhere.test>\r\n")
        expect(f.readline().startswith(b"220 2.0.0"), "STARTTLS")
        tls = unverified_tls().wrap_socket(sock, server_hostname="mx")
        tf = tls.makefile("rb")
        tls.sendall(b"MAIL FROM:<a@elsewhere.test>\r\n")
        line = tf.readline()
        expect(line.startswith(b"503"), f"the session should start over after STARTTLS: {line!r}")
        tls.close()


def test_bad_input_gets_5xx_and_session_survives():
    with SmtpServer() as srv:
        c = srv.raw(srv.smtp)
        c.send(b"EHLO x\r\n")
        reply_of(c)
        c.send(b"MAIL FROM:<" + b"a" * 5000 + b"@x.y>\r\nFOO\r\nMAIL FROM:<a@b.c> BAR=1\r\n"
               b"RCPT TO:<a@example.org>\r\nNOOP\r\n")
        codes = [reply_of(c)[0] for _ in range(5)]
        expect(codes == [500, 500, 555, 503, 250], codes)
        c.close()


run_tests([
    test_submission_starttls_delivers_and_idle_sees_it_within_a_second,
    test_submissions_implicit_tls_delivers_and_adds_message_id_and_date,
    test_swaks_submission_and_auth_mechanisms,
    test_auth_refused_before_starttls_and_mail_needs_auth,
    test_wrong_password_535,
    test_sender_spoofing_553_envelope_and_from_header,
    test_relay_refused_on_every_port_nothing_stored,
    test_submission_queues_remote_recipients,
    test_size_and_recipient_limits,
    test_messages_per_hour,
    test_pipelining_in_one_write,
    test_bdat_chunks_raw_socket, test_forged_authentication_results_removed,
    test_smtputf8_address_delivered,
    test_lmtp_per_recipient_statuses,
    test_lmtp_with_smtplib_sendmail,
    test_lmtp_over_a_unix_socket,
    test_inbound_unknown_alias_plus_catchall,
    test_starttls_discards_pipelined_commands_and_resets,
    test_bad_input_gets_5xx_and_session_survives,
])
