"""A DNS server on 127.0.0.1 for the tests (Debian's dnsmasq): MX, A, TXT records as given,
nothing forwarded. Roost is pointed at it with [dns] resolver = "127.0.0.1@PORT"."""
import getpass
import os
import socket
import subprocess
import tempfile
import time


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalDns:
    def __init__(self, ttl=0):
        """ttl: seconds resolvers may cache the answers (0, dnsmasq's default: tests may change
        records between messages; a benchmark sets what real zones publish)."""
        self.ttl = ttl
        self.mx = []    # (domain, host, preference)
        self.a = []     # (name, ip)
        self.txt = []   # (name, text)
        self.proc = None
        self.port = None

    def add_mx(self, domain, host, preference=10):
        self.mx.append((domain, host, preference))

    def add_a(self, name, ip="127.0.0.1"):
        self.a.append((name, ip))

    def add_txt(self, name, text):
        self.txt.append((name, text))

    def resolver(self):
        """The value for roost.toml's [dns] resolver."""
        return f"127.0.0.1@{self.port}"

    def __enter__(self):
        for _ in range(5):
            self.port = _free_udp_port()
            conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
            for domain, host, pref in self.mx:
                conf.write(f"mx-host={domain},{host},{pref}\n")
            for name, ip in self.a:
                conf.write(f"host-record={name},{ip}\n")
            for name, text in self.txt:
                # dnsmasq splits a TXT record into 255-octet strings itself when quoted pieces
                # are given; keep each piece under that.
                pieces = ",".join('"' + text[i:i + 250].replace('"', '\\"') + '"'
                                  for i in range(0, len(text), 250))
                conf.write(f"txt-record={name},{pieces}\n")
            conf.close()
            self.conf = conf.name
            self.proc = subprocess.Popen(
                ["dnsmasq", "--keep-in-foreground", f"--port={self.port}",
                 "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                 "--no-poll", f"--user={getpass.getuser()}", "--pid-file=", f"--conf-file={self.conf}",
                 "--log-facility=-", "--local=/test/", f"--local-ttl={self.ttl}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(0.3)
            if self.proc.poll() is None:
                return self
            err = self.proc.stderr.read()
            os.unlink(self.conf)
            if "Address already in use" not in err:
                raise AssertionError(f"dnsmasq did not start: {err}")
        raise AssertionError("dnsmasq found no free port")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        os.unlink(self.conf)
