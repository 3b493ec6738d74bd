"""The servers under test, started on 127.0.0.1 with their own temporary state.

RoostServer: `roost serve` with a temporary data dir, accounts made with `roost account add`,
and a roost.toml that raises the per-IP and per-account limits as far as the load needs;
optionally port 25 (and LMTP) listeners for smtp-inbound.
DovecotServer: tests/lib/dovecot.py's private instance (Maildir, fsync left at its default,
passwd-file users) with process and client limits raised for the load; optionally Dovecot's
login "performance mode" and IMAP hibernation.
PostfixServer: a private Postfix instance (smtp-inbound's reference): smtpd on a free
loopback port, virtual(8) delivering into Maildirs.

All expose the same surface: start() / stop(), pid (the root of the process tree to
measure), kind, version(), log_tail(); the IMAP/POP3 servers also restart() and
imaps/imap/pop3s/pop3 ports (None when not offered), the SMTP ones an smtp port.
"""

import concurrent.futures
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))
from dovecot import Dovecot, DovecotError, _free_ports  # noqa: E402
from postfix import Postfix, PostfixError  # noqa: E402
import logfile  # noqa: E402

HOST = "127.0.0.1"


class ServerError(RuntimeError):
    pass


def _wait_port(port, proc, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.005)  # fine enough for the restart figure (Roost starts in ~20 ms)
    raise ServerError(f"{what}: port {port} did not open within {timeout}s")


class RoostServer:
    kind = "roost"

    def __init__(self, binary, workdir, cert, key, log_level="info", threads=0, smtp=False,
                 extra_config=""):
        """smtp: also listen for SMTP (port 25's protocol) and LMTP on free ports;
        extra_config: more roost.toml tables, appended to the generated ones."""
        self.binary = binary
        self.dir = os.path.join(workdir, "roost-data")
        self.cert, self.key = cert, key
        self.log_level, self.threads = log_level, threads
        self.with_smtp, self.extra_config = smtp, extra_config
        self.proc = None
        self.log_path = os.path.join(workdir, "roost-serve.log")
        self.imap = self.imaps = self.pop3 = self.pop3s = None
        self.smtp = self.lmtp = None
        self.pop3_available = True
        os.makedirs(self.dir, exist_ok=True)

    # ----- set-up (server stopped) --------------------------------------------------------

    def _cli(self, *args, stdin=None):
        res = subprocess.run([self.binary, *args, "--data-dir", self.dir], input=stdin,
                             capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise ServerError(f"roost {' '.join(args)} failed:\n{res.stderr.strip()[-2000:]}")
        return res.stdout

    def add_accounts(self, names, password, parallel=4):
        """`roost account add` for each name (a few at a time; each hashes a password)."""
        def add(name):
            self._cli("account", "add", name, "--password-stdin", stdin=password + "\n")
        # The first one alone: concurrent CLIs opening a brand-new store race on switching it
        # to WAL mode ("PRAGMA journal_mode=WAL: database is locked").
        add(names[0])
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            list(pool.map(add, names[1:]))

    def import_maildir(self, path, account):
        self._cli("import", "maildir", path, "--account", account)

    def config_keys(self):
        out = subprocess.run([self.binary, "config", "reference"], capture_output=True,
                             text=True, check=False).stdout
        return {line.split("`")[1] for line in out.splitlines() if line.startswith("| `")}

    def _write_config(self):
        keys = self.config_keys()
        lines = [
            "[server]",
            f'log_level = "{self.log_level}"',
            f"threads = {self.threads}",
            "[tls]",
            f'cert = "{self.cert}"',
            f'key = "{self.key}"',
            "[limits]",
            # The load comes from a few loopback addresses and many sessions per account.
            "max_connections_per_ip = 1000000",
            "max_connections = 10000000",
            "max_sessions_per_account = 0",
        ]
        if "auth.allow_plaintext" in keys:
            lines += ["[auth]", "allow_plaintext = true  # pop3-drain also runs without TLS"]
        path = os.path.join(self.dir, "roost.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n" + self.extra_config)
        return path

    # ----- lifecycle ----------------------------------------------------------------------

    def start(self):
        config = self._write_config()
        if self.imaps is None:
            self.imap, self.imaps, self.pop3, self.pop3s, self.smtp, self.lmtp = _free_ports(6)
            if not self.with_smtp:
                self.smtp = self.lmtp = None
        for attempt in range(2):
            listen = ["--listen", f"imaps={HOST}:{self.imaps}",
                      "--listen", f"imap={HOST}:{self.imap}"]
            if self.pop3_available:
                listen += ["--listen", f"pop3s={HOST}:{self.pop3s}",
                           "--listen", f"pop3={HOST}:{self.pop3}"]
            if self.smtp:
                listen += ["--listen", f"smtp={HOST}:{self.smtp}",
                           "--listen", f"lmtp={HOST}:{self.lmtp}"]
            env = dict(os.environ)
            log = open(self.log_path, "a")
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--config", config, "--data-dir", self.dir, *listen],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
            log.close()
            if _wait_port(self.imaps, self.proc, 60, "roost serve"):
                return self
            tail = self.log_tail()
            self.proc = None
            if self.pop3_available and "pop3" in tail:
                self.pop3_available = False  # this build does not offer POP3 yet
                self.pop3 = self.pop3s = None
                continue
            raise ServerError(f"roost serve exited:\n{tail}")
        raise ServerError(f"roost serve did not start:\n{self.log_tail()}")

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self):
        """Stops and starts again; returns the seconds from the start until the port listens."""
        self.stop()
        t0 = time.monotonic()
        self.start()
        return time.monotonic() - t0

    @property
    def pid(self):
        return self.proc.pid

    def log_tail(self, lines=30):
        return logfile.tail(self.log_path, lines)

    def version(self):
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True,
                             check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else "?"


class DovecotServer:
    kind = "dovecot"
    PROBE_USER = "probe"  # tests/lib/dovecot.py logs in as the first user at start

    def __init__(self, workdir, users, password, sessions=200, performance_login=False,
                 hibernate_seconds=0, imap_vsz_limit=None):
        # The probe login at start-up uses the plain password; the benchmark users get the
        # same argon2id hash Roost stores, so both servers do the same work per login.
        hashed = "{ARGON2ID}" + argon2id_hash(password)
        self.users = {self.PROBE_USER: password}
        self.users.update({u: hashed for u in users})
        self.workdir = workdir
        self.sessions = sessions
        self.performance_login = performance_login
        self.hibernate_seconds = hibernate_seconds
        self.imap_vsz_limit = imap_vsz_limit
        self.dc = None

    def extra_config(self):
        limit = self.sessions + 500
        # The imap and pop3 services have their own process_limit (1024 built in), which
        # default_process_limit does not raise; one process per session.
        imap = [f"  process_limit = {limit}"]
        if self.imap_vsz_limit:
            # An imap process's address space (256 MB by default) is too small for some
            # commands on a mailbox of a million messages; an administrator of one raises it.
            imap.append(f"  vsz_limit = {self.imap_vsz_limit}")
        parts = [
            "# roost bench: limits raised so the load fits; everything else is Dovecot's default.",
            "mail_max_userip_connections = 100000",
        ]
        if self.performance_login:
            # Dovecot's documented "high-performance" login mode: a few long-lived
            # imap-login processes each serve many clients (instead of one per connection,
            # whose TLS proxies alone would need a process per session).
            # At most 5,000 clients per process (each holds 2 descriptors per client: the
            # client's socket and its proxy to the imap process); the master forks more.
            procs = max(os.cpu_count() or 1, -(-self.sessions // 5000))
            parts.append(
                "service imap-login {\n  service_count = 0\n"
                f"  process_min_avail = {procs}\n  vsz_limit = 4G\n"
                "  client_limit = 5000\n}\n"
                "service pop3-login {\n  service_count = 0\n"
                f"  process_min_avail = {os.cpu_count() or 1}\n  vsz_limit = 4G\n}}")
        if self.hibernate_seconds:
            parts.append(f"imap_hibernate_timeout = {self.hibernate_seconds}s")
            # The socket permissions Dovecot's 10-master.conf asks for with hibernation: the
            # imap processes reach imap-hibernate, and imap-hibernate reaches imap-master.
            imap += ["  unix_listener imap-master {", "    user = $default_internal_user", "  }",
                     "  extra_groups = $default_internal_group"]
            parts.append(
                "service imap-hibernate {\n  unix_listener imap-hibernate {\n"
                "    mode = 0660\n    group = $default_internal_group\n  }\n"
                f"  client_limit = {self.sessions + 1000}\n}}")
        parts.append("service imap {\n" + "\n".join(imap) + "\n}")
        parts.append(f"service pop3 {{\n  process_limit = {limit}\n}}")
        return "\n".join(parts) + "\n"

    def start(self):
        self.dc = Dovecot(self.users, extra_config=self.extra_config(), start_timeout=120,
                          tmp_parent=self.workdir, process_limit=self.sessions + 500)
        try:
            self.dc.start()
        except DovecotError as e:
            raise ServerError(str(e)) from e
        return self

    def stop(self):
        if self.dc is not None:
            self.dc.stop()
            self.dc = None

    def restart(self):
        """Stops and starts again; returns the seconds from the start until it greets (and
        has logged its probe user in)."""
        self.dc.restart()
        return self.dc.restart_seconds

    @property
    def pid(self):
        return self.dc.proc.pid

    @property
    def imaps(self):
        return self.dc.imaps_port

    @property
    def imap(self):
        return self.dc.imap_port

    @property
    def pop3s(self):
        return self.dc.pop3s_port

    @property
    def pop3(self):
        return self.dc.pop3_port

    def maildir(self, user):
        return self.dc.maildir(user)

    def populate_maildir(self, user, source):
        """Hard-links the message files of Maildir `source` (cur/) into the user's INBOX,
        owned by the mail user, before anyone has opened it (no index yet)."""
        target = self.maildir(user)
        uid, gid = self.dc.mail_owner()
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(target, sub), exist_ok=True)
        cur = os.path.join(source, "cur")
        for name in os.listdir(cur):
            dst = os.path.join(target, "cur", name)
            os.link(os.path.join(cur, name), dst)
            os.chown(dst, uid, gid)
        for dirpath, _dirs, _files in os.walk(target):
            os.chown(dirpath, uid, gid)

    def version(self):
        return Dovecot(self.users).version() if self.dc is None else self.dc.version()

    def log_tail(self, lines=30):
        return self.dc.log_tail(lines) if self.dc else ""


class PostfixServer(Postfix):
    """tests/lib/postfix.py's private Postfix (virtual(8) into Maildirs) as a benchmark server."""

    kind = "postfix"

    def start(self):
        try:
            return super().start()
        except PostfixError as e:
            raise ServerError(str(e)) from None


def argon2id_hash(password, memory_kib=19 * 1024, passes=2, lanes=1):
    """A PHC string of Roost's password hash (src/auth/password_hash.h: argon2id, 19 MiB,
    2 passes, 1 lane, 16-byte salt, 32-byte hash), made with libargon2 through ctypes."""
    lib = ctypes.CDLL(ctypes.util.find_library("argon2") or "libargon2.so.1")
    pw, salt = password.encode(), os.urandom(16)
    out = ctypes.create_string_buffer(256)
    rc = lib.argon2id_hash_encoded(ctypes.c_uint32(passes), ctypes.c_uint32(memory_kib),
                                   ctypes.c_uint32(lanes), pw, ctypes.c_size_t(len(pw)), salt,
                                   ctypes.c_size_t(len(salt)), ctypes.c_size_t(32), out,
                                   ctypes.c_size_t(len(out)))
    if rc != 0:
        raise ServerError(f"argon2id_hash_encoded failed ({rc})")
    return out.value.decode()


def make_certificate(workdir):
    """One EC P-256 self-signed pair (the kind tests/lib/dovecot.py makes for Dovecot), so both
    servers do the same TLS handshake work."""
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    res = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
        capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise ServerError("openssl req failed:\n" + res.stderr[-2000:])
    os.chmod(key, 0o600)
    return cert, key


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
