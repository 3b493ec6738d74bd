"""Two Roost servers exchanging mail over SMTP on loopback, with their own domains (alpha.test
on 127.0.0.2, beta.test on 127.0.0.3) and a local DNS server (dnsmasq) publishing MX, SPF, DKIM
and DMARC records: mail submitted on one arrives on the other with spf=pass dkim=pass
dmarc=pass, and its DKIM signatures verify with Debian's dkimverify (pointed at that DNS server); a forged sender under p=reject is
refused and one under p=quarantine lands in Junk; a receiver that is down gets the mail once it
is back; an unreachable domain bounces after the (shortened) expiry; messages queued when the
sender is killed with SIGKILL are delivered exactly once after its restart."""
import email
import os
import re
import smtplib
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from local_dns import LocalDns  # noqa: E402
from roost_harness import (MailServer, TempDir, eventually, expect, imap_messages,  # noqa: E402
                           roost, run_tests, unverified_tls, zone_txt_records)

PASSWORD = "exchange test password"
ALPHA_IP, BETA_IP = "127.0.0.2", "127.0.0.3"

# Debian's dkimverify (python3-dkim), unmodified, with dnspython's default resolver pointed at
# the test's DNS server instead of /etc/resolv.conf: argv = [port, signature index].
DKIMVERIFY = r"""
import runpy, sys, dns.resolver
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers, resolver.port = ["127.0.0.1"], int(sys.argv[1])
dns.resolver.default_resolver = resolver
sys.argv = ["/usr/bin/dkimverify", "--index", sys.argv[2]]
runpy.run_path("/usr/bin/dkimverify", run_name="__main__")
"""


def dkimverify(x, message, index):
    p = subprocess.run(["/usr/bin/python3", "-c", DKIMVERIFY, str(x.dns.port), str(index)],
                       input=message, capture_output=True, timeout=60)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace").strip()


def port_free_on_both():
    """A TCP port free on both loopback addresses (the queue uses one remote port for all)."""
    for _ in range(100):
        with socket.socket() as a:
            a.bind((ALPHA_IP, 0))
            port = a.getsockname()[1]
            try:
                with socket.socket() as b:
                    b.bind((BETA_IP, port))
                    return port
            except OSError:
                continue
    raise AssertionError("no common free port")


class Exchange:
    """dnsmasq + the two servers' data dirs; servers are started and stopped by the tests."""

    def __init__(self, max_age=600):
        self.max_age = max_age

    def __enter__(self):
        self.tmp_a, self.tmp_b = TempDir(), TempDir()
        self.dir_a, self.dir_b = self.tmp_a.__enter__(), self.tmp_b.__enter__()
        self.port = port_free_on_both()
        roost("account", "add", "alice", "--password-stdin", "--data-dir", self.dir_a,
              stdin=PASSWORD + "\n", check=0)
        roost("account", "add", "bob", "--password-stdin", "--data-dir", self.dir_b,
              stdin=PASSWORD + "\n", check=0)
        self.records = {}
        for domain, d in (("alpha.test", self.dir_a), ("beta.test", self.dir_b)):
            out = roost("dkim", "generate", domain, "--rsa-bits", "1024", "--data-dir", d,
                        check=0).stdout
            self.records.update(zone_txt_records(out))
        self.dns = LocalDns()
        for domain, ip in (("alpha.test", ALPHA_IP), ("beta.test", BETA_IP)):
            self.dns.add_mx(domain, "mx." + domain)
            self.dns.add_a("mx." + domain, ip)
            self.records[domain] = "v=spf1 ip4:127.0.0.0/8 -all"
            self.records["_dmarc." + domain] = "v=DMARC1; p=reject"
        for domain, policy in (("forged.test", "reject"), ("quarantine.test", "quarantine")):
            self.records[domain] = "v=spf1 ip4:192.0.2.1 -all"
            self.records["_dmarc." + domain] = f"v=DMARC1; p={policy}"
        self.dns.add_mx("gone.test", "mx.gone.test")  # no address: unreachable
        for name, text in self.records.items():
            self.dns.add_txt(name, text)
        self.dns.__enter__()
        self.a = self.b = None
        return self

    def config(self, domain):
        return (f'[server]\nhostname = "mx.{domain}"\n'
                f'[dns]\nresolver = "{self.dns.resolver()}"\ntimeout_ms = 2000\n'
                f"[queue]\nremote_port = {self.port}\nretry_base_seconds = 1\n"
                f"retry_max_seconds = 1\nmax_age_seconds = {self.max_age}\n"
                f'[smtp]\nlocal_domains = ["{domain}"]\n')

    def start_a(self):
        self.a = MailServer(["submission", "smtp", "imaps"], {}, self.config("alpha.test"),
                            data_dir=self.dir_a, addresses={"smtp": f"{ALPHA_IP}:{self.port}"})
        return self.a.__enter__()

    def start_b(self):
        self.b = MailServer(["submission", "smtp", "imaps"], {}, self.config("beta.test"),
                            data_dir=self.dir_b, addresses={"smtp": f"{BETA_IP}:{self.port}"})
        return self.b.__enter__()

    def __exit__(self, *exc):
        for server in (self.a, self.b):
            if server is not None:
                server.__exit__(*exc)
        self.dns.__exit__(*exc)
        self.tmp_a.__exit__(*exc)
        self.tmp_b.__exit__(*exc)


def submit(server, subject, to="bob@beta.test", sender="alice@alpha.test", rcpt_options=()):
    s = smtplib.SMTP("127.0.0.1", server.submission, timeout=15)
    s.starttls(context=unverified_tls())
    s.login("alice", PASSWORD)
    msg = (f"From: Alice <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\r\n"
           f"Hello from alpha.\r\n.leading dot\r\n")
    s.sendmail(sender, [to], msg.encode(), rcpt_options=list(rcpt_options))
    s.quit()


def mailbox(server, user, name="INBOX"):
    return imap_messages(server.imaps, user, PASSWORD, name)


def subjects(messages):
    return sorted(email.message_from_bytes(m)["Subject"] for m in messages)


def test_mail_between_servers_passes_spf_dkim_dmarc():
    with Exchange() as x:
        a, b = x.start_a(), x.start_b()
        submit(a, "across")
        got = eventually(lambda: mailbox(b, "bob"))
        expect(len(got) == 1, got)
        message = got[0]
        text = message.decode()
        results = re.search(r"Authentication-Results: mx\.beta\.test;(.*?)\r\n(?=\S)", text, re.S)
        expect(results, text[:1500])
        verdicts = " ".join(results.group(1).split())
        expect("spf=pass smtp.mailfrom=alice@alpha.test" in verdicts, verdicts)
        expect("dkim=pass header.d=alpha.test header.s=roost-ed25519 header.a=ed25519-sha256"
               in verdicts, verdicts)
        expect("dkim=pass header.d=alpha.test header.s=roost-rsa header.a=rsa-sha256" in verdicts,
               verdicts)
        expect("dmarc=pass (p=reject) header.from=alpha.test" in verdicts, verdicts)
        expect(text.count("DKIM-Signature:") == 2, text[:1500])
        expect("\r\n.leading dot\r\n" in text, "dot-stuffing was not undone")
        for index in (0, 1):  # the ed25519 and the RSA signature
            code, said = dkimverify(x, message, index)
            expect(code == 0 and said == "signature ok", f"dkimverify --index {index}: {said}")
        # The same verifier refuses a changed body (dkimverify 1.1.4 says so with a traceback).
        tampered = message.replace(b"Hello from alpha.", b"Hello from elsewhere.")
        code, said = dkimverify(x, tampered, 0)
        expect(code != 0 and "body hash mismatch" in said, f"tampered: {said}")
        expect(eventually(lambda: "0 messages queued" in roost(
            "queue", "list", "--data-dir", x.dir_a).stdout), "the queue did not empty")


def test_success_report_comes_back_from_the_receiving_server():
    """NOTIFY=SUCCESS travels with the message (beta offers DSN); beta delivers, then sends the
    "delivered" report back to alpha with the null sender, DKIM-signed for beta.test so that
    alpha's DMARC check (p=reject) lets it in."""
    with Exchange() as x:
        a, b = x.start_a(), x.start_b()
        submit(a, "tell me", rcpt_options=["NOTIFY=SUCCESS,FAILURE"])
        expect(len(eventually(lambda: mailbox(b, "bob"))) == 1, "bob got it")
        got = eventually(lambda: [m for m in mailbox(a, "alice") if b"delivery-status" in m])
        expect(len(got) == 1, got)
        text = got[0].decode()
        for want in ("From: Mail Delivery System <MAILER-DAEMON@mx.beta.test>",
                     "Reporting-MTA: dns; mx.beta.test",
                     "Final-Recipient: rfc822; bob@beta.test\r\nAction: delivered\r\n",
                     "dkim=pass header.d=beta.test", "dmarc=pass", "Subject: tell me"):
            expect(want in text, f"report lacks {want!r}:\n{text[:3000]}")
        # alpha handed the message on to a server that reports: no "relayed" report of its own.
        expect("Action: relayed" not in text, text[:3000])


def test_forged_senders_rejected_or_quarantined():
    with Exchange() as x:
        b = x.start_b()
        for domain in ("forged.test", "quarantine.test"):
            # The From: is the victim domain's; the envelope sender is another domain (which
            # passes SPF: libspf2 passes every loopback client), so nothing aligns with From:.
            s = smtplib.SMTP(BETA_IP, x.port, timeout=15)
            s.ehlo("mail.elsewhere.test")
            msg = f"From: ceo@{domain}\r\nTo: bob@beta.test\r\nSubject: wire money\r\n\r\nnow\r\n"
            try:
                s.sendmail("bounces@elsewhere.test", ["bob@beta.test"], msg.encode())
                outcome = "accepted"
            except smtplib.SMTPDataError as e:
                outcome = (e.smtp_code, e.smtp_error.decode())
            s.quit()
            if domain == "forged.test":
                expect(outcome != "accepted" and outcome[0] == 550 and "5.7.1" in outcome[1]
                       and "DMARC" in outcome[1], outcome)
            else:
                expect(outcome == "accepted", outcome)
        expect(mailbox(b, "bob") == [], "forged mail reached the INBOX")
        junk = mailbox(b, "bob", "Junk")
        expect(len(junk) == 1 and b"dmarc=fail (p=quarantine)" in junk[0], junk)


def test_receiver_down_then_back_gets_it_once():
    with Exchange() as x:
        a = x.start_a()
        submit(a, "while you were away")
        listing = eventually(lambda: "1 message queued" in roost(
            "queue", "list", "--data-dir", x.dir_a).stdout and roost(
            "queue", "show", *[line.split()[0] for line in roost(
                "queue", "list", "--data-dir", x.dir_a).stdout.splitlines()[1:2]],
            "--data-dir", x.dir_a).stdout)
        expect(listing and "did not accept a connection" in listing, listing)
        b = x.start_b()
        got = eventually(lambda: mailbox(b, "bob"))
        expect(subjects(got) == ["while you were away"], subjects(got))
        time.sleep(3)  # a few more retry rounds: nothing arrives twice
        expect(len(mailbox(b, "bob")) == 1, "delivered twice")


def test_unreachable_domain_bounces_after_expiry():
    with Exchange(max_age=5) as x:
        a = x.start_a()
        submit(a, "to nowhere", to="carol@gone.test")
        bounces = eventually(lambda: mailbox(a, "alice"))
        expect(len(bounces) == 1, bounces)
        text = bounces[0].decode()
        expect("Undelivered Mail Returned to Sender" in text and "Status: 4.4.7" in text, text)
        expect("carol@gone.test" in text and "for 5 seconds" in text, text)


def test_queue_survives_sigkill():
    with Exchange() as x:
        a = x.start_a()
        for i in range(3):
            submit(a, f"queued {i}")
        expect("3 messages queued" in roost("queue", "list", "--data-dir", x.dir_a).stdout,
               roost("queue", "list", "--data-dir", x.dir_a).stdout)
        a.proc.kill()  # SIGKILL: no shutdown of any kind
        a.proc.wait()
        a.start()
        b = x.start_b()
        got = eventually(lambda: len(mailbox(b, "bob")) == 3 and mailbox(b, "bob"))
        expect(subjects(got) == ["queued 0", "queued 1", "queued 2"], subjects(got or []))
        time.sleep(3)
        expect(len(mailbox(b, "bob")) == 3, "a message arrived twice")


if __name__ == "__main__":
    run_tests([test_mail_between_servers_passes_spf_dkim_dmarc,
               test_success_report_comes_back_from_the_receiving_server,
        test_forged_senders_rejected_or_quarantined,
               test_receiver_down_then_back_gets_it_once,
               test_unreachable_domain_bounces_after_expiry,
               test_queue_survives_sigkill])
