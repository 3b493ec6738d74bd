"""roost config check / reference, and config errors seen through every command."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from roost_harness import TempDir, expect, roost, run_tests  # noqa: E402


def write(d, text):
    path = os.path.join(d, "roost.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_unknown_key_names_key_and_line():
    with TempDir() as d:
        path = write(d, "[server]\nlog_level = \"info\"\ndatadir = \"x\"\n")
        p = roost("config", "check", "--config", path, check=1)
        expect(f"{path}:3:" in p.stderr and "server.datadir" in p.stderr
               and "unknown key" in p.stderr, p.stderr)
        expect(p.stderr.startswith("roost: "), p.stderr)
        # Every command loads the same way.
        p = roost("account", "list", "--config", path, check=1)
        expect("server.datadir" in p.stderr, p.stderr)


def test_bad_values_name_the_key():
    cases = [
        ("[limits]\nmax_message_size = \"huge\"\n", "limits.max_message_size"),
        ("[server]\nthreads = -3\n", "server.threads"),
        ("[listen]\nimap = [\"127.0.0.1:99999\"]\n", "listen.imap"),
        ("[store]\nbackend = \"postgres\"\n", "not available yet"),
        ("[server]\nlog_level = 3\n", "server.log_level"),
    ]
    with TempDir() as d:
        for text, want in cases:
            p = roost("config", "check", "--config", write(d, text), check=1)
            expect(want in p.stderr, f"{text!r}: {p.stderr}")


def test_good_config_and_defaults():
    with TempDir() as d:
        path = write(d, "[server]\ndata_dir = \"data\"\n[listen]\nhttp = [\"127.0.0.1:9999\"]\n"
                        "[limits]\nmax_message_size = \"10 MiB\"\n")
        p = roost("config", "check", "--config", path, cwd=d, check=0)
        expect(os.path.join(d, "data") in p.stdout, p.stdout)
        expect("listen http=127.0.0.1:9999" in p.stdout, p.stdout)
        # No file at all = defaults; roost.toml in the working dir is picked up.
        with TempDir() as empty:
            p = roost("config", "check", cwd=empty, check=0)
            expect("defaults" in p.stdout and "listen http=127.0.0.1:8080" in p.stdout, p.stdout)
        p = roost("config", "check", cwd=d, check=0)
        expect("roost.toml: ok" in p.stdout, p.stdout)
        missing = roost("config", "check", "--config", os.path.join(d, "nope.toml"), check=1)
        expect("nope.toml" in missing.stderr, missing.stderr)


def test_reference_is_markdown_of_every_key():
    p = roost("config", "reference", check=0)
    lines = p.stdout.strip().splitlines()
    expect(lines[0].startswith("| Key |"), lines[0])
    keys = [line.split("`")[1] for line in lines[2:]]
    for want in ["server.data_dir", "server.hostname", "store.backend", "tls.cert", "tls.key",
                 "listen.imap", "listen.http", "limits.max_message_size", "auth.free_failures"]:
        expect(want in keys, f"{want} missing from reference")
    expect(len(keys) == len(set(keys)), "duplicate keys")


def test_readme_reference_is_current():
    # The README's configuration reference is generated; it must match the binary.
    p = roost("config", "reference", check=0)
    readme = open(os.path.join(os.environ["ROOST_SOURCE_DIR"], "README.md")).read()
    begin, end = "<!-- config-reference:begin -->\n", "<!-- config-reference:end -->"
    section = readme[readme.index(begin) + len(begin):readme.index(end)]
    expect(section == p.stdout,
           "README.md configuration reference is stale: paste `roost config reference`")


if __name__ == "__main__":
    run_tests([test_unknown_key_names_key_and_line, test_bad_values_name_the_key,
               test_good_config_and_defaults, test_reference_is_markdown_of_every_key,
               test_readme_reference_is_current])
