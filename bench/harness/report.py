"""Medians, the comparison table, and bench/RESULTS.md."""

import os
import platform
import shlex
import statistics
import subprocess

from .scenarios import HIGHER, INFO, LOWER

# Target label of the server Roost is compared with -> (its name in the winner column, suffix
# of its rows' titles, suffix of its values in RESULTS.md).
OTHERS = {
    "dovecot": ("Dovecot", "", ""),
    "dovecot-hibernate": ("Dovecot", " [vs hibernation]", " (hibernation)"),
    "postfix": ("Postfix", "", ""),
}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, int) or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def verdict(roost, other, better, other_name="Dovecot"):
    """(ratio text, who is better) for one row."""
    if roost is None or other is None:
        return "n/a", ""
    if other == 0 or roost == 0:
        ratio = "n/a"
        if roost == other:
            return ratio, "same"
    else:
        ratio = f"{roost / other:.2f}"
    if better == INFO or roost == other:
        return ratio, ""
    roost_wins = (roost > other) == (better == HIGHER)
    if other and roost:
        factor = max(roost, other) / min(roost, other)
        if factor < 1.005:
            return ratio, "same"
        return ratio, f"{'Roost' if roost_wins else other_name} x{factor:.2f}"
    return ratio, "Roost" if roost_wins else other_name


def rows(results, scenarios):
    """[(scenario, figure title, roost, other label, other, ratio, better-is, winner)]: the
    other server is Dovecot (or Dovecot with hibernation), or Postfix for smtp-inbound."""
    out = []
    for sc in scenarios:
        per_target = results.get(sc.name, {})
        roost = per_target.get("roost", {})
        for label, (name, title_suffix, _value_suffix) in OTHERS.items():
            if label not in per_target:
                continue
            other = per_target[label]
            for fig in sc.figures:
                r, d = median(roost.get(fig.key, [])), median(other.get(fig.key, []))
                ratio, winner = verdict(r, d, fig.better, name)
                out.append((sc.name, fig.title + title_suffix, r, label, d, ratio, fig.better,
                            winner))
    return out


def other_names(table):
    """"Dovecot", "Postfix" or "Dovecot or Postfix": who the table compares Roost with."""
    names = []
    for row in table:
        name = OTHERS[row[3]][0]
        if name not in names:
            names.append(name)
    return " or ".join(names) or "Dovecot"


def detail_rows(results, scenario_name, prefix_filter):
    """Per-command latency rows of imap-mixed: keys '<variant>.op.<OP>.p50/p99'."""
    per_target = results.get(scenario_name, {})
    roost, dc = per_target.get("roost", {}), per_target.get("dovecot", {})
    keys = sorted({k for k in list(roost) + list(dc) if k.startswith(prefix_filter + ".op.")})
    out = []
    for k in keys:
        r, d = median(roost.get(k, [])), median(dc.get(k, []))
        out.append((k.replace(".op.", ": ").replace(".p", " p"), r, d, verdict(r, d, LOWER)))
    return out


def console_table(table):
    other = other_names(table)
    ratio = "Roost/" + (other if " " not in other else "other")
    header = ("benchmark", "figure", "Roost", other, ratio, "better")
    lines = [header] + [(s, t, fmt(r), fmt(d), ratio, w) for s, t, r, _n, d, ratio, _b, w in table]
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(header))]
    text = []
    for n, row in enumerate(lines):
        text.append("  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)))
        if n == 0:
            text.append("  ".join("-" * w for w in widths))
    return "\n".join(text)


def markdown_table(table):
    other = other_names(table)
    ratio_name = "Roost/" + (other if " " not in other else "other")
    out = [f"| benchmark | figure | Roost | {other} | {ratio_name} | better is | winner |",
           "|---|---|--:|--:|--:|---|---|"]
    for s, t, r, label, d, ratio, better, w in table:
        value = fmt(d) + OTHERS[label][2]
        out.append(f"| {s} | {t} | {fmt(r)} | {value} | {ratio} | {better} | {w} |")
    return "\n".join(out)


def machine():
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory_gib": mem_kib / 1024 / 1024, "cpu": model,
            "kernel": platform.release()}


def git_revision(repo):
    try:
        out = subprocess.run(["git", "-C", repo, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=False)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def write_results(path, *, table, results, scenarios, ctx, started, finished, argv, repo,
                  roost_version, dovecot_version, rounds, quick, postfix_version="?", load=None):
    m = machine()
    others = {OTHERS[row[3]][0] for row in table}
    lines = [
        f"# Roost vs {other_names(table)}: benchmark results"
        + (" (QUICK development run)" if quick else ""),
        "",
        "Written by `./dev bench` (bench/run.py); bench/README.md explains every figure. Each "
        f"value is the median of {rounds} round(s); the servers ran interleaved, one at a time, "
        "on loopback, with the same accounts and mail.",
        "",
        f"- date: {started} to {finished}",
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']:.1f} GiB memory, "
        f"Linux {m['kernel']}",
        *([f"- load average (1, 5, 15 min) at the start: {' '.join(f'{x:.2f}' for x in load[0])}; "
           f"at the end: {' '.join(f'{x:.2f}' for x in load[1])} (the runner's own work "
           "included; more than the cores means other work competed with the servers)"]
          if load else []),
        f"- Roost: git {git_revision(repo)} ({roost_version})",
        *([f"- Dovecot: {dovecot_version}"] if "Dovecot" in others or not others else []),
        *([f"- Postfix: {postfix_version}"] if "Postfix" in others else []),
        f"- command: `{' '.join(shlex.quote(a) for a in argv)}`",
        "",
    ]
    if quick:
        lines += ["**Quick mode: sizes far below the issue's; these numbers only show that the "
                  "tools work.**", ""]
    lines += [markdown_table(table), ""]
    for variant in ("persistent", "churn", "persistent-paced", "churn-paced"):
        det = detail_rows(results, "imap-mixed", variant)
        if det:
            lines += [f"### imap-mixed ({variant}): latency per command (ms, median of rounds)",
                      "", *(["The same load offered to both servers (commands/s in the command "
                             "lines below); latency counts from each command's scheduled start.",
                             ""] if variant.endswith("-paced") else []), "| command | Roost | Dovecot | Roost/Dovecot | winner |",
                      "|---|--:|--:|--:|---|"]
            for name, r, d, (ratio, w) in det:
                lines.append(f"| {name} | {fmt(r)} | {fmt(d)} | {ratio} | {w} |")
            lines.append("")
    if ctx.notes:
        lines += ["## Notes from this run", ""] + [f"- {n}" for n in ctx.notes] + [""]
    lines += ["## Exact commands", "",
              "Servers: see bench/harness/servers.py (roost.toml, Dovecot's and Postfix's "
              "configs are generated there). Load generator runs of round 1 (ports differ between runs):", "", "```"]
    seen = set()
    for scenario, target, cmd in ctx.commands:
        key = (scenario, target, cmd[1], tuple(a for a in cmd if not a.isdigit()))
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"# {scenario} / {target}")
        lines.append(" ".join(shlex.quote(a) for a in cmd))
    lines += ["```", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
