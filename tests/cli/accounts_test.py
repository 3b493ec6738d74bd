"""roost account / mailbox subcommands against the real binary and a temp data dir."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from roost_harness import TempDir, expect, roost, run_tests  # noqa: E402

ROLES = {"INBOX": "-", "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash",
         "Junk": "\\Junk", "Archive": "\\Archive"}


def rows(text):
    lines = text.strip().splitlines()
    return [line.split() for line in lines[1:]]


def test_account_lifecycle():
    with TempDir() as d:
        p = roost("account", "add", "Alice", "--password-stdin", "--data-dir", d,
                  stdin="first-password\n", check=0)
        expect("alice" in p.stdout, p.stdout)
        roost("account", "add", "bob@example.org", "--password-stdin", "--data-dir", d,
              stdin="bob-password", check=0)
        listed = rows(roost("account", "list", "--data-dir", d, check=0).stdout)
        names = [r[0] for r in listed]
        expect(names == ["alice", "bob@example.org"], f"accounts: {names}")
        expect(all(r[-2:] == ["0", "0"] for r in listed), f"usage: {listed}")

        dup = roost("account", "add", "ALICE", "--password-stdin", "--data-dir", d,
                    stdin="x-password", check=1)
        expect(dup.stderr.startswith("roost: ") and "already exists" in dup.stderr, dup.stderr)

        bad = roost("account", "add", "not valid", "--password-stdin", "--data-dir", d,
                    stdin="x-password", check=1)
        expect("invalid account name" in bad.stderr, bad.stderr)

        roost("account", "passwd", "alice", "--password-stdin", "--data-dir", d,
              stdin="second-password\n", check=0)
        missing = roost("account", "passwd", "nobody", "--password-stdin", "--data-dir", d,
                        stdin="pw-password", check=1)
        expect("no account named \"nobody\"" in missing.stderr, missing.stderr)

        # Without a terminal, a password must come from --password-stdin.
        nostdin = roost("account", "add", "carol", "--data-dir", d, stdin="", check=1)
        expect("--password-stdin" in nostdin.stderr, nostdin.stderr)

        refused = roost("account", "del", "alice", "--data-dir", d, stdin="", check=1)
        expect("--yes" in refused.stderr, refused.stderr)
        roost("account", "del", "alice", "--yes", "--data-dir", d, check=0)
        names = [r[0] for r in rows(roost("account", "list", "--data-dir", d, check=0).stdout)]
        expect(names == ["bob@example.org"], f"after del: {names}")


def test_mailboxes():
    with TempDir() as d:
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d,
              stdin="a-password", check=0)
        listed = {r[0]: r for r in rows(roost("mailbox", "list", "alice", "--data-dir", d,
                                              check=0).stdout)}
        for name, role in ROLES.items():
            expect(name in listed, f"default mailbox {name} missing: {listed}")
            row = listed[name]
            expect(row[1] == role, f"{name} role {row[1]}, want {role}")
            expect(row[2] == "0" and row[-1] == "yes", f"{name}: {row}")

        roost("mailbox", "create", "alice", "Projects/Roost", "--special-use", "\\Flagged",
              "--data-dir", d, check=0)
        listed = {r[0]: r for r in rows(roost("mailbox", "list", "alice", "--data-dir", d,
                                              check=0).stdout)}
        expect("Projects" in listed, f"parent not created: {listed}")
        expect(listed["Projects/Roost"][1] == "\\Flagged", listed["Projects/Roost"])

        dup = roost("mailbox", "create", "alice", "Projects/Roost", "--data-dir", d, check=1)
        expect("already has a mailbox" in dup.stderr, dup.stderr)
        bad_role = roost("mailbox", "create", "alice", "X", "--special-use", "\\Nope",
                         "--data-dir", d, check=1)
        expect("--special-use" in bad_role.stderr, bad_role.stderr)

        roost("mailbox", "delete", "alice", "Projects/Roost", "--data-dir", d, check=0)
        names = [r[0] for r in rows(roost("mailbox", "list", "alice", "--data-dir", d,
                                          check=0).stdout)]
        expect("Projects/Roost" not in names, names)
        inbox = roost("mailbox", "delete", "alice", "INBOX", "--data-dir", d, check=1)
        expect(inbox.stderr.startswith("roost: "), inbox.stderr)
        gone = roost("mailbox", "delete", "alice", "Nope", "--data-dir", d, check=1)
        expect("no mailbox \"Nope\"" in gone.stderr, gone.stderr)
        nobody = roost("mailbox", "list", "nobody", "--data-dir", d, check=1)
        expect("no account named" in nobody.stderr, nobody.stderr)


def test_pop3_policy():
    with TempDir() as d:
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d,
              stdin="a-password", check=0)

        def show(*extra):
            return roost("account", "pop3-policy", "alice", "--data-dir", d, *extra,
                         check=0).stdout.strip()

        expect(show() == "alice: auto (from [pop3] delete_policy)", show())
        config = os.path.join(d, "roost.toml")
        with open(config, "w") as f:
            f.write('[pop3]\ndelete_policy = "delete"\n')
        expect(show("--config", config) == "alice: delete (from [pop3] delete_policy)",
               show("--config", config))

        for policy in ["keep", "move", "delete", "auto"]:
            out = roost("account", "pop3-policy", "alice", policy, "--data-dir", d,
                        check=0).stdout
            expect(f"set to {policy}" in out, out)
            # The account's own policy wins over the configured one.
            expect(show("--config", config) == f"alice: {policy} (set for this account)",
                   show("--config", config))

        cleared = roost("account", "pop3-policy", "alice", "default", "--data-dir", d,
                        "--config", config, check=0).stdout
        expect("follows [pop3] delete_policy (delete)" in cleared, cleared)
        expect(show() == "alice: auto (from [pop3] delete_policy)", show())

        bad = roost("account", "pop3-policy", "alice", "shred", "--data-dir", d, check=1)
        expect(bad.stderr.startswith("roost: ") and "unknown POP3 policy" in bad.stderr,
               bad.stderr)
        nobody = roost("account", "pop3-policy", "nobody", "keep", "--data-dir", d, check=1)
        expect("no account named" in nobody.stderr, nobody.stderr)

        # Deleting the account deletes its policy: the same name starts from the default.
        roost("account", "pop3-policy", "alice", "keep", "--data-dir", d, check=0)
        roost("account", "del", "alice", "--yes", "--data-dir", d, check=0)
        roost("account", "add", "alice", "--password-stdin", "--data-dir", d,
              stdin="a-password", check=0)
        expect(show() == "alice: auto (from [pop3] delete_policy)", show())


def test_usage_errors_exit_2():
    roost(check=2)
    roost("account", check=2)
    roost("account", "add", check=2)
    roost("no-such-command", check=2)
    v = roost("--version", check=0)
    expect(v.stdout.startswith("roost "), v.stdout)


if __name__ == "__main__":
    run_tests([test_account_lifecycle, test_mailboxes, test_pop3_policy,
               test_usage_errors_exit_2])
