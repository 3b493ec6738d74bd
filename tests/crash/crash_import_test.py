#!/usr/bin/env python3
"""kill -9 during `roost import mbox`, many times: an acknowledged message is never lost,
nothing partial or duplicated ever appears, and re-running resumes.

A progress line "import: N/TOTAL ..." is printed only after the batch holding message N
is durably committed, so after each kill the first N (highest N printed) source messages
must be in the mailbox with the right SHA-256. Because batches commit in source order,
the mailbox must in fact hold exactly a prefix of the source, each message once.
After one kill, `roost serve` must start cleanly and its repair must leave <data>/tmp empty.
Deterministic: the mbox and the kill moments come from a seeded random generator
(ROOST_CRASH_SEED overrides the seed, ROOST_CRASH_KILLS the number of kills).
"""
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOST = os.environ.get("ROOST_BIN", "build/roost")
SEED = int(os.environ.get("ROOST_CRASH_SEED", "20240229"))
MESSAGES = 5000
KILLS = int(os.environ.get("ROOST_CRASH_KILLS", "22"))
PROGRESS = re.compile(rb"^import: (\d+)/(\d+) messages", re.MULTILINE)
LIST_LINE = re.compile(r"^(\d+) \((.*)\) (\S+) (\d+) ([0-9a-f]{64})$")
WORDS = ("mail server roost import crash durable commit blob index fsync rename batch "
         "mailbox message header body line random seeded quick brown fox jumps over lazy dog "
         "From from >From café naïve Grüße").split()


def crlf(data: bytes) -> bytes:
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def make_messages(rng):
    """5,000 distinct messages: mostly 1-20 KB, about 3% of 100-300 KB."""
    line_pool = []
    for _ in range(2000):
        n = rng.randint(3, 14)
        line = " ".join(rng.choice(WORDS) for _ in range(n))
        if rng.random() < 0.03:
            line = "From " + line  # must be escaped in the mbox and restored on import
        line_pool.append(line.encode())
    messages = []
    for i in range(MESSAGES):
        big = rng.random() < 0.03
        target = rng.randint(100_000, 300_000) if big else rng.randint(300, 20_000)
        head = (f"From: sender{i % 97}@example.com\nTo: alice@example.com\n"
                f"Subject: crash test message {i}\nMessage-ID: <{i}.{SEED}@crash.test>\n"
                f"Date: Thu, 1 Feb 2024 10:00:00 +0000\n\n").encode()
        body = []
        size = len(head)
        while size < target:
            line = rng.choice(line_pool)
            body.append(line)
            size += len(line) + 1
        messages.append(head + b"\n".join(body) + b"\n")
    return messages


def write_mbox(path, messages):
    with open(path, "wb") as f:
        for i, m in enumerate(messages):
            day = 1 + i % 28
            f.write(f"From sender@example.com Thu Feb {day:2d} 10:00:00 2024\n".encode())
            f.write(re.sub(rb"^(>*From )", rb">\1", m, flags=re.MULTILINE))
            f.write(b"\n")


class Checker:
    def __init__(self, data_dir, expected, messages, rng):
        self.data_dir = data_dir
        self.expected = expected  # sha256 of each normalized message, source order
        self.messages = messages
        self.sizes = [len(crlf(m)) for m in messages]
        self.rng = rng
        self.acknowledged = 0

    def roost(self, *args, **kw):
        return subprocess.run([ROOST, *args, "--data-dir", self.data_dir], capture_output=True,
                              timeout=300, **kw)

    def listed(self):
        p = self.roost("message", "list", "alice", "INBOX")
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        rows = []
        for line in p.stdout.decode().splitlines():
            m = LIST_LINE.match(line)
            assert m, f"bad list line {line!r}"
            rows.append((int(m[1]), m[5], int(m[4])))
        return rows

    def verify(self, label, samples=4):
        rows = self.listed()
        blobs = [b for _, b, _ in rows]
        assert len(set(blobs)) == len(blobs), f"{label}: duplicate messages"
        if blobs != self.expected[:len(blobs)]:
            first = next(i for i, (a, b) in enumerate(zip(blobs, self.expected)) if a != b)
            raise AssertionError(f"{label}: message {first} is not the source's (not a prefix)")
        assert len(blobs) >= self.acknowledged, (
            f"{label}: {self.acknowledged} acknowledged but only {len(blobs)} stored")
        for k, (uid, _, size) in enumerate(rows):
            assert size == self.sizes[k], f"{label}: uid {uid} size {size} != {self.sizes[k]}"
        for _ in range(min(samples, len(rows))):
            k = self.rng.randrange(len(rows))
            uid = rows[k][0]
            p = self.roost("message", "cat", "alice", "INBOX", str(uid))
            assert p.returncode == 0, p.stderr
            assert p.stdout == crlf(self.messages[k]), f"{label}: uid {uid} bytes differ"
        return len(rows)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_serve_repairs(data_dir):
    """`roost serve` runs the store repair at start: it must come up and leave tmp/ empty."""
    port = free_port()
    proc = subprocess.Popen([ROOST, "serve", "--data-dir", data_dir,
                             "--listen", f"http=127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        up = False
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                up = True
                break
            except OSError:
                time.sleep(0.1)
        assert up, f"roost serve did not start (exit {proc.poll()})"
        tmp_dir = os.path.join(data_dir, "tmp")
        leftovers = os.listdir(tmp_dir) if os.path.isdir(tmp_dir) else []
        assert not leftovers, f"repair left temp files: {leftovers[:5]}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, f"serve exited {proc.returncode}: {err.decode(errors='replace')}"
    assert b" error " not in err, err.decode(errors="replace")


def main():
    started = time.time()
    rng = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix="roost-crash-test-")
    try:
        messages = make_messages(rng)
        mbox = os.path.join(tmp, "big.mbox")
        write_mbox(mbox, messages)
        expected = [hashlib.sha256(crlf(m)).hexdigest() for m in messages]
        assert len(set(expected)) == MESSAGES
        data_dir = os.path.join(tmp, "var")
        checker = Checker(data_dir, expected, messages, rng)
        p = checker.roost("account", "add", "alice", "--password-stdin", input=b"pw-12345\n")
        assert p.returncode == 0, p.stderr
        print(f"crash: mbox {os.path.getsize(mbox) / 1e6:.1f} MB built in "
              f"{time.time() - started:.1f}s", flush=True)

        import_cmd = [ROOST, "import", "mbox", mbox, "--account", "alice", "--data-dir", data_dir,
                      "--batch-messages", "50", "--progress-interval", "0"]
        # Kill moments: a random delay after each start, adapted to this machine's speed so
        # the kills spread over the whole import (each run should advance about
        # MESSAGES / (KILLS + 3) messages, at a random point inside a batch).
        per_run = 1.0
        desired = MESSAGES / (KILLS + 3)
        kills = 0
        runs = 0
        while kills < KILLS:
            runs += 1
            assert runs < KILLS * 4, "the import finishes before it can be killed"
            stored_before = len(checker.listed())
            err_path = os.path.join(tmp, f"import-{runs}.err")
            with open(err_path, "wb") as err, open(os.devnull, "wb") as out:
                proc = subprocess.Popen(import_cmd, stdout=out, stderr=err)
                delay = rng.uniform(0.3, 1.7) * per_run
                time.sleep(delay)
                finished = proc.poll() is not None
                if not finished:
                    os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            with open(err_path, "rb") as f:
                acks = [int(m[1]) for m in PROGRESS.finditer(f.read())]
            if acks:
                checker.acknowledged = max(checker.acknowledged, max(acks))
            if finished:
                # Too late: start over with shorter runs so the kills land mid-way.
                assert proc.returncode == 0, open(err_path, "rb").read()
                per_run /= 3
                shutil.rmtree(data_dir)
                checker.acknowledged = 0
                p = checker.roost("account", "add", "alice", "--password-stdin",
                                  input=b"pw-12345\n")
                assert p.returncode == 0, p.stderr
                continue
            kills += 1
            stored = checker.verify(f"kill {kills}")
            advanced = stored - stored_before
            per_run *= min(2.0, max(0.5, desired / advanced)) if advanced > 0 else 1.5
            print(f"crash: kill {kills} after {delay:.2f}s: acknowledged {checker.acknowledged}, "
                  f"stored {stored}", flush=True)
            if kills == 5:
                check_serve_repairs(data_dir)
                checker.verify("after serve")

        p = subprocess.run(import_cmd, capture_output=True, timeout=600)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
        acks = [int(m[1]) for m in PROGRESS.finditer(p.stderr)]
        assert acks and acks[-1] == MESSAGES, acks[-3:]
        checker.acknowledged = MESSAGES
        assert checker.verify("final", samples=20) == MESSAGES
        assert b"failed 0" in p.stdout, p.stdout
        check_serve_repairs(data_dir)
        print(f"crash_import_test: ok ({kills} kills, {time.time() - started:.1f}s)", flush=True)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
