"""roost dkim generate|list: keys on disk (mode 0600), the TXT records printed, refusal to
overwrite, bad input; the printed record verifies what the saved private key signs, checked
with dkimpy (Debian's python3-dkim), a DKIM implementation independent of Roost."""
import os
import re
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from roost_harness import TempDir, expect, roost, run_tests, zone_txt_records  # noqa: E402

# dkimpy lives in Debian's Python, which may not be the one running this script.
DKIMPY = r"""
import base64, sys, dkim
key, selector, domain, record = (open(sys.argv[1], 'rb').read(), sys.argv[2].encode(),
                                 sys.argv[3].encode(), sys.argv[4].encode())
algorithm = b"rsa-sha256"
if b"k=ed25519" in record:  # dkimpy takes the raw seed: the last 32 bytes of the PKCS#8 DER
    der = base64.b64decode(b"".join(key.splitlines()[1:-1]))
    key, algorithm = base64.b64encode(der[-32:]), b"ed25519-sha256"
message = b"From: a@" + domain + b"\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nbody\r\n"
signed = dkim.sign(message, selector, domain, key, include_headers=[b"from", b"to", b"subject"],
                   signature_algorithm=algorithm)
ok = dkim.verify(signed + message, dnsfunc=lambda name, timeout=5: record)
print("verified" if ok else "failed")
"""


def test_generate_both_and_list():
    with TempDir() as d:
        out = roost("dkim", "generate", "Example.ORG", "--data-dir", d, check=0).stdout
        got = zone_txt_records(out)
        expect(set(got) == {"roost-ed25519._domainkey.example.org",
                            "roost-rsa._domainkey.example.org"}, out)
        expect(got["roost-ed25519._domainkey.example.org"].startswith("v=DKIM1; k=ed25519; p="), out)
        expect(got["roost-rsa._domainkey.example.org"].startswith("v=DKIM1; k=rsa; p=MII"), out)
        for name in ("roost-ed25519", "roost-rsa"):
            path = os.path.join(d, "dkim", "example.org", name + ".pem")
            mode = stat.S_IMODE(os.stat(path).st_mode)
            expect(mode == 0o600, f"{path} mode {oct(mode)}")
        listing = roost("dkim", "list", "--data-dir", d, check=0).stdout
        expect(re.search(r"example\.org\s+roost-ed25519\s+ed25519", listing), listing)
        expect(re.search(r"example\.org\s+roost-rsa\s+rsa", listing), listing)
        again = roost("dkim", "generate", "example.org", "--data-dir", d, check=1)
        expect("already has a DKIM key with selector roost-ed25519" in again.stderr, again.stderr)


def test_printed_record_verifies_the_saved_key():
    with TempDir() as d:
        for algorithm in ("rsa", "ed25519"):
            out = roost("dkim", "generate", "mail.example.net", "--algorithm", algorithm,
                        "--selector", "s" + algorithm, "--rsa-bits", "1024", "--data-dir", d,
                        check=0).stdout
            (name, record), = zone_txt_records(out).items()
            expect(name == f"s{algorithm}._domainkey.mail.example.net", name)
            key = os.path.join(d, "dkim", "mail.example.net", f"s{algorithm}.pem")
            p = subprocess.run(["/usr/bin/python3", "-c", DKIMPY, key, "s" + algorithm,
                                "mail.example.net", record], capture_output=True, text=True,
                               timeout=60)
            expect(p.stdout.strip() == "verified", f"{algorithm}: {p.stdout} {p.stderr}")


def test_bad_input():
    with TempDir() as d:
        for args, why in ((["bad domain"], "DNS names"), (["x.org", "--selector", "../up"], "DNS names"),
                          (["x.org", "--algorithm", "dsa"], "unknown algorithm"),
                          (["x.org", "--rsa-bits", "512"], "between 1024 and 8192")):
            p = roost("dkim", "generate", *args, "--data-dir", d, check=1)
            expect(why in p.stderr, f"{args}: {p.stderr}")
        expect(not os.path.exists(os.path.join(d, "dkim", "x.org")), "a refused key was written")


if __name__ == "__main__":
    run_tests([test_generate_both_and_list, test_printed_record_verifies_the_saved_key,
               test_bad_input])
