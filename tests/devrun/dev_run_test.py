#!/usr/bin/env python3
"""`./dev run` on a clean clone ends with a listening server that prints its client settings."""
import imaplib
import os
import poplib
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

SOURCE = os.environ["ROOST_SOURCE_DIR"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    tmp = tempfile.mkdtemp(prefix="roost-devrun-")
    proc = None
    try:
        clone = os.path.join(tmp, "clone")
        subprocess.run(["git", "clone", "--quiet", SOURCE, clone], check=True)
        port = free_port()
        ports = {proto: free_port()
                 for proto in ("imap", "imaps", "pop3", "pop3s", "submission", "submissions")}
        env = dict(os.environ, ROOST_DATA_DIR=os.path.join(tmp, "var"),
                   ROOST_DEV_HTTP_PORT=str(port),
                   **{f"ROOST_DEV_{p.upper()}_PORT": str(n) for p, n in ports.items()})
        log_path = os.path.join(tmp, "dev-run.log")
        log = open(log_path, "w")
        proc = subprocess.Popen(["./dev", "run"], cwd=clone, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 900  # a cold build of the clone may take minutes
        healthy = False
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    healthy = r.status == 200 and r.read().strip() == b"ok"
                    break
            except OSError:
                time.sleep(1)
        out = open(log_path).read()
        if not healthy:
            print(out[-5000:])
            print("FAIL: ./dev run did not end with a listening server")
            return 1
        for needed in ("host:", "user:", "password:", f"{port}"):
            if needed not in out:
                print(out[-3000:])
                print(f"FAIL: client settings do not show {needed!r}")
                return 1
        password = re.search(r"password:\s+(\S+)", out).group(1)
        stored = open(os.path.join(tmp, "var", "demo-password.txt")).read().strip()
        if password != stored:
            print("FAIL: printed password differs from the stored one")
            return 1
        accounts = subprocess.run([os.path.join(clone, "build", "roost"), "account", "list",
                                   "--data-dir", os.path.join(tmp, "var")],
                                  capture_output=True, text=True, check=True).stdout
        if not re.search(r"^demo\b", accounts, re.M):
            print(accounts)
            print("FAIL: the demo account was not created")
            return 1
        # The printed settings work in real clients: IMAP with STARTTLS, POP3 over TLS.
        for proto, n in ports.items():
            if f"{proto} " not in out or str(n) not in out:
                print(out[-3000:])
                print(f"FAIL: client settings do not show {proto} on port {n}")
                return 1
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        imap = imaplib.IMAP4("127.0.0.1", ports["imap"], timeout=10)
        imap.starttls(ssl_context=tls)
        imap.login("demo", password)
        typ, data = imap.select("INBOX")
        if typ != "OK":
            print(f"FAIL: SELECT INBOX as demo: {typ} {data}")
            return 1
        imap.logout()
        # Submission with STARTTLS: a message to oneself lands in the INBOX.
        address = re.search(r"address (\S+)\)", out).group(1)
        smtp = smtplib.SMTP("127.0.0.1", ports["submission"], timeout=10)
        smtp.starttls(context=tls)
        smtp.login("demo", password)
        smtp.sendmail(address, [address],
                      f"From: {address}\r\nTo: {address}\r\nSubject: hi\r\n\r\nhello\r\n")
        smtp.quit()
        pop = poplib.POP3_SSL("127.0.0.1", ports["pop3s"], context=tls, timeout=10)
        pop.user("demo")
        pop.pass_(password)
        count = pop.stat()[0]
        pop.quit()
        if count != 1:
            print(f"FAIL: the message sent over submission is not in the INBOX ({count})")
            return 1
        os.killpg(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=30)
        if rc != 0:
            print(f"FAIL: server exited with {rc} after SIGTERM")
            return 1
        proc = None
        print("dev run: ok")
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
