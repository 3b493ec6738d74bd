"""Shared helpers for the CLI integration tests: the real build/roost, a temp data dir,
free loopback ports, and a server process that is always killed at the end."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOST = os.path.abspath(os.environ.get("ROOST_BIN", "build/roost"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def roost(*args, stdin=None, cwd=None, check=None):
    """Runs roost to completion; returns CompletedProcess with text stdout/stderr."""
    p = subprocess.run([ROOST, *args], input=stdin, capture_output=True, text=True,
                       cwd=cwd, timeout=60)
    if check is not None and p.returncode != check:
        raise AssertionError(f"roost {' '.join(args)}: exit {p.returncode}, want {check}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="roost-cli-test-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


class Server:
    """`roost serve` in the background; stop() or the context exit always reaps it."""

    def __init__(self, *args, cwd=None):
        self.log_path = tempfile.mktemp(prefix="roost-serve-", suffix=".log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([ROOST, "serve", *args], stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=cwd)

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_http(self, url, timeout=15, context=None):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2, context=context) as r:
                    return r.status, r.read().decode()
            except OSError as e:
                last = e
                time.sleep(0.1)
        raise AssertionError(f"{url} did not answer: {last}\n{self.output()}")

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        os.unlink(self.log_path)


def eventually(pred, seconds=30):
    """pred()'s first true value within `seconds` (polled every 0.2 s), else its last value."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.2)
    return pred()


def zone_txt_records(output):
    """{name: text} from the zone-file TXT lines `roost dkim generate` prints."""
    found = {}
    for line in output.splitlines():
        m = re.match(r"^(\S+)\. IN TXT (.*)$", line)
        if m:
            found[m.group(1)] = "".join(re.findall(r'"([^"]*)"', m.group(2)))
    return found


def imap_messages(port, user, password, mailbox="INBOX"):
    """Every message's bytes in a mailbox, over IMAPS, in UID order (read-only)."""
    import imaplib
    imap = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=unverified_tls(), timeout=10)
    imap.login(user, password)
    imap.select(f'"{mailbox}"', readonly=True)
    _, data = imap.uid("SEARCH", None, "ALL")
    out = []
    for uid in data[0].split():
        _, msg = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        out.append(msg[0][1])
    imap.logout()
    return out


def unverified_tls():
    """A client TLS context that accepts the server's self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class LineClient:
    """A CRLF line client over a connected (TLS or plain) socket, for what the protocol
    libraries hide: exact bytes, pipelining."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def raw_line(self):
        """The next line as bytes, without its CRLF."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed; have {self.buf[:200]!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def closed(self, timeout=5):
        """True when the server closes the connection without sending more."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()


class MailServer:
    """`roost serve` on free loopback ports, one per protocol in `protocols` (each becomes an
    attribute: server.imaps is its port), over a fresh data dir with `accounts` (name ->
    password), or over `data_dir` when given (a restart keeps the mail). `config` is roost.toml
    text. stop() ends it gracefully (SIGTERM); leaving the `with` block kills it."""

    def __init__(self, protocols, accounts, config="", data_dir=None, addresses=None):
        self.protocols = list(protocols)
        self.addresses = dict(addresses or {})  # protocol -> "HOST:PORT" instead of 127.0.0.1:0
        self.accounts = dict(accounts)
        self.config = config
        self.data_dir = data_dir
        self.proc = None
        self.log = None
        self.tmp = None

    def __enter__(self):
        if self.data_dir is None:
            self.tmp = TempDir()
            self.dir = self.tmp.__enter__()
            for name, password in self.accounts.items():
                roost("account", "add", name, "--password-stdin", "--data-dir", self.dir,
                      stdin=password + "\n", check=0)
        else:
            self.dir = self.data_dir
        self.start()
        return self

    def start(self):
        """Starts roost serve with every listener on a port the kernel picks (port 0), and waits
        for serve.start; the ports come from its net.listen lines. Choosing free ports here and
        binding them later would race with other tests' sockets taking the same port."""
        self.log_path = os.path.join(self.dir, "serve.log")
        self.log = open(self.log_path, "a")
        offset = self.log.tell()
        config = []
        if self.config:
            path = os.path.join(self.dir, "roost.toml")
            with open(path, "w") as f:
                f.write(self.config)
            config = ["--config", path]
        listen = [arg for proto in self.protocols
                  for arg in ("--listen", f"{proto}={self.addresses.get(proto, '127.0.0.1:0')}")]
        self.proc = subprocess.Popen([ROOST, "serve", "--data-dir", self.dir, *config, *listen],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited:\n{self.output()}")
            with open(self.log_path) as f:
                f.seek(offset)
                lines = f.read().splitlines()
            if any("event=serve.start" in line for line in lines):
                self.ports = {}
                for line in lines:
                    if "event=net.listen" in line:
                        fields = dict(w.split("=", 1) for w in line.split() if "=" in w)
                        # A Unix socket listener says path= instead of port=.
                        self.ports[fields["protocol"]] = (int(fields["port"]) if "port" in fields
                                                          else fields["path"])
                missing = [p for p in self.protocols if p not in self.ports]
                expect(not missing, f"no net.listen line for {missing}:\n{self.output()}")
                for proto, port in self.ports.items():
                    setattr(self, proto, port)
                return
            time.sleep(0.05)
        raise AssertionError(f"roost serve did not start\n{self.output()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log and not self.log.closed:
            self.log.close()

    def restart(self):
        self.stop()
        self.start()

    def output(self):
        with open(self.log_path) as f:
            return f.read()

    def cert(self):
        return os.path.join(self.dir, "tls", "cert.pem")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log and not self.log.closed:
            self.log.close()
        if self.tmp is not None:
            self.tmp.__exit__(*exc)


def run_tests(tests):
    failed = 0
    for test in tests:
        try:
            test()
            print(f"ok   {test.__name__}")
        except Exception as e:  # report every test, then fail the script
            failed += 1
            print(f"FAIL {test.__name__}: {e}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
