#!/usr/bin/env python3
"""Offline tests of tests/lib/imap_client.py (no server needed).

    python3 -m unittest tests/lib/test_imap_client.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imap_client as ic  # noqa: E402


class ParseTest(unittest.TestCase):
    def test_kinds(self):
        v = ic.parse(b'(a "b c" {3}\r\nxyz NIL nil 42 "NIL" ~{2}\r\n\x00\x01 \\Seen)')[0]
        self.assertEqual(v, [b"a", b"b c", b"xyz", None, None, 42, b"NIL", b"\x00\x01", b"\\Seen"])
        self.assertIsInstance(v[0], ic.Atom)
        self.assertIsInstance(v[1], ic.Quoted)
        self.assertIsInstance(v[2], ic.Literal)
        self.assertIsInstance(v[6], ic.Quoted)  # quoted "NIL" is a string, not NIL

    def test_atom_and_quoted_compare_equal(self):
        self.assertEqual(ic.parse(b'("7BIT" 7BIT {4}\r\n7BIT)')[0], [b"7BIT"] * 3)

    def test_escapes(self):
        self.assertEqual(ic.parse(b'"a\\"b\\\\c"'), [b'a"b\\c'])

    def test_section_atoms(self):
        v = ic.parse(b"(BODY[HEADER.FIELDS (FROM TO)]<0> NIL BINARY[1.2] NIL BODY[] NIL)")[0]
        self.assertEqual(v[0], b"BODY[HEADER.FIELDS (FROM TO)]<0>")
        self.assertEqual(v[2], b"BINARY[1.2]")
        self.assertEqual(v[4], b"BODY[]")

    def test_tolerant_and_strict(self):
        self.assertEqual(ic.parse(b'(a (b "c'), [[b"a", [b"b", b"c"]]])
        with self.assertRaises(ic.ParseError):
            ic.parse(b'(a (b "c', strict=True)
        with self.assertRaises(ic.ParseError):
            ic.parse(b"({10}\r\nabc)", strict=True)

    def test_parse_fetch(self):
        wire = (b'* 3 FETCH (UID 9 RFC822.SIZE 120 ENVELOPE (NIL {5}\r\nhe"lo NIL NIL NIL NIL NIL '
                b'NIL NIL NIL) body[1] {2}\r\nhi)\r\n')
        n, items = ic.parse_fetch(wire, strict=True)
        self.assertEqual(n, 3)
        self.assertEqual(items["UID"], 9)
        self.assertEqual(items["ENVELOPE"][1], b'he"lo')
        self.assertEqual(items["BODY[1]"], b"hi")

    def test_normalize(self):
        v = ic.parse(b'("TEXT" "Plain" ("CHARSET" "UTF-8") NIL NIL "7BIT" 3 1)')[0]
        self.assertEqual(ic.normalize(v, casefold=True),
                         ["text", "plain", ["charset", "utf-8"], None, None, "7bit", 3, 1])


class ReassembleTest(unittest.TestCase):
    def test_imaplib_tuples(self):
        # What imaplib stores for two FETCH responses, the first with two literals.
        items = [(b"1 (BODY[1] {5}", b"hello"), (b" BODY[2] ~{3}", b"a\x00b"), b" UID 4)",
                 b"2 (UID 5 FLAGS (\\Seen))"]
        out = ic._reassemble(items, b"FETCH")
        self.assertEqual(out, [
            b"* 1 FETCH (BODY[1] {5}\r\nhello BODY[2] ~{3}\r\na\x00b UID 4)\r\n",
            b"* 2 FETCH (UID 5 FLAGS (\\Seen))\r\n"])
        n, items = ic.parse_fetch(out[0], strict=True)
        self.assertEqual((n, items["BODY[2]"], items["UID"]), (1, b"a\x00b", 4))


if __name__ == "__main__":
    unittest.main()
