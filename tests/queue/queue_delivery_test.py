"""The outbound queue in the real server: mail a previous run left queued is delivered to the
remote MX that DNS (a local dnsmasq) names; a recipient the remote server refuses, and one that
stays unreachable past queue.max_age_seconds, come back to the sender's INBOX as delivery status
notifications (read over IMAP); `roost queue list|show|retry|delete`."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from local_dns import LocalDns  # noqa: E402
from roost_harness import (MailServer, TempDir, eventually, expect, imap_messages,  # noqa: E402
                           roost, run_tests)
from scripted_smtp import ScriptedSmtp  # noqa: E402

PASSWORD = "queue-test-password"
MESSAGE = (b"From: alice@a.test\r\nTo: bob@b.test\r\nSubject: queued\r\n\r\n"
           b"first line\r\n.a line that starts with a dot\r\n")


def seed(data_dir, qid, recipients, sender="alice@a.test", account="alice", message=MESSAGE):
    """A queue entry as a previous run of the server leaves it (envelope format version 1)."""
    qdir = os.path.join(data_dir, "queue")
    os.makedirs(qdir, exist_ok=True)
    with open(os.path.join(qdir, qid + ".msg"), "wb") as f:
        f.write(message)
    now = int(time.time())
    lines = ["roost-queue 1", f"sender {sender}", f"account {account}", f"created {now}",
             f"next {now}", "attempts 0", f"size {len(message)}"]
    lines += [f"rcpt pending {r}" for r in recipients]
    with open(os.path.join(qdir, qid + ".env"), "w") as f:
        f.write("\n".join(lines) + "\n")


def config(dns, smtp, max_age=3600):
    return (f'[dns]\nresolver = "{dns.resolver()}"\ntimeout_ms = 2000\n'
            f"[queue]\nremote_port = {smtp.port}\nretry_base_seconds = 1\nretry_max_seconds = 1\n"
            f"max_age_seconds = {max_age}\n")


def inbox_messages(server):
    return imap_messages(server.imaps, "alice", PASSWORD)


def queued(data_dir):
    out = roost("queue", "list", "--data-dir", data_dir, check=0).stdout
    return out


def dns_for_tests():
    dns = LocalDns()
    dns.add_mx("b.test", "mx.b.test")
    dns.add_a("mx.b.test")
    dns.add_mx("gone.test", "mx.gone.test")  # the host has no address: never reachable
    return dns


def test_delivers_and_bounces_refusals():
    with dns_for_tests() as dns, ScriptedSmtp(refuse={"nobody@b.test": "550 5.1.1 no such user"}) as smtp, \
            TempDir() as d:
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d, stdin=PASSWORD + "\n",
              check=0)
        seed(d, "20261124-000000-aaaa01", ["bob@b.test", "nobody@b.test"])
        with MailServer(["imaps"], {}, config=config(dns, smtp), data_dir=d) as server:
            got = eventually(lambda: smtp.received())
            expect(len(got) == 1, got)
            mail_from, rcpts, data = got[0]
            expect(mail_from.startswith("MAIL FROM:<alice@a.test>"), mail_from)
            expect(rcpts == ["bob@b.test"], rcpts)
            # Dot-stuffed on the wire: the receiver sees the line doubled, as RFC 5321 says.
            expect(data == MESSAGE.replace(b"\r\n.a", b"\r\n..a"), data)
            bounces = eventually(lambda: inbox_messages(server))
            expect(len(bounces) == 1, bounces)
            dsn = bounces[0].decode()
            expect("Subject: Undelivered Mail Returned to Sender" in dsn, dsn)
            expect("report-type=delivery-status" in dsn, dsn)
            expect("Final-Recipient: rfc822; nobody@b.test" in dsn and "Status: 5.1.1" in dsn, dsn)
            expect("550 5.1.1 no such user" in dsn, dsn)
            expect("rfc822; bob@b.test" not in dsn, dsn)
            expect(eventually(lambda: "0 messages queued" in queued(d)), queued(d))


def test_unreachable_until_expiry_then_bounce():
    with dns_for_tests() as dns, ScriptedSmtp() as smtp, TempDir() as d:
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d, stdin=PASSWORD + "\n",
              check=0)
        seed(d, "20261124-000000-bbbb02", ["carol@gone.test"])
        with MailServer(["imaps"], {}, config=config(dns, smtp, max_age=4), data_dir=d) as server:
            show = eventually(lambda: "has no address" in roost(
                "queue", "show", "20261124-000000-bbbb02", "--data-dir", d).stdout and roost(
                "queue", "show", "20261124-000000-bbbb02", "--data-dir", d).stdout)
            expect(show and "carol@gone.test (pending)" in show, show)
            bounces = eventually(lambda: inbox_messages(server), seconds=30)
            expect(len(bounces) == 1, bounces)
            dsn = bounces[0].decode()
            expect("Status: 4.4.7" in dsn and "for 4 seconds" in dsn, dsn)
            expect("mx.gone.test" in dsn, dsn)
            expect(smtp.received() == [], smtp.received())


def test_queue_command():
    with TempDir() as d:
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d, stdin=PASSWORD + "\n",
              check=0)
        seed(d, "20261124-000000-cccc03", ["x@b.test", "y@b.test"])
        seed(d, "20261124-000000-dddd04", ["z@gone.test"], sender="")
        out = queued(d)
        expect("2 messages queued" in out, out)
        expect("20261124-000000-cccc03" in out and "2/2" in out and "<>" in out, out)
        show = roost("queue", "show", "20261124-000000-cccc03", "--data-dir", d, check=0).stdout
        expect("x@b.test (pending)" in show and "sender:       alice@a.test" in show, show)
        roost("queue", "retry", "--all", "--data-dir", d, check=0)
        env = open(os.path.join(d, "queue", "20261124-000000-dddd04.env")).read()
        expect("next 0\n" in env, env)
        out = roost("queue", "delete", "20261124-000000-cccc03", "--data-dir", d, check=0).stdout
        expect("deleted 20261124-000000-cccc03" in out, out)
        expect("1 message queued" in queued(d), queued(d))
        missing = roost("queue", "show", "20261124-000000-cccc03", "--data-dir", d, check=1)
        expect("no queued message 20261124-000000-cccc03" in missing.stderr, missing.stderr)
        bad = roost("queue", "delete", "../../etc/passwd", "--data-dir", d, check=1)
        expect("no queued message" in bad.stderr, bad.stderr)
        usage = roost("queue", "retry", "--data-dir", d)
        expect(usage.returncode != 0, usage)


if __name__ == "__main__":
    run_tests([test_delivers_and_bounces_refusals, test_unreachable_until_expiry_then_bounce,
               test_queue_command])
