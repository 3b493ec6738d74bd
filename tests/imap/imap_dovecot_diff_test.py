"""Live differential test against Dovecot 2.3 (the reference IMAP server).

Starts a private Dovecot (tests/lib/dovecot.py) and `roost serve`, both
with an empty INBOX, and APPENDs to each, in the same order, with the same flags, keywords and
INTERNALDATE: every message of tests/data/corpus (280, malformed ones included; literal8 where a
message has NUL, as the stored reference was made), a few 8-bit/binary messages again as literal8,
and a small reply thread. Then it compares, message by message, FETCH ENVELOPE, BODYSTRUCTURE,
BODY, RFC822.SIZE, RFC822.HEADER/TEXT, BODY[HEADER], BODY[TEXT], HEADER.FIELDS(.NOT), BODY[n],
BODY[n.MIME], BODY[n.HEADER]/[n.TEXT] of message/rfc822 parts, partial fetches, BINARY[n] and
BINARY.SIZE[n] of every part, then a battery of SEARCH criteria, SORT with every key and THREAD
ORDEREDSUBJECT/REFERENCES over the whole mailbox and over subsets.

Every difference fails the test unless ACCEPTED (below) lists it with the reason Roost's answer is
right or acceptable; an ACCEPTED entry that no longer matches anything fails too. The ENVELOPE and
BODYSTRUCTURE entries must be exactly those of src/imap/engine/dovecot_reference_test.cc (the
snapshot test), so the two never disagree.

What is normalized, and why (nothing else is):
- UIDs are not normalized: both mailboxes start empty, so UID n is message n on both sides.
- FLAGS: Dovecot's \\Recent is dropped (RFC 9051 removed \\Recent; Roost keeps none) and flag
  order is ignored (a flag list is a set).
- INTERNALDATE is compared as an instant: Dovecot's Maildir keeps only the file time and shows it
  in the server's zone; Roost keeps the zone APPEND gave. The instant is what both must keep.
- Strings compare by content whether sent quoted or as a literal (RFC 9051 §4.3), FETCH items
  by name whatever their order, SEARCH results as sets (the numbers of a SEARCH response carry
  no order); SORT and THREAD answers compare exactly.
- A command that fails compares by its tagged status and response code only (Dovecot sends a
  stray "* n FETCH (UID n)" before "NO [UNKNOWN-CTE]").

Dovecot runs as tests/lib/dovecot.py configures it, with no extra_config: no FTS plugin, so
SEARCH BODY/TEXT read the messages; TZ=UTC, so that its local-time date searches are reproducible.
Both sessions stay IMAP4rev1 (Dovecot 2.3 has no IMAP4rev2), so both answer SEARCH with
"* SEARCH" and send 8-bit header text as literals. DOVECOT_DIFF_ALL=1 prints every difference,
accepted or not. Dovecot must be installed (./dev installs dovecot-imapd and dovecot-pop3d); the
test fails, never skips, without it.
"""
import calendar
import fnmatch
import json
import os
import re
import socket
import sys
import threading
import time
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
os.environ["TZ"] = "UTC"  # before Dovecot starts: it inherits TZ (import_environment)
time.tzset()

import imap_client as ic  # noqa: E402
from dovecot import Dovecot  # noqa: E402
from imap_session_test import ImapServer, PASSWORD, USER  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "data", "corpus")
SNAPSHOT_TEST = os.path.join(ROOT, "src", "imap", "engine", "dovecot_reference_test.cc")
DOVECOT_PASSWORD = "dovecot-secret"

# ------------------------------------------------------------------------------------------------
# Accepted differences. Each names the message (or command), the item, the field, and why.
# subject and item are fnmatch patterns ('|' separates alternatives); field is a prefix of the
# difference's field label ("" matches every field of the item).
# ------------------------------------------------------------------------------------------------

# Reasons shared with src/imap/engine/dovecot_reference_test.cc (same names, same decisions).
APPEND_REENCODED = (
    "Dovecot stores the `binary` parts of a literal8 APPEND re-encoded as base64 (RFC 3516 §4.4: "
    "the server MAY modify the CTE, without loss of data); Roost keeps the bytes it was given, so "
    "encoding, size and every raw section describe other bytes; the decoded BINARY[n] agrees")
BARE_LF = (
    "Dovecot stores bare LF as CRLF and counts that; our sizes are those of the stored bytes, "
    "which are what our BODY[section] returns (RFC 9051 §7.5.2: size in octets of the body)")
CRLF_BEFORE_DELIMITER = (
    "the line break right before the parent's delimiter: Dovecot gives it to a message/rfc822 "
    "part whose content ends in a header line or a close-delimiter (2 bytes, 1 line more), and "
    "to a nested multipart; we follow RFC 2046 §5.1.1: that CRLF belongs to the delimiter, "
    "uniformly for every part")
LOCATION_UNFOLDED = (
    "RFC 2557 §4.4.2: whitespace from folding a Content-Location is not part of the URI; "
    "Dovecot keeps a space")
PLAIN_7BIT_SHORTCUT = (
    "case only: Dovecot answers a plain 7-bit US-ASCII single-part message from its cache "
    "template in lower case; we send type, subtype and parameters as written (RFC 9051 §7.5.2: "
    "compared case-insensitively)")
INVALID_CONTENT_TYPE = (
    "RFC 2045 §5.2: a syntactically invalid Content-Type means text/plain; charset=us-ascii; "
    "Dovecot sends \"\" \"\" (or \"text\" \"\"), which clients cannot render")
MESSAGE_GLOBAL = (
    "RFC 9051 §7.5.2 body-type-msg covers MESSAGE/GLOBAL (RFC 6532): we send its envelope, "
    "body and lines, and part 2.1 is its body; Dovecot 2.3 treats it as a basic part")
NUL_IN_HEADER = "Dovecot turns NUL into 0x80 (raw 8-bit, needs a literal); we send a clean string"

# Reasons only the live test needs.
BARE_CR = (
    "Dovecot drops a bare CR at the very end of a message (tests/data/corpus/README.md); Roost "
    "returns and counts the bytes it stored")
NO_BLANK_LINE = (
    "RFC 9051 §6.4.5: the blank line is included in all header fetches 'except in the case of "
    "a message which has no body and no blank line'; Dovecot adds one to such a top-level "
    "header (not to an encapsulated one); Roost follows the RFC for both")
UNTERMINATED_LINE = (
    "a last header line without a line break ends in CRLF in every Roost header fetch "
    "(RFC 5322 §2.2: a header line ends in CRLF); Dovecot sends the lone 'x' unterminated")
DELIMITER_AS_HEADER = (
    "an encapsulated message without a blank line ends at the parent's delimiter (RFC 2046 "
    "§5.1.1); Dovecot returns that delimiter line as one of its header fields")
ENCODED_MESSAGE = (
    "RFC 2046 §5.2.1 forbids encoding a message/rfc822 body; when one is base64 anyway, Roost's "
    "BINARY decodes it (RFC 3516 §4.2: the section after removing its CTE), Dovecot sends it "
    "still encoded and a BINARY.SIZE that matches neither (0 for [2], 367 for [])")
DOVECOT_BINARY_SIZE = (
    "RFC 3516 §4.2: BINARY.SIZE is the size of the section BINARY sends; Dovecot's is not "
    "(2^64-196 for [1] of signed_smime_detached.eml, 279 for the 324 octets of [] of "
    "malformed_cte_on_multipart.eml, whose multipart it sends as stored, as Roost does); "
    "Roost's always equals its BINARY")
LENIENT_DECODING = (
    "RFC 2045 §6.8: characters outside the base64 alphabet are ignored; §6.7: a robust decoder "
    "keeps a malformed '=' sequence as is. Roost's BINARY decodes what is there; Dovecot "
    "refuses the whole section with NO [PARSE]")
INTERNALDATE_DAY = (
    "RFC 9051 §6.4.4: BEFORE/ON/SINCE compare the internal date 'disregarding time and "
    "timezone', i.e. the date INTERNALDATE shows; Roost keeps the APPEND's zone, Dovecot's "
    "Maildir only the instant, which it dates in the server's zone (UTC here)")
LATIN1_HEADERS = (
    "raw 8-bit header text that is not UTF-8 (malformed_8bit_headers_latin1.eml; RFC 6532 "
    "allows only UTF-8) is read by Roost as Windows-1252/Latin-1 (mime/charset.h), so "
    "'Gr\\xfc\\xdfe aus K\\xf6ln' searches, sorts and threads as 'Grüße aus Köln'; Dovecot "
    "cannot decode it")
ENCODED_WORD_LANGUAGE = (
    "RFC 2231 §5 allows a language tag in an encoded word (=?utf-8*de?Q?...?=); Roost decodes "
    "it, Dovecot 2.3 leaves it encoded")
RAW_ENCODED_WORDS = (
    "search_engine.h: SUBJECT also matches the raw, still RFC 2047-encoded text, so a search "
    "for what a client sees in the source finds it; Dovecot matches decoded text only")
SENT_DATE_MISSING = (
    "RFC 9051 §6.4.4: SENT* compare the Date header's date; a message whose Date is missing "
    "or unparseable has none, so Roost matches it to no SENT* key (search_engine.h) where "
    "Dovecot dates it 1970-01-01; Roost also reads RFC 5322 §4.3 forms Dovecot cannot: a "
    "3-digit year is 1900 + year (104 = 2004), a full day name, asctime order")
TWO_DATES = (
    "RFC 5322 §3.6 allows one Date field; with two, both servers' ENVELOPE shows the last and "
    "Roost's SENT* and SORT DATE use that same one; Dovecot searches and sorts by the first")
DATE_1900 = (
    "a Date in 1900 is before 07-May-2024 (RFC 9051 §6.4.4 SENTSINCE); Dovecot matches it, "
    "having no date before 1970")
SORT_DATES = (
    "RFC 5256 §2.2: the sent date is the Date header, else INTERNALDATE. Dovecot takes a Date "
    "of exactly 1970-01-01T00:00:00Z for 'no date' and sorts it by INTERNALDATE, cannot parse "
    "a full day name or asctime order, reads '104' as a year before 1970, sorts 1900 after "
    "2024 and takes the first of two Date fields; Roost sorts each by the date it states "
    "(RFC 5322 §4.3 obsolete forms; ENVELOPE's Date for two)")
ASCII_CASEMAP = (
    "RFC 5256 §3 compares with i;ascii-casemap (RFC 4790 §9.2.1) unless the server announces "
    "I18NLEVEL; Dovecot announces I18NLEVEL=1 and sorts by i;unicode-casemap (RFC 5255, 5051: "
    "titlecased, decomposed), so accented and non-ASCII keys ('Déjà vu' against 'digest', "
    "'Ünïcödé' against 'User') order differently; Roost folds DISPLAY names (sort_thread.h)")
SUBJECT_DECODING = (
    "base subjects differ where the Subject is malformed: Roost keeps an encoded word in an "
    "unknown charset as written (RFC 2047 §6.2), decodes one longer than 75 characters, one "
    "with a language tag (RFC 2231 §5), one whose UTF-8 is split across words, and lenient "
    "base64; it drops NUL from a header; with two Subject fields it sorts by the last, the "
    "one both servers' ENVELOPE shows; Dovecot does otherwise in each case")
SIZE_DIFFERS = "SORT SIZE follows RFC822.SIZE, which differs for these messages: " + BARE_LF + \
    "; " + APPEND_REENCODED


class Accept:
    """An accepted difference. subject and item are fnmatch patterns ('|' separates
    alternatives, '[' is literal); field is a prefix of the difference's field label. Optional,
    so an entry hides no more than it names: only= patterns every message a SEARCH/THREAD
    difference involves must match; without= patterns of messages whose removal from both
    SORT answers must leave them equal; check= a predicate on the two values (ours, dovecot)."""

    def __init__(self, subject, item, field, why, only=None, without=None, check=None):
        self.subject, self.item, self.field, self.why = subject, item, field, why
        self.only, self.without, self.check = only, without, check
        self.used = 0

    @staticmethod
    def _match(name, patterns):
        return any(fnmatch.fnmatchcase(name, p.replace("[", "[[]")) for p in patterns.split("|"))

    def matches(self, d):
        if not (self._match(d.subject, self.subject) and self._match(d.item, self.item)
                and d.field.startswith(self.field)):
            return False
        if self.only is not None and not all(self._match(n, self.only) for n in d.involved):
            return False
        if self.without is not None:
            def strip(numbers):
                return [n for n in numbers if not self._match(d.name_of(n), self.without)]
            if strip(d.ours) != strip(d.theirs):
                return False
        return self.check is None or self.check(d.ours, d.theirs)

    def __str__(self):
        return f"{self.subject} {self.item} {self.field!r}"


def crlf(data):
    """data with every bare LF made CRLF (what Dovecot stores)."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", bytes(data))


def dovecot_adds_crlf(ours, theirs):
    """Dovecot's part ends with the CRLF before the parent's next delimiter (2 more octets)."""
    if isinstance(ours, int) and isinstance(theirs, int):
        return theirs == ours + 2
    return isinstance(ours, bytes) and isinstance(theirs, bytes) and \
        bytes(theirs) == bytes(ours) + b"\r\n"


def dovecot_crlf(ours, theirs):
    """Dovecot sends bare LF as CRLF (sizes: counts it so)."""
    if isinstance(ours, int) and isinstance(theirs, int):
        return theirs > ours
    return isinstance(ours, bytes) and isinstance(theirs, bytes) and \
        crlf(ours) == crlf(theirs) and ours != theirs


def shifted_windows(ours, theirs):
    """Two partial windows of the same text, one with bare LF, one with CRLF: with line breaks
    normalized, a stretch of one appears in the other."""
    a, b = (bytes(x).replace(b"\r\n", b"\n") for x in (ours, theirs))
    n = min(len(a), len(b)) // 2
    return n >= 4 and (any(a[k:k + n] == b[:n] for k in range(len(a) - n + 1)) or
                       any(b[k:k + n] == a[:n] for k in range(len(b) - n + 1)))


def dovecot_drops_final_cr(ours, theirs):
    if isinstance(ours, int) and isinstance(theirs, int):
        return theirs == ours - 1
    if not (isinstance(ours, bytes) and isinstance(theirs, bytes)):
        return False
    b = bytes(ours)
    b = b[:-3] + b"\r\n" if b.endswith(b"\r\r\n") else b[:-1] if b.endswith(b"\r") else b
    return b == bytes(theirs)


def dovecot_adds_delimiter(ours, theirs):
    t = bytes(theirs)
    return t.startswith(bytes(ours)) and t[len(ours):].startswith(b"--")


def ours_subset(ours, theirs):
    return ours <= theirs


def ours_superset(ours, theirs):
    return ours >= theirs


def names(*files):
    return "|".join(files)


STRUCTURE = "BODYSTRUCTURE|BODY"  # a BODYSTRUCTURE difference shows in BODY too (same fields)
RAW_ITEMS = "RFC822.SIZE|RFC822.HEADER|RFC822.TEXT|BODY[*"
REENCODED = ("malformed_binary_top_nul.eml", "mixed_3_att_v2.eml", "mixed_4_att_v1.eml",
             "mixed_4_att_v2.eml", "mixed_5_att_v0.eml", "mixed_5_att_v1.eml",
             "mixed_5_att_v2.eml")
BARE_LF_FILES = ("malformed_bare_lf.eml", "malformed_bare_lf_multipart.eml",
                 "malformed_mixed_endings.eml")
NESTED_PARTS = ("alternative_in_mixed.eml", "related_images_4.eml", "nested_depth_2.eml",
                "nested_depth_3.eml", "nested_depth_4.eml", "nested_depth_5.eml",
                "nested_depth_6.eml", "nested_wide_deep.eml", "rfc822_multipart_inside.eml",
                "rfc822_nested_twice.eml", "rfc822_base64_encoded.eml",
                "rfc822_headers_only_inner.eml", "signed_smime_detached.eml",
                "malformed_boundary_prefix.eml", "malformed_same_boundary_nested.eml",
                "malformed_rfc822_truncated.eml", "malformed_nesting_200.eml")
DATE_FILES = ("date_epoch.eml", "date_three_digit_year.eml", "date_full_names.eml",
              "date_asctime.eml", "date_two_dates.eml", "date_before_epoch.eml")
GRUSSE = ("rfc2047_subject_b_utf8.eml", "rfc2047_subject_q_utf8.eml",
          "rfc2047_subject_adjacent_space.eml", "rfc2047_subject_adjacent_nospace.eml")
LATIN1 = "malformed_8bit_headers_latin1.eml"
COPY = "+literal8"  # suffix of the names of the copies APPENDed again as literal8

ACCEPTED = [
    # --- shared with dovecot_reference_test.cc: ENVELOPE and BODYSTRUCTURE -------------------
    *[Accept(names(f, f + COPY) if f in ("mixed_3_att_v2.eml", "malformed_binary_top_nul.eml")
             else f, STRUCTURE, field, APPEND_REENCODED)
      for f in REENCODED for field in ("body.encoding", "body.size")],
    Accept("malformed_bare_lf.eml", STRUCTURE, "body.size", BARE_LF),
    Accept("malformed_mixed_endings.eml", STRUCTURE, "body.size", BARE_LF),
    *[Accept(f, STRUCTURE, field, CRLF_BEFORE_DELIMITER)
      for f in ("malformed_rfc822_truncated.eml", "rfc822_base64_encoded.eml",
                "rfc822_headers_only_inner.eml", "rfc822_multipart_inside.eml",
                "rfc822_nested_twice.eml")
      for field in ("body.size", "body.lines")],
    Accept("content_location_folded_part.eml", "BODYSTRUCTURE", "body.location",
           LOCATION_UNFOLDED),
    *[Accept("header_case_names.eml", STRUCTURE, field, PLAIN_7BIT_SHORTCUT)
      for field in ("body.type: case only", "body.subtype: case only", "body.params: case only")],
    Accept("malformed_ctype_empty.eml", STRUCTURE, "body: list length", INVALID_CONTENT_TYPE),
    Accept("malformed_ctype_garbage.eml", STRUCTURE, "body: list length", INVALID_CONTENT_TYPE),
    Accept("malformed_ctype_slash_only.eml", STRUCTURE, "body: list length",
           INVALID_CONTENT_TYPE),
    Accept("malformed_ctype_no_subtype.eml", STRUCTURE, "body.subtype", INVALID_CONTENT_TYPE),
    Accept("rfc822_message_global.eml", STRUCTURE, "body: list length", MESSAGE_GLOBAL),
    Accept("malformed_nul_header.eml", "ENVELOPE", "envelope.subject", NUL_IN_HEADER),
    # --- the same causes in sections and sizes -------------------------------------------------
    Accept(names(*REENCODED, "mixed_3_att_v2.eml" + COPY, "malformed_binary_top_nul.eml" + COPY),
           RAW_ITEMS + "|BINARY[]", "", APPEND_REENCODED),
    Accept(names(*BARE_LF_FILES), RAW_ITEMS + "|BINARY*", "", BARE_LF, check=dovecot_crlf),
    Accept(names(*BARE_LF_FILES), "*<*>", "", BARE_LF + " (so a partial window starts and "
           "ends elsewhere)", check=shifted_windows),
    Accept(names(*NESTED_PARTS), "BODY[*|BINARY[*|BINARY.SIZE[*", "", CRLF_BEFORE_DELIMITER,
           check=dovecot_adds_crlf),
    Accept("rfc822_message_global.eml", "BODY[2.1*|BINARY[2.1]|BINARY.SIZE[2.1]", "",
           MESSAGE_GLOBAL),
    # --- live only: FETCH ----------------------------------------------------------------------
    Accept("malformed_bare_cr.eml", "RFC822.SIZE|RFC822.HEADER|BODY[*|BINARY[]|BINARY.SIZE[]", "",
           BARE_CR,
           check=dovecot_drops_final_cr),
    Accept(names("malformed_no_blank_line.eml", "malformed_header_only.eml",
                 "malformed_single_byte.eml"), "BODY[HEADER.FIELDS (*", "", NO_BLANK_LINE,
           check=lambda o, t: bytes(t) == bytes(o) + b"\r\n"),
    Accept("malformed_single_byte.eml", "BODY[HEADER.FIELDS.NOT (*", "", UNTERMINATED_LINE,
           check=lambda o, t: bytes(o) == bytes(t) + b"\r\n"),
    Accept(names("rfc822_headers_only_inner.eml", "malformed_rfc822_truncated.eml",
                 "rfc822_base64_encoded.eml"), "BODY[*.HEADER.FIELDS.NOT (*", "",
           DELIMITER_AS_HEADER, check=dovecot_adds_delimiter),
    Accept("rfc822_base64_encoded.eml", "BINARY[]|BINARY[2]|BINARY.SIZE[]|BINARY.SIZE[2]", "",
           ENCODED_MESSAGE),
    Accept("signed_smime_detached.eml", "BINARY.SIZE[1]", "", DOVECOT_BINARY_SIZE,
           check=lambda o, t: t >= 1 << 63),
    Accept("malformed_cte_on_multipart.eml", "BINARY.SIZE[]", "", DOVECOT_BINARY_SIZE,
           check=lambda o, t: (o, t) == (324, 279)),
    Accept(names("malformed_base64_invalid_chars.eml", "malformed_base64_bad_padding.eml",
                 "malformed_base64_in_multipart.eml", "malformed_qp_invalid.eml"),
           "BINARY*", "status", LENIENT_DECODING,
           check=lambda o, t: o == "OK" and t == "NO [PARSE]"),
    # --- live only: SEARCH ---------------------------------------------------------------------
    Accept("SEARCH ON 06-May-2024|SEARCH ON 07-May-2024", "SEARCH", "", INTERNALDATE_DAY,
           only=names("charset_iso-8859-1_8bit.eml", "charset_iso-8859-1_quoted-printable.eml")),
    Accept("SEARCH FROM Jürgen|SEARCH SUBJECT köln", "SEARCH", "", LATIN1_HEADERS,
           only=LATIN1, check=ours_superset),
    Accept("SEARCH SUBJECT Grüße|SEARCH HEADER Subject Grüße|SEARCH UID SEARCH * Grüße UNSEEN",
           "SEARCH", "", LATIN1_HEADERS + "; " + ENCODED_WORD_LANGUAGE,
           only=names(LATIN1, "rfc2047_subject_language.eml"), check=ours_superset),
    Accept("SEARCH SUBJECT encoded-word text", "SEARCH", "", RAW_ENCODED_WORDS,
           only="rfc2047_subject_*", check=ours_superset),
    Accept("SEARCH SENTBEFORE *", "SEARCH", "", SENT_DATE_MISSING,
           only="date_*|header_*|malformed_*", check=ours_subset),
    Accept("SEARCH SENTON 06-May-2024", "SEARCH", "", SENT_DATE_MISSING + "; " + TWO_DATES,
           only=names("date_full_names.eml", "date_asctime.eml", "date_two_dates.eml")),
    Accept("SEARCH SENTSINCE 07-May-2024", "SEARCH", "", TWO_DATES + "; " + DATE_1900,
           only=names("date_two_dates.eml", "date_before_epoch.eml")),
    # --- live only: SORT and THREAD ------------------------------------------------------------
    Accept("SORT (DATE) *|SORT (REVERSE DATE) *", "SORT", "", SORT_DATES,
           without=names(*DATE_FILES)),
    Accept("SORT (SIZE) *|SORT (REVERSE SIZE) *|SORT (FROM REVERSE SIZE) *", "SORT", "",
           SIZE_DIFFERS, without=names("malformed_bare_lf.eml", "malformed_bare_lf_multipart.eml",
                                       "malformed_binary_top_nul.eml*", "mixed_3_att_v2.eml*",
                                       "mixed_4_att_v2.eml", "mixed_5_att_v0.eml")),
    Accept("SORT (SUBJECT) *|SORT (REVERSE SUBJECT) *|SORT (SUBJECT REVERSE DATE) *|"
           "SORT (REVERSE SUBJECT DATE) *|SORT (TO CC SUBJECT) *", "SORT", "",
           SUBJECT_DECODING + "; " + LATIN1_HEADERS + "; " + ASCII_CASEMAP,
           without=names("rfc2047_subject_broken_charset.eml", "rfc2047_subject_too_long.eml",
                         "rfc2047_subject_language.eml", "rfc2047_subject_split_multibyte.eml",
                         "rfc2047_subject_broken_base64.eml", "malformed_nul_header.eml",
                         "malformed_duplicate_headers.eml", LATIN1, "rfc2047_subject_*latin1.eml",
                         "rfc2047_subject_mixed_charsets.eml")),
    Accept("SORT (DISPLAYFROM*) *|SORT (REVERSE DISPLAYFROM) *", "SORT", "", LATIN1_HEADERS,
           without=LATIN1),
    Accept("SORT (DISPLAYTO) *|SORT (REVERSE DISPLAYTO*) *", "SORT", "", ASCII_CASEMAP,
           without=names("rfc2047_to_list.eml", "malformed_8bit_headers_utf8.eml*")),
    Accept("THREAD * ALL|THREAD * UNSEEN|THREAD * NOT DELETED", "THREAD", "", LATIN1_HEADERS,
           only=names(LATIN1, *GRUSSE)),
    Accept("THREAD * UID 150:*", "THREAD", "", SORT_DATES + " (threads are ordered by date)",
           only=names(*DATE_FILES)),
]

# ------------------------------------------------------------------------------------------------
# What is appended, with which flags and dates.
# ------------------------------------------------------------------------------------------------

# Copies appended again as literal8 (RFC 3516 §4.4): 8-bit text, 8-bit headers, binary parts.
LITERAL8_COPIES = ("charset_utf-8_8bit.eml", "charset_iso-8859-1_8bit.eml",
                   "malformed_8bit_headers_utf8.eml", "mixed_3_att_v2.eml",
                   "malformed_binary_top_nul.eml")
LITERAL8_SUFFIX = COPY  # "+literal8": names the copy in differences and ACCEPTED

KEYWORDS = ("$Work", "$Label2", "Project-X")

# Two INTERNALDATEs whose day differs between their own zone and UTC (see INTERNALDATE_DAY).
ZONED_DATES = {7: "07-May-2024 01:30:00 +0530", 8: "06-May-2024 22:00:00 -0700"}


def flags_for(i):
    flags = []
    for bit, name in ((3, "\\Seen"), (5, "\\Flagged"), (7, "\\Answered"), (11, "\\Draft"),
                      (13, "\\Deleted")):
        if i % bit == 0:
            flags.append(name)
    if i % 4 == 1:
        flags.append(KEYWORDS[0])
    if i % 6 == 2:
        flags.append(KEYWORDS[1])
    if i % 9 == 4:
        flags.append(KEYWORDS[2])
    return flags


def internal_date_for(i):
    if i in ZONED_DATES:
        return ZONED_DATES[i]
    # Spread over 01-May .. 15-May 2024 in UTC, not in append order, with some equal instants.
    hours = (i * 37) % 340
    t = calendar.timegm((2024, 5, 1, 0, 0, 0)) + hours * 3600 + (i % 3) * 60
    return time.strftime("%d-%b-%Y %H:%M:%S +0000", time.gmtime(t))


def thread_messages():
    """A reply thread for THREAD REFERENCES: chains, a missing parent, a loop, a duplicate
    Message-ID, In-Reply-To only, and subjects with Re:/Fwd:/[tag] for the base subject."""
    def msg(n, subject, mid, refs=None, irt=None, date=None):
        h = [f"From: Thread {n} <t{n}@example.org>", "To: Bob <bob@example.net>",
             f"Subject: {subject}",
             f"Date: {date or 'Tue, %02d May 2024 %02d:00:00 +0000' % (10 + n // 5, n % 24)}"]
        if mid:
            h.append(f"Message-ID: <{mid}>")
        if refs:
            h.append("References: " + " ".join(f"<{r}>" for r in refs))
        if irt:
            h.append(f"In-Reply-To: <{irt}>")
        return ("\r\n".join(h) + f"\r\n\r\nthread body {n}\r\n").encode()
    return [
        ("thread_root", msg(0, "Plans for the trip", "t0@x")),
        ("thread_reply1", msg(1, "Re: Plans for the trip", "t1@x", refs=["t0@x"])),
        ("thread_reply2", msg(2, "RE: [trip] Plans for the trip", "t2@x", refs=["t0@x", "t1@x"])),
        ("thread_irt_only", msg(3, "Re: Plans for the trip", "t3@x", irt="t1@x")),
        ("thread_missing_parent", msg(4, "Re: lost thread", "t4@x", refs=["gone@x"])),
        ("thread_missing_sibling", msg(5, "Re: lost thread", "t5@x", refs=["gone@x"])),
        ("thread_fwd", msg(6, "Fwd: Plans for the trip", "t6@x")),
        ("thread_loop_a", msg(7, "loop", "la@x", refs=["lb@x"])),
        ("thread_loop_b", msg(8, "Re: loop", "lb@x", refs=["la@x"])),
        ("thread_dup_id", msg(9, "duplicate id", "t0@x")),
        ("thread_no_id", msg(10, "Re: Plans for the trip (fwd)", None, refs=["t2@x"])),
        ("thread_same_date", msg(11, "[list] plans FOR the trip", "t11@x",
                                 date="Tue, 10 May 2024 00:00:00 +0000")),
    ]


def load_messages():
    """[(name, bytes, literal8)] in APPEND order."""
    with open(os.path.join(CORPUS, "index.json")) as f:
        index = json.load(f)
    out = []
    for entry in index:
        with open(os.path.join(CORPUS, entry["file"]), "rb") as f:
            out.append((entry["file"], f.read(), entry["has_nul"]))
    corpus = {name: data for name, data, _ in out}
    for name in LITERAL8_COPIES:
        out.append((name + LITERAL8_SUFFIX, corpus[name], True))
    for name, data in thread_messages():
        out.append((name, data, False))
    return out


# ------------------------------------------------------------------------------------------------
# A raw IMAP client that reads literals, so both servers' answers come back whole, as bytes.
# ------------------------------------------------------------------------------------------------

class Literal8(bytes):
    """An argument sent as ~{n+} (RFC 3516)."""


class LiteralArg(bytes):
    """An argument sent as {n+} (RFC 7888 LITERAL+: both servers announce it)."""


class Answer:
    def __init__(self, untagged, tagged):
        self.untagged = untagged
        m = re.match(rb"\S+ (OK|NO|BAD)(?: \[([^\]]*)\])?", tagged)
        self.status = m.group(1).decode() if m else "?"
        code = m.group(2).split()[0].decode() if m and m.group(2) else ""
        self.code = code
        self.tagged = tagged

    @property
    def outcome(self):
        return self.status + (f" [{self.code}]" if self.code and self.status != "OK" else "")


class Client:
    def __init__(self, name, host, port, tls):
        self.name = name
        sock = socket.create_connection((host, port), timeout=60)
        if tls:
            sock = ic.unverified_context().wrap_socket(sock)
        self.sock, self.buf, self.pos, self.n = sock, bytearray(), 0, 0
        self._response()  # greeting

    def _fill(self):
        if self.pos > 65536:  # drop what was consumed, so reading stays linear
            del self.buf[:self.pos]
            self.pos = 0
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError(f"{self.name} closed the connection; "
                                  f"have {bytes(self.buf[-200:])!r}")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _response(self):
        out = b""
        while True:
            line = self._line()
            out += line
            m = re.search(rb"~?\{(\d+)\}$", line)
            if not m:
                return out
            n = int(m.group(1))
            while len(self.buf) - self.pos < n:
                self._fill()
            out += b"\r\n" + bytes(self.buf[self.pos:self.pos + n])
            self.pos += n

    def send_command(self, *parts):
        self.n += 1
        tag = b"T%d" % self.n
        data = tag + b" "
        for p in parts:
            if isinstance(p, Literal8):
                data += b"~{%d+}\r\n" % len(p) + p
            elif isinstance(p, LiteralArg):
                data += b"{%d+}\r\n" % len(p) + p
            else:
                data += p.encode("utf-8") if isinstance(p, str) else p
        self.sock.sendall(data + b"\r\n")
        return tag

    def read_answer(self, tag):
        untagged = []
        while True:
            r = self._response()
            if r.startswith(tag + b" "):
                return Answer(untagged, r)
            untagged.append(r)

    def command(self, *parts):
        return self.read_answer(self.send_command(*parts))

    def ok(self, *parts):
        a = self.command(*parts)
        if a.status != "OK":
            raise AssertionError(f"{self.name}: {parts!r} -> {a.tagged!r}")
        return a


def both(clients, *parts):
    """The same command on both servers, sent before either answer is read."""
    tags = [c.send_command(*parts) for c in clients]
    return [c.read_answer(t) for c, t in zip(clients, tags)]


# ------------------------------------------------------------------------------------------------
# Differences.
# ------------------------------------------------------------------------------------------------

class Diff:
    def __init__(self, subject, item, field, detail, ours=None, theirs=None, involved=(),
                 name_of=None):
        self.subject, self.item, self.field, self.detail = subject, item, field, detail
        self.ours, self.theirs, self.involved = ours, theirs, involved
        self.name_of = name_of  # message number in ours/theirs -> message name

    def __str__(self):
        field = f" {self.field}" if self.field else ""
        return f"{self.subject}: {self.item}{field}: {self.detail}"


def short(v, limit=70):
    if v is None:
        return "NIL"
    if isinstance(v, list):
        out = "("
        for x in v:
            if len(out) > limit:
                return out + " …)"
            out += ("" if out == "(" else " ") + short(x, limit)
        return out + ")"
    if isinstance(v, bytes):
        text = repr(bytes(v))[2:-1]
        return ('"' + text[:limit] + ("…" if len(text) > limit else "") + '"'
                if isinstance(v, (ic.Quoted, ic.Literal)) else text[:limit])
    return str(v)


def bytes_detail(ours, theirs):
    i = 0
    n = min(len(ours), len(theirs))
    while i < n and ours[i] == theirs[i]:
        i += 1
    lo = max(0, i - 16)
    return (f"{len(ours)} vs {len(theirs)} octets, first difference at {i}: "
            f"ours …{bytes(ours[lo:i + 40])!r} | dovecot …{bytes(theirs[lo:i + 40])!r}")


def kind(v):
    if isinstance(v, list):
        return "list"
    if v is None:
        return "NIL"
    if isinstance(v, (ic.Quoted, ic.Literal)):
        return "string"
    return "atom"


def text_of(v):
    return bytes(v) if isinstance(v, bytes) else str(v).encode()


ENVELOPE_FIELDS = ("date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc",
                   "in-reply-to", "message-id")
ADDRESS_FIELDS = ("name", "adl", "mailbox", "host")


def ieq(v, text):
    return isinstance(v, bytes) and bytes(v).lower() == text


def body_fields(body):
    """Names of the items of a body (RFC 9051 §7.5.2), as dovecot_reference_test.cc labels them."""
    kids = 0
    while kids < len(body) and isinstance(body[kids], list):
        kids += 1
    if kids:
        names = ["part"] * kids + ["subtype", "params", "disposition", "language", "location"]
    else:
        text = len(body) > 0 and ieq(body[0], b"text")
        message = len(body) > 1 and ieq(body[0], b"message") and (
            ieq(body[1], b"rfc822") or ieq(body[1], b"global"))
        names = ["type", "subtype", "params", "id", "description", "encoding", "size"]
        names += ["lines"] if text else ["envelope", "body", "lines"] if message else []
        names += ["md5", "disposition", "language", "location"]
    return names + ["ext"] * max(0, len(body) - len(names))


def structure_diff(ours, theirs, ctx, where, out):
    """Every difference between two parsed values, labelled by field (RFC 9051 §7.5.2 names)."""
    detail = f"ours {short(ours)} | dovecot {short(theirs)}"
    if kind(ours) != kind(theirs):
        def k(v):
            return "NIL" if v is None else "list" if isinstance(v, list) else "value"
        out.append((f"{where}: {k(ours)} vs {k(theirs)}", detail))
        return
    if not isinstance(ours, list):
        if ours is not None and text_of(ours) != text_of(theirs):
            case = text_of(ours).lower() == text_of(theirs).lower()
            out.append((where + (": case only" if case else ": text"), detail))
        return
    if len(ours) != len(theirs):
        out.append((f"{where}: list length", detail))
        if ctx in ("body", "addresses"):
            return
    fields = body_fields(ours) if ctx == "body" else None
    for i in range(min(len(ours), len(theirs))):
        a, b = ours[i], theirs[i]
        if ctx == "envelope":
            field = "envelope." + (ENVELOPE_FIELDS[i] if i < 10 else "?")
            structure_diff(a, b, "addresses" if 2 <= i <= 7 else "other", field, out)
        elif ctx == "addresses":
            structure_diff(a, b, "address", where, out)
        elif ctx == "address":
            structure_diff(a, b, "other", f"{where}.{ADDRESS_FIELDS[i % 4]}", out)
        elif ctx == "body":
            field = fields[i]
            sub = "body" if field in ("part", "body") else "envelope" if field == "envelope" \
                else "other"
            structure_diff(a, b, sub, "body." + field if sub == "other" else "body", out)
        else:
            structure_diff(a, b, "other", where, out)


def internal_instant(v):
    return datetime.strptime(text_of(v).decode(), "%d-%b-%Y %H:%M:%S %z").timestamp()


def flag_set(v):
    return sorted({text_of(f).decode() for f in v} - {"\\Recent"}) if isinstance(v, list) else v


def compare_item(subject, item, ours, theirs, out):
    name = item.split("[")[0].split("<")[0]
    if name in ("ENVELOPE", "BODYSTRUCTURE", "BODY") and "[" not in item:
        found = []
        structure_diff(ours, theirs, "envelope" if name == "ENVELOPE" else "body",
                       "envelope" if name == "ENVELOPE" else "body", found)
        out.extend(Diff(subject, item, f, d, ours, theirs) for f, d in found)
    elif name == "FLAGS":
        if flag_set(ours) != flag_set(theirs):
            out.append(Diff(subject, item, "", f"ours {flag_set(ours)} | dovecot "
                                                f"{flag_set(theirs)}", ours, theirs))
    elif name == "INTERNALDATE":
        if internal_instant(ours) != internal_instant(theirs):
            out.append(Diff(subject, item, "", f"ours {short(ours)} | dovecot {short(theirs)}",
                            ours, theirs))
    elif kind(ours) != kind(theirs):
        out.append(Diff(subject, item, f"{kind(ours)} vs {kind(theirs)}",
                        f"ours {short(ours)} | dovecot {short(theirs)}", ours, theirs))
    elif isinstance(ours, bytes) and isinstance(theirs, bytes):
        if bytes(ours) != bytes(theirs):
            out.append(Diff(subject, item, "", bytes_detail(ours, theirs), ours, theirs))
    elif ours != theirs:
        out.append(Diff(subject, item, "", f"ours {short(ours)} | dovecot {short(theirs)}",
                        ours, theirs))


def fetch_items(answer):
    """{message number: {item name as sent: value}} of an answer's FETCH responses."""
    out = {}
    for r in answer.untagged:
        m = re.match(rb"\* (\d+) FETCH ", r)
        if not m:
            continue
        values = ic.parse(r[m.end():])
        if not values or not isinstance(values[0], list):
            raise AssertionError(f"unparsable FETCH response {r[:100]!r}")
        items = values[0]
        got = out.setdefault(int(m.group(1)), {})
        for k in range(0, len(items) - 1, 2):
            got[text_of(items[k]).decode("utf-8", "replace")] = items[k + 1]
    return out


def compare_fetch(subjects, ours, theirs, out, only=None):
    """Compares two FETCH answers; subjects maps message numbers to names. Returns the number
    of items compared."""
    if ours.outcome != theirs.outcome or ours.status != "OK":
        if ours.outcome != theirs.outcome:
            out.append(Diff(subjects(only) if only else "FETCH", "STATUS", "",
                            f"ours {ours.tagged!r} | dovecot {theirs.tagged!r}",
                            ours.outcome, theirs.outcome))
        return 0
    a, b = fetch_items(ours), fetch_items(theirs)
    count = 0
    for num in sorted(set(a) | set(b)):
        subject = subjects(num)
        x, y = a.get(num, {}), b.get(num, {})
        for item in sorted(set(x) | set(y)):
            if item not in x or item not in y:
                side = "ours" if item in x else "dovecot"
                out.append(Diff(subject, item, "missing",
                                f"only {side} sent it: {short(x.get(item, y.get(item)))}"))
            else:
                compare_item(subject, item, x[item], y[item], out)
                count += 1
    return count


# ------------------------------------------------------------------------------------------------
# FETCH plan.
# ------------------------------------------------------------------------------------------------

# Items fetched for the whole mailbox at once ("FETCH 1:* (...)"); none of them can fail.
MAILBOX_ITEMS = [
    "UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY",
    "BODY.PEEK[HEADER] BODY.PEEK[TEXT] RFC822.HEADER BODY.PEEK[]",
    "BODY.PEEK[HEADER.FIELDS (From Subject DATE message-id)] "
    "BODY.PEEK[HEADER.FIELDS.NOT (FROM SUBJECT DATE MESSAGE-ID RECEIVED)] "
    "BODY.PEEK[]<0.64> BODY.PEEK[TEXT]<5.40> BODY.PEEK[HEADER]<100000.10> BODY.PEEK[1]<3.10>",
]
# Per message, besides the per-part items.
MESSAGE_ITEMS = ["BODY.PEEK[99]", "BODY.PEEK[1.MIME]<2.5>"]
MESSAGE_BINARY_ITEMS = ["BINARY.PEEK[]", "BINARY.SIZE[]", "BINARY.PEEK[1]<3.17>"]
# Every part of every message is compared section by section, BINARY included. Dovecot takes
# about 0.4 s for each BINARY.SIZE of malformed_parts_5000.eml (it re-reads the whole message),
# so on a message with more than MAX_SIZED_PARTS parts BINARY.SIZE is compared on its first and
# last 8 parts only (BINARY itself on all of them).
MAX_SIZED_PARTS = 1000
MAX_COMMAND = 6000  # octets of one FETCH command line (Roost's default line limit is 8 KiB)


def is_multipart(b):
    return isinstance(b, list) and len(b) > 0 and isinstance(b[0], list)


def is_message(b):
    return (isinstance(b, list) and len(b) > 8 and ieq(b[0], b"message")
            and (ieq(b[1], b"rfc822") or ieq(b[1], b"global")) and isinstance(b[8], list))


def part_paths(body):
    """{"1.2": body} for every part a section number reaches (RFC 9051 §6.4.5): the children of
    a multipart, the body of a message/rfc822 part below its number, and for a non-multipart
    message its body as part 1."""
    out = {}

    def children(b, prefix):
        for k, child in enumerate((c for c in b if isinstance(c, list)), 1):
            add(child, prefix + [k])

    def add(b, path):
        out[".".join(map(str, path))] = b
        inside(b, path)

    def inside(b, path):
        if is_multipart(b):
            children(b, path)
        elif is_message(b):
            inner = b[8]
            if is_multipart(inner):
                children(inner, path)
            else:
                add(inner, path + [1])

    if is_multipart(body):
        children(body, [])
    elif isinstance(body, list):
        add(body, [1])
    return out


def part_items(path, body):
    items = [f"BODY.PEEK[{path}]", f"BODY.PEEK[{path}.MIME]"]
    if is_message(body):
        items += [f"BODY.PEEK[{path}.HEADER]", f"BODY.PEEK[{path}.TEXT]",
                  f"BODY.PEEK[{path}.HEADER.FIELDS (SUBJECT FROM)]",
                  f"BODY.PEEK[{path}.HEADER.FIELDS.NOT (SUBJECT)]"]
    return items


def path_key(path):
    return [int(x) for x in path.split(".")]


def chunks(items):
    batch, size = [], 0
    for item in items:
        if batch and (size + len(item) > MAX_COMMAND or len(batch) >= 200):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item) + 1
    if batch:
        yield batch


class Run:
    """Both sessions, the message names, the differences and what was compared."""

    def __init__(self, roost, dovecot, names):
        self.clients = [roost, dovecot]
        self.names = names
        self.diffs = []
        self.compared = {"fetch items": 0, "search": 0, "sort": 0, "thread": 0}
        self.uid_to_seq = {}

    def subject(self, num):
        return self.names[num - 1] if 0 < num <= len(self.names) else f"message {num}"

    def name_of(self, uid):
        """Message number (or UID) -> message name."""
        return (lambda n: self.subject(self.uid_to_seq.get(n, 0))) if uid else self.subject

    def fetch(self, message_set, items, only=None):
        ours, theirs = both(self.clients, f"FETCH {message_set} ({' '.join(items)})")
        self.compared["fetch items"] += compare_fetch(self.subject, ours, theirs, self.diffs,
                                                      only=only)
        return ours, theirs

    def fetch_binary(self, num, items):
        """BINARY items: a part with an unknown encoding fails the whole command (RFC 3516
        §4.3), so a failed batch is repeated item by item."""
        for batch in chunks(items):
            ours, theirs = both(self.clients, f"FETCH {num} ({' '.join(batch)})")
            if ours.status == "OK" == theirs.status:
                self.compared["fetch items"] += compare_fetch(self.subject, ours, theirs,
                                                              self.diffs, only=num)
                continue
            for item in batch:
                ours, theirs = both(self.clients, f"FETCH {num} ({item})")
                if ours.outcome != theirs.outcome:
                    self.diffs.append(Diff(self.subject(num), item.replace(".PEEK", ""), "status",
                                           f"ours {ours.tagged!r} | dovecot {theirs.tagged!r}",
                                           ours.outcome, theirs.outcome))
                else:
                    compare_fetch(self.subject, ours, theirs, self.diffs, only=num)
                self.compared["fetch items"] += 1

    def compare_messages(self, structures):
        count = len(self.names)
        for items in MAILBOX_ITEMS:
            self.fetch(f"1:{count}", [items])
        for num in range(1, count + 1):
            ours_body, dovecot_body = structures[num]
            paths = part_paths(dovecot_body)
            paths.update({p: b for p, b in part_paths(ours_body).items() if p not in paths})
            ordered = sorted(paths, key=path_key)
            sized = set(ordered if len(ordered) <= MAX_SIZED_PARTS else
                        ordered[:8] + ordered[-8:])
            items, binary = list(MESSAGE_ITEMS), list(MESSAGE_BINARY_ITEMS)
            for p in ordered:
                items += part_items(p, paths[p])
                binary.append(f"BINARY.PEEK[{p}]")
                if p in sized:
                    binary.append(f"BINARY.SIZE[{p}]")
            for batch in chunks(items):
                self.fetch(num, batch, only=num)
            self.fetch_binary(num, binary)
        # Last: items that set \Seen (RFC 9051 §6.4.5); FLAGS must come back with it on both.
        self.fetch(f"1:{count}", ["RFC822.TEXT"])
        self.fetch(f"1:{count}", ["FLAGS"])


# ------------------------------------------------------------------------------------------------
# SEARCH, SORT and THREAD.
# ------------------------------------------------------------------------------------------------

def utf8(text):
    return LiteralArg(text.encode("utf-8"))


# (label, command parts). Non-ASCII strings go as literals with CHARSET UTF-8.
SEARCHES = [
    ("ALL", ["SEARCH ALL"]),
    *[(k, ["SEARCH " + k]) for k in (
        "SEEN", "UNSEEN", "FLAGGED", "UNFLAGGED", "ANSWERED", "UNANSWERED", "DELETED",
        "UNDELETED", "DRAFT", "UNDRAFT", "KEYWORD $Work", "UNKEYWORD $Work", "KEYWORD $Label2",
        "KEYWORD Project-X", "KEYWORD $NotThere", "UNKEYWORD $NotThere")],
    ("FROM alice", ["SEARCH FROM alice"]),
    ("FROM example.de", ["SEARCH FROM example.de"]),
    ("FROM MAILER-DAEMON", ["SEARCH FROM mailer-daemon"]),
    ("FROM smith", ["SEARCH FROM Smith"]),
    ("FROM Jürgen", ["SEARCH CHARSET UTF-8 FROM ", utf8("Jürgen")]),
    ("FROM Zoë", ["SEARCH CHARSET UTF-8 FROM ", utf8("zoë")]),
    ("TO bob", ["SEARCH TO bob"]),
    ("TO example.net", ["SEARCH TO example.net"]),
    ("TO undisclosed", ["SEARCH TO undisclosed-recipients"]),
    ("TO Ünïcödé", ["SEARCH CHARSET UTF-8 TO ", utf8("Ünïcödé")]),
    ("CC carol", ["SEARCH CC carol"]),
    ("CC dave", ["SEARCH CC dave@example.org"]),
    ("BCC eve", ["SEARCH BCC Eve"]),
    ("BCC nobody", ["SEARCH BCC nobody"]),
    ("SUBJECT attachments", ["SEARCH SUBJECT attachments"]),
    ("SUBJECT Grüße", ["SEARCH CHARSET UTF-8 SUBJECT ", utf8("Grüße")]),
    ("SUBJECT köln", ["SEARCH CHARSET UTF-8 SUBJECT ", utf8("köln")]),
    ("SUBJECT DÉJÀ", ["SEARCH CHARSET UTF-8 SUBJECT ", utf8("DÉJÀ")]),
    ("SUBJECT Привет", ["SEARCH CHARSET UTF-8 SUBJECT ", utf8("Привет")]),
    ("SUBJECT 日本", ["SEARCH CHARSET UTF-8 SUBJECT ", utf8("日本")]),
    ("SUBJECT empty", ['SEARCH SUBJECT ""']),
    ("FROM empty", ['SEARCH FROM ""']),
    ("CC empty", ['SEARCH CC ""']),
    ("TO Friends", ["SEARCH TO Friends"]),
    ("SUBJECT trip", ['SEARCH SUBJECT "the trip"']),
    ("SUBJECT encoded-word text", ["SEARCH SUBJECT =?utf-8?"]),
    ("BODY Köln", ["SEARCH CHARSET UTF-8 BODY ", utf8("Köln")]),
    ("BODY русский", ["SEARCH CHARSET UTF-8 BODY ", utf8("русский")]),
    ("BODY trailing space", ['SEARCH BODY "trailing space"']),
    ("BODY equals", ["SEARCH BODY and=equals"]),
    ("BODY thread", ["SEARCH BODY thread"]),
    ("TEXT alice", ["SEARCH TEXT alice"]),
    ("TEXT corpus-0004", ["SEARCH TEXT corpus-0004"]),
    ("HEADER Message-ID roost.test", ["SEARCH HEADER Message-ID roost.test"]),
    ("HEADER X-Long empty", ['SEARCH HEADER X-Long ""']),
    ("HEADER References empty", ['SEARCH HEADER References ""']),
    ("HEADER In-Reply-To orig-1", ["SEARCH HEADER In-Reply-To orig-1"]),
    ("HEADER Content-Type multipart/mixed", ["SEARCH HEADER Content-Type multipart/mixed"]),
    ("HEADER MIME-Version 1.0", ["SEARCH HEADER mime-version 1.0"]),
    ("HEADER Subject Grüße", ["SEARCH CHARSET UTF-8 HEADER Subject ", utf8("Grüße")]),
    ("LARGER 1000", ["SEARCH LARGER 1000"]),
    ("SMALLER 300", ["SEARCH SMALLER 300"]),
    ("LARGER 100000", ["SEARCH LARGER 100000"]),
    ("LARGER 500 SMALLER 600", ["SEARCH LARGER 500 SMALLER 600"]),
    ("BEFORE 05-May-2024", ["SEARCH BEFORE 05-May-2024"]),
    ("ON 06-May-2024", ["SEARCH ON 6-May-2024"]),
    ("ON 07-May-2024", ["SEARCH ON 07-May-2024"]),
    ("SINCE 10-May-2024", ["SEARCH SINCE 10-May-2024"]),
    ("SINCE 01-Jan-2030", ["SEARCH SINCE 01-Jan-2030"]),
    ("SENTBEFORE 01-Jan-2000", ["SEARCH SENTBEFORE 01-Jan-2000"]),
    ("SENTBEFORE 06-May-2024", ["SEARCH SENTBEFORE 06-May-2024"]),
    ("SENTON 06-May-2024", ["SEARCH SENTON 06-May-2024"]),
    ("SENTON 31-Dec-2016", ["SEARCH SENTON 31-Dec-2016"]),
    ("SENTSINCE 07-May-2024", ["SEARCH SENTSINCE 07-May-2024"]),
    ("NOT SEEN", ["SEARCH NOT SEEN"]),
    ("OR FLAGGED SEEN", ["SEARCH OR FLAGGED SEEN"]),
    ("NOT (OR SEEN FLAGGED)", ["SEARCH NOT (OR SEEN FLAGGED)"]),
    ("OR (FROM alice SUBJECT charset) LARGER 5000",
     ["SEARCH OR (FROM alice SUBJECT charset) LARGER 5000"]),
    ("(SEEN FLAGGED) OR DRAFT KEYWORD $Work", ["SEARCH (SEEN FLAGGED) OR DRAFT KEYWORD $Work"]),
    ("NOT NOT DELETED", ["SEARCH NOT NOT DELETED"]),
    ("OR OR ANSWERED DRAFT (NOT SMALLER 2000)", ["SEARCH OR OR ANSWERED DRAFT (NOT SMALLER 2000)"]),
    ("1:10", ["SEARCH 1:10"]),
    ("5,7,100:*", ["SEARCH 5,7,100:*"]),
    ("*", ["SEARCH *"]),
    ("UID 2:50", ["SEARCH UID 2:50"]),
    ("UID 100:*", ["SEARCH UID 100:*"]),
    ("NOT UID 1:250", ["SEARCH NOT UID 1:250"]),
    ("1:* UNSEEN", ["SEARCH 1:* UNSEEN"]),
    ("UID 5,9,300:290", ["SEARCH UID 5,9,300:290"]),
    ("UID SEARCH FLAGGED", ["UID SEARCH FLAGGED"]),
    ("UID SEARCH 10:20 SUBJECT attachments", ["UID SEARCH 10:20 SUBJECT attachments"]),
    ("UID SEARCH CHARSET UTF-8 SUBJECT Grüße UNSEEN",
     ["UID SEARCH CHARSET UTF-8 UNSEEN SUBJECT ", utf8("Grüße")]),
]

SORT_KEYS = ["(ARRIVAL)", "(CC)", "(DATE)", "(FROM)", "(SIZE)", "(SUBJECT)", "(TO)",
             "(DISPLAYFROM)", "(DISPLAYTO)", "(REVERSE ARRIVAL)", "(REVERSE CC)",
             "(REVERSE DATE)", "(REVERSE FROM)", "(REVERSE SIZE)", "(REVERSE SUBJECT)",
             "(REVERSE TO)", "(REVERSE DISPLAYFROM)", "(REVERSE DISPLAYTO)",
             "(SUBJECT REVERSE DATE)", "(REVERSE SUBJECT DATE)", "(FROM REVERSE SIZE)",
             "(TO CC SUBJECT)", "(DISPLAYFROM ARRIVAL)", "(REVERSE DISPLAYTO REVERSE ARRIVAL)"]
SORT_SUBSETS = [("1:60", "SORT {} UTF-8 1:60"), ("UNSEEN", "SORT {} UTF-8 UNSEEN"),
                ("UID 100:200", "UID SORT {} UTF-8 UID 100:200"),
                ("SUBJECT trip", "SORT {} UTF-8 SUBJECT trip")]
SORTS = ([(f"SORT {k} ALL", f"SORT {k} UTF-8 ALL") for k in SORT_KEYS]
         + [(f"SORT {k} {label}", fmt.format(k)) for k in SORT_KEYS[:9]
            for label, fmt in SORT_SUBSETS])
THREADS = [(f"THREAD {alg} {label}", f"{prefix}THREAD {alg} UTF-8 {crit}")
           for alg in ("ORDEREDSUBJECT", "REFERENCES")
           for label, prefix, crit in (
               ("ALL", "", "ALL"), ("1:100", "", "1:100"), ("UNSEEN", "", "UNSEEN"),
               ("FROM thread", "", "FROM thread"), ("SUBJECT trip", "", "SUBJECT trip"),
               ("NOT DELETED", "", "NOT DELETED"), ("UID 150:*", "UID ", "UID 150:*"))]


def untagged_data(answer, keyword):
    """The text after "* KEYWORD" of the answer's responses with that keyword, joined."""
    prefix = b"* " + keyword + b""
    parts = [r[len(prefix):].strip() for r in answer.untagged
             if r.startswith(prefix) and r[len(prefix):len(prefix) + 1] in (b"", b" ")]
    return b" ".join(parts)


def status_diff(run, label, ours, theirs):
    if ours.outcome == theirs.outcome:
        return False
    run.diffs.append(Diff(label, "STATUS", "", f"ours {ours.tagged!r} | dovecot {theirs.tagged!r}",
                          ours.outcome, theirs.outcome))
    return True


def moved(a, b):
    """Elements of a outside a longest common subsequence of a and b: what a sorts elsewhere."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j],
                                                                            table[i][j + 1])
    keep, i, j = set(), 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            keep.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return [x for x in a if x not in keep]


def run_searches(run):
    for label, parts in SEARCHES:
        ours, theirs = both(run.clients, *parts)
        run.compared["search"] += 1
        if status_diff(run, "SEARCH " + label, ours, theirs):
            continue
        a = {int(x) for x in untagged_data(ours, b"SEARCH").split()}
        b = {int(x) for x in untagged_data(theirs, b"SEARCH").split()}
        if a != b:
            name = run.name_of(parts[0].startswith("UID"))
            detail = (f"only ours: {' '.join(f'{n}:{name(n)}' for n in sorted(a - b)) or '-'}; "
                      f"only dovecot: {' '.join(f'{n}:{name(n)}' for n in sorted(b - a)) or '-'}")
            run.diffs.append(Diff("SEARCH " + label, "SEARCH", "", detail, a, b,
                                  [name(n) for n in sorted(a ^ b)], name))


def run_sorts(run):
    for label, command in SORTS:
        ours, theirs = both(run.clients, command)
        run.compared["sort"] += 1
        if status_diff(run, label, ours, theirs):
            continue
        a = [int(x) for x in untagged_data(ours, b"SORT").split()]
        b = [int(x) for x in untagged_data(theirs, b"SORT").split()]
        if a != b:
            name = run.name_of(command.startswith("UID"))
            shift = moved(a, b) if sorted(a) == sorted(b) else sorted(set(a) ^ set(b))
            detail = (f"{len(a)} vs {len(b)} numbers; placed differently by us: "
                      + ", ".join(f"{n}:{name(n)} (ours at {a.index(n) if n in a else '-'}, "
                                  f"dovecot at {b.index(n) if n in b else '-'})"
                                  for n in shift[:12]) + (" …" if len(shift) > 12 else ""))
            run.diffs.append(Diff(label, "SORT", "", detail, a, b, [name(n) for n in shift],
                                  name))


def thread_list(data):
    """Top-level threads of a THREAD answer, as their wire text."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(data):
        if c == ord("("):
            if depth == 0:
                start = i
            depth += 1
        elif c == ord(")"):
            depth -= 1
            if depth == 0:
                out.append(data[start:i + 1].decode())
    return out


def run_threads(run):
    for label, command in THREADS:
        ours, theirs = both(run.clients, command)
        run.compared["thread"] += 1
        if status_diff(run, label, ours, theirs):
            continue
        a = thread_list(untagged_data(ours, b"THREAD"))
        b = thread_list(untagged_data(theirs, b"THREAD"))
        if a != b:
            name = run.name_of(command.startswith("UID"))
            only_a = [t for t in a if t not in b]
            only_b = [t for t in b if t not in a]
            involved = sorted({int(n) for t in only_a + only_b for n in re.findall(r"\d+", t)})
            if not involved:  # the same threads in another order
                shifted = moved(a, b)
                involved = sorted({int(n) for t in shifted for n in re.findall(r"\d+", t)})
                detail = "threads in another order; placed differently by us: " + " ".join(
                    f"{t} (ours at {a.index(t)}, dovecot at {b.index(t)})" for t in shifted[:8])
            else:
                detail = (f"threads only ours: {' '.join(only_a[:8]) or '-'}; "
                          f"only dovecot: {' '.join(only_b[:8]) or '-'}")
            run.diffs.append(Diff(label, "THREAD", "", detail, a, b, [name(n) for n in involved],
                                  name))


# ------------------------------------------------------------------------------------------------
# The test.
# ------------------------------------------------------------------------------------------------

def check_agreement_with_snapshot_test():
    """The ENVELOPE/BODYSTRUCTURE entries above are exactly kAccepted of the snapshot test."""
    with open(SNAPSHOT_TEST) as f:
        source = f.read()
    table = source[source.index("kAccepted[] = {"):]
    table = table[:table.index("};")]
    theirs = set(re.findall(r'\{"([^"]+)", "([^"]+)", k\w+\}', table))
    ours = set()
    for a in ACCEPTED:
        if "BODYSTRUCTURE" in a.item.split("|") or a.item == "ENVELOPE":
            for subject in a.subject.split("|"):
                if not subject.endswith(LITERAL8_SUFFIX):  # copies are not in the snapshot
                    ours.add((subject, a.field))
    if ours != theirs:
        raise AssertionError(
            "ENVELOPE/BODYSTRUCTURE entries differ from dovecot_reference_test.cc kAccepted:\n"
            f"  only here: {sorted(ours - theirs)}\n  only there: {sorted(theirs - ours)}")
    return len(theirs)


def append_all(client, messages):
    for i, (name, data, literal8) in enumerate(messages, 1):
        flags = " ".join(flags_for(i))
        arg = (Literal8 if literal8 else LiteralArg)(data)
        a = client.command(f'APPEND INBOX ({flags}) "{internal_date_for(i)}" ', arg)
        if a.status != "OK":
            raise AssertionError(f"{client.name}: APPEND {name} -> {a.tagged!r}")


def test_differential_against_dovecot():
    if not Dovecot.available():
        raise AssertionError("Dovecot is not installed: the differential test needs "
                             "dovecot-imapd and dovecot-pop3d (./dev installs them)")
    entries = check_agreement_with_snapshot_test()
    messages = load_messages()
    t0 = time.monotonic()
    with Dovecot({USER: DOVECOT_PASSWORD}) as dc, ImapServer() as server:
        # Roost refuses LOGIN in cleartext (LOGINDISABLED), so it is reached over imaps.
        roost = Client("roost", "127.0.0.1", server.imaps, tls=True)
        roost.ok(f'LOGIN {USER} "{PASSWORD}"')
        dovecot = Client("dovecot", dc.host, dc.imap_port, tls=False)
        dovecot.ok(f"LOGIN {USER} {DOVECOT_PASSWORD}")
        errors = []

        def append_in_thread(client):
            try:
                append_all(client, messages)
            except Exception as e:  # reported below
                errors.append(e)
        threads = [threading.Thread(target=append_in_thread, args=(c,)) for c in (roost, dovecot)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        t_append = time.monotonic() - t0
        for c in (roost, dovecot):
            a = c.ok("SELECT INBOX")
            exists = [r for r in a.untagged if r.endswith(b" EXISTS")]
            if exists != [b"* %d EXISTS" % len(messages)]:
                raise AssertionError(f"{c.name}: SELECT says {exists}, want {len(messages)}")
        run = Run(roost, dovecot, [name for name, _, _ in messages])
        # UIDs are not normalized: both mailboxes started empty, so UID n is message n.
        ours, theirs = both(run.clients, "FETCH 1:* (UID)")
        uids = [{n: v["UID"] for n, v in fetch_items(x).items()} for x in (ours, theirs)]
        if uids[0] != uids[1] or uids[0] != {n: n for n in range(1, len(messages) + 1)}:
            raise AssertionError(f"UIDs differ: ours {uids[0]} | dovecot {uids[1]}")
        run.uid_to_seq = {n: n for n in uids[0]}
        # Searches first: the flags are still those APPEND set.
        run_searches(run)
        run_sorts(run)
        run_threads(run)
        t_search = time.monotonic() - t0 - t_append
        ours, theirs = both(run.clients, f"FETCH 1:{len(messages)} (BODYSTRUCTURE)")
        a, b = fetch_items(ours), fetch_items(theirs)
        structures = {n: (a.get(n, {}).get("BODYSTRUCTURE"), b.get(n, {}).get("BODYSTRUCTURE"))
                      for n in range(1, len(messages) + 1)}
        run.compare_messages(structures)
        t_fetch = time.monotonic() - t0 - t_append - t_search
        for c in run.clients:
            c.command("LOGOUT")
    report(run, messages, entries, (t_append, t_search, t_fetch, time.monotonic() - t0))


def report(run, messages, snapshot_entries, times):
    unexplained = []
    for d in run.diffs:
        hit = None
        for a in ACCEPTED:
            if a.matches(d):
                a.used += 1
                hit = a
                break
        if os.environ.get("DOVECOT_DIFF_ALL"):
            print(("accepted   " if hit else "DIFFERENT  ") + str(d))
        if not hit:
            unexplained.append(d)
    stale = [a for a in ACCEPTED if a.used == 0]
    t_append, t_search, t_fetch, total = times
    c = run.compared
    print(f"compared {len(messages)} messages: {c['fetch items']} FETCH items, "
          f"{c['search']} SEARCH, {c['sort']} SORT, {c['thread']} THREAD commands; "
          f"{len(run.diffs)} differences, {len(run.diffs) - len(unexplained)} accepted by "
          f"{len(ACCEPTED) - len(stale)} entries ({snapshot_entries} shared with the snapshot "
          f"test); append {t_append:.1f}s, search {t_search:.1f}s, fetch {t_fetch:.1f}s, "
          f"total {total:.1f}s")
    problems = []
    if unexplained:
        problems.append(f"{len(unexplained)} differences from Dovecot not in ACCEPTED:\n  " +
                        "\n  ".join(str(d) for d in unexplained[:150]) +
                        ("\n  …" if len(unexplained) > 150 else ""))
    if stale:
        problems.append("ACCEPTED entries that matched nothing (remove them):\n  " +
                        "\n  ".join(str(a) for a in stale))
    if problems:
        raise AssertionError("\n".join(problems))


if __name__ == "__main__":
    from roost_harness import run_tests  # noqa: E402
    run_tests([test_differential_against_dovecot])
