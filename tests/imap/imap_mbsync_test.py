"""A real client nobody here wrote: isync's mbsync syncs a Roost account over imaps (trusting the
server's self-signed certificate through CertificateFile) with a local Maildir store, in both
directions (Sync All, Create Both, Expunge Both). Checked from both sides after each run:
- server messages (with flags) arrive with the right flag letters in the maildir file names;
- local flag changes, a local new message and a local deletion reach the server;
- a folder made locally appears on the server, a folder made on the server appears locally;
- a second run with nothing changed changes nothing on either side;
- a flag change, an EXPUNGE and a MOVE done on the server between runs arrive locally;
- after a server restart UIDVALIDITY is the same, mbsync syncs on without a full resync or
  duplicates, and a new message still arrives.
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_session_test import PASSWORD, USER, ImapServer  # noqa: E402
from roost_harness import ROOST, expect, run_tests  # noqa: E402

MBSYNC = shutil.which("mbsync") or "/usr/bin/mbsync"
SERVER_FOLDERS = ("Sent", "Drafts", "Trash", "Junk", "Archive")


def message(subject, body="Hello from the test.\r\n"):
    return (f"From: Tester <tester@example.com>\r\nTo: {USER}@example.com\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@mbsync.test>\r\n"
            f"Date: Thu, 1 Feb 2024 10:00:00 +0000\r\n\r\n{body}").encode()


class Sync:
    """The mbsync configuration, the local Maildir and how to run it."""

    def __init__(self, server, root):
        self.server = server
        self.root = root
        self.mail = os.path.join(root, "mail")
        self.config = os.path.join(root, "mbsyncrc")
        os.makedirs(self.mail)
        cert = os.path.join(server.dir, "tls", "cert.pem")
        expect(os.path.exists(cert), f"no self-signed certificate at {cert}")
        with open(self.config, "w") as f:
            f.write(f"""IMAPAccount roost
Host 127.0.0.1
Port {server.imaps}
User {USER}
Pass "{PASSWORD}"
SSLType IMAPS
CertificateFile {cert}
Timeout 20

IMAPStore roost-far
Account roost

MaildirStore local-near
Path {self.mail}/
Inbox {self.mail}/INBOX
SubFolders Verbatim

Channel roost
Far :roost-far:
Near :local-near:
Patterns *
Create Both
Expunge Both
Sync All
SyncState *
CopyArrivalDate yes
""")

    def run(self, label):
        p = subprocess.run([MBSYNC, "-c", self.config, "-a"], capture_output=True, text=True,
                           timeout=40, cwd=self.root)
        expect(p.returncode == 0,
               f"{label}: mbsync exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        # A new local folder gets its own UIDVALIDITY: the only notice that is not a complaint.
        noisy = [line for line in (p.stdout + p.stderr).splitlines()
                 if re.search(r"error|warning|UIDVALIDITY", line, re.I)
                 and line != "Maildir notice: no UIDVALIDITY, creating new."]
        expect(not noisy, f"{label}: mbsync complained: {noisy}")
        return p.stdout + p.stderr

    # --- the local side ---

    def folder(self, name):
        return os.path.join(self.mail, name)

    def local(self, name):
        """{subject: (file path, maildir flag letters)} of one local folder."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.folder(name), sub)
            if not os.path.isdir(d):
                continue
            for fname in sorted(os.listdir(d)):
                path = os.path.join(d, fname)
                with open(path, "rb") as f:
                    data = f.read()
                m = re.search(rb"^Subject: (.*?)\r?$", data, re.M)
                expect(m, f"{path}: no Subject")
                subject = m.group(1).decode()
                expect(subject not in out, f"{name}: {subject!r} twice locally")
                info = fname.split(":2,", 1)[1] if ":2," in fname else ""
                out[subject] = (path, "".join(sorted(info)))
        return out

    def local_folders(self):
        found = set()
        for dirpath, dirnames, _ in os.walk(self.mail):
            if {"cur", "new", "tmp"} <= set(dirnames):
                found.add(os.path.relpath(dirpath, self.mail))
        return found

    def snapshot(self):
        """Every file under the Maildir (name and bytes), sync state files excluded."""
        files = {}
        for dirpath, _, names in os.walk(self.mail):
            for n in names:
                if n.startswith(".mbsyncstate") or n == ".uidvalidity":
                    continue
                path = os.path.join(dirpath, n)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, self.mail)] = f.read()
        return files


# --- the server side, through imaplib ---

def connect(server):
    return server.tls()


def server_messages(c, mailbox):
    """{subject: (uid, set of flags, bytes)}"""
    typ, data = c.select(f'"{mailbox}"', readonly=True)
    expect(typ == "OK", data)
    out = {}
    if int(data[0]) == 0:
        return out
    typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
    expect(typ == "OK", data)
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        uid = int(re.search(rb"UID (\d+)", head).group(1))
        flags = set(re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split())
        flags.discard("\\Recent")
        subject = re.search(rb"^Subject: (.*?)\r$", body, re.M).group(1).decode()
        expect(subject not in out, f"{mailbox}: {subject!r} twice on the server")
        out[subject] = (uid, flags, body)
    return out


def server_folders(c):
    typ, data = c.list('""', "*")
    expect(typ == "OK", data)
    names = set()
    for line in data:
        m = re.match(rb'\(([^)]*)\) (?:"."|NIL) "?(.*?)"?$', line)
        expect(m, line)
        names.add(m.group(2).decode())
    return names


def server_state(server):
    c = connect(server)
    try:
        state = {}
        for name in sorted(server_folders(c)):
            typ, data = c.status(f'"{name}"', "(MESSAGES UIDNEXT UIDVALIDITY)")
            expect(typ == "OK", data)
            msgs = server_messages(c, name)
            state[name] = (data[0], {s: (u, sorted(f)) for s, (u, f, _) in msgs.items()})
        return state
    finally:
        c.logout()


def uidvalidities(server):
    return {name: re.search(rb"UIDVALIDITY (\d+)", st).group(1) for name, (st, _) in
            server_state(server).items()}


def append(c, mailbox, subject, flags=None):
    typ, data = c.append(f'"{mailbox}"', flags, None, message(subject))
    expect(typ == "OK", data)


def letters(flags):
    table = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S",
             "\\Deleted": "T"}
    return "".join(sorted(table[f] for f in flags if f in table))


def restart(s):
    """Stops `roost serve` gracefully and starts it again on the same data dir and ports."""
    s.proc.terminate()
    expect(s.proc.wait(timeout=30) == 0, f"server did not stop cleanly:\n{s.output()}")
    env = dict(os.environ)
    s.proc = subprocess.Popen(
        [ROOST, "serve", "--data-dir", s.dir,
         "--listen", f"imap=127.0.0.1:{s.imap}", "--listen", f"imaps=127.0.0.1:{s.imaps}"],
        stdout=s.log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 15
    while time.time() < deadline:
        expect(s.proc.poll() is None, f"server exited on restart:\n{s.output()}")
        try:
            s.tls(login=False).logout()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the restarted server did not come up")


def test_mbsync_two_way_sync():
    expect(os.access(MBSYNC, os.X_OK), f"mbsync not installed at {MBSYNC} (Debian: isync)")
    started = time.time()
    with ImapServer() as s:
        root = os.path.join(s.dir, "client")
        os.makedirs(root)
        sync = Sync(s, root)

        # --- 1. server -> local, with flags, and the server's folders ---
        c = connect(s)
        append(c, "INBOX", "one", "(\\Seen)")
        append(c, "INBOX", "two", "(\\Flagged \\Answered)")
        append(c, "INBOX", "three")
        append(c, "INBOX", "four", "(\\Seen \\Draft)")
        append(c, "Archive", "archived", "(\\Seen)")
        typ, data = c.create('"Server Made"')
        expect(typ == "OK", data)
        append(c, "Server Made", "from the server folder")
        c.logout()
        sync.run("first sync")
        local = sync.local("INBOX")
        expect(set(local) == {"one", "two", "three", "four"}, local)
        for subject, flags in (("one", "S"), ("two", "FR"), ("three", ""), ("four", "DS")):
            expect(local[subject][1] == flags,
                   f"{subject}: local flags {local[subject][1]!r}, want {flags!r}")
        with open(local["two"][0], "rb") as f:  # mbsync adds its X-TUID header to local copies
            got = re.sub(rb"(?m)^X-TUID: .*\n", b"", f.read())
            expect(got == message("two").replace(b"\r\n", b"\n"),
                   f"the local copy of 'two' differs from what the server holds: {got!r}")
        folders = sync.local_folders()
        for name in ("INBOX", "Server Made", *SERVER_FOLDERS):
            expect(name in folders, f"folder {name} not created locally: {sorted(folders)}")
        expect(set(sync.local("Archive")) == {"archived"}, sync.local("Archive"))
        expect(set(sync.local("Server Made")) == {"from the server folder"},
               sync.local("Server Made"))

        # --- 2. local -> server: flags, a new message, a deletion, a new (nested) folder ---
        path, _ = local["two"]
        os.rename(path, re.sub(r":2,.*$", ":2,RS", path))   # \Seen added, \Flagged removed
        path, _ = local["three"]  # unseen: maybe in new/, where a name carries no flags
        base = os.path.basename(path).split(":2,", 1)[0]
        os.rename(path, os.path.join(sync.folder("INBOX"), "cur", base + ":2,F"))
        os.remove(local["four"][0])
        new_local = message("made locally", "Written into the Maildir.\r\n").replace(b"\r\n",
                                                                                     b"\n")
        with open(os.path.join(sync.folder("INBOX"), "new", "1700000000.R1.testhost"), "wb") as f:
            f.write(new_local)
        nested = sync.folder("Projects/Roost")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(nested, sub))
        with open(os.path.join(nested, "cur", "1700000001.R2.testhost:2,S"), "wb") as f:
            f.write(message("in a local folder").replace(b"\r\n", b"\n"))
        sync.run("second sync")
        c = connect(s)
        inbox = server_messages(c, "INBOX")
        expect(set(inbox) == {"one", "two", "three", "made locally"}, sorted(inbox))
        expect(inbox["two"][1] == {"\\Seen", "\\Answered"}, inbox["two"][1])
        expect(inbox["three"][1] == {"\\Flagged"}, inbox["three"][1])
        # mbsync marks what it uploads with an X-TUID header (its crash journal); the rest of
        # the bytes arrive as written, with CRLF line ends on the wire.
        uploaded = re.sub(rb"(?m)^X-TUID: .*\r\n", b"", inbox["made locally"][2])
        expect(uploaded == new_local.replace(b"\n", b"\r\n"),
               f"uploaded bytes differ: {uploaded!r}")
        names = server_folders(c)
        expect("Projects/Roost" in names, f"local folder not created on the server: {names}")
        roost_folder = server_messages(c, "Projects/Roost")
        expect({k: v[1] for k, v in roost_folder.items()} == {"in a local folder": {"\\Seen"}},
               roost_folder)
        c.logout()
        local = sync.local("INBOX")
        expect(set(local) == {"one", "two", "three", "made locally"}, sorted(local))

        # --- 3. nothing changed: nothing changes ---
        before_server, before_local = server_state(s), sync.snapshot()
        sync.run("idle sync")
        expect(server_state(s) == before_server, "a sync without changes changed the server")
        after_local = sync.snapshot()
        expect(after_local == before_local,
               f"a sync without changes changed the Maildir: "
               f"{sorted(set(after_local) ^ set(before_local))}")

        # --- 4. server changes between runs: a flag, an expunge, a move ---
        c = connect(s)
        c.select("INBOX")
        uids = {k: v[0] for k, v in server_messages(c, "INBOX").items()}
        c.select("INBOX")
        expect(c.uid("STORE", str(uids["one"]), "+FLAGS", "(\\Flagged)")[0] == "OK", "STORE")
        expect(c.uid("STORE", str(uids["made locally"]), "+FLAGS", "(\\Deleted)")[0] == "OK",
               "STORE \\Deleted")
        expect(c.expunge()[0] == "OK", "EXPUNGE")
        typ, data = c.uid("MOVE", str(uids["three"]), "Archive")
        expect(typ == "OK", data)
        c.logout()
        sync.run("sync after server changes")
        local = sync.local("INBOX")
        expect(set(local) == {"one", "two"}, sorted(local))
        expect(local["one"][1] == "FS", local["one"])
        archive = sync.local("Archive")
        expect(set(archive) == {"archived", "three"}, sorted(archive))
        expect(archive["three"][1] == "F", archive["three"])

        # --- 5. a restart keeps UIDVALIDITY; mbsync carries on without a resync ---
        validity = uidvalidities(s)
        before_local = sync.snapshot()
        restart(s)
        expect(uidvalidities(s) == validity, "UIDVALIDITY changed across a restart")
        out = sync.run("sync after restart")
        # mbsync waits out the current second when a maildir changed in it (its timestamps
        # have one-second resolution) and says so: that is about the local disk, not the server.
        said = [line for line in out.splitlines()
                if line.strip() and "sleeping due to recent directory modification" not in line]
        expect(not said, f"mbsync had something to say after a restart: {out}")
        expect(sync.snapshot() == before_local, "the Maildir changed after a restart")
        c = connect(s)
        append(c, "INBOX", "after restart", "(\\Flagged)")
        c.logout()
        sync.run("sync after restart and append")
        local = sync.local("INBOX")
        expect(set(local) == {"one", "two", "after restart"}, sorted(local))
        expect(local["after restart"][1] == "F", local["after restart"])
        # In the end both sides hold the same messages with the same flags in every folder.
        final = server_state(s)
        expect(set(final) == sync.local_folders(), (sorted(final), sorted(sync.local_folders())))
        for name, (_, msgs) in final.items():
            server_side = {subject: letters(flags) for subject, (_, flags) in msgs.items()}
            local_side = {subject: flags for subject, (_, flags) in sync.local(name).items()}
            expect(server_side == local_side, f"{name}: server {server_side} != local {local_side}")
        print(f"  mbsync: 7 runs in {time.time() - started:.1f}s")


if __name__ == "__main__":
    run_tests([test_mbsync_two_way_sync])
