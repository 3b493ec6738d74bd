"""A private Dovecot 2.3 instance for tests and benchmarks.

Usage:

    from dovecot import Dovecot
    if not Dovecot.available():
        skip()
    with Dovecot(users={"alice": "secret"}) as dc:
        imaplib.IMAP4(dc.host, dc.imap_port)

Everything lives in one temporary directory (config, base_dir, state_dir, log,
self-signed certificate, passwd-file, maildirs). The instance listens on
127.0.0.1 only, on free ports chosen at start; it never uses 143/993/110/995,
so a system Dovecot that happens to be running does not matter. Nothing is
installed at test time: the Debian packages dovecot-imapd and dovecot-pop3d
(which pull in dovecot-core) and openssl must already be present.

Standard library only.
"""

import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DOVECOT_BIN_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
FORBIDDEN_PORTS = {110, 143, 993, 995}


class DovecotError(RuntimeError):
    """Dovecot could not be configured or started; the text carries its log tail."""


def _find_binary():
    for path in DOVECOT_BIN_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("dovecot")


def _free_ports(count):
    """Distinct free TCP ports on 127.0.0.1 (kept bound until all are chosen)."""
    socks, ports = [], []
    try:
        while len(ports) < count:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            socks.append(s)
            if port not in FORBIDDEN_PORTS:
                ports.append(port)
    finally:
        for s in socks:
            s.close()
    return ports


def _read_greeting(host, port, timeout, tls=False):
    """First line the server sends, or None if nothing usable arrived."""
    import ssl
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None
    try:
        sock = raw
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(raw, server_hostname=host)
        sock.settimeout(timeout)
        data = b""
        while b"\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b"\n", 1)[0].rstrip(b"\r") if data else None
    except (OSError, ssl.SSLError):
        return None
    finally:
        try:
            sock.close()
        except OSError:
            pass


class Dovecot:
    """A private Dovecot: start() / stop(), or use as a context manager.

    users: {name: plain password, or "{SCHEME}hash"}. Every user's mail is a Maildir at
    maildir(user) == <tmp>/mail/<user>, owned by the uid the mail processes run as
    (the current user; root is allowed via first_valid_uid = 0).

    process_limit: default_process_limit; in Dovecot's default (high-security)
        login mode every IMAP/POP3 session is one process, so this caps concurrent
        sessions per protocol.
    extra_config: text appended to dovecot.conf, e.g. for a benchmark:
        "service imap-login {\n service_count = 0\n process_min_avail = 2\n}\n"
        (Dovecot's "performance mode" for logins).
    keep_dir: leave the temp dir behind after stop() (for debugging).
    tmp_parent: where the temp dir goes (default: $TMPDIR if short, else /tmp;
        unix socket paths under it must stay short).
    """

    host = "127.0.0.1"

    def __init__(self, users=None, *, extra_config="", start_timeout=20.0,
                 keep_dir=False, tmp_parent=None, process_limit=200):
        self.users = dict(users if users is not None else {"user": "pass"})
        for name in self.users:
            if not name or any(c in name for c in ":/\n\r\0") or name != name.lower():
                raise ValueError(f"unsupported user name {name!r} (lower-case, no ':' or '/')")
        self.extra_config = extra_config
        self.start_timeout = start_timeout
        self.keep_dir = keep_dir
        if tmp_parent is None and len(tempfile.gettempdir()) > 40:
            tmp_parent = "/tmp"
        self.tmp_parent = tmp_parent
        self.process_limit = int(process_limit)
        self.dir = None
        self.proc = None
        self.imap_port = self.imaps_port = self.pop3_port = self.pop3s_port = None
        self.binary = _find_binary()
        self.startup_seconds = None

    # ----- discovery -------------------------------------------------------------

    @staticmethod
    def available():
        """True when a dovecot binary (with imap and pop3) and openssl are installed."""
        binary = _find_binary()
        if not binary or not shutil.which("openssl"):
            return False
        libexec = Dovecot._libexec_dir(binary)
        return bool(libexec) and all(
            os.access(os.path.join(libexec, name), os.X_OK)
            for name in ("imap", "imap-login", "pop3", "pop3-login"))

    @staticmethod
    def _libexec_dir(binary):
        for d in ("/usr/lib/dovecot", "/usr/libexec/dovecot", "/usr/local/libexec/dovecot"):
            if os.path.isdir(d):
                return d
        return None

    def version(self):
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True,
                             check=False)
        return out.stdout.strip()

    # ----- paths -----------------------------------------------------------------

    @property
    def log_path(self):
        return os.path.join(self.dir, "dovecot.log")

    @property
    def config_path(self):
        return os.path.join(self.dir, "dovecot.conf")

    def maildir(self, user):
        """Root of the user's Maildir (INBOX is its cur/new/tmp)."""
        return os.path.join(self.dir, "mail", user)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return "(no log file)"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    # ----- lifecycle -------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        if self.proc is not None:
            raise DovecotError("already started")
        if not self.binary:
            raise DovecotError("dovecot binary not found (install dovecot-imapd dovecot-pop3d)")
        t0 = time.monotonic()
        # Short prefix: unix socket paths under base_dir must stay below ~100 bytes.
        self.dir = tempfile.mkdtemp(prefix="rdc-", dir=self.tmp_parent)
        try:
            os.chmod(self.dir, 0o755)  # login/internal users must traverse into base_dir
            self._make_cert()
            self._write_users()
            last_error = None
            for _attempt in range(3):  # retry if a chosen port got taken meanwhile
                self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port = _free_ports(4)
                self._write_config()
                try:
                    self._launch()
                    self.startup_seconds = time.monotonic() - t0
                    return self
                except DovecotError as e:
                    last_error = e
                    self._kill()
                    if "Address already in use" not in str(e):
                        break
            raise last_error
        except BaseException:
            self._kill()
            self._cleanup_dir()
            raise

    def stop(self):
        self._kill()
        self._cleanup_dir()

    def restart(self):
        """Stops the master and every child, then starts the same instance again (same
        directory, config, ports and mail): for measuring the first access after a restart."""
        if self.proc is None:
            raise DovecotError("not started")
        self._kill()
        t0 = time.monotonic()
        self._launch()
        self.restart_seconds = time.monotonic() - t0  # until it greets and logs a user in

    # ----- internals ---------------------------------------------------------------

    def _run_user(self):
        uid, gid = os.geteuid(), os.getegid()
        return uid, gid, pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name

    def mail_owner(self):
        """(uid, gid) the imap/pop3 processes run as and that owns the maildirs.
        Dovecot refuses mail access as root, so as root this is the Debian
        package's 'dovecot' user (else 'nobody'); otherwise ourselves."""
        if os.geteuid() != 0:
            return os.geteuid(), os.getegid()
        for name in ("dovecot", "nobody"):
            try:
                pw = pwd.getpwnam(name)
                return pw.pw_uid, pw.pw_gid
            except KeyError:
                pass
        raise DovecotError("running as root but no 'dovecot' or 'nobody' user for mail")

    def _internal_user(self):
        """As root, Dovecot drops privileges for auth/anvil/etc.: use the Debian
        package's 'dovecot' user when present, else root. Unprivileged: ourselves."""
        if os.geteuid() != 0:
            return pwd.getpwuid(os.geteuid()).pw_name
        return "dovecot" if _user_exists("dovecot") else "root"

    def _make_cert(self):
        cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        res = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
            capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise DovecotError("openssl req failed:\n" + res.stderr[-2000:])
        os.chmod(key, 0o600)

    def _write_users(self):
        muid, mgid = self.mail_owner()
        for sub in ("mail", "home"):
            os.makedirs(os.path.join(self.dir, sub), mode=0o700)
            os.chown(os.path.join(self.dir, sub), muid, mgid)
        lines = []
        for name, password in self.users.items():
            if ":" in password or "\n" in password:
                raise ValueError("passwords may not contain ':' or newlines")
            home = os.path.join(self.dir, "home", name)
            os.makedirs(home, mode=0o700)
            os.chown(home, muid, mgid)
            # uid/gid come from mail_uid/mail_gid: passwd-file refuses uid 0 here.
            # "{SCHEME}..." is an already hashed password (the benchmarks pass {ARGON2ID}).
            entry = password if password.startswith("{") else "{PLAIN}" + password
            lines.append(f"{name}:{entry}:::{home}::\n")
        path = os.path.join(self.dir, "passwd")
        with open(path, "w") as f:
            f.writelines(lines)
        # The auth process runs as default_internal_user and must read this file.
        os.chmod(path, 0o640)
        if os.geteuid() == 0:
            internal = self._internal_user()
            os.chown(path, 0, pwd.getpwnam(internal).pw_gid)

    def _write_config(self):
        d = self.dir
        uid, _gid, user, _group = self._run_user()
        muid, mgid = self.mail_owner()
        internal = self._internal_user()
        if uid == 0:
            login = "dovenull" if _user_exists("dovenull") else internal
        else:
            login = user  # unprivileged mode: every process runs as us
        internal_group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
        # Unprivileged: no chroot() for the services that use one by default.
        nochroot = "" if uid == 0 else "".join(
            "service %s {\n  chroot =\n}\n" % svc for svc in ("anvil", "imap-login", "pop3-login"))
        conf = f"""\
# Generated by tests/lib/dovecot.py. Private, loopback-only test instance.
protocols = imap pop3
listen = {self.host}
base_dir = {d}/run
state_dir = {d}/state
instance_name = roost-test-{os.path.basename(d)}
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
debug_log_path = {d}/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "

default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
mail_uid = {muid}
mail_gid = {mgid}
first_valid_uid = 1
first_valid_gid = 1
shutdown_clients = yes
default_process_limit = {self.process_limit}
default_client_limit = {max(2000, self.process_limit * 4)}
mail_max_userip_connections = 1000

ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login

passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}

mail_location = maildir:{d}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}

service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = {self.host}
    port = {self.pop3_port}
  }}
  inet_listener pop3s {{
    address = {self.host}
    port = {self.pop3s_port}
    ssl = yes
  }}
}}
# Services we do not need are kept off the network; their unix sockets live in base_dir.
service doveadm {{
  inet_listener {{
    port = 0
  }}
}}
service imap-urlauth-login {{
  unix_listener imap-urlauth {{
    mode = 0
  }}
}}
{nochroot}{self.extra_config}
"""
        with open(self.config_path, "w") as f:
            f.write(conf)

    def _launch(self):
        # Validate first: doveconf gives a precise message for config mistakes.
        check = subprocess.run([self.binary, "-c", self.config_path, "-n"],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise DovecotError(f"dovecot rejected its config:\n{check.stderr.strip()}")
        stderr_path = os.path.join(self.dir, "dovecot.stderr")
        with open(stderr_path, "wb") as err:
            # -F: stay in the foreground so we own the master; new session so that
            # stop() can signal the master and every child it forked as one group.
            self.proc = subprocess.Popen(
                [self.binary, "-F", "-c", self.config_path],
                stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.dir)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise DovecotError(self._failure_text(f"dovecot exited with status {rc}"))
            greeting = _read_greeting(self.host, self.imap_port, 1.0)
            if greeting and greeting.startswith(b"* OK"):
                self._probe_login()
                return
            time.sleep(0.005)  # the benchmark times restarts with this loop
        raise DovecotError(self._failure_text(
            f"no IMAP greeting on {self.host}:{self.imap_port} within {self.start_timeout}s"))

    def _probe_login(self):
        """Log in as the first user once, so a broken passdb/userdb or mail location
        fails here with Dovecot's log rather than later inside a test."""
        if not self.users:
            return
        import imaplib
        name, password = next(iter(self.users.items()))
        try:
            conn = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
            try:
                conn.login(name, password)
                conn.select("INBOX")
                conn.logout()
            finally:
                try:
                    conn.shutdown()
                except OSError:
                    pass
        except (imaplib.IMAP4.error, OSError) as e:
            time.sleep(0.2)  # let the log writer catch up
            raise DovecotError(self._failure_text(f"login probe as {name!r} failed: {e}"))

    def _failure_text(self, what):
        stderr = ""
        try:
            with open(os.path.join(self.dir, "dovecot.stderr"), "rb") as f:
                stderr = f.read().decode("utf-8", "replace")[-3000:]
        except OSError:
            pass
        return (f"{what}\n--- dovecot stderr ---\n{stderr.strip()}\n"
                f"--- tail of {self.log_path} ---\n{self.log_tail()}")

    def _kill(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session: the master leads its own process group
        if proc.poll() is None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        # Children that outlived the master (or ignored SIGTERM) go too.
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def _cleanup_dir(self):
        if self.dir and not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


if __name__ == "__main__":
    import sys
    if not Dovecot.available():
        print("dovecot not installed")
        sys.exit(1)
    with Dovecot({"alice": "secret"}) as dc:
        print(dc.version(), "started in %.2fs" % dc.startup_seconds)
        print("imap", dc.imap_port, "imaps", dc.imaps_port, "pop3", dc.pop3_port,
              "pop3s", dc.pop3s_port, "dir", dc.dir)
        print(dc.log_tail(10))
