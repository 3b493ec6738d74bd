"""roost serve: listeners, health over HTTP and HTTPS, clear start-up failures,
graceful SIGTERM and certificate reload on SIGHUP."""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from roost_harness import (Server, TempDir, eventually, expect, free_port, roost,  # noqa: E402
                           run_tests, unverified_tls)


def served_cert(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with unverified_tls().wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def test_http_https_and_sigterm():
    with TempDir() as d:
        http, https = free_port(), free_port()
        with Server("--data-dir", d, "--listen", f"http=127.0.0.1:{http}",
                    "--listen", f"https=127.0.0.1:{https}") as s:
            status, body = s.wait_http(f"http://127.0.0.1:{http}/healthz")
            expect(status == 200 and body.strip() == "ok", f"{status} {body!r}")
            status, body = s.wait_http(f"https://127.0.0.1:{https}/healthz",
                                       context=unverified_tls())
            expect(status == 200, f"https {status}")
            # Log lines reach the file through a flusher thread; serve.start comes last.
            expect(eventually(lambda: "event=serve.start" in s.output(), 15), s.output())
            out = s.output()
            expect(f"event=net.listen protocol=http address=127.0.0.1 port={http}" in out, out)
            expect(f"event=net.listen protocol=https address=127.0.0.1 port={https}" in out, out)
            expect(os.path.exists(os.path.join(d, "tls", "cert.pem")), "no self-signed cert")

            # A second server on the same port fails clearly, and the first keeps serving.
            second = roost("serve", "--data-dir", d, "--listen", f"http=127.0.0.1:{http}",
                           check=1)
            expect(f"127.0.0.1:{http}" in second.stderr and "in use" in second.stderr,
                   second.stderr)
            s.wait_http(f"http://127.0.0.1:{http}/healthz")

            s.signal(signal.SIGTERM)
            rc = s.wait_exit(timeout=8)
            expect(rc == 0, f"SIGTERM exit {rc}\n{s.output()}")


def test_unknown_protocol_fails_clearly():
    # Every protocol of net::Protocol is built now (smtp was the last); an unknown name still
    # fails clearly.
    with TempDir() as d:
        bad = roost("serve", "--data-dir", d, "--listen", "gopher=127.0.0.1:70", check=1)
        expect("unknown protocol 'gopher'" in bad.stderr, bad.stderr)


def test_sighup_reloads_certificate():
    if shutil.which("openssl") is None:
        print("skip: no openssl binary to make a second certificate")
        return
    with TempDir() as d:
        https = free_port()
        with Server("--data-dir", d, "--listen", f"https=127.0.0.1:{https}") as s:
            s.wait_http(f"https://127.0.0.1:{https}/healthz", context=unverified_tls())
            before = served_cert(https)
            tls_dir = os.path.join(d, "tls")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                            "/CN=reloaded.test", "-keyout", os.path.join(d, "new-key.pem"),
                            "-out", os.path.join(d, "new-cert.pem")],
                           check=True, capture_output=True)
            os.replace(os.path.join(d, "new-key.pem"), os.path.join(tls_dir, "key.pem"))
            os.replace(os.path.join(d, "new-cert.pem"), os.path.join(tls_dir, "cert.pem"))
            with open(os.path.join(tls_dir, "cert.pem")) as f:
                want = ssl.PEM_cert_to_DER_cert(f.read())
            expect(before != want, "the new certificate equals the old one")
            s.signal(signal.SIGHUP)
            deadline = time.time() + 10
            while time.time() < deadline and served_cert(https) != want:
                time.sleep(0.1)
            expect(served_cert(https) == want, f"old certificate still served\n{s.output()}")
            expect(s.proc.poll() is None, "SIGHUP stopped the server")
            s.signal(signal.SIGTERM)
            expect(s.wait_exit(timeout=8) == 0, s.output())


def test_empty_listen_table_fails():
    with TempDir() as d:
        cfg = os.path.join(d, "roost.toml")
        with open(cfg, "w") as f:
            f.write("[listen]\nhttp = []\n")
        p = roost("serve", "--config", cfg, "--data-dir", d, check=1)
        expect("nothing to listen on" in p.stderr, p.stderr)


if __name__ == "__main__":
    run_tests([test_http_https_and_sigterm, test_unknown_protocol_fails_clearly,
               test_sighup_reloads_certificate, test_empty_listen_table_fails])
