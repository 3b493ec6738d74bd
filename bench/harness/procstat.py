"""CPU and memory of a server: every process in the tree under its root pid, from /proc.

CPU: utime + stime + cutime + cstime of every live process in the tree. A process that
exits is reaped by its parent, whose cutime/cstime then hold its whole CPU time, so the
sum over the live tree only ever grows and a difference of two readings is the CPU the
server used in between, forks and exits included (Dovecot's login and imap processes).

Memory: RSS (VmRSS) and PSS (Pss in smaps_rollup: shared pages divided among the
processes sharing them) summed over the tree. PSS is the fair figure for a server made of
many processes; RSS counts shared libraries once per process.
"""

import os
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    """(ppid, utime+stime+cutime+cstime ticks) of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # comm may contain spaces and parentheses: fields start after the last ')'.
    fields = data[data.rindex(b")") + 2:].split()
    ppid = int(fields[1])
    ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return ppid, ticks


def process_tree(root):
    """Pids of root and all its descendants (one pass over /proc)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _stat_fields(int(name))
        if st is not None:
            children.setdefault(st[0], []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def cpu_seconds(root):
    """CPU seconds used so far by the server rooted at `root` (see module docstring)."""
    total = 0
    for pid in process_tree(root):
        st = _stat_fields(pid)
        if st is not None:
            total += st[1]
    return total / CLK_TCK


def _memory_kib(pid):
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def memory(root):
    """{"rss_kib", "pss_kib", "processes"} summed over the server's process tree."""
    rss = pss = n = 0
    for pid in process_tree(root):
        r, p = _memory_kib(pid)
        if r or p:
            rss += r
            pss += p
            n += 1
    return {"rss_kib": rss, "pss_kib": pss, "processes": n}


class MemorySampler:
    """Samples memory(root) every `interval` seconds in a thread; keeps the peaks."""

    def __init__(self, root, interval=2.0):
        self.root, self.interval = root, interval
        self.peak = {"rss_kib": 0, "pss_kib": 0, "processes": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    def _loop(self):
        while True:
            m = memory(self.root)
            for k, v in m.items():
                self.peak[k] = max(self.peak[k], v)
            if self._stop.wait(self.interval):
                break


def count_processes(root):
    return len(process_tree(root))


def wait_for_processes(root, at_most, timeout):
    """Waits until the server tree has at most `at_most` processes (sessions ended)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if count_processes(root) <= at_most:
            return True
        time.sleep(0.5)
    return False
