"""The five benchmarks of issue 5 and smtp-inbound of issue 7. Each sets up Roost and its
reference (Dovecot; Postfix for smtp-inbound) with the same accounts and mail, then runs one
round against one server at a time (run.py interleaves the servers and repeats the rounds) and
returns its figures. bench/README.md says what each figure means."""

import imaplib
import json
import os
import ssl
import subprocess
import time

from . import corpus, procstat
from .servers import HOST, DovecotServer, PostfixServer, RoostServer

from local_dns import LocalDns  # tests/lib, on sys.path through .servers

PASSWORD = "bench-Pa55word"
HIGHER, LOWER, INFO = "higher", "lower", "info"


class Figure:
    def __init__(self, key, title, better, unit=""):
        self.key, self.title, self.better, self.unit = key, title, better, unit


class LoadgenError(RuntimeError):
    pass


class Context:
    """What every scenario needs: paths, sizes (args), and the load generator."""

    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.commands = []  # (scenario, target, argv) of every load generator run
        self.notes = []     # lines for RESULTS.md ("what was unusual about this run")
        self.corpus_dir = os.path.join(workdir, "corpus")
        self.corpus_count = corpus.prepare_corpus(self.corpus_dir)
        self.log_path = os.path.join(workdir, "roost-bench.log")

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)
            print(f"   note: {text}", flush=True)

    def loadgen(self, scenario, target, subcommand, argv, timeout, on_ready=None):
        """Runs roost-bench; returns its JSON result. With on_ready, the load generator is
        started with --sync-stdin: on_ready(event) runs when it reports "ready", then it is
        told to go on."""
        cmd = [self.args.bench, subcommand, *argv]
        if subcommand != "seed":
            settle_disk()
            if self.args.loadgen_threads > 1:
                cmd += ["--threads", str(self.args.loadgen_threads)]
        self.commands.append((scenario, target, cmd))
        with open(self.log_path, "a") as log:
            log.write(f"\n$ {' '.join(cmd)}\n")
            log.flush()
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=log, text=True)
            lines = []
            try:
                deadline = time.monotonic() + timeout
                for line in proc.stdout:
                    line = line.strip()
                    if not line:
                        continue
                    lines.append(line)
                    event = json.loads(line)
                    if event.get("event") == "ready" and on_ready is not None:
                        on_ready(event)
                        proc.stdin.write("go\n")
                        proc.stdin.flush()
                    if time.monotonic() > deadline:
                        break
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise LoadgenError(f"roost-bench {subcommand} overran {timeout}s")
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if proc.returncode != 0 or not lines:
            raise LoadgenError(f"roost-bench {subcommand} failed (exit {proc.returncode}); "
                               f"see {self.log_path}")
        result = json.loads(lines[-1])
        with open(self.log_path, "a") as log:
            log.write(json.dumps(result) + "\n")
        return result


def settle_disk():
    """Writes back what earlier runs left dirty in the page cache (not timed), so that a
    server's timed run never waits behind the other server's deferred writes: Dovecot leaves
    its index files to the kernel's writeback, which then competes with the next run's
    fsyncs."""
    os.sync()


def _common(server, accounts, port=None, tls=True):
    return ["--port", str(port or (server.imaps if tls else server.imap)),
            "--accounts", accounts, "--password", PASSWORD] + ([] if tls else ["--plain"])


def _seed(ctx, scenario, label, server, accounts, messages, mailbox="INBOX", create=()):
    argv = _common(server, accounts) + ["--corpus", ctx.corpus_dir, "--messages", str(messages),
                                        "--mailbox", mailbox, "--connections", "4"]
    for name in create:
        argv += ["--create", name]
    out = ctx.loadgen(scenario, label, "seed", argv, timeout=3600)
    if out.get("errors"):
        raise LoadgenError(f"seeding {label} failed: {out['errors']}")
    return out


def _names(prefix, n):
    return [f"{prefix}{i}" for i in range(1, n + 1)]


def _spec(prefix, n):
    return f"{prefix}{{1..{n}}}"


class Scenario:
    name = ""
    figures = []

    def __init__(self, ctx):
        self.ctx = ctx
        self.args = ctx.args
        self.servers = {}  # label -> server
        self.details = []  # per round: (label, round, raw JSON)

    def targets(self):
        return list(self.servers.items())

    def teardown(self):
        for server in self.servers.values():
            try:
                server.stop()
            except Exception as e:  # noqa: BLE001 - report and go on with the others
                print(f"   warning: stopping {server.kind}: {e}")

    def _start(self, label, server):
        """Starts a server, registered first so that teardown() stops it even when a later
        step of the set-up fails."""
        self.servers[label] = server
        server.start()
        return server

    def _roost(self, threads=0):
        return RoostServer(self.args.roost, self._dir("roost"), self.ctx.cert, self.ctx.key,
                           log_level=self.args.roost_log_level, threads=threads)

    def _dir(self, what):
        path = os.path.join(self.ctx.workdir, self.name, what)
        os.makedirs(path, exist_ok=True)
        return path


# ----- 1. imap-mixed ------------------------------------------------------------------------

class ImapMixed(Scenario):
    name = "imap-mixed"
    # The first two run as fast as each server answers (throughput, CPU per command); the
    # paced ones offer both servers the same load (--mixed-paced-rate, --mixed-churn-paced-rate
    # commands/s, below what either sustains) and compare latency at equal load.
    VARIANTS = ("persistent", "churn", "persistent-paced", "churn-paced")
    COMMANDS = ("SELECT", "FETCH 1:* FLAGS", "UID FETCH headers", "UID FETCH BODY.PEEK[]",
                "UID STORE", "APPEND", "UID SEARCH", "UID MOVE", "EXPUNGE", "NOOP",
                "IDLE (until +)", "IDLE DONE", "LOGIN", "LOGOUT")

    figures = []
    for _v in VARIANTS:
        figures += [
            Figure(f"{_v}.cps", f"{_v}: commands/s", HIGHER),
            Figure(f"{_v}.p50", f"{_v}: p50 latency, all commands (ms)", LOWER),
            Figure(f"{_v}.p99", f"{_v}: p99 latency, all commands (ms)", LOWER),
            Figure(f"{_v}.cpu", f"{_v}: server CPU s per 1,000 commands", LOWER),
            Figure(f"{_v}.rss", f"{_v}: server peak RSS (MiB)", LOWER),
            Figure(f"{_v}.pss", f"{_v}: server peak PSS (MiB)", LOWER),
            Figure(f"{_v}.errors", f"{_v}: failed commands + lost connections", LOWER),
        ]

    def setup(self):
        a = self.args
        own, hot = _names("user", a.mixed_clients), _names("hot", a.mixed_hot_accounts)
        roost = self._roost()
        roost.add_accounts(own + hot, PASSWORD)
        self._start("roost", roost)
        sessions = a.mixed_clients * (2 if hot else 1)
        self._start("dovecot", DovecotServer(self._dir("dovecot"), own + hot, PASSWORD,
                                             sessions=sessions + 50))
        for label, server in self.servers.items():
            t0 = time.monotonic()
            _seed(self.ctx, self.name, label, server, _spec("user", a.mixed_clients),
                  a.mixed_seed, create=("Archive",))
            _seed(self.ctx, self.name, label, server, _spec("user", a.mixed_clients),
                  max(10, a.mixed_seed // 4), mailbox="Archive")
            if hot:
                _seed(self.ctx, self.name, label, server, _spec("hot", len(hot)),
                      a.mixed_seed * 5, create=("Archive",))
                _seed(self.ctx, self.name, label, server, _spec("hot", len(hot)),
                      a.mixed_seed, mailbox="Archive")
            print(f"   seeded {label} in {time.monotonic() - t0:.0f}s", flush=True)

    def run(self, label, server, rnd):
        a = self.args
        figures = {}
        for variant in self.VARIANTS:
            argv = _common(server, _spec("user", a.mixed_clients)) + [
                "--clients", str(a.mixed_clients), "--duration", str(a.mixed_duration),
                "--corpus", self.ctx.corpus_dir, "--source", "127.0.0.2-127.0.0.5",
                "--seed", str(rnd + 1)]
            if a.mixed_hot_accounts:
                argv += ["--hot-accounts", _spec("hot", a.mixed_hot_accounts)]
            if variant.startswith("churn"):
                argv.append("--churn")
            if variant.endswith("-paced"):
                rate = a.mixed_churn_paced_rate if variant.startswith("churn") else a.mixed_paced_rate
                argv[argv.index("--duration") + 1] = str(a.mixed_paced_duration)
                argv += ["--rate", str(rate)]
            cpu0 = procstat.cpu_seconds(server.pid)
            with procstat.MemorySampler(server.pid) as mem:
                out = self.ctx.loadgen(self.name, label, "imap-mixed", argv,
                                       timeout=a.mixed_duration + 300)
            # IDLE spells and LOGOUTs take no slot, so a server that keeps up delivers about
            # 93% of the offered rate; well below that it fell behind.
            if variant.endswith("-paced") and out["commands_per_second"] < 0.85 * rate:
                self.ctx.note(f"imap-mixed {variant} on {label}: {out['commands_per_second']:.0f} "
                              f"commands/s of the {rate} offered: the server fell behind")
            cpu = procstat.cpu_seconds(server.pid) - cpu0
            self.details.append((f"{label} {variant}", rnd, out))
            commands = out["commands"]
            lat = out["latency_all"]
            errors = sum(out["errors"].values()) + sum(out["no_replies"].values())
            figures.update({
                f"{variant}.cps": out["commands_per_second"],
                f"{variant}.p50": lat.get("p50_ms"),
                f"{variant}.p99": lat.get("p99_ms"),
                f"{variant}.cpu": cpu / commands * 1000 if commands else None,
                f"{variant}.rss": mem.peak["rss_kib"] / 1024,
                f"{variant}.pss": mem.peak["pss_kib"] / 1024,
                f"{variant}.errors": errors,
            })
            for op, s in out["latency"].items():
                figures[f"{variant}.op.{op}.p50"] = s.get("p50_ms")
                figures[f"{variant}.op.{op}.p99"] = s.get("p99_ms")
            if out["errors"] or out["no_replies"]:
                self.ctx.note(f"imap-mixed {variant} on {label}: errors {out['errors']} "
                              f"NO/BAD {out['no_replies']}")
        return figures


# ----- 2. idle-fleet ------------------------------------------------------------------------

class IdleFleet(Scenario):
    name = "idle-fleet"
    figures = [
        Figure("ready", "sessions established", HIGHER),
        Figure("pss_per_session", "server memory per idle session, PSS (KiB)", LOWER),
        Figure("rss_per_session", "server memory per idle session, RSS (KiB)", LOWER),
        Figure("push_p50", "push latency p50, APPEND sent -> EXISTS seen (ms)", LOWER),
        Figure("push_p99", "push latency p99 (ms)", LOWER),
        Figure("push_seen", "pushes seen (% of expected)", HIGHER),
        Figure("setup_rate", "session set-up rate (TLS+LOGIN+SELECT+IDLE per s)", HIGHER),
    ]

    def setup(self):
        a = self.args
        accounts = _names("idle", a.fleet_accounts)
        sessions = a.fleet_sessions + a.fleet_accounts + 100
        roost = self._roost()
        roost.add_accounts(accounts, PASSWORD)
        self._start("roost", roost)
        # Dovecot's default login mode runs one imap-login process per connection and keeps it
        # as the TLS proxy for the session: 2 processes per session would not fit pid_max
        # (32768 here) at 20,000 sessions; its documented high-performance login mode does.
        self._start("dovecot", DovecotServer(self._dir("dovecot"), accounts, PASSWORD,
                                             sessions=sessions, performance_login=True))
        self._start("dovecot-hibernate",
                    DovecotServer(self._dir("dovecot-hib"), accounts, PASSWORD,
                                  sessions=sessions, performance_login=True,
                                  hibernate_seconds=a.hibernate_seconds))
        for label, server in self.servers.items():
            _seed(self.ctx, self.name, label, server, _spec("idle", a.fleet_accounts), 10)

    def run(self, label, server, rnd):
        a = self.args
        sources = max(4, a.fleet_sessions // 4000 + 1)
        argv = _common(server, _spec("idle", a.fleet_accounts)) + [
            "--sessions", str(a.fleet_sessions), "--deliver-accounts", str(a.fleet_accounts),
            "--source", f"127.0.0.2-127.0.0.{1 + sources}", "--sync-stdin",
            "--push-timeout", str(a.fleet_push_timeout), "--seed", str(rnd + 1)]
        base = procstat.memory(server.pid)
        measured = {}

        def on_ready(event):
            # Let sessions settle (and Dovecot hibernate them) before measuring.
            settle = 3 + (a.hibernate_seconds + 5 if label == "dovecot-hibernate" else 0)
            time.sleep(settle)
            t0 = time.monotonic()
            measured.update(procstat.memory(server.pid))
            measured["measure_seconds"] = time.monotonic() - t0
            measured["ready"] = event["sessions_ready"]

        out = self.ctx.loadgen(self.name, label, "idle-fleet", argv,
                               timeout=a.fleet_push_timeout + 900 + a.fleet_sessions / 20,
                               on_ready=on_ready)
        out["server_memory"] = measured
        out["server_memory_before"] = base
        self.details.append((label, rnd, out))
        ready = out["sessions_ready"]
        if out.get("fd_limit", 1 << 30) < a.fleet_sessions + 100:
            self.ctx.note(f"idle-fleet: RLIMIT_NOFILE is {out['fd_limit']} here (no "
                          "CAP_SYS_RESOURCE to raise it): fewer sessions than asked can exist")
        push = out["push_latency_from_append"]
        expected = out["pushes_expected"]
        figures = {
            "ready": ready,
            "pss_per_session": measured["pss_kib"] / ready if ready else None,
            "rss_per_session": measured["rss_kib"] / ready if ready else None,
            "push_p50": push.get("p50_ms"),
            "push_p99": push.get("p99_ms"),
            "push_seen": 100.0 * out["pushes_seen"] / expected if expected else None,
            "setup_rate": ready / out["setup_seconds"] if out["setup_seconds"] else None,
        }
        if out["errors"]:
            self.ctx.note(f"idle-fleet on {label}: {out['errors']}")
        # The next round starts from an idle server: wait for the sessions to be gone.
        if server.kind == "dovecot":
            if not procstat.wait_for_processes(server.pid, base["processes"] + 5, 300):
                self.ctx.note(f"idle-fleet: {label} still had sessions 300 s after the run")
        else:
            time.sleep(3)
        return figures


# ----- 3. append-durable --------------------------------------------------------------------

class AppendDurable(Scenario):
    name = "append-durable"
    figures = [
        Figure("mps", "messages/s", HIGHER),
        Figure("mbps", "MB/s (10^6 bytes)", HIGHER),
        Figure("p50", "APPEND p50 (ms)", LOWER),
        Figure("p99", "APPEND p99 (ms)", LOWER),
        Figure("cpu", "server CPU s per 1,000 messages", LOWER),
    ]

    def setup(self):
        a = self.args
        accounts = _names("app", a.append_clients)
        roost = self._roost()
        roost.add_accounts(accounts, PASSWORD)
        self._start("roost", roost)
        self._start("dovecot", DovecotServer(self._dir("dovecot"), accounts, PASSWORD,
                                             sessions=a.append_clients + 50))

    def run(self, label, server, rnd):
        a = self.args
        argv = _common(server, _spec("app", a.append_clients)) + [
            "--clients", str(a.append_clients), "--duration", str(a.append_duration),
            "--min-size", str(a.append_min_size), "--max-size", str(a.append_max_size),
            "--seed", str(rnd + 1)]
        cpu0 = procstat.cpu_seconds(server.pid)
        out = self.ctx.loadgen(self.name, label, "append", argv, timeout=a.append_duration + 300)
        cpu = procstat.cpu_seconds(server.pid) - cpu0
        self.details.append((label, rnd, out))
        lat = out["latency"].get("APPEND", {})
        if out["errors"]:
            self.ctx.note(f"append-durable on {label}: {out['errors']}")
        return {
            "mps": out["messages_per_second"],
            "mbps": out["mb_per_second"],
            "p50": lat.get("p50_ms"),
            "p99": lat.get("p99_ms"),
            "cpu": cpu / out["messages"] * 1000 if out["messages"] else None,
        }


# ----- 4. big-mailbox -----------------------------------------------------------------------

class BigMailbox(Scenario):
    name = "big-mailbox"
    PHASES = (("select", "SELECT (s)"),
              ("fetch-flags", "FETCH 1:* (UID FLAGS) (s)"),
              ("search-header", "UID SEARCH HEADER Message-ID (s)"),
              ("search-text", "SEARCH TEXT, word in 1% of messages (s)"),
              ("sort-date", "SORT (DATE) (s)"),
              ("qresync", "QRESYNC SELECT after 1,000 flag changes (s)"),
              ("restart-select", "first SELECT after a restart (s)"),
              ("restart-total", "restart: start until the first SELECT answers (s)"))
    figures = [Figure(k, t, LOWER) for k, t in PHASES]
    ACCOUNT = "big"

    def setup(self):
        a = self.args
        source = self._dir("maildir")
        t0 = time.monotonic()
        self.info = corpus.write_maildir(source, a.big_messages, sizes="small")
        print(f"   wrote {a.big_messages} messages ({self.info['bytes'] / 1e9:.2f} GB) "
              f"in {time.monotonic() - t0:.0f}s", flush=True)
        roost = self._roost()
        roost.add_accounts([self.ACCOUNT], PASSWORD)
        t0 = time.monotonic()
        roost.import_maildir(source, self.ACCOUNT)
        self.ctx.note(f"big-mailbox: `roost import maildir` of {a.big_messages} messages took "
                      f"{time.monotonic() - t0:.0f} s (not timed in the table)")
        self._start("roost", roost)
        dovecot = self._start("dovecot",
                              DovecotServer(self._dir("dovecot"), [self.ACCOUNT], PASSWORD,
                                            imap_vsz_limit="4G"))
        dovecot.populate_maildir(self.ACCOUNT, source)
        # Not timed: the first SELECT (Dovecot builds its index of the new Maildir here).
        for label, server in self.servers.items():
            out = self._phases(label, server, "select", rnd=0)
            secs = out["phases"].get("select", {}).get("seconds")
            if secs is None:
                self.ctx.note(f"big-mailbox: first SELECT on {label} failed: {out}")
            else:
                self.ctx.note(f"big-mailbox: first SELECT on {label} (not timed; Dovecot "
                              f"builds its index here) took {secs:.2f} s")

    def _phases(self, label, server, phases, rnd):
        argv = _common(server, self.ACCOUNT) + [
            "--phases", phases, "--header-value", self.info["middle_message_id"],
            "--text-word", corpus.MARKER_WORD, "--op-timeout", str(self.args.big_op_timeout),
            "--seed", str(rnd + 1)]
        return self.ctx.loadgen(self.name, label, "big-mailbox", argv,
                                timeout=8 * self.args.big_op_timeout + 60)

    def run(self, label, server, rnd):
        out = self._phases(label, server,
                           "select,fetch-flags,search-header,search-text,sort-date,qresync", rnd)
        started = server.restart()
        after = self._phases(label, server, "select", rnd)
        first = after["phases"].get("select", {})
        out["phases"]["restart-select"] = first
        out["phases"]["restart-total"] = dict(first, seconds=started + first["seconds"]) \
            if first.get("seconds") is not None else first
        self.details.append((label, rnd, out))
        figures = {}
        for key, _title in self.PHASES:
            p = out["phases"].get(key, {})
            status = p.get("status", "missing")
            figures[key] = p.get("seconds") if status == "ok" else None
            if status != "ok":
                self.ctx.note(f"big-mailbox {key} on {label}: {status}")
        expected = {"search-header": 1, "search-text": self.info["marker_messages"]}
        for key, want in expected.items():
            got = out["phases"].get(key, {}).get("result")
            if got is not None and got != want:
                self.ctx.note(f"big-mailbox {key} on {label}: {got} results, expected {want}")
        return figures


# ----- 5. pop3-drain ------------------------------------------------------------------------

class Pop3Drain(Scenario):
    name = "pop3-drain"
    figures = [
        Figure("tls.mbps", "TLS: MB/s (STAT+UIDL+RETR all)", HIGHER),
        Figure("tls.drain", "TLS: drain time (s)", LOWER),
        Figure("tls.stat", "TLS: STAT (ms)", LOWER),
        Figure("tls.uidl", "TLS: UIDL (ms)", LOWER),
        Figure("plain.mbps", "plain: MB/s", HIGHER),
        Figure("plain.drain", "plain: drain time (s)", LOWER),
    ]
    ACCOUNT = "drop"

    def setup(self):
        a = self.args
        source = self._dir("maildir")
        self.info = corpus.write_maildir(source, a.pop3_messages, sizes="realistic",
                                         marker_every=0)
        roost = self._roost()
        roost.add_accounts([self.ACCOUNT], PASSWORD)
        roost.import_maildir(source, self.ACCOUNT)
        self._start("roost", roost)
        if not roost.pop3_available:
            self.ctx.note("pop3-drain: this Roost build does not offer POP3 yet; Roost column "
                          "is n/a")
        dovecot = self._start("dovecot",
                              DovecotServer(self._dir("dovecot"), [self.ACCOUNT], PASSWORD,
                                            imap_vsz_limit="4G"))
        dovecot.populate_maildir(self.ACCOUNT, source)
        # Not timed: one drain each (Dovecot indexes the Maildir and caches POP3 UIDLs).
        for label, server in self.servers.items():
            if server.pop3s:
                self._drain(label, server, tls=True, rnd=-1)

    def _drain(self, label, server, tls, rnd):
        argv = _common(server, self.ACCOUNT, port=server.pop3s if tls else server.pop3, tls=tls)
        argv += ["--seed", str(rnd + 2)]
        return self.ctx.loadgen(self.name, label, "pop3-drain", argv, timeout=1800)

    def run(self, label, server, rnd):
        figures = {}
        if not server.pop3s:
            return figures
        for mode in ("tls", "plain"):
            out = self._drain(label, server, tls=(mode == "tls"), rnd=rnd)
            self.details.append((f"{label} {mode}", rnd, out))
            if "error" in out:
                self.ctx.note(f"pop3-drain {mode} on {label}: {out['error']}")
                continue
            d = out["drain"]
            if d.get("retrieved") != self.info["messages"]:
                self.ctx.note(f"pop3-drain {mode} on {label}: retrieved {d.get('retrieved')} of "
                              f"{self.info['messages']}")
            figures.update({f"{mode}.mbps": d["mb_per_second"],
                            f"{mode}.drain": d["drain_seconds"],
                            f"{mode}.stat": d["stat_ms"], f"{mode}.uidl": d["uidl_ms"]})
        return figures


# ----- 6. smtp-inbound ----------------------------------------------------------------------

def _size_name(size):
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} B"


class SmtpInbound(Scenario):
    """Postfix's smtp-source sends to port 25 of Roost and of a private Postfix that delivers
    into a Maildir; messages/s end to end (every message stored durably) for each message size
    and session count."""

    name = "smtp-inbound"
    DOMAIN = "bench.test"
    USER = "user"
    RECIPIENT = f"{USER}@{DOMAIN}"
    SENDER = "sender@bench.example"
    HELO = "client.bench.example"
    HOSTNAME = "mx.bench.test"
    CELL_TIMEOUT = 900      # one smtp-source run
    DELIVERY_TIMEOUT = 300  # Postfix: from smtp-source's exit to the last file in Maildir/new

    def __init__(self, ctx):
        super().__init__(ctx)
        a = self.args
        self.cells = [(size, sessions) for size in a.smtp_sizes for sessions in a.smtp_sessions]
        self.figures = []
        for what, title, better in (("mps", "messages/s", HIGHER),
                                    ("cpu", "server CPU s per 1,000 messages", LOWER)):
            for size, sessions in self.cells:
                self.figures.append(Figure(
                    f"{size}.{sessions}.{what}",
                    f"{_size_name(size)}, {sessions} session{'s' if sessions > 1 else ''}: "
                    f"{title}", better))
        self.dns = None

    def messages(self, size):
        """Messages per cell: --smtp-messages up to 64 KiB, a tenth of it above (1 MiB)."""
        n = self.args.smtp_messages
        return max(1, n // 10) if size > 64 * 1024 else n

    def setup(self):
        if not PostfixServer.available():
            raise RuntimeError("Postfix is not installed (Debian package postfix; ./dev bench "
                               "installs it)")
        # Roost checks SPF, DKIM and DMARC on port 25. Its DNS is a local dnsmasq that
        # answers at once: the sender domain's SPF record allows 127.0.0.1 and its DMARC
        # policy is p=none, so every message passes SPF and DMARC (no DKIM signature). The
        # records have a TTL of an hour, as real zones' do: a resolver answers repeats itself.
        self.dns = LocalDns(ttl=3600)
        domain = self.SENDER.split("@")[1]
        self.dns.add_txt(domain, "v=spf1 ip4:127.0.0.1 -all")
        self.dns.add_txt(f"_dmarc.{domain}", "v=DMARC1; p=none")
        self.dns.__enter__()
        roost = RoostServer(
            self.args.roost, self._dir("roost"), self.ctx.cert, self.ctx.key,
            log_level=self.args.roost_log_level, smtp=True,
            extra_config=(f'[dns]\nresolver = "{self.dns.resolver()}"\ntimeout_ms = 2000\n'
                          f'[smtp]\nhostname = "{self.HOSTNAME}"\n'
                          f'local_domains = ["{self.DOMAIN}"]\n'))
        roost.add_accounts([self.USER], PASSWORD)
        self._start("roost", roost)
        self._start("postfix", PostfixServer(self._dir("postfix"), self.DOMAIN, [self.USER],
                                             hostname=self.HOSTNAME))
        # Not timed: a few messages each, so that Postfix has forked its processes and both
        # have shown that mail arrives before the rounds begin.
        for label, server in self.servers.items():
            self._clear(server)
            count = self._send(label, server, size=1024, sessions=2, messages=10, record=False)
            if count != 10:
                raise RuntimeError(f"smtp-inbound: warm-up on {label} stored {count} of 10")
            self._clear(server)

    def teardown(self):
        super().teardown()
        if self.dns is not None:
            self.dns.__exit__(None, None, None)
            self.dns = None

    # ----- one cell ---------------------------------------------------------------------

    def _smtp_source(self, server, size, sessions, messages):
        # Compact options (-s50, not -s 50) so that RESULTS.md keeps one line per cell.
        return [PostfixServer.SMTP_SOURCE, "-d", f"-s{sessions}", f"-m{messages}", f"-l{size}",
                "-M", self.HELO, "-f", self.SENDER, "-t", self.RECIPIENT,
                f"{HOST}:{server.smtp}"]

    def _stored(self, server):
        """Messages in the recipient's INBOX (Roost: over IMAP; Postfix: Maildir/new)."""
        if server.kind == "postfix":
            return server.delivered(self.USER)
        with self._imap(server) as conn:
            typ, data = conn.select("INBOX", readonly=True)
            if typ != "OK":
                raise RuntimeError(f"SELECT INBOX on Roost: {typ} {data}")
            return int(data[0])

    def _clear(self, server):
        """Empties the recipient's mailbox between cells (not timed)."""
        if server.kind == "postfix":
            server.clear(self.USER)
            return
        with self._imap(server) as conn:
            typ, data = conn.select("INBOX")
            if typ == "OK" and int(data[0]) > 0:
                conn.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
                conn.expunge()

    def _imap(self, server):
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        conn = imaplib.IMAP4_SSL(HOST, server.imaps, ssl_context=tls, timeout=120)
        conn.login(self.USER, PASSWORD)
        return conn

    def _send(self, label, server, size, sessions, messages, record=True):
        """Runs smtp-source; returns the messages stored when it is done (Postfix: waits up to
        DELIVERY_TIMEOUT until they all are). Fills self.last with the timing."""
        cmd = self._smtp_source(server, size, sessions, messages)
        if record:
            self.ctx.commands.append((self.name, label, cmd))
        with open(self.ctx.log_path, "a") as log:
            log.write(f"\n$ {' '.join(cmd)}\n")
        settle_disk()
        cpu0 = procstat.cpu_seconds(server.pid)
        t0 = time.monotonic()
        try:
            res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=self.CELL_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise LoadgenError(f"smtp-source overran {self.CELL_TIMEOUT}s on {label}") from None
        sent = time.monotonic()
        if res.returncode != 0:
            self.ctx.note(f"smtp-inbound {_size_name(size)} x{sessions} on {label}: smtp-source "
                          f"exit {res.returncode}: {res.stderr.strip()[-300:]}")
        done = sent
        if server.kind == "postfix":
            # Delivered means in Maildir/new, fsynced by virtual(8): poll for the last one.
            deadline = sent + self.DELIVERY_TIMEOUT
            stored = self._stored(server)
            while stored < messages and time.monotonic() < deadline:
                time.sleep(0.01)
                stored = self._stored(server)
            done = time.monotonic()
        # Roost answered 250 only once each message was stored: smtp-source's exit is the end.
        cpu = procstat.cpu_seconds(server.pid) - cpu0
        if server.kind != "postfix":
            stored = self._stored(server)  # not timed, and after the CPU reading (IMAP login)
        self.last = {"seconds": done - t0, "smtp_seconds": sent - t0, "cpu_seconds": cpu,
                     "stored": stored, "exit": res.returncode}
        with open(self.ctx.log_path, "a") as log:
            log.write(json.dumps(self.last) + "\n")
        return stored

    def run(self, label, server, rnd):
        figures = {}
        for size, sessions in self.cells:
            messages = self.messages(size)
            self._clear(server)
            stored = self._send(label, server, size, sessions, messages)
            t = self.last
            self.details.append((f"{label} {size}x{sessions}", rnd, t))
            key = f"{size}.{sessions}"
            if stored != messages:
                self.ctx.note(f"smtp-inbound {_size_name(size)} x{sessions} on {label}: "
                              f"{stored} of {messages} messages stored")
                figures[f"{key}.mps"] = figures[f"{key}.cpu"] = None
                continue
            figures[f"{key}.mps"] = messages / t["seconds"]
            figures[f"{key}.cpu"] = t["cpu_seconds"] / messages * 1000
        self._clear(server)
        return figures


ALL = {cls.name: cls for cls in (ImapMixed, IdleFleet, AppendDurable, BigMailbox, Pop3Drain,
                                 SmtpInbound)}
