"""Concurrent APPENDs share index commits (DESIGN.md "Durability": group commit).

Each APPEND is acknowledged only once its blob and index entry are durable; the commit of many
sessions' APPENDs runs on a pool wide enough that their index entries meet in one SQLite commit
(one WAL fsync). SESSIONS clients APPEND at the same moment, several rounds; then:
- every APPEND got OK with its own UID and FETCH returns exactly the bytes sent (messages cross
  the server's 256 KiB literal buffer, so buffered and directly written pieces both count);
- /metrics shows fewer commits than writes, and one commit that carried more APPENDs than the
  general blocking pool has threads, which the old path (commits on that pool) never reached.
"""
import hashlib
import os
import re
import socket
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_session_test import PASSWORD, USER, Raw, login_raw, tls_context  # noqa: E402
from roost_harness import MailServer, expect, run_tests  # noqa: E402

SESSIONS = 32
ROUNDS = 4
# Whether more than OLD_POOL APPENDs meet in one commit depends on scheduling; on a busy machine
# a round can miss, so up to this many rounds run until one does (each is checked byte by byte).
MAX_ROUNDS = 12
# The general blocking pool (net::BlockingExecutor's default size), where commits used to wait.
OLD_POOL = min(max(2 * (os.cpu_count() or 1), 4), 16)


def message(session, round_, size):
    head = (f"From: s{session}@example.com\r\nTo: {USER}@example.com\r\n"
            f"Subject: group commit {session}/{round_}\r\n\r\n").encode()
    line = f"session {session} round {round_} ".encode() * 4 + b"\r\n"
    return head + (line * (size // len(line) + 1))[:size]


def read_exact(c, n):
    while len(c.buf) < n:
        chunk = c.sock.recv(65536)
        expect(chunk, "connection closed in a literal")
        c.buf += chunk
    data, c.buf = c.buf[:n], c.buf[n:]
    return data


def metric(s, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{s.http}/metrics", timeout=10) as r:
        text = r.read().decode()
    m = re.search(rf"(?m)^{name} (\d+(?:\.\d+)?)$", text)
    expect(m is not None, f"{name} missing from /metrics:\n{text[:2000]}")
    return float(m.group(1))


def test_concurrent_appends_share_commits():
    with MailServer(["imaps", "http"], {USER: PASSWORD}) as s:
        clients = []
        for _ in range(SESSIONS):
            sock = tls_context().wrap_socket(socket.create_connection(("127.0.0.1", s.imaps),
                                                                      timeout=30))
            c = Raw(sock)
            login_raw(c)
            clients.append(c)
        sent, results, errors = {}, {}, []
        rounds = 0
        for round_ in range(MAX_ROUNDS):
            if round_ >= ROUNDS and metric(s, "roost_store_commit_max_batch") > OLD_POOL:
                break
            rounds += 1
            barrier = threading.Barrier(SESSIONS)

            def run(i):
                try:
                    body = message(i, round_, 20_000 + 37_000 * ((i + round_) % 10))
                    barrier.wait(timeout=30)
                    c = clients[i]
                    c.send(f"A{i} APPEND INBOX {{{len(body)}+}}\r\n".encode() + body + b"\r\n")
                    lines = c.until_tagged(f"A{i}")
                    m = re.search(r"\[APPENDUID \d+ (\d+)\]", lines[-1])
                    if not lines[-1].startswith(f"A{i} OK") or not m:
                        errors.append(lines[-1])
                        return
                    results[(i, round_)] = int(m.group(1))
                    sent[int(m.group(1))] = hashlib.sha256(body).hexdigest()
                except Exception as e:  # reported below
                    errors.append(repr(e))

            threads = [threading.Thread(target=run, args=(i,)) for i in range(SESSIONS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        expect(not errors, errors[:5])
        expect(len(set(results.values())) == SESSIONS * rounds, "UIDs are not distinct")

        c = clients[0]
        c.command("S", "SELECT INBOX")
        for uid, digest in sent.items():
            c.send(f"F UID FETCH {uid} BODY.PEEK[]\r\n".encode())
            header = c.line()
            m = re.match(r"\* \d+ FETCH \(.*BODY\[\] \{(\d+)\}$", header)
            expect(m is not None, header)
            data = read_exact(c, int(m.group(1)))
            rest = c.until_tagged("F")
            expect(rest[-1].startswith("F OK"), rest)
            expect(hashlib.sha256(data).hexdigest() == digest, f"UID {uid}: other bytes")
        for c in clients:
            c.close()

        writes = metric(s, "roost_store_write_requests")
        commits = metric(s, "roost_store_commits")
        batch = metric(s, "roost_store_commit_max_batch")
        expect(commits < writes, f"{commits} commits for {writes} writes: no group commit")
        expect(batch > OLD_POOL, f"at most {batch} writes shared a commit (pool: {OLD_POOL})")


if __name__ == "__main__":
    run_tests([test_concurrent_appends_share_commits])
