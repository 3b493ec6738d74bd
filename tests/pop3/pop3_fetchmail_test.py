"""fetchmail (a real POP3 client) against Roost's pop3s: with `keep` + `uidl` a second run fetches
nothing and a new message alone is fetched next; with `nokeep` the messages leave the maildrop the
way the account's DELE policy says (gone for `delete`, still in the IMAP INBOX for `keep`).
Delivery goes to an MDA that writes each message to a file, so the bytes can be compared with
what IMAP APPEND stored."""
import os
import shutil
import subprocess
import sys
import tempfile

from pop3_fixture import PASSWORD, USER, Pop3Server, crlf, expect, message, run_tests

FETCHMAIL = shutil.which("fetchmail") or "/usr/bin/fetchmail"

MDA = """import os, sys
out = sys.argv[1]
n = len(os.listdir(out))
with open(os.path.join(out, "%04d.eml" % n), "wb") as f:
    f.write(sys.stdin.buffer.read())
"""


class Fetchmail:
    def __init__(self, server, keep):
        self.server = server
        self.keep = keep

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="roost-fetchmail-")
        self.out = os.path.join(self.dir, "out")
        os.mkdir(self.out)
        mda = os.path.join(self.dir, "mda.py")
        with open(mda, "w") as f:
            f.write(MDA)
        self.rc = os.path.join(self.dir, "fetchmailrc")
        with open(self.rc, "w") as f:
            f.write(f"""set no syslog
set no bouncemail
set invisible
poll 127.0.0.1 service {self.server.pop3s} protocol POP3 uidl timeout 20
  user "{USER}" there with password "{PASSWORD}" is "{USER}" here
  ssl no sslcertck
  {'keep' if self.keep else 'no keep'}
  no rewrite
  no stripcr
  mda "{sys.executable} {mda} {self.out}"
""")
        os.chmod(self.rc, 0o600)
        return self

    def run(self):
        """Runs one poll; returns the files delivered by it, in order."""
        before = set(os.listdir(self.out))
        env = dict(os.environ, HOME=self.dir, FETCHMAILHOME=self.dir)
        p = subprocess.run(
            [FETCHMAIL, "--fetchmailrc", self.rc, "--idfile", os.path.join(self.dir, "ids"),
             "--pidfile", os.path.join(self.dir, "pid"), "--nodetach", "--verbose"],
            capture_output=True, env=env, timeout=45)
        # 0: mail fetched; 1: no mail (fetchmail(1) EXIT CODES).
        expect(p.returncode in (0, 1), f"fetchmail exit {p.returncode}:\n{p.stdout.decode()}\n"
                                       f"{p.stderr.decode()}")
        self.log = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
        new = sorted(set(os.listdir(self.out)) - before)
        out = []
        for name in new:
            with open(os.path.join(self.out, name), "rb") as f:
                out.append(f.read())
        return out

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


def same_message(delivered, stored):
    """fetchmail hands the MDA the message with its own line ends; compare the bytes line by
    line after CRLF normalisation (RETR's form of the stored bytes)."""
    return crlf(delivered.replace(b"\r\n", b"\n")) == crlf(stored)


def test_keep_and_uidl():
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        msgs = [message("fm one"), message("fm two", body="Line\r\n.dotted\r\n..two\r\n"),
                b"From: a@example.com\nSubject: fm bare LF\n\nbare\nline ends\n"]
        s.append(*msgs[:2])
        s.append_raw(msgs[2])
        stored = [m for _, _, m in s.imap_messages()]
        expect(stored == msgs, "IMAP stored bytes differ from APPEND")
        with Fetchmail(s, keep=True) as fm:
            got = fm.run()
            expect(len(got) == 3, f"first run delivered {len(got)}:\n{fm.log}")
            for g, m in zip(got, msgs):
                expect(same_message(g, m), f"delivered bytes differ:\n{g!r}\n{m!r}")
            expect(fm.run() == [], f"second run fetched again:\n{fm.log}")
            s.append(message("fm new"))
            got = fm.run()
            expect(len(got) == 1 and same_message(got[0], message("fm new")),
                   f"third run: {got}\n{fm.log}")
        expect(len(s.imap_messages()) == 4, "keep removed messages")


def test_nokeep_with_delete_policy():
    with Pop3Server(config='[pop3]\ndelete_policy = "delete"\n') as s:
        s.append(message("nk one"), message("nk two"))
        with Fetchmail(s, keep=False) as fm:
            got = fm.run()
            expect(len(got) == 2, f"delivered {len(got)}:\n{fm.log}")
            expect(s.imap_messages() == [], "messages still in INBOX under `delete`")
            expect(fm.run() == [], "second run fetched something")


def test_nokeep_with_keep_policy():
    with Pop3Server(config='[pop3]\ndelete_policy = "keep"\n') as s:
        s.append(message("kp one"), message("kp two"))
        with Fetchmail(s, keep=False) as fm:
            got = fm.run()
            expect(len(got) == 2, f"delivered {len(got)}:\n{fm.log}")
            inbox = s.imap_messages()
            expect(len(inbox) == 2 and all("\\Seen" in f for _, f, _ in inbox),
                   f"IMAP should still see both, read: {inbox}")
            expect(fm.run() == [], "hidden messages were fetched again")


if __name__ == "__main__":
    run_tests([test_keep_and_uidl, test_nokeep_with_delete_policy, test_nokeep_with_keep_policy])
