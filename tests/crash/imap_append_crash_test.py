#!/usr/bin/env python3
"""kill -9 of `roost serve` while IMAP clients APPEND: a message acknowledged with APPEND OK is on
disk and survives, with its bytes and flags, whatever the moment of the kill.

Four client threads APPEND messages of 1 KiB to 2 MiB (some MULTIAPPEND, some with flags and
keywords, synchronizing and LITERAL+ literals) to INBOX and "Crash/Other" over imaps. Every
acknowledged APPENDUID is recorded (UIDVALIDITY, UID, SHA-256 of the bytes, flags). The server is
killed with SIGKILL at least 10 times, in turn mid-literal of a large message, right after an OK
and at a random moment; it is restarted on the same data dir each time and then:
- its start is clean: no error event, tmp/ empty, and after a mid-literal kill the repair
  summary says it removed the half-written temp file;
- every acknowledged message is there under its UID with the same SHA-256 and flags (bytes
  compared in full for a sample); anything ever seen after a restart stays there unchanged;
- no message appears that was never sent, none twice; a MULTIAPPEND is there whole or not at all;
- UIDVALIDITY never changes, UIDNEXT is above every UID, a UID never names other content;
- STATUS MESSAGES and SIZE agree with what FETCH lists.
Deterministic content: message bytes derive from the seed (ROOST_CRASH_SEED overrides it,
ROOST_CRASH_KILLS the number of kills); thread timing decides only which of them get sent.
"""
import base64
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from roost_harness import ROOST, unverified_tls  # noqa: E402
SEED = int(os.environ.get("ROOST_CRASH_SEED", "20240301"))
KILLS = int(os.environ.get("ROOST_CRASH_KILLS", "12"))
THREADS = 4
USER, PASSWORD = "alice", "crash-test-pw"
MAILBOXES = ("INBOX", "Crash/Other")
FLAG_POOL = ("\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Forwarded", "$Label1",
             "Project_X", "$Junk")
CHUNK = 64 * 1024
BIG = 256 * 1024  # a literal this large is where "mid-literal" kills aim


def log(text):
    print(f"imap_append_crash: {text}", flush=True)


# ----- messages ----------------------------------------------------------------------------------

def message_size(rng):
    r = rng.random()
    if r < 0.65:
        return rng.randint(1024, 16 * 1024)
    if r < 0.88:
        return rng.randint(16 * 1024, 256 * 1024)
    return rng.randint(256 * 1024, 2 * 1024 * 1024)


def make_message(key, size):
    """Distinct bytes for a key, exactly `size` long, CRLF lines; same key and size, same bytes."""
    rng = random.Random(f"{SEED}/{key}")
    head = (f"From: sender{rng.randrange(50)}@example.com\r\nTo: {USER}@example.com\r\n"
            f"Subject: crash append {key}\r\nMessage-ID: <{key}.{SEED}@crash.test>\r\n"
            f"Date: Thu, 1 Feb 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=us-ascii\r\n\r\n").encode()
    need = max(0, size - len(head))
    raw = rng.randbytes(need * 3 // 4 + 3)
    body = base64.encodebytes(raw).replace(b"\n", b"\r\n")[:need]
    if not body.endswith(b"\r\n"):
        body = body[:-2] + b"\r\n" if len(body) >= 2 else b"\r\n"
    return head + body


def sha(data):
    return hashlib.sha256(data).hexdigest()


# ----- what the clients sent and what the server acknowledged -------------------------------------

class Ledger:
    """Every message sent (key -> record) and every acknowledgement, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = {}        # sha -> {"key", "size", "mailbox", "flags", "group"}
        self.groups = {}      # group id -> [sha, ...] (one APPEND command, all or nothing)
        self.acked = {}       # (mailbox, uid) -> sha
        self.uidvalidity = {}  # mailbox -> first UIDVALIDITY seen
        self.problems = []

    def register(self, group, mailbox, items):
        with self.lock:
            shas = []
            for key, data, flags in items:
                h = sha(data)
                assert h not in self.sent, f"generator produced the same bytes twice ({key})"
                self.sent[h] = {"key": key, "size": len(data), "mailbox": mailbox,
                                "flags": frozenset(flags), "group": group}
                shas.append(h)
            self.groups[group] = shas

    def acknowledge(self, mailbox, uidvalidity, uids, shas):
        with self.lock:
            known = self.uidvalidity.setdefault(mailbox, uidvalidity)
            if known != uidvalidity:
                self.problems.append(f"{mailbox}: APPENDUID UIDVALIDITY {uidvalidity} != {known}")
            if len(uids) != len(shas):
                self.problems.append(f"{mailbox}: APPENDUID has {len(uids)} UIDs for "
                                     f"{len(shas)} messages")
            for uid, h in zip(uids, shas):
                old = self.acked.get((mailbox, uid))
                if old is not None and old != h:
                    self.problems.append(f"{mailbox}: UID {uid} acknowledged twice")
                self.acked[(mailbox, uid)] = h


# ----- a small IMAP client that can tell exactly what was acknowledged ----------------------------

class Closed(Exception):
    pass


class Client:
    def __init__(self, port, timeout=30):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = unverified_tls().wrap_socket(raw)
        self.buf = b""
        self.n = 0
        greeting = self.line()
        if not greeting.startswith(b"* OK"):
            raise AssertionError(f"greeting {greeting!r}")
        # RFC 7888: LITERAL+ allows any non-synchronizing literal, LITERAL- only up to 4096 bytes.
        self.literal_plus = b" LITERAL+" in greeting
        self.command(f'LOGIN {USER} "{PASSWORD}"')

    def line(self):
        while b"\r\n" not in self.buf:
            try:
                chunk = self.sock.recv(1 << 16)
            except (OSError, ssl.SSLError) as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        pieces, have = [self.buf], len(self.buf)
        while have < n:
            try:
                chunk = self.sock.recv(1 << 20)
            except (OSError, ssl.SSLError) as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("connection closed")
            pieces.append(chunk)
            have += len(chunk)
        data = b"".join(pieces)
        data, self.buf = data[:n], data[n:]
        return data

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e))

    def tag(self):
        self.n += 1
        return f"T{self.n}"

    def responses(self, tag):
        """Untagged responses (with their literals spliced in as bytes) and the tagged line."""
        untagged = []
        while True:
            line = self.line()
            parts = [line]
            while True:
                m = re.search(rb"\{(\d+)\}$", line)
                if not m:
                    break
                parts.append(self.exact(int(m.group(1))))
                line = self.line()
                parts.append(line)
            if parts[0].startswith(tag.encode() + b" "):
                return untagged, parts[0]
            untagged.append(parts)

    def command(self, text, ok=True):
        tag = self.tag()
        self.send(f"{tag} {text}\r\n".encode())
        untagged, done = self.responses(tag)
        if ok and not done.startswith(f"{tag} OK".encode()):
            raise AssertionError(f"{text[:60]} -> {done!r}")
        return untagged, done

    def wait_continuation(self, tag):
        line = self.line()
        if line.startswith(b"+"):
            return
        raise AssertionError(f"APPEND: no continuation, got {line!r} ({tag})")

    def append(self, mailbox, items, use_plus, on_progress=None):
        """APPEND (MULTIAPPEND when several items); returns (uidvalidity, [uid]) from APPENDUID."""
        tag = self.tag()
        head = f'{tag} APPEND "{mailbox}"'.encode()
        for i, (_key, data, flags) in enumerate(items):
            plus = use_plus and (len(data) <= 4096 or (self.literal_plus and len(data) < BIG))
            prefix = head if i == 0 else b""
            flag_text = (" (" + " ".join(flags) + ")").encode() if flags else b""
            self.send(prefix + flag_text + b" {%d%s}\r\n" % (len(data), b"+" if plus else b""))
            if not plus:
                self.wait_continuation(tag)
            for off in range(0, len(data), CHUNK):
                self.send(data[off:off + CHUNK])
                if on_progress:
                    on_progress(len(data), off + CHUNK)
        self.send(b"\r\n")
        _untagged, done = self.responses(tag)
        m = re.match(rb"\S+ OK \[APPENDUID (\d+) ([0-9:,]+)\]", done)
        if not m:
            raise AssertionError(f"APPEND refused: {done!r}")
        uids = []
        for piece in m.group(2).decode().split(","):
            a, _, b = piece.partition(":")
            lo, hi = int(a), int(b or a)
            uids.extend(range(min(lo, hi), max(lo, hi) + 1))
        return int(m.group(1)), uids

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ----- the server ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, logs_dir):
        self.data_dir = data_dir
        self.logs_dir = logs_dir
        self.runs = 0
        self.proc = None
        self.port = None

    def start(self):
        self.runs += 1
        self.port = free_port()
        self.log_path = os.path.join(self.logs_dir, f"serve-{self.runs}.log")
        env = dict(os.environ)
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [ROOST, "serve", "--data-dir", self.data_dir,
                 "--listen", f"imaps=127.0.0.1:{self.port}"],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server run {self.runs} exited {self.proc.returncode}:\n"
                                     f"{self.output()}")
            # Log lines reach the file through a flusher thread: serve.start (written once every
            # listener is up) is the sign the start-up lines are all there.
            if "event=serve.start" in self.output():
                socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
                return
            time.sleep(0.02)
        raise AssertionError(f"server run {self.runs} did not start:\n{self.output()}")

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


# ----- the appending clients ----------------------------------------------------------------------

class Round:
    """Signals the clients raise for the kill scheduler, reset for every server run."""

    def __init__(self):
        self.stop = threading.Event()
        self.arm_mid_literal = threading.Event()  # set: a client halfway into a big literal waits
        self.mid_literal = threading.Event()
        self.after_ok = threading.Event()
        self.acks = 0


def client_thread(index, port, ledger, rnd, counter):
    rng = random.Random(f"{SEED}/thread/{index}/{counter[index]}")
    try:
        client = Client(port)
    except (Closed, OSError, AssertionError, ssl.SSLError):
        return
    try:
        while not rnd.stop.is_set():
            counter[index] += 1
            group = f"t{index}-r{counter['round']}-c{counter[index]}"
            mailbox = MAILBOXES[rng.random() < 0.35]
            count = rng.choice((1, 1, 1, 2, 3)) if rng.random() < 0.3 else 1
            items = []
            for k in range(count):
                key = f"{group}-{k}"
                flags = rng.sample(FLAG_POOL, rng.choice((0, 0, 1, 2, 3)))
                items.append((key, make_message(key, message_size(rng)), flags))
            ledger.register(group, mailbox, items)

            def progress(total, sent):
                # Halfway into a big literal, when armed: hold the rest back until the kill, so
                # the server surely has a half-received message in a temp file.
                if rnd.arm_mid_literal.is_set() and total >= BIG and sent >= total // 2:
                    rnd.mid_literal.set()
                    rnd.stop.wait(30)

            uidvalidity, uids = client.append(mailbox, items, rng.random() < 0.3, progress)
            ledger.acknowledge(mailbox, uidvalidity, uids, [sha(d) for _, d, _ in items])
            rnd.acks += 1
            rnd.after_ok.set()
    except (Closed, OSError, ssl.SSLError):
        pass  # the server was killed under us
    except Exception as e:  # a refusal or a malformed answer while the server is up
        if not rnd.stop.is_set():
            ledger.problems.append(f"client {index}: {type(e).__name__}: {e}")
    finally:
        client.close()


# ----- verification -------------------------------------------------------------------------------

class Verifier:
    def __init__(self, ledger, rng):
        self.ledger = ledger
        self.rng = rng
        self.seen = {}  # (mailbox, uid) -> sha: everything found after a restart must stay

    def listing(self, client, mailbox):
        """{uid: (size, flags)} of every message via FETCH, plus STATUS and UIDVALIDITY."""
        untagged, _ = client.command(f'STATUS "{mailbox}" (MESSAGES SIZE UIDNEXT UIDVALIDITY)')
        status = {}
        for parts in untagged:
            m = re.search(rb"\((.*)\)", parts[0])
            if parts[0].startswith(b"* STATUS") and m:
                vals = m.group(1).split()
                status = {vals[i].decode(): int(vals[i + 1]) for i in range(0, len(vals), 2)}
        client.command(f'EXAMINE "{mailbox}"')
        untagged, _ = client.command("UID FETCH 1:* (UID RFC822.SIZE FLAGS)")
        rows = {}
        for parts in untagged:
            text = parts[0]
            if b" FETCH " not in text:
                continue
            uid = int(re.search(rb"UID (\d+)", text).group(1))
            size = int(re.search(rb"RFC822\.SIZE (\d+)", text).group(1))
            flags = re.search(rb"FLAGS \(([^)]*)\)", text).group(1).decode().split()
            rows[uid] = (size, frozenset(f for f in flags if f != "\\Recent"))
        return status, rows

    def bodies(self, client, uids):
        """{uid: bytes} via UID FETCH BODY.PEEK[], in modest batches."""
        out = {}
        uids = sorted(uids)
        for i in range(0, len(uids), 20):
            batch = ",".join(str(u) for u in uids[i:i + 20])
            untagged, _ = client.command(f"UID FETCH {batch} (UID BODY.PEEK[])")
            for parts in untagged:
                if len(parts) < 3 or b" FETCH " not in parts[0]:
                    continue
                uid = int(re.search(rb"UID (\d+)", parts[0] + parts[2]).group(1))
                out[uid] = parts[1]
        return out

    def check(self, port, label, full=False):
        client = Client(port)
        problems = []
        totals = 0
        try:
            for mailbox in MAILBOXES:
                status, rows = self.listing(client, mailbox)
                totals += len(rows)
                valid = self.ledger.uidvalidity.setdefault(mailbox, status.get("UIDVALIDITY"))
                if status.get("UIDVALIDITY") != valid:
                    problems.append(f"{mailbox}: UIDVALIDITY {status.get('UIDVALIDITY')} != "
                                    f"{valid}")
                if status.get("MESSAGES") != len(rows):
                    problems.append(f"{mailbox}: STATUS MESSAGES {status.get('MESSAGES')} but "
                                    f"FETCH lists {len(rows)}")
                if status.get("SIZE") != sum(s for s, _ in rows.values()):
                    problems.append(f"{mailbox}: STATUS SIZE {status.get('SIZE')} != sum of "
                                    f"RFC822.SIZE {sum(s for s, _ in rows.values())}")
                acked = {uid: h for (mb, uid), h in self.ledger.acked.items() if mb == mailbox}
                seen = {uid: h for (mb, uid), h in self.seen.items() if mb == mailbox}
                top = max([0, *rows, *acked, *seen])
                if status.get("UIDNEXT", 0) <= top:
                    problems.append(f"{mailbox}: UIDNEXT {status.get('UIDNEXT')} <= UID {top}")
                for uid in set(acked) | set(seen):
                    if uid not in rows:
                        what = "acknowledged" if uid in acked else "seen after a restart"
                        problems.append(f"{mailbox}: UID {uid} ({what}) is missing")
                # Bytes: new UIDs and a sample of the known ones, or all of them at the end.
                known = set(seen)
                fresh = [u for u in rows if u not in known]
                sample = self.rng.sample(sorted(known & set(rows)), min(8, len(known & set(rows))))
                wanted = sorted(rows) if full else sorted(set(fresh) | set(sample))
                bodies = self.bodies(client, wanted)
                by_hash = {}
                seen_hashes = {h: uid for uid, h in seen.items()}
                for uid in wanted:
                    data = bodies.get(uid)
                    if data is None:
                        problems.append(f"{mailbox}: UID {uid} listed but FETCH BODY[] empty")
                        continue
                    h = sha(data)
                    info = self.ledger.sent.get(h)
                    if info is None:
                        problems.append(f"{mailbox}: UID {uid} holds {len(data)} bytes that "
                                        f"were never sent")
                        continue
                    if info["mailbox"] != mailbox:
                        problems.append(f"{mailbox}: UID {uid} was sent to {info['mailbox']}")
                    if h in by_hash or seen_hashes.get(h, uid) != uid:
                        problems.append(f"{mailbox}: {info['key']} stored twice")
                    by_hash[h] = uid
                    for name, table in (("acknowledged", acked), ("seen", seen)):
                        if uid in table and table[uid] != h:
                            problems.append(f"{mailbox}: UID {uid} ({name}) now holds other "
                                            f"content ({info['key']})")
                    size, flags = rows[uid]
                    if size != info["size"]:
                        problems.append(f"{mailbox}: UID {uid} RFC822.SIZE {size} != "
                                        f"{info['size']}")
                    if flags != info["flags"]:
                        problems.append(f"{mailbox}: UID {uid} flags {sorted(flags)} != "
                                        f"{sorted(info['flags'])}")
                    self.seen[(mailbox, uid)] = h
                # Byte-for-byte against the regenerated source, for a few.
                for uid in self.rng.sample(sorted(bodies), min(3, len(bodies))):
                    info = self.ledger.sent.get(sha(bodies[uid]))
                    if info and bodies[uid] != make_message(info["key"], info["size"]):
                        problems.append(f"{mailbox}: UID {uid} differs from its source")
            # A MULTIAPPEND is all or nothing.
            present = set(self.seen.values())
            for group, shas in self.ledger.groups.items():
                inside = [h in present for h in shas]
                if any(inside) and not all(inside):
                    problems.append(f"MULTIAPPEND {group}: {sum(inside)} of {len(shas)} stored")
        finally:
            client.close()
        problems += self.ledger.problems
        if problems:
            raise AssertionError(f"{label} (seed {SEED}):\n  " + "\n  ".join(problems[:20]))
        return totals


def check_clean_start(server, killed_mid_literal, label):
    """The restarted server logged no error; after a mid-literal kill its repair removed the
    temporary file the half-received message left; tmp/ is empty once it listens."""
    out = server.output()
    errors = re.findall(r"(?m)^\S+ error event=.*$", out)
    if errors or "event=serve.start" not in out:
        raise AssertionError(f"{label}: unclean start:\n{out[-3000:]}")
    repairs = [line for line in out.splitlines() if "store.repair" in line]
    for line in repairs:
        if re.search(r"\b[1-9]\d* (entries of missing mailboxes|blob files missing)", line):
            raise AssertionError(f"{label}: repair found damage: {line}")
    if killed_mid_literal:
        removed = [int(m.group(1)) for line in repairs
                   for m in [re.search(r"removed (\d+) temp files", line)] if m]
        if not removed or removed[0] < 1:
            raise AssertionError(f"{label}: a literal was cut by the kill but the repair summary "
                                 f"reports no temp file removed: {repairs}")
    tmp = os.path.join(server.data_dir, "tmp")
    left = os.listdir(tmp) if os.path.isdir(tmp) else []
    if left:
        raise AssertionError(f"{label}: temp files left after start: {left[:5]}")
    return repairs[0].split("summary=", 1)[-1] if repairs else "clean"


# ----- the test -----------------------------------------------------------------------------------

def run_round(server, ledger, counter, mode, rng):
    rnd = Round()
    threads = [threading.Thread(target=client_thread, args=(i, server.port, ledger, rnd, counter),
                                daemon=True) for i in range(THREADS)]
    for t in threads:
        t.start()
    # Let the clients log in and store a few messages, then wait for the moment the mode aims at.
    warm = rng.randint(1, 8)
    deadline = time.time() + 8
    while rnd.acks < warm and time.time() < deadline:
        time.sleep(0.01)
    deadline = time.time() + 8
    if mode == "mid-literal":
        rnd.arm_mid_literal.set()
        rnd.mid_literal.wait(max(0.0, deadline - time.time()))
    elif mode == "after-ok":
        rnd.after_ok.clear()
        rnd.after_ok.wait(max(0.0, deadline - time.time()))
    else:
        time.sleep(rng.uniform(0.0, 0.8))
    hit = (mode == "mid-literal" and rnd.mid_literal.is_set()) or mode != "mid-literal"
    if mode == "mid-literal" and hit:
        # The client waits halfway; give the server a moment to read what was sent, so the
        # message is past the size kept in memory (64 KiB) and has a temp file when it dies.
        time.sleep(0.3)
    server.kill()
    rnd.stop.set()
    for t in threads:
        t.join(timeout=30)
        if t.is_alive():
            raise AssertionError("a client thread hung after the kill")
    return rnd, hit


def main():
    started = time.time()
    log(f"seed {SEED}, {KILLS} kills")
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix="roost-imap-crash-")
    server = None
    try:
        data_dir = os.path.join(tmp, "var")
        for args, stdin in ((("account", "add", USER, "--password-stdin"), PASSWORD + "\n"),
                            (("mailbox", "create", USER, MAILBOXES[1]), None)):
            p = subprocess.run([ROOST, *args, "--data-dir", data_dir], input=stdin, text=True,
                               capture_output=True, timeout=60)
            assert p.returncode == 0, p.stderr
        server = Server(data_dir, tmp)
        server.start()
        ledger = Ledger()
        verifier = Verifier(ledger, rng)
        counter = {i: 0 for i in range(THREADS)}
        modes = ["mid-literal", "after-ok", "random"]
        mid_hits = 0
        for kill in range(1, KILLS + 1):
            counter["round"] = kill
            mode = modes[(kill - 1) % 3]
            rnd, hit = run_round(server, ledger, counter, mode, rng)
            mid_hits += mode == "mid-literal" and hit
            server.start()
            label = f"kill {kill} ({mode}{'' if hit else ', missed'})"
            repair = check_clean_start(server, mode == "mid-literal" and hit, label)
            stored = verifier.check(server.port, label)
            log(f"{label}: {rnd.acks} APPENDs acknowledged this run, {len(ledger.acked)} in all, "
                f"{stored} stored; {repair}")
            if time.time() - started > 95:
                raise AssertionError(f"too slow: {kill} kills in {time.time() - started:.0f}s")
        assert mid_hits >= 2, f"only {mid_hits} kills landed mid-literal"
        # A last clean stop: everything stored is still there, all bytes compared.
        assert server.stop() == 0, server.output()[-2000:]
        server.start()
        check_clean_start(server, False, "final start")
        stored = verifier.check(server.port, "final", full=True)
        assert len(ledger.acked) >= 20, f"only {len(ledger.acked)} messages acknowledged"
        log(f"ok: {KILLS} kills ({mid_hits} mid-literal), {len(ledger.acked)} acknowledged, "
            f"{stored} stored, {len(ledger.sent)} sent, {time.time() - started:.1f}s")
        return 0
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
