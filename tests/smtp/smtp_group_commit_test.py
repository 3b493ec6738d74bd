"""Concurrent port 25 deliveries share index commits, as IMAP APPENDs do (DESIGN.md "Durability":
group commit; tests/imap/imap_group_commit_test.py).

SMTP answers 250 only once the message is durable; its deliveries (blob fsync, then the index
commit) run on the wide commit pool, so many sessions' index entries meet in one SQLite commit.
SESSIONS clients send DATA at the same moment, several rounds; then:
- every message got 250 and arrived, with its own bytes;
- /metrics shows fewer commits than writes, and one commit that carried more deliveries than the
  general blocking pool has threads, which the old path (deliveries on that pool) never reached.
"""
import hashlib
import os
import smtplib
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "imap"))
from imap_group_commit_test import OLD_POOL, metric  # noqa: E402
from smtp_fixture import ALICE, DOMAIN, SmtpServer, expect, run_tests  # noqa: E402

SESSIONS = 32
ROUNDS = 3
# As in the IMAP test: on a busy machine a round can miss, so more run until one does.
MAX_ROUNDS = 12


def message(session, round_):
    body = f"session {session} round {round_}\r\n".encode() * (200 + 50 * (session % 7))
    return (f"From: <s{session}@sender.test>\r\nTo: <{ALICE}@{DOMAIN}>\r\n"
            f"Subject: group commit {session}/{round_}\r\n"
            "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n").encode() + body


def test_concurrent_deliveries_share_commits():
    with SmtpServer(protocols=["smtp", "imaps", "http"]) as srv:
        clients = []
        for _ in range(SESSIONS):
            s = smtplib.SMTP("127.0.0.1", srv.smtp, timeout=60)
            s.ehlo("sender.test")
            clients.append(s)
        sent, errors = [], []
        rounds = 0
        for round_ in range(MAX_ROUNDS):
            if round_ >= ROUNDS and metric(srv, "roost_store_commit_max_batch") > OLD_POOL:
                break
            rounds += 1
            barrier = threading.Barrier(SESSIONS)

            def run(i):
                try:
                    body = message(i, round_)
                    barrier.wait(timeout=30)
                    refused = clients[i].sendmail(f"s{i}@sender.test", [f"{ALICE}@{DOMAIN}"], body)
                    if refused:
                        errors.append(refused)
                        return
                    sent.append(hashlib.sha256(body).hexdigest())
                except Exception as e:  # reported below
                    errors.append(repr(e))

            threads = [threading.Thread(target=run, args=(i,)) for i in range(SESSIONS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        expect(not errors, errors[:5])
        for s in clients:
            s.quit()

        # What arrived is what was sent, after Roost's Received: and Authentication-Results:.
        stored = srv.messages()
        expect(len(stored) == SESSIONS * rounds, f"{len(stored)} of {SESSIONS * rounds} arrived")
        arrived = sorted(hashlib.sha256(m[m.index(b"From: <s"):]).hexdigest() for m in stored)
        expect(arrived == sorted(sent), "stored messages differ from those sent")

        writes = metric(srv, "roost_store_write_requests")
        commits = metric(srv, "roost_store_commits")
        batch = metric(srv, "roost_store_commit_max_batch")
        expect(commits < writes, f"{commits} commits for {writes} writes: no group commit")
        expect(batch > OLD_POOL, f"at most {batch} deliveries shared a commit (pool: {OLD_POOL})")


if __name__ == "__main__":
    run_tests([test_concurrent_deliveries_share_commits])
