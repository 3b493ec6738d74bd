"""IMAP helpers over imaplib shared by both sides of a differential test.

- connect / login / select / append: thin wrappers; append() sends the message
  bytes exactly (imaplib's own append rewrites bare CR/LF to CRLF, which would
  hide the malformed cases) and switches to a literal8 (~{n}, RFC 3516) when the
  message contains NUL.
- fetch_raw(): the exact wire text of the untagged FETCH responses, literals
  included, re-assembled from imaplib's tuple format, so two servers can be
  compared byte for byte.
- parse() / parse_fetch(): a tolerant parser of IMAP response data into Python
  values, so comparisons can be structural where formatting legitimately differs:
    (...)          -> list
    NIL (any case) -> None
    123            -> int           (unquoted digits only)
    atom           -> Atom(bytes)   (includes flags, and BODY[...]<...> item names)
    "quoted"       -> Quoted(bytes) (unescaped)
    {n} / ~{n}     -> Literal(bytes)
  Atom, Quoted and Literal are bytes subclasses: they compare equal to each other
  and to plain bytes with the same content, while isinstance() still tells the
  wire form apart. normalize() turns a parsed value into plain Python
  (str/bytes/int/None/list), optionally case-folded.

Standard library only.
"""

import imaplib
import re
import ssl
import time

__all__ = [
    "connect", "login", "select", "append", "fetch_raw", "fetch", "command_raw",
    "parse", "parse_fetch", "normalize", "Atom", "Quoted", "Literal", "ParseError",
]


# ----- connection -----------------------------------------------------------------

def unverified_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect(host, port, tls=False, timeout=30.0):
    """An imaplib connection; tls=True is implicit TLS without certificate checks."""
    if tls:
        return imaplib.IMAP4_SSL(host, port, ssl_context=unverified_context(), timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def login(conn, user, password):
    typ, data = conn.login(user, password)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"LOGIN failed: {data!r}")
    return conn


def select(conn, mailbox="INBOX", readonly=False):
    """SELECT (or EXAMINE); returns the message count."""
    typ, data = conn.select(_quote(mailbox), readonly=readonly)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"SELECT {mailbox} failed: {data!r}")
    return int(data[0])


def close(conn):
    """LOGOUT, ignoring errors from a server that already went away."""
    try:
        conn.logout()
    except (imaplib.IMAP4.error, OSError):
        pass


# ----- APPEND ---------------------------------------------------------------------

def _quote(s):
    if isinstance(s, bytes):
        s = s.decode("utf-8")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date_arg(date):
    if date is None:
        return None
    if isinstance(date, str):  # already "dd-Mon-yyyy hh:mm:ss +zzzz" (quoted or not)
        return date if date.startswith('"') else f'"{date}"'
    return imaplib.Time2Internaldate(date)  # datetime, epoch seconds or time tuple


def append(conn, mailbox, message, flags=(), date=None, literal8=None):
    """APPEND message bytes exactly as given.

    flags: iterable like ("\\Seen", "$Label"); date: datetime/epoch/"dd-Mon-yyyy
    hh:mm:ss +zzzz"; literal8: force (True) or forbid (False) the ~{n} form;
    default: used only when the message contains NUL.
    Returns (typ, data) of the tagged response; typ is "OK" or "NO"
    (BAD raises imaplib.IMAP4.error). The APPENDUID code, if any, is in
    conn.untagged_responses via conn.response("APPENDUID").
    """
    if isinstance(message, str):
        message = message.encode("utf-8")
    if literal8 is None:
        literal8 = b"\0" in message
    args = [_quote(mailbox)]
    if flags:
        args.append("(" + " ".join(flags) + ")")
    d = _date_arg(date)
    if d:
        args.append(d)
    if not literal8:
        # Same as imaplib.append() minus the line-ending rewrite.
        conn.literal = message
        return conn._simple_command("APPEND", *args)
    return _append_literal8(conn, args, message)


def _append_literal8(conn, args, message):
    tag = conn._new_tag()
    line = tag + b" APPEND " + " ".join(args).encode("utf-8") + b" ~{%d}" % len(message)
    conn.send(line + b"\r\n")
    conn.tagged_commands[tag] = None
    # Wait for the continuation request (or an early tagged NO/BAD).
    while conn._get_response() is not None:
        if conn.tagged_commands[tag]:
            return conn._command_complete("APPEND", tag)
    conn.send(message + b"\r\n")
    return conn._command_complete("APPEND", tag)


# ----- raw FETCH ------------------------------------------------------------------

def _reassemble(items, keyword):
    """imaplib's untagged data for one keyword -> list of complete wire responses.

    imaplib stores each untagged response as zero or more (line-ending-in-{n},
    literal) tuples followed by one bytes item with the rest of the last line, all
    without CRLF; for "* 3 FETCH (...)" the text starts at "3 (...". Between
    pieces the wire had CRLF after each {n} line, the literal bytes, then the
    continuation."""
    out, cur = [], b""
    for item in items:
        if isinstance(item, tuple):
            head, lit = item
            cur += head + b"\r\n" + lit
        else:
            cur += item + b"\r\n"
            num, _, rest = cur.partition(b" ")
            out.append(b"* " + num + b" " + keyword + b" " + rest)
            cur = b""
    if cur:  # cannot happen with imaplib's reader, but never drop bytes silently
        out.append(cur)
    return out


def command_raw(conn, name, *args):
    """Run a command; return (typ, tagged_data, {untagged keyword: [raw wire responses]}).

    Only responses with a message number prefix (FETCH, EXPUNGE...) are turned back
    into "* N KEYWORD ..." text; others come back as imaplib stored them."""
    conn.untagged_responses.clear()  # start clean: keep earlier unsolicited data out
    typ, data = conn._simple_command(name, *args)
    raw = {}
    for key, items in conn.untagged_responses.items():
        if key in ("FETCH", "EXPUNGE", "EXISTS", "RECENT"):
            raw[key] = _reassemble(items, key.encode())
        else:
            raw[key] = list(items)
    conn.untagged_responses.clear()
    return typ, data, raw


def fetch_raw(conn, message_set, items, uid=False):
    """Exact wire text (bytes, CRLF included) of each untagged FETCH response.

    items: "ENVELOPE BODYSTRUCTURE" or a list of item strings; parentheses are added.
    Raises imaplib.IMAP4.error on NO/BAD.
    """
    if not isinstance(items, str):
        items = " ".join(items)
    if not items.startswith("("):
        items = "(" + items + ")"
    message_set = str(message_set)
    if uid:
        typ, data, raw = command_raw(conn, "UID", "FETCH", message_set, items)
    else:
        typ, data, raw = command_raw(conn, "FETCH", message_set, items)
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {message_set} {items} -> {typ} {data!r}")
    return raw.get("FETCH", [])


def fetch(conn, message_set, items, uid=False):
    """Parsed FETCH answers: {message number: {ITEM NAME (upper-case str): value}}.

    If the server sends several FETCH responses for one message, their items merge."""
    result = {}
    for wire in fetch_raw(conn, message_set, items, uid=uid):
        num, values = parse_fetch(wire)
        result.setdefault(num, {}).update(values)
    return result


# ----- parsing ----------------------------------------------------------------------

class Atom(bytes):
    def __repr__(self):
        return "Atom(%s)" % bytes.__repr__(self)


class Quoted(bytes):
    def __repr__(self):
        return "Quoted(%s)" % bytes.__repr__(self)


class Literal(bytes):
    def __repr__(self):
        return "Literal(%s)" % bytes.__repr__(self)


class ParseError(ValueError):
    pass


_LITERAL_RE = re.compile(rb"~?\{(\d+)(\+|-)?\}\r?\n")
_ATOM_STOP = b" ()\"{\r\n"
_DIGITS = re.compile(rb"\d+\Z")


class _Parser:
    def __init__(self, data, strict):
        self.d = data
        self.i = 0
        self.strict = strict

    def error(self, msg):
        ctx = self.d[max(0, self.i - 30):self.i + 30]
        raise ParseError(f"{msg} at offset {self.i}: ...{ctx!r}...")

    def skip_space(self):
        d = self.d
        while self.i < len(d) and d[self.i:self.i + 1] in (b" ", b"\t"):
            self.i += 1

    def values(self, closer=None):
        out = []
        d = self.d
        while True:
            self.skip_space()
            if self.i >= len(d):
                if closer is not None and self.strict:
                    self.error("unterminated list")
                return out
            c = d[self.i:self.i + 1]
            if c == b")":
                if closer is None:
                    if self.strict:
                        self.error("unbalanced ')'")
                    self.i += 1
                    continue
                self.i += 1
                return out
            if c in (b"\r", b"\n"):
                self.i += 1
                continue
            out.append(self.value())

    def value(self):
        d = self.d
        c = d[self.i:self.i + 1]
        if c == b"(":
            self.i += 1
            return self.values(closer=b")")
        if c == b'"':
            return self.quoted()
        if c in (b"{", b"~"):
            m = _LITERAL_RE.match(d, self.i)
            if m:
                n = int(m.group(1))
                start = m.end()
                if start + n > len(d):
                    if self.strict:
                        self.error("literal runs past the end of the data")
                    n = len(d) - start
                self.i = start + n
                return Literal(d[start:start + n])
        return self.atom()

    def quoted(self):
        d = self.d
        self.i += 1
        out = bytearray()
        while self.i < len(d):
            c = d[self.i]
            if c == 0x5C and self.i + 1 < len(d):  # backslash escape
                out.append(d[self.i + 1])
                self.i += 2
                continue
            if c == 0x22:
                self.i += 1
                return Quoted(bytes(out))
            if c in (0x0D, 0x0A) and self.strict:
                self.error("line break inside quoted string")
            out.append(c)
            self.i += 1
        if self.strict:
            self.error("unterminated quoted string")
        return Quoted(bytes(out))

    def atom(self):
        """An atom; "[...]" inside it (BODY[HEADER.FIELDS (A B)]) is kept whole,
        as is a following "<origin>"."""
        d = self.d
        start = self.i
        depth = 0
        while self.i < len(d):
            c = d[self.i:self.i + 1]
            if c == b"[":
                depth += 1
            elif c == b"]":
                if depth == 0:
                    break  # end of a response code: let the caller see it
                depth -= 1
            elif depth == 0 and c in _ATOM_STOP:
                break
            elif depth > 0 and c in (b"\r", b"\n"):
                break
            self.i += 1
        if self.i == start:
            # A stray character no rule takes (e.g. a lone "]" or "{"): keep it as an atom.
            self.i += 1
            return Atom(d[start:self.i])
        tok = d[start:self.i]
        if tok.upper() == b"NIL":
            return None
        if _DIGITS.match(tok):
            return int(tok)
        return Atom(tok)


def parse(data, strict=False):
    """Parse IMAP response data (bytes or str) into a list of values.

    Tolerant by default: unbalanced parentheses, unterminated strings and short
    literals are accepted as far as they go; strict=True raises ParseError."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _Parser(data, strict).values()


_FETCH_HEAD = re.compile(rb"\*\s+(\d+)\s+FETCH\s+", re.IGNORECASE)


def parse_fetch(wire, strict=False):
    """One raw untagged FETCH response -> (message number, {ITEM: value}).

    Item names are upper-cased str ("BODY[1.MIME]", "BINARY[2]<0>", "UID")."""
    m = _FETCH_HEAD.match(wire)
    if not m:
        raise ParseError(f"not a FETCH response: {wire[:60]!r}")
    vals = parse(wire[m.end():], strict=strict)
    if not vals or not isinstance(vals[0], list):
        raise ParseError(f"FETCH response without an item list: {wire[:60]!r}")
    items = vals[0]
    out = {}
    for k in range(0, len(items) - 1, 2):
        name = items[k]
        key = name.decode("ascii", "replace").upper() if isinstance(name, bytes) else str(name)
        out[key] = items[k + 1]
    if len(items) % 2 and strict:
        raise ParseError(f"odd number of FETCH items: {wire[:60]!r}")
    return int(m.group(1)), out


def normalize(value, casefold=False, decode=True):
    """Plain-Python copy of a parsed value for comparisons.

    decode=True turns strings into str (UTF-8, undecodable bytes kept via
    surrogateescape); casefold=True lower-cases them (useful for MIME type names,
    parameter names and encodings, where case is not significant)."""
    if isinstance(value, list):
        return [normalize(v, casefold, decode) for v in value]
    if isinstance(value, bytes):
        v = bytes(value)
        if decode:
            v = v.decode("utf-8", "surrogateescape")
        return v.lower() if casefold else v
    return value


def wait_for_greeting(host, port, timeout=10.0, tls=False):
    """Poll until an IMAP server answers with a greeting; returns the connection."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            return connect(host, port, tls=tls, timeout=5)
        except (OSError, imaplib.IMAP4.error) as e:
            last = e
            time.sleep(0.05)
    raise TimeoutError(f"no IMAP greeting from {host}:{port} in {timeout}s: {last}")
