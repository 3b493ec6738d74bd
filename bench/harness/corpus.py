"""The mail both servers are seeded with, generated deterministically.

- prepare_corpus(): the APPEND corpus of imap-mixed and seed: tests/data/corpus/*.eml
  (minus the deliberately malformed ones, CRLF-normalised) plus generated messages of
  varied size and structure (plain, text+HTML alternative, attachments).
- write_maildir(): a Maildir INBOX of N generated messages (big-mailbox, pop3-drain); Roost
  imports it with `roost import maildir`, Dovecot gets the same files hard-linked.
"""

import base64
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEST_CORPUS = os.path.join(REPO, "tests", "data", "corpus")

WORDS = ("meeting report budget project review schedule invoice travel update release "
         "draft team quarter customer support design server mailbox weekend lunch status "
         "plan notes agenda contract offer question answer thanks hello").split()
MARKER_WORD = "zanzibar"  # big-mailbox SEARCH TEXT: in 1% of the messages


class _Blob:
    """A few hundred KB of CRLF lines generated once; messages take slices of it, so a
    million messages are written in minutes rather than hours."""

    def __init__(self, lines):
        self.data = "".join(lines)
        self.starts, pos = [], 0
        for line in lines:
            self.starts.append(pos)
            pos += len(line)

    def take(self, rng, size):
        size = max(1, min(size, len(self.data) // 2))
        first = self.starts[rng.randrange(len(self.starts) // 2)]
        end = self.data.find("\r\n", first + size)
        return self.data[first:end + 2] if end >= 0 else self.data[first:]


def _make_blobs():
    rng = random.Random(12345)
    lines = []
    for _ in range(6000):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 12))) + "\r\n")
    b64 = base64.b64encode(rng.randbytes(57 * 40000)).decode()
    return _Blob(lines), _Blob([b64[i:i + 76] + "\r\n" for i in range(0, len(b64), 76)])


_TEXT, _BASE64 = _make_blobs()


def _text(rng, size):
    return _TEXT.take(rng, size)


def _b64(rng, size):
    return _BASE64.take(rng, size)


def make_message(i, rng, size, marker=False):
    """A well-formed message of about `size` bytes; shape chosen from i."""
    day = 1 + i % 28
    hour, minute = (i // 28) % 24, (i * 7) % 60
    head = (f"From: Sender {i % 97} <sender{i % 97}@example.org>\r\n"
            f"To: Bench <bench@example.net>\r\n"
            f"Subject: {rng.choice(WORDS)} {rng.choice(WORDS)} {i}\r\n"
            f"Date: {day} Mar 2024 {hour:02d}:{minute:02d}:{i % 60:02d} +0000\r\n"
            f"Message-ID: {message_id(i)}\r\n"
            "MIME-Version: 1.0\r\n")
    body_size = max(200, size - len(head) - 200)
    text = _text(rng, min(body_size, 6000))
    if marker:
        text = f"Please see the {MARKER_WORD} notes below.\r\n" + text
    shape = i % 10
    if size < 8000 or shape < 5:
        body = text + (_text(rng, body_size - len(text)) if body_size > len(text) else "")
        msg = head + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body
    elif shape < 8:
        b = f"=_alt_{i}"
        html = "<html><body><p>" + text.replace("\r\n", "</p>\r\n<p>") + "</p></body></html>\r\n"
        fill = _text(rng, max(0, body_size - 2 * len(text)))
        msg = (head + f'Content-Type: multipart/alternative; boundary="{b}"\r\n\r\n'
               f"--{b}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}{fill}"
               f"--{b}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n{html}--{b}--\r\n")
    else:
        b = f"=_mix_{i}"
        msg = (head + f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n'
               f"--{b}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n{text}"
               f"--{b}\r\nContent-Type: application/pdf; name=\"file{i}.pdf\"\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               f"Content-Disposition: attachment; filename=\"file{i}.pdf\"\r\n\r\n"
               f"{_b64(rng, max(100, body_size - len(text)))}--{b}--\r\n")
    return msg.encode()


def message_id(i):
    return f"<msg{i}.bench@example.org>"


def realistic_size(rng):
    """Most mail is a few KB; one in ten carries an attachment of 50 KB to 1 MB."""
    if rng.random() < 0.1:
        return int(50_000 * (20 ** rng.random()))
    return int(1_500 * (12 ** rng.random()))


def small_size(rng):
    """1.5 to 12 KB (the big mailbox: a million of these stays a few GB)."""
    return int(1_500 * (8 ** rng.random()))


def prepare_corpus(dest, generated=200, seed=5):
    """Writes the APPEND corpus to dest/*.eml; returns the number of messages."""
    os.makedirs(dest, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(TEST_CORPUS)):
        if not name.endswith(".eml") or name.startswith("malformed"):
            continue
        with open(os.path.join(TEST_CORPUS, name), "rb") as f:
            data = f.read()
        if b"\0" in data or len(data) < 20:
            continue
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with open(os.path.join(dest, f"t-{name}"), "wb") as f:
            f.write(data)
        n += 1
    rng = random.Random(seed)
    for i in range(generated):
        with open(os.path.join(dest, f"g-{i:05d}.eml"), "wb") as f:
            f.write(make_message(i, rng, realistic_size(rng)))
        n += 1
    return n


def write_maildir(path, count, sizes="realistic", seed=7, marker_every=100):
    """A Maildir (cur/new/tmp) of `count` messages; Dovecot-style names with S= and W= so
    neither server needs to stat or read a file to learn its size. Returns
    {"messages", "bytes", "middle_message_id", "marker_messages"}."""
    size_of = realistic_size if sizes == "realistic" else small_size
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    rng = random.Random(seed)
    total = markers = 0
    base = 1_700_000_000
    for i in range(count):
        marker = marker_every > 0 and i % marker_every == marker_every // 2
        markers += marker
        data = make_message(i, rng, size_of(rng), marker=marker)
        total += len(data)
        name = f"{base + i}.M{i}P1.bench,S={len(data)},W={len(data)}:2,"
        with open(os.path.join(path, "cur", name), "wb") as f:
            f.write(data)
    return {"messages": count, "bytes": total, "middle_message_id": message_id(count // 2),
            "marker_messages": markers}
