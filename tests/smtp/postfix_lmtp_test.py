"""An MTA in front of Roost: a private Postfix (Debian's postfix package) takes mail for the
domain on its SMTP port and hands it to Roost's LMTP listener on a Unix socket, as an
administrator would set it up with `relay_transport = lmtp:unix:...`. Roost's per-recipient
LMTP replies decide: the known recipient gets the message, the unknown one becomes Postfix's
bounce. Postfix's master runs only as root."""
import os
import smtplib
import sys

from smtp_fixture import ALICE, DOMAIN, SmtpServer, TempDir, expect, message, run_tests
from roost_harness import eventually  # noqa: E402 (smtp_fixture puts tests/lib on the path)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from postfix import Postfix  # noqa: E402

ALICE_ADDR = f"alice@{DOMAIN}"


def test_postfix_delivers_through_roost_lmtp_socket():
    with TempDir() as sockdir, TempDir() as pfdir:
        for d in (sockdir, pfdir):
            os.chmod(d, 0o755)  # Postfix's daemons run as the postfix user
        path = os.path.join(sockdir, "lmtp")
        srv = SmtpServer(protocols=["lmtp", "imaps"])
        srv.addresses = {"lmtp": f"unix:{path}"}
        with srv:
            front = Postfix(pfdir, DOMAIN, [], hostname="mx.front.test", lmtp=path)
            front.start()
            try:
                s = smtplib.SMTP("127.0.0.1", front.smtp, timeout=15)
                refused = s.sendmail("carol@remote.test", [ALICE_ADDR, f"nobody@{DOMAIN}"],
                                     message("carol@remote.test", ALICE_ADDR, "via postfix"))
                s.quit()
                expect(refused == {}, f"Postfix refused {refused}")  # it defers to Roost
                got = eventually(lambda: srv.messages(), seconds=60)
                expect(len(got) == 1, f"{len(got)} messages\n{front.log_tail()}")
                text = got[0].decode()
                expect("Subject: via postfix" in text, text[:800])
                expect("by mx.front.test (Postfix)" in text and "with LMTP" in text, text[:800])

                def bounced():
                    log = front.log_tail(200)
                    return ("to=<nobody@example.org>" in log and "status=bounced" in log
                            and "550 5.1.1" in log)
                expect(eventually(bounced, seconds=60),
                       f"no bounce for the unknown user:\n{front.log_tail(60)}")
                log = front.log_tail(200)
                expect("to=<alice@example.org>" in log and "status=sent" in log, log)
            finally:
                front.stop()


if __name__ == "__main__":
    if os.geteuid() != 0:
        # Postfix has no unprivileged mode; CI and `./dev test` run as root here.
        print("skipped: Postfix's master must start as root")
        sys.exit(0)
    run_tests([test_postfix_delivers_through_roost_lmtp_socket])
