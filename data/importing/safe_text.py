"""Text from a file made safe to echo, and pseudonyms made comparable.

A file may hold terminal escape sequences or right-to-left overrides: echoed raw they
recolour the terminal or make a message read backwards, so every value shown to the
user passes through ``printable``. Pseudonyms are normalised (NFKC, one hyphen for the
many look-alike dashes) so that ``P‐01`` typed with U+2010 is the patient ``P-01``.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional controls: embeddings, overrides, isolates and the implicit marks.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(char: str) -> bool:
    # Cc: C0/C1 controls (ESC starts a terminal sequence); Cf: format characters,
    # among them the bidi overrides and zero-width joiners; Zl/Zp: line breaks.
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co")


def has_unsafe(text: str) -> bool:
    return any(_unsafe(c) for c in text)


def printable(text: object) -> str:
    """``text`` with control, format and direction characters written as escapes."""
    text = str(text)
    if not has_unsafe(text):
        return text
    return "".join(_escaped(c) if _unsafe(c) else c for c in text)


# Hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar, minus sign,
# small and full-width hyphen-minus: all typed (or auto-corrected) for '-'.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")


def normal_pseudonym(text: str) -> str:
    """The stored form of a pseudonym: NFKC, dashes unified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_DASHES.sub("-", text).split())


# What a spreadsheet opening an export would run as a formula (CSV injection): these
# first characters, and a tab or carriage return before them (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:[.,][0-9]+)?")


def formula_problem(text: str) -> str | None:
    """Why ``text`` would run as a spreadsheet formula (``=HYPERLINK(…)``, ``@SUM(1)``,
    ``-2+3``), or None; a plain signed number ("-5", "+1.5") is fine."""
    if not text.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(text):
        return None
    return ("starts with = + - @, a tab or a carriage return: a spreadsheet opening an "
            "export would run it as a formula")


def text_problem(text: str) -> str | None:
    """Why free text from a file or a typist (a diagnosis, a drug, a lab, a batch) cannot
    be stored as it is, or None: the one check of every import and edit path."""
    if has_unsafe(text):
        return ("holds control or direction characters (a terminal escape, a right-to-left "
                "override)")
    return formula_problem(text)


def pseudonym_problem(text: str) -> str | None:
    """Why ``text`` (normalised) cannot be a pseudonym, or None."""
    if has_unsafe(text):
        return "a pseudonym may not hold control, format or text-direction characters"
    if text.startswith(_FORMULA_START):
        return ("a pseudonym may not start with = + - or @ (a spreadsheet would run it "
                "as a formula)")
    if len(text) > 64:
        return "a pseudonym has at most 64 characters"
    return None


def look_alike_key(text: str) -> str:
    """Pseudonyms that differ only in case, spaces or punctuation look alike to a reader."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())
