#!/usr/bin/env python3
"""Self-test of tests/lib against a private Dovecot, and reference-data writer.

    python3 tests/lib/selftest_dovecot.py [--write-reference]

Starts a private Dovecot (tests/lib/dovecot.py), APPENDs every message of
tests/data/corpus/ to INBOX (exact bytes; literal8 when the message has NUL),
FETCHes ENVELOPE, BODYSTRUCTURE, RFC822.SIZE and BODY[1] for each one, parses
every answer strictly with imap_client.parse_fetch, checks IMAPS, POP3 and POP3S
(STAT), and prints a summary. With --write-reference it also writes
tests/data/corpus/dovecot-reference.json: Dovecot's raw wire answer to
"FETCH n (ENVELOPE BODYSTRUCTURE)" for every file.

Exit status 0 when everything worked; prints 'N passed, N failed' at the end.
Exit 0 with a skip message when Dovecot is not installed.
"""

import json
import os
import poplib
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import imap_client as ic  # noqa: E402
from dovecot import Dovecot  # noqa: E402

CORPUS = os.path.normpath(os.path.join(HERE, "..", "data", "corpus"))
REFERENCE = os.path.join(CORPUS, "dovecot-reference.json")
APPEND_DATE = "06-May-2024 10:00:00 +0200"


def wire_text(raw):
    """JSON-friendly form of raw response bytes."""
    try:
        return {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        import base64
        return {"base64": base64.b64encode(raw).decode("ascii")}


def main(argv):
    write_reference = "--write-reference" in argv
    if not Dovecot.available():
        print("SKIP: dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d)")
        return 0
    with open(os.path.join(CORPUS, "index.json")) as f:
        index = json.load(f)
    passed, failed = 0, 0
    problems = []

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            problems.append(what)

    t0 = time.monotonic()
    with Dovecot({"corpus": "secret", "other": "pw"}) as dc:
        t_start = time.monotonic() - t0
        version = dc.version()
        print(f"{version}: started in {t_start:.2f}s on imap={dc.imap_port} imaps={dc.imaps_port} "
              f"pop3={dc.pop3_port} pop3s={dc.pop3s_port}")
        conn = ic.login(ic.connect(dc.host, dc.imap_port), "corpus", "secret")
        ic.select(conn)

        # APPEND everything.
        appended = []  # (file, seq)
        refused = {}
        t1 = time.monotonic()
        for entry in index:
            name = entry["file"]
            with open(os.path.join(CORPUS, name), "rb") as f:
                data = f.read()
            flags = ("\\Seen",) if len(appended) % 3 == 0 else ()
            typ, resp = ic.append(conn, "INBOX", data, flags=flags, date=APPEND_DATE)
            if typ == "OK":
                appended.append((name, len(appended) + 1, len(data)))
            else:
                refused[name] = f"{typ} {resp[0].decode('utf-8', 'replace') if resp else ''}"
        t_append = time.monotonic() - t1
        count = ic.select(conn)
        check(count == len(appended), f"SELECT count {count} != appended {len(appended)}")
        print(f"APPEND: {len(appended)} accepted, {len(refused)} refused, {t_append:.2f}s")
        for name, why in refused.items():
            print(f"  refused {name}: {why}")

        # FETCH per message.
        reference = {}
        size_mismatch = []
        not_exact = []
        t2 = time.monotonic()
        for name, seq, size in appended:
            try:
                raw = ic.fetch_raw(conn, seq, "ENVELOPE BODYSTRUCTURE")
                check(len(raw) == 1, f"{name}: {len(raw)} FETCH responses")
                n, items = ic.parse_fetch(raw[0], strict=True)
                check(n == seq and "ENVELOPE" in items and "BODYSTRUCTURE" in items,
                      f"{name}: parsed items {sorted(items)}")
                reference[name] = wire_text(raw[0])
                more = ic.fetch(conn, seq, "RFC822.SIZE BODY.PEEK[1] BODY.PEEK[]")
                got = more.get(seq, {})
                check("RFC822.SIZE" in got and "BODY[1]" in got, f"{name}: items {sorted(got)}")
                with open(os.path.join(CORPUS, name), "rb") as f:
                    if got.get("BODY[]") != f.read():
                        not_exact.append(name)
                if got.get("RFC822.SIZE") != size:
                    size_mismatch.append((name, size, got.get("RFC822.SIZE")))
            except (ic.ParseError, ic.imaplib.IMAP4.error) as e:
                check(False, f"{name}: {e}")
                reference[name] = {"error": str(e)}
        t_fetch = time.monotonic() - t2
        print(f"FETCH: {len(appended)} messages in {t_fetch:.2f}s")
        if size_mismatch:
            print(f"RFC822.SIZE differs from file size for {len(size_mismatch)} files "
                  "(Dovecot counts bare LF as CRLF; binary parts were stored re-encoded):")
            for name, size, got in size_mismatch:
                print(f"  {name}: file {size} bytes, RFC822.SIZE {got}")

        if not_exact:
            print(f"BODY[] is not byte-identical to the appended file for {len(not_exact)} files "
                  "(bare LF -> CRLF, NUL -> 0x80, binary parts re-encoded as base64, "
                  "trailing bare CR dropped):")
            print("  " + " ".join(not_exact))

        # Bulk fetch of a few items, including BINARY and section MIME headers.
        raw = ic.fetch_raw(conn, "1:*", "UID FLAGS INTERNALDATE RFC822.SIZE")
        check(len(raw) == len(appended), f"bulk FETCH returned {len(raw)} responses")
        for r in raw:
            ic.parse_fetch(r, strict=True)
        # Section fetches on the multipart/mixed messages (BODY[1.MIME], BINARY[2]).
        mixed = [(name, seq) for name, seq, _ in appended if name.startswith("mixed_")]
        for name, seq in mixed:
            raw = ic.fetch_raw(conn, seq, "BODY.PEEK[1.MIME] BINARY.PEEK[2] BINARY.SIZE[2]")
            _, items = ic.parse_fetch(raw[0], strict=True)
            check(items.get("BODY[1.MIME]", b"").startswith(b"Content-Type:")
                  and len(items.get("BINARY[2]", b"")) == items.get("BINARY.SIZE[2]"),
                  f"{name}: section fetch {sorted(items)}")
        print(f"section FETCH (BODY[1.MIME] BINARY[2]) on {len(mixed)} multipart/mixed messages")
        ic.close(conn)

        # IMAPS.
        tls = ic.login(ic.connect(dc.host, dc.imaps_port, tls=True), "corpus", "secret")
        check(ic.select(tls, readonly=True) == len(appended), "IMAPS SELECT count")
        ic.close(tls)

        # POP3 and POP3S.
        for label, port, cls in (("POP3", dc.pop3_port, poplib.POP3),
                                 ("POP3S", dc.pop3s_port, poplib.POP3_SSL)):
            kwargs = {"timeout": 30}
            if cls is poplib.POP3_SSL:
                kwargs["context"] = ic.unverified_context()
            p = cls(dc.host, port, **kwargs)
            p.user("corpus")
            p.pass_("secret")
            n, octets = p.stat()
            check(n == len(appended), f"{label} STAT count {n}")
            print(f"{label} STAT: {n} messages, {octets} octets")
            p.quit()

        if write_reference:
            doc = {
                "generator": "tests/lib/selftest_dovecot.py --write-reference",
                "dovecot_version": version,
                "command": "FETCH <n> (ENVELOPE BODYSTRUCTURE)",
                "note": ("Raw untagged response per corpus file, as Dovecot sent it "
                         "(the message number depends on APPEND order). 'text' holds "
                         "UTF-8 wire text; 'base64' is used when the bytes are not UTF-8. "
                         "Files Dovecot refused to APPEND are listed under 'refused'."),
                "refused": refused,
                "messages": reference,
            }
            with open(REFERENCE, "w") as f:
                json.dump(doc, f, indent=1, ensure_ascii=False, sort_keys=True)
                f.write("\n")
            print(f"wrote {REFERENCE}")
    t_total = time.monotonic() - t0
    print(f"total {t_total:.2f}s")
    for p in problems[:50]:
        print("FAIL:", p)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
