#!/usr/bin/env python3
"""End-to-end `roost import mbox|maildir` against the real binary.

Builds an mbox (mboxrd escaping, LF endings, 8-bit bytes, a last message without a final
newline) and a Maildir++ tree (INBOX, nested and mUTF-7 folders, flags, new/ and cur/,
dovecot-keywords); imports both; checks mailboxes, flags, internal dates and the exact
stored bytes (source bytes with bare LF turned into CRLF); re-runs both imports and checks
that nothing is imported twice.
"""
import datetime
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOST = os.environ.get("ROOST_BIN", "build/roost")
LIST_LINE = re.compile(r"^(\d+) \((.*)\) (\S+) (\d+) ([0-9a-f]{64})$")
PROGRESS = re.compile(r"^import: (\d+)/(\d+) messages \(([\d.]+) MB\) imported=(\d+) skipped=(\d+)")


def crlf(data: bytes) -> bytes:
    """The import line-ending policy: bare LF becomes CRLF, everything else is kept."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def mboxrd_escape(body: bytes) -> bytes:
    return re.sub(rb"^(>*From )", rb">\1", body, flags=re.MULTILINE)


class Roost:
    def __init__(self, data_dir):
        self.data_dir = data_dir

    def run(self, *args, stdin=None, check=True):
        cmd = [ROOST, *args, "--data-dir", self.data_dir]
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{cmd} exited {p.returncode}\nstdout: {p.stdout.decode(errors='replace')}"
                                 f"\nstderr: {p.stderr.decode(errors='replace')}")
        return p

    def messages(self, account, mailbox):
        out = self.run("message", "list", account, mailbox).stdout.decode()
        rows = []
        for line in out.splitlines():
            m = LIST_LINE.match(line)
            assert m, f"bad message list line: {line!r}"
            rows.append({"uid": int(m[1]), "flags": m[2].split() if m[2] else [],
                         "date": m[3], "size": int(m[4]), "blob": m[5]})
        return rows

    def cat(self, account, mailbox, uid):
        return self.run("message", "cat", account, mailbox, str(uid)).stdout

    def mailbox_counts(self, account):
        out = self.run("mailbox", "list", account).stdout.decode()
        counts = {}
        for line in out.splitlines()[1:]:
            m = re.match(r"^(\S+)\s+\S+\s+(\d+)\s", line)
            if m:
                counts[m[1]] = int(m[2])
        return counts


def iso(ts, tz_minutes=0):
    tz = datetime.timezone(datetime.timedelta(minutes=tz_minutes))
    return datetime.datetime.fromtimestamp(ts, tz).isoformat()


def build_mbox(path):
    """Returns the expected stored messages (bytes, internal date ISO)."""
    msgs = [
        (b"From alice@example.com Sat Jan  3 01:05:34 1996\n",
         b"From: alice@example.com\nSubject: escapes\n\nFrom the top\n>From quoted\n"
         b">>From deeper\nend\n", iso(820631134)),
        (b"From bob@example.com Mon Feb  5 10:00:00 2001\n",
         b"From: bob@example.com\nSubject: =?utf-8?q?8bit?=\nContent-Type: text/plain; charset=utf-8\n"
         b"Content-Transfer-Encoding: 8bit\n\nGr\xc3\xbc\xc3\x9fe, caf\xc3\xa9 \xe2\x82\xac 100\n"
         b"latin1: \xe9\xe8\n", iso(981367200)),
        (b"From carol@example.com Tue Mar  6 12:34:56 2018\n",
         b"From: carol@example.com\nSubject: blank lines\n\n\n\nparagraph after blanks\n\n",
         iso(1520339696)),
        (b"From dave@example.com Wed Apr  7 08:00:00 2021\n",
         b"From: dave@example.com\nSubject: no final newline\n\nlast line without newline",
         iso(1617782400)),
    ]
    data = b""
    for i, (from_line, body, _) in enumerate(msgs):
        data += from_line + mboxrd_escape(body)
        if i != len(msgs) - 1:
            data += b"\n"  # the mbox separator blank line
    with open(path, "wb") as f:
        f.write(data)
    return [(crlf(body), date) for _, body, date in msgs]


def build_maildir(root):
    """Returns {mailbox: [(bytes, sorted flags, mtime)]} in delivery order."""
    expected = {}

    def put(folder_dir, mailbox, sub, name, body, flags, mtime):
        d = os.path.join(root, folder_dir, sub)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(body)
        os.utime(p, (mtime, mtime))
        expected.setdefault(mailbox, []).append((crlf(body), sorted(flags), mtime))

    for folder in ["", ".Work", ".Work.Projects", ".&AMk-t&AOk-"]:
        for sub in ["cur", "new", "tmp"]:
            os.makedirs(os.path.join(root, folder, sub), exist_ok=True)
    with open(os.path.join(root, "dovecot-keywords"), "w") as f:
        f.write("0 $Label1\n1 Urgent\n")
    with open(os.path.join(root, ".Work.Projects", "dovecot-keywords"), "w") as f:
        f.write("0 Project\n")
    for name in ["dovecot-uidlist", "subscriptions"]:
        with open(os.path.join(root, name), "w") as f:
            f.write("ignored\n")

    put("", "INBOX", "cur", "1600000001.M1.host:2,FS",
        b"Subject: flagged seen\n\nbody 1\n", ["\\Flagged", "\\Seen"], 1600000001)
    put("", "INBOX", "cur", "1600000002.M2.host:2,RSa",
        b"Subject: answered\r\n\r\nalready CRLF\r\n", ["\\Answered", "\\Seen", "$Label1"], 1600000002)
    put("", "INBOX", "cur", "1600000003.M3.host:2,DTb",
        b"Subject: draft deleted\n\nx\n", ["\\Deleted", "\\Draft", "Urgent"], 1600000003)
    put("", "INBOX", "new", "1600000004.M4.host",
        b"Subject: new\n\nunseen \xe2\x9c\x93\n", [], 1600000004)
    put(".Work", "Work", "cur", "1600000010.M5.host:2,S",
        b"Subject: work\n\nw\n", ["\\Seen"], 1600000010)
    put(".Work.Projects", "Work/Projects", "cur", "1600000020.M6.host:2,a",
        b"Subject: project\n\np\n", ["Project"], 1600000020)
    put(".Work.Projects", "Work/Projects", "new", "1600000021.M7.host",
        b"Subject: project 2\n\np2\n", [], 1600000021)
    put(".&AMk-t&AOk-", "\u00c9t\u00e9", "cur", "1600000030.M8.host:2,",
        b"Subject: summer\n\ns\n", [], 1600000030)
    return expected


def progress_lines(stderr: bytes):
    return [PROGRESS.match(l) for l in stderr.decode(errors="replace").splitlines()
            if PROGRESS.match(l)]


def check_mailbox(roost, account, mailbox, expected):
    rows = roost.messages(account, mailbox)
    assert len(rows) == len(expected), f"{mailbox}: {len(rows)} messages, want {len(expected)}"
    for row, exp in zip(rows, expected):
        body = exp["bytes"]
        assert row["blob"] == hashlib.sha256(body).hexdigest(), f"{mailbox} uid {row['uid']}: blob"
        assert row["size"] == len(body), f"{mailbox} uid {row['uid']}: size"
        assert row["date"] == exp["date"], f"{mailbox} uid {row['uid']}: date {row['date']} != {exp['date']}"
        if "flags" in exp:
            assert sorted(row["flags"]) == exp["flags"], f"{mailbox} uid {row['uid']}: {row['flags']}"
        got = roost.cat(account, mailbox, row["uid"])
        assert got == body, f"{mailbox} uid {row['uid']}: bytes differ\n{got!r}\n{body!r}"
    return rows


def main():
    tmp = tempfile.mkdtemp(prefix="roost-import-test-")
    try:
        roost = Roost(os.path.join(tmp, "var"))
        roost.run("account", "add", "alice", "--password-stdin", stdin=b"secret-pw\n")
        roost.run("account", "add", "bob", "--password-stdin", stdin=b"secret-pw\n")

        # --- mbox into a new nested mailbox ---
        mbox = os.path.join(tmp, "old.mbox")
        mbox_expected = [{"bytes": b, "date": d, "flags": []} for b, d in build_mbox(mbox)]
        p = roost.run("import", "mbox", mbox, "--account", "alice", "--mailbox", "Lists/Old")
        lines = progress_lines(p.stderr)
        assert lines, f"no progress lines on stderr: {p.stderr!r}"
        last = lines[-1]
        assert (last[1], last[2], last[4], last[5]) == ("4", "4", "4", "0"), last[0]
        assert b"imported 4" in p.stdout, p.stdout
        check_mailbox(roost, "alice", "Lists/Old", mbox_expected)
        counts = roost.mailbox_counts("alice")
        assert counts.get("Lists/Old") == 4 and counts.get("INBOX") == 0, counts
        assert "Lists" in counts, counts

        # --- Maildir++ tree ---
        maildir = os.path.join(tmp, "Maildir")
        md_expected = build_maildir(maildir)
        p = roost.run("import", "maildir", maildir, "--account", "bob")
        last = progress_lines(p.stderr)[-1]
        assert (last[1], last[2], last[4], last[5]) == ("8", "8", "8", "0"), last[0]
        for mailbox, msgs in md_expected.items():
            check_mailbox(roost, "bob", mailbox, [
                {"bytes": b, "flags": f, "date": iso(t)} for b, f, t in msgs])
        counts = roost.mailbox_counts("bob")
        for mailbox, msgs in md_expected.items():
            assert counts.get(mailbox) == len(msgs), (mailbox, counts)

        # --- re-runs import nothing and change nothing ---
        before = {m: roost.messages("bob", m) for m in md_expected}
        p = roost.run("import", "maildir", maildir, "--account", "bob")
        last = progress_lines(p.stderr)[-1]
        assert (last[1], last[4], last[5]) == ("8", "0", "8"), last[0]
        assert b"imported 0, skipped 8" in p.stdout, p.stdout
        assert {m: roost.messages("bob", m) for m in md_expected} == before

        p = roost.run("import", "mbox", mbox, "--account", "alice", "--mailbox", "Lists/Old")
        last = progress_lines(p.stderr)[-1]
        assert (last[1], last[4], last[5]) == ("4", "0", "4"), last[0]
        check_mailbox(roost, "alice", "Lists/Old", mbox_expected)

        # --- errors are clear and non-zero ---
        p = roost.run("import", "mbox", mbox, "--account", "nobody", check=False)
        assert p.returncode != 0 and b"roost:" in p.stderr, p
        p = roost.run("import", "maildir", os.path.join(tmp, "missing"), "--account", "bob",
                      check=False)
        assert p.returncode != 0 and b"roost:" in p.stderr, p
        p = roost.run("message", "cat", "bob", "INBOX", "999", check=False)
        assert p.returncode != 0 and p.stdout == b"", p
        # --- the account quota refuses what does not fit, and says so ---
        qdir = os.path.join(tmp, "quota")
        os.makedirs(qdir)
        conf = os.path.join(qdir, "roost.toml")
        with open(conf, "w") as f:
            f.write("[quota]\nmessages = 2\n")
        qroost = Roost(os.path.join(qdir, "var"))
        qroost.run("account", "add", "carol", "--password-stdin", stdin=b"secret-pw\n")
        p = qroost.run("import", "mbox", mbox, "--account", "carol", "--config", conf,
                       check=False)
        assert p.returncode == 1, p
        assert b"quota" in (p.stdout + p.stderr).lower(), p
        assert qroost.mailbox_counts("carol")["INBOX"] <= 2, qroost.mailbox_counts("carol")
        print("import_test: ok")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
