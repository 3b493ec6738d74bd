#!/usr/bin/env python3
"""./dev bench [NAME...] [--quick]: Roost against Dovecot and Postfix, side by side (issues 5, 7).

For each benchmark NAME (default: all) it starts Roost and Dovecot (Postfix for smtp-inbound)
on 127.0.0.1 with their own temporary state, seeds both with the same mail, runs the load
generator (roost-bench; Postfix's smtp-source for smtp-inbound) against each server in turn
for several interleaved rounds, and prints, per figure, Roost's median, the other server's
median and their ratio. The table also goes to bench/RESULTS.md with the
date, the machine and the exact commands. bench/README.md explains the figures.

Every size is a flag whose default is the issue's number; --quick shrinks them all for
development. Standard library only.
"""

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from harness import report, scenarios, servers  # noqa: E402

# flag: (issue default, --quick value)
SIZES = {
    "rounds": (3, 2),
    "mixed_clients": (100, 10),
    "mixed_hot_accounts": (5, 2),
    "mixed_seed": (200, 40),
    "mixed_duration": (60, 10),
    "mixed_paced_duration": (30, 8),
    "mixed_paced_rate": (450, 100),
    "mixed_churn_paced_rate": (200, 40),
    "fleet_sessions": (20000, 2000),
    "fleet_accounts": (1000, 100),
    "fleet_push_timeout": (60, 30),
    "append_clients": (50, 10),
    "append_duration": (30, 8),
    "big_messages": (1_000_000, 20_000),
    "big_op_timeout": (900, 120),
    "pop3_messages": (10_000, 1_000),
    "smtp_messages": (2_000, 100),
}


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"benchmarks to run (default: all): {', '.join(scenarios.ALL)}")
    p.add_argument("--quick", action="store_true", help="small sizes, for development")
    p.add_argument("--roost", default=os.path.join(REPO, "build", "roost"))
    p.add_argument("--bench", default=None, help="roost-bench (default: next to --roost)")
    p.add_argument("--output", default=None,
                   help="results file (default bench/RESULTS.md; quick: bench/RESULTS-quick.md)")
    p.add_argument("--workdir", default=None, help="parent of the temporary directory")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    p.add_argument("--loadgen-threads", type=int, default=1)
    p.add_argument("--roost-log-level", default="info", help="Roost's [server] log_level")
    p.add_argument("--hibernate-seconds", type=int, default=5,
                   help="Dovecot imap_hibernate_timeout in the hibernation variant")
    p.add_argument("--append-min-size", type=int, default=10 * 1024)
    p.add_argument("--append-max-size", type=int, default=1024 * 1024)
    p.add_argument("--no-sysctl", action="store_true",
                   help="never raise fs.inotify.max_user_instances (Dovecot's IDLE needs one "
                        "inotify instance per idling process)")
    p.add_argument("--smtp-sizes", type=int_list, default=[1024, 50 * 1024, 1024 * 1024],
                   help="smtp-inbound: message sizes (smtp-source -l), comma-separated")
    p.add_argument("--smtp-sessions", type=int_list, default=[1, 50],
                   help="smtp-inbound: concurrent sessions (smtp-source -s), comma-separated")
    for name, (full, quick) in SIZES.items():
        p.add_argument("--" + name.replace("_", "-"), type=type(full), default=None,
                       help=f"default {full:,}; --quick {quick:,}")
    args = p.parse_args(argv)
    for name, (full, quick) in SIZES.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    unknown = [n for n in args.names if n not in scenarios.ALL]
    if unknown:
        p.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(scenarios.ALL)}")
    args.names = args.names or list(scenarios.ALL)
    args.roost = os.path.abspath(args.roost)
    args.bench = os.path.abspath(args.bench or os.path.join(os.path.dirname(args.roost),
                                                            "roost-bench"))
    if args.output is None:
        args.output = os.path.join(HERE, "RESULTS-quick.md" if args.quick else "RESULTS.md")
    return args


def int_list(text):
    return [int(x) for x in text.split(",") if x.strip()]


def raise_fd_limit():
    """Servers and the load generator inherit this: 20,000 sessions need 40,000+ fds."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1_048_576
    try:
        with open("/proc/sys/fs/nr_open") as f:
            want = min(want, int(f.read()))
    except OSError:
        pass
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class InotifyLimit:
    """Dovecot watches a mailbox with one inotify instance per idling imap process; the
    kernel default (128 per user) makes it fall back to polling every 30 s beyond that.
    An administrator running thousands of IDLE sessions raises it; so do we (and restore it)."""

    PATH = "/proc/sys/fs/inotify/max_user_instances"

    def __init__(self, ctx, wanted, allowed):
        self.ctx, self.wanted, self.allowed, self.old = ctx, wanted, allowed, None

    def __enter__(self):
        try:
            with open(self.PATH) as f:
                current = int(f.read())
        except OSError:
            return self
        if current >= self.wanted:
            return self
        if not self.allowed or os.geteuid() != 0:
            self.ctx.note(f"fs.inotify.max_user_instances is {current} (< {self.wanted}): "
                          "Dovecot's IDLE falls back to 30 s polling beyond that")
            return self
        try:
            with open(self.PATH, "w") as f:
                f.write(str(self.wanted))
            self.old = current
            self.ctx.note(f"raised fs.inotify.max_user_instances from {current} to "
                          f"{self.wanted} for Dovecot's IDLE (restored afterwards)")
        except OSError as e:
            self.ctx.note(f"could not raise fs.inotify.max_user_instances ({e})")
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(str(self.old))
        return False


def run_scenario(ctx, sc, args, results):
    """Sets up one benchmark, runs its rounds (servers interleaved, order alternating) and
    tears it down; a failure is noted and does not stop the other benchmarks."""
    name = sc.name
    print(f"== {name}: setting up", flush=True)
    t0 = time.monotonic()
    try:
        sc.setup()
        print(f"   set up in {time.monotonic() - t0:.0f}s", flush=True)
        targets = sc.targets()
        for rnd in range(args.rounds):
            order = targets if rnd % 2 == 0 else list(reversed(targets))
            for label, server in order:
                t1 = time.monotonic()
                figs = sc.run(label, server, rnd)
                for key, value in figs.items():
                    results.setdefault(name, {}).setdefault(label, {}).setdefault(key, []).append(
                        value)
                print(f"   round {rnd + 1} {label}: {time.monotonic() - t1:.0f}s "
                      + ", ".join(f"{f.key}={report.fmt(figs.get(f.key))}"
                                  for f in sc.figures[:4]), flush=True)
    except Exception as e:  # noqa: BLE001 - one benchmark failing must not hide the rest
        ctx.note(f"{name} failed: {e}")
        traceback.print_exc()
        for server in sc.servers.values():
            tail = server.log_tail(15)
            if tail:
                print(f"--- {server.kind} log tail ---\n{tail}")
    finally:
        sc.teardown()


def main(argv):
    args = parse_args(argv)
    for path in (args.roost, args.bench):
        if not os.access(path, os.X_OK):
            sys.exit(f"bench: {path} is missing; run ./dev build")
    if any(n != "smtp-inbound" for n in args.names) and not servers.Dovecot.available():
        sys.exit("bench: Dovecot is not installed (dovecot-imapd, dovecot-pop3d): ./dev deps")
    if "smtp-inbound" in args.names and not servers.PostfixServer.available():
        sys.exit("bench: Postfix is not installed (postfix): ./dev bench installs it")
    fds = raise_fd_limit()
    parent = args.workdir or ("/tmp" if len(tempfile.gettempdir()) > 20 else None)
    workdir = tempfile.mkdtemp(prefix="roost-bench-", dir=parent)
    os.chmod(workdir, 0o755)  # Dovecot's unprivileged processes traverse into it
    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_at_start = os.getloadavg()  # other work on the machine shows in every figure
    print(f"bench: {', '.join(args.names)}; {args.rounds} round(s)"
          f"{' (quick)' if args.quick else ''}; work dir {workdir}; fd limit {fds}", flush=True)

    ctx = scenarios.Context(args, workdir)
    ctx.cert, ctx.key = servers.make_certificate(workdir)
    results = {}  # scenario -> target -> figure key -> [values per round]
    ran = []
    versions = {"roost": "?", "dovecot": "?", "postfix": "?"}
    # One limit for the whole run: the most IDLE sessions any selected benchmark opens.
    sessions = max(args.fleet_sessions if name == "idle-fleet" else
                   2 * args.mixed_clients if name == "imap-mixed" else
                   -2000 if name == "smtp-inbound" else 100  # no Dovecot: leave it alone
                   for name in args.names)
    inotify = InotifyLimit(ctx, sessions + 2000, allowed=not args.no_sysctl)
    try:
        with inotify:
            for name in args.names:
                sc = scenarios.ALL[name](ctx)
                run_scenario(ctx, sc, args, results)
                ran.append(sc)
                for server in sc.servers.values():
                    if server.kind == "roost" and versions["roost"] == "?":
                        versions["roost"] = server.version()
                    if server.kind in ("dovecot", "postfix") and versions[server.kind] == "?":
                        versions[server.kind] = server.version()
    finally:
        if not args.keep:
            servers.remove_tree(workdir)
        else:
            print(f"bench: kept {workdir}")

    table = report.rows(results, ran)
    print()
    print(report.console_table(table))
    finished = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    report.write_results(args.output, table=table, results=results, scenarios=ran, ctx=ctx,
                         started=started, finished=finished,
                         argv=["bench/run.py", *argv], repo=REPO,
                         roost_version=versions["roost"], dovecot_version=versions["dovecot"],
                         postfix_version=versions["postfix"],
                         load=(load_at_start, os.getloadavg()),
                         rounds=args.rounds, quick=args.quick)
    print(f"\nbench: wrote {os.path.relpath(args.output)}")
    if ctx.notes:
        print("notes:\n" + "\n".join(f"  - {n}" for n in ctx.notes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
