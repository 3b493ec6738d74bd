"""A private Postfix instance (Debian's postfix package) on a free loopback port, for the tests
(an MTA in front of Roost's LMTP) and the smtp-inbound benchmark (Postfix delivering into
Maildirs). Standard library only."""

import os
import pwd
import socket
import subprocess
import time

import logfile
from dovecot import _free_ports

HOST = "127.0.0.1"


class PostfixError(RuntimeError):
    pass


class Postfix:
    """A private Postfix instance from Debian's postfix package: main.cf and master.cf written
    here, its own queue_directory and data_directory under `workdir`, smtpd on 127.0.0.1 at a
    free port, and virtual(8) delivering `users` of `domain` into one Maildir each
    (`<workdir>/mail/<domain>/<user>/`, owned by MAIL_UID:MAIL_GID). Everything else is
    Postfix's default, its durability too: cleanup(8) fsyncs the queue file before smtpd
    answers 250, and virtual(8) fsyncs the Maildir file before it counts as delivered.

    Needs root (`postfix start` runs master as root, which drops to mail_owner), the
    `postfix` user and `postdrop` group the package creates (mail_owner, setgid_group), and
    a data_directory owned by mail_owner (master's lock file). Logs go to <workdir>/maillog
    through postlogd (no syslog needed)."""

    MAIL_UID = MAIL_GID = 5000  # virtual_uid_maps / virtual_gid_maps; above virtual_minimum_uid
    POSTFIX = "/usr/sbin/postfix"
    SMTP_SOURCE = "/usr/sbin/smtp-source"
    # name, type, private, unprivileged, chroot, wakeup, maxproc, command: Debian's
    # master.cf services that a delivery to a virtual Maildir uses, without chroot (the
    # private instance has no chroot tree), and smtpd on the loopback port.
    SERVICES = (
        ("pickup", "unix", "n", "-", "n", "60", "1", "pickup"),
        ("cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"),
        ("qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"),
        ("rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"),
        ("bounce", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("defer", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("trace", "unix", "-", "-", "n", "-", "0", "bounce"),
        ("verify", "unix", "-", "-", "n", "-", "1", "verify"),
        ("flush", "unix", "n", "-", "n", "1000?", "0", "flush"),
        ("proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"),
        ("showq", "unix", "n", "-", "n", "-", "-", "showq"),
        ("error", "unix", "-", "-", "n", "-", "-", "error"),
        ("retry", "unix", "-", "-", "n", "-", "-", "error"),
        ("discard", "unix", "-", "-", "n", "-", "-", "discard"),
        ("local", "unix", "-", "n", "n", "-", "-", "local"),
        ("virtual", "unix", "-", "n", "n", "-", "-", "virtual"),
        ("lmtp", "unix", "-", "-", "n", "-", "-", "lmtp"),
        ("smtp", "unix", "-", "-", "n", "-", "-", "smtp"),
        ("anvil", "unix", "-", "-", "n", "-", "1", "anvil"),
        ("scache", "unix", "-", "-", "n", "-", "1", "scache"),
        ("postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"),
    )

    def __init__(self, workdir, domain, users, hostname="mx.bench.test", lmtp=None):
        """lmtp: instead of virtual(8), hand all mail for `domain` to the LMTP server at this
        Unix socket path (an MTA in front of a mail store); unknown users are its to refuse."""
        self.workdir = workdir
        self.lmtp = lmtp
        self.domain, self.users, self.hostname = domain, list(users), hostname
        self.config_dir = os.path.join(workdir, "etc")
        self.queue_dir = os.path.join(workdir, "queue")
        self.data_dir = os.path.join(workdir, "data")
        self.mail_dir = os.path.join(workdir, "mail")
        self.log_path = os.path.join(workdir, "maillog")
        self.smtp = None
        self.running = False

    @classmethod
    def available(cls):
        return os.access(cls.POSTFIX, os.X_OK) and os.access(cls.SMTP_SOURCE, os.X_OK)

    def maildir(self, user):
        return os.path.join(self.mail_dir, self.domain, user)

    def _write_config(self):
        try:
            owner = pwd.getpwnam("postfix")
        except KeyError:
            raise PostfixError("no `postfix` user: install Debian's postfix package") from None
        for d in (self.config_dir, self.queue_dir, self.data_dir, self.mail_dir):
            os.makedirs(d, exist_ok=True)
        os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        os.chmod(self.data_dir, 0o700)
        for user in self.users:
            for sub in ("tmp", "new", "cur"):
                os.makedirs(os.path.join(self.maildir(user), sub), exist_ok=True)
        for path, _dirs, _files in os.walk(self.mail_dir):
            os.chown(path, self.MAIL_UID, self.MAIL_GID)
        mailboxes = ", ".join(f"{u}@{self.domain}={self.domain}/{u}/" for u in self.users)
        if self.lmtp:
            # relay_domains with no relay_recipient_maps: every recipient is accepted here and
            # judged by the LMTP server (a refusal there becomes Postfix's bounce).
            delivery = (f"relay_domains = {self.domain}\nrelay_transport = lmtp:unix:{self.lmtp}\n"
                        "relay_recipient_maps =\n")
        else:
            delivery = (f"virtual_mailbox_domains = {self.domain}\n"
                        f"virtual_mailbox_base = {self.mail_dir}\n"
                        f"virtual_mailbox_maps = inline:{{ {mailboxes} }}\n"
                        f"virtual_uid_maps = static:{self.MAIL_UID}\n"
                        f"virtual_gid_maps = static:{self.MAIL_GID}\n")
        main = f"""# A private instance; what is not set here is Postfix's default.
compatibility_level = 3.6
queue_directory = {self.queue_dir}
data_directory = {self.data_dir}
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.log_path}
maillog_file_prefixes = {self.workdir}
myhostname = {self.hostname}
mydomain = {self.domain}
mydestination =
inet_interfaces = {HOST}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
{delivery}"""
        with open(os.path.join(self.config_dir, "main.cf"), "w") as f:
            f.write(main)
        services = [(f"{HOST}:{self.smtp}", "inet", "n", "-", "n", "-", "-", "smtpd")]
        with open(os.path.join(self.config_dir, "master.cf"), "w") as f:
            for row in services + list(self.SERVICES):
                f.write("  ".join(row) + "\n")

    def _postfix(self, action):
        return subprocess.run([self.POSTFIX, "-c", self.config_dir, action],
                              capture_output=True, text=True, check=False, timeout=120)

    def start(self):
        if os.geteuid() != 0:
            raise PostfixError("Postfix's master must start as root (it drops to mail_owner)")
        if self.smtp is None:
            self.smtp = _free_ports(1)[0]
        self._write_config()
        res = self._postfix("start")
        self.running = True
        if res.returncode != 0:
            raise PostfixError(f"postfix start failed ({res.returncode}) {res.stderr.strip()}\n"
                              f"{self.log_tail()}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.smtp), timeout=5) as s:
                    if s.recv(4).startswith(b"220"):
                        s.sendall(b"QUIT\r\n")
                        return self
            except OSError:
                time.sleep(0.05)
        raise PostfixError(f"postfix: port {self.smtp} did not answer 220\n{self.log_tail()}")

    def stop(self):
        if not self.running:
            return
        pid = self._master_pid()
        self._postfix("stop")
        self.running = False
        deadline = time.monotonic() + 30
        while pid and time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)
        if pid and os.path.exists(f"/proc/{pid}"):
            self._postfix("abort")

    def _master_pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    @property
    def pid(self):
        return self._master_pid()

    def delivered(self, user):
        """Messages virtual(8) has finished delivering to the user (files in Maildir/new)."""
        return len(os.listdir(os.path.join(self.maildir(user), "new")))

    def clear(self, user):
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir(user), sub)
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))

    def version(self):
        res = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                             text=True, check=False)
        return res.stdout.strip() or "?"

    def log_tail(self, lines=30):
        return logfile.tail(self.log_path, lines)
