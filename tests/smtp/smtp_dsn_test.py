"""Delivery status notifications (RFC 3461, RFC 3464) against the real binary: DSN in EHLO, the
"delivered" report for NOTIFY=SUCCESS, a message accepted for some recipients with a failure
report about the others (an over-quota mailbox), NOTIFY=NEVER, and a report for a remote sender
queued with the null sender. Reports are read back over IMAP; the queue with `roost queue`."""
import smtplib

from smtp_fixture import ALICE, BOB, DOMAIN, SmtpServer, expect, message, run_tests
from roost_harness import eventually  # noqa: E402 (smtp_fixture puts it on the path)

ALICE_ADDR = f"alice@{DOMAIN}"


def ehlo_keywords(client):
    code, text = client.ehlo("client.test")
    expect(code == 250, f"EHLO {code}")
    return [line.split()[0].upper() for line in text.decode().splitlines()[1:]]


def reports(srv, user=ALICE):
    return [m for m in srv.messages(user) if b"report-type=delivery-status" in m]


def the_one_report(srv, *wants):
    """The only report in alice's INBOX, as text, after checking it says each of `wants`."""
    got = reports(srv)
    expect(len(got) == 1, f"{len(got)} reports")
    text = got[0].decode()
    for want in wants:
        expect(want in text, f"report lacks {want!r}:\n{text}")
    return text


def test_dsn_offered_on_submission_and_port_25_not_on_lmtp():
    with SmtpServer() as srv:
        s = srv.submit()
        expect("DSN" in ehlo_keywords(s), "submission: no DSN")
        s.quit()
        m = srv.mx()
        expect("DSN" in ehlo_keywords(m), "port 25: no DSN")
        m.quit()
        l = smtplib.LMTP("127.0.0.1", srv.lmtp, timeout=10)
        code, text = l.docmd("LHLO", "client.test")
        expect(code == 250 and b"DSN" not in text, f"LMTP: {text!r}")
        l.quit()


def test_notify_success_gets_a_delivered_report():
    with SmtpServer() as srv:
        s = srv.submit()
        s.sendmail(ALICE_ADDR, [BOB], message(ALICE_ADDR, BOB, "with report"),
                   mail_options=["RET=HDRS", "ENVID=trip+2B42"],
                   rcpt_options=["NOTIFY=SUCCESS,FAILURE", f"ORCPT=rfc822;{BOB}"])
        s.sendmail(ALICE_ADDR, [BOB], message(ALICE_ADDR, BOB, "no report asked"))
        s.quit()
        expect(srv.count(BOB) == 2, "bob got both")
        r = the_one_report(srv, "Subject: Successful Mail Delivery Report",
                           "Original-Envelope-Id: trip+42",
                           f"Original-Recipient: rfc822;{BOB}\r\nFinal-Recipient: rfc822; {BOB}"
                           "\r\nAction: delivered\r\nStatus: 2.0.0", "Subject: with report")
        expect("Hello there" not in r, "a success report quotes only the header")


def test_some_recipients_over_quota_accepted_and_reported():
    with SmtpServer(smtp_keys="\n[quota]\nmessages = 5\n") as srv:
        l = smtplib.LMTP("127.0.0.1", srv.lmtp, timeout=10)
        expect(l.docmd("LHLO", "client.test")[0] == 250, "LHLO")

        def lmtp(recipients, subject):
            l.docmd("MAIL", "FROM:<x@elsewhere.test>")
            for r in recipients:
                expect(l.docmd("RCPT", f"TO:<{r}>")[0] == 250, r)
            expect(l.docmd("DATA")[0] == 354, "DATA")
            l.send(message("x@elsewhere.test", BOB, subject) + b".\r\n")
            return [l.getreply() for _ in recipients]  # RFC 2033: one reply per recipient

        for i in range(5):
            expect(lmtp([BOB], f"fill {i}")[0][0] == 250, "fill")
        replies = lmtp([ALICE_ADDR, BOB], "lmtp full")
        expect([r[0] for r in replies] == [250, 552] and b"5.2.2" in replies[1][1], replies)
        l.docmd("QUIT")
        l.close()
        expect(srv.count() == 1, "alice got the LMTP message")

        s = srv.submit()
        s.mail(ALICE_ADDR)
        expect(s.rcpt(ALICE_ADDR)[0] == 250 and s.rcpt(BOB)[0] == 250, "rcpts")
        code, text = s.data(message(ALICE_ADDR, BOB, "half full"))
        expect(code == 250 and b"for 1 of 2 recipients" in text, f"{code} {text!r}")
        # NOTIFY=NEVER: accepted for alice, nothing said about bob.
        s.mail(ALICE_ADDR)
        s.rcpt(ALICE_ADDR, ["NOTIFY=NEVER"])
        s.rcpt(BOB, ["NOTIFY=NEVER"])
        code, text = s.data(message(ALICE_ADDR, BOB, "quiet"))
        expect(code == 250, f"{code} {text!r}")
        s.quit()
        expect(srv.count(BOB) == 5, "bob stays full")
        r = the_one_report(srv, "Subject: Undelivered Mail Returned to Sender",
                           f"Final-Recipient: rfc822; {BOB}\r\nAction: failed\r\nStatus: 5.2.2",
                           "over quota", "Subject: half full")
        expect(f"Final-Recipient: rfc822; {ALICE_ADDR}" not in r, "alice was delivered")


def test_report_for_a_remote_sender_is_queued_with_the_null_sender():
    with SmtpServer() as srv:
        m = srv.mx()
        m.sendmail("carol@remote.test", [ALICE_ADDR], message("carol@remote.test", ALICE_ADDR),
                   rcpt_options=["NOTIFY=SUCCESS"])
        m.quit()
        expect(srv.count() == 1, "delivered")
        # The test's DNS knows no remote.test, so the queue gives the report up at once (a
        # report to the null sender is never bounced): the log tells what happened.
        def log_has(*words):
            return any(all(w in line for w in words) for line in srv.output().splitlines())
        expect(eventually(lambda: log_has("event=smtp.reported", "kind=delivered",
                                          "sender=carol@remote.test")), srv.output())
        expect(eventually(lambda: log_has("event=queue.refused", "recipient=carol@remote.test",
                                          "does not exist")), srv.output())
        expect(reports(srv) == [], "the report went to carol, not to alice")


if __name__ == "__main__":
    run_tests([
        test_dsn_offered_on_submission_and_port_25_not_on_lmtp,
        test_notify_success_gets_a_delivered_report,
        test_some_recipients_over_quota_accepted_and_reported,
        test_report_for_a_remote_sender_is_queued_with_the_null_sender,
    ])
