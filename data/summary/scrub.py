"""Removing identifying strings from free text in a de-identified summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

_MONTHS = (
    # English, then French; full names before their abbreviations.
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    "|d[ée]cembre"
    "|janv|f[ée]vr?|avr|juil|sept|d[ée]c|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
)
_MONTH = rf"(?:{_MONTHS})\.?(?!\w)"
_DAY = r"(?<!\d)(?:[0-3]?\d)(?:st|nd|rd|th|er|re|ère|e)?(?!\w)"
_YEAR4 = r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)"
# A number followed by one of these is a measurement, not a year ("IL-1β 2000 pg/mL").
_UNIT_AFTER = (r"\s*(?:%|°|/|×|(?:[pnµuμm]?g|mcg|kg|[pnµuμmcd]?l|iu|ui|u|mmol|[µuμ]mol|mm|cel"
               r"|mmhg|copies|cells|h|min|bpm)(?![a-zé]))")
_DATE = re.compile("|".join((
    # month names, with a day and/or a year: 17 April 1982, 17th of April, April 17th,
    # 1982, 17 avril 1982, 1er mars, April 1982
    rf"{_DAY}(?:\s+of)?[\s-]+{_MONTH}(?:,?[\s-]+{_YEAR4}"
    rf"|\s+\d{{2}}(?!\d)(?!{_UNIT_AFTER})(?![\s-]+(?:of\s+)?{_MONTH}))?",
    rf"(?<!\w){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR4})?",
    rf"(?<!\w){_MONTH},?\s+{_YEAR4}",
    # numbers: 2009-03-02, 2009/03/02, 2009.03.02, 02-03-2009, 02/03/2009, 2.3.09
    r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)",
    r"(?<![\d.,])\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?!\d)",
    r"(?<![\d.,])\d{1,2}[/.]\d{1,2}[/.]\d{2}(?![\d.,]\d|\d)",
    # a month and a year: 03/2010, 2010-03
    rf"(?<![\d.,])\d{{1,2}}[-/.]{_YEAR4}",
    rf"{_YEAR4}-(?:0?[1-9]|1[0-2])(?!\d)",
    # a bare year is a calendar date too, unless a unit follows (then it is a value)
    rf"(?<![\d.,]){_YEAR4}(?![.,]\d)(?!{_UNIT_AFTER})",
    # written without separators: 20090112, 12012009
    r"(?<!\d)(?:1[89]|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)",
    r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:1[89]|20)\d{2}(?!\d)",
    # ... and with a two-digit year: 100221 (day-month-year), 210210 (year-month-day)
    rf"(?<![\d.,])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{{2}}(?![\d.,]\d|\d)(?!{_UNIT_AFTER})",
    rf"(?<![\d.,])\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![\d.,]\d|\d)(?!{_UNIT_AFTER})",
    # two-digit years: 09-01-12, 12-01-09; a month with a short year: Jan-09, Jan '09
    r"(?<![\d.,-])\d{1,2}-\d{1,2}-\d{2}(?![\d-])",
    rf"(?<!\w){_MONTH}[\s\-/.']+\d{{2,4}}(?!\d)(?!{_UNIT_AFTER})",
    # a day and a month, or a month and a year: 3/12, 03/12 (a ratio loses nothing here)
    rf"(?<![\d.,/])\d{{1,2}}/\d{{1,2}}(?![\d/]|[.,]\d)(?!{_UNIT_AFTER})",
)), re.IGNORECASE)

# Clock times: 10:45, 10:45:30, 10h45, 10 h 45, 10.45 am, 8 am, 8pm, 8 p.m. A bare "10 h"
# stays: it is a duration ("10 h after the dose") as often as a time.
_MERIDIEM = r"\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)"
_TIME = re.compile("|".join((
    r"(?<![\d.,:])(?:[01]?\d|2[0-3])\s?[:h]\s?[0-5]\d(?::[0-5]\d)?(?![\d:])"
    rf"(?:{_MERIDIEM})?",
    rf"(?<![\d.,:])(?:0?[1-9]|1[0-2])(?:[.:][0-5]\d)?{_MERIDIEM}",
)), re.IGNORECASE)

# A way to reach the patient: an e-mail address, a telephone number (four or more groups
# of digits: 06 12 34 56 78, +33 6 12 34 56 78), a street address (12 rue des Lilas,
# 4 Baker Street) and a postcode with its town (69003 Lyon).
_STREET = (r"rue|avenue|av\.?|bd|boulevard|chemin|all[ée]e|place|impasse|quai|route|cours"
           r"|street|st\.?|road|rd\.?|lane|drive|way")
_CONTACT = re.compile("|".join((
    r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    r"(?<![\w.,])(?:\+\d{1,3}[\s.\-]?)?\(?\d{1,4}\)?(?:[\s.\-]\d{2,4}){3,}(?![\w]|[.,]\d)",
    rf"(?<![\w.,])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:{_STREET})(?!\w)[^,;:\n]{{0,40}}",
    rf"(?<![\w.,])\d{{1,4}}\s+(?-i:[A-Z][\w'’\-]*\s+){{1,3}}(?:{_STREET})(?!\w)",
    r"(?<![\w.,])\d{5}\s+[A-ZÉÈ][\w'’\-]+(?:[\s\-][A-ZÉÈ][\w'’\-]+)*",
)), re.IGNORECASE)

_ACCENTS = {"a": "aàâäá", "c": "cç", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú",
            "y": "yÿ", "n": "nñ"}
_BASE = {v: k for k, vs in _ACCENTS.items() for v in vs}


def _loose(word: str) -> str:
    """A regex for word with or without its accents, any separator between its parts."""
    out = []
    for ch in word:
        base = _BASE.get(ch.lower())
        if base is not None:
            out.append(f"[{_ACCENTS[base]}]")
        elif ch.isspace() or ch in "-'’._":
            out.append(r"[\s\-'’._]*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _digits_pattern(digits: str) -> str:
    # 100231, 100 231, 100-231, 10.02.31: an optional separator between any two digits.
    return r"(?<!\d)" + r"[\s.\-/]?".join(digits) + r"(?!\d)"


def _birth_date_patterns(value: object) -> list[str]:
    try:
        d = pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        return [re.escape(str(value))]
    day, month, yy, yyyy = d.day, d.month, d.strftime("%y"), str(d.year)
    out = []
    for dd in {f"{day:02d}", str(day)}:
        for mm in {f"{month:02d}", str(month)}:
            for sep in "/.-":
                # 17/04/1982, 17.4.82, 17-04 (no year), 1982/04/17, 04/17/1982
                out += [f"{dd}{sep}{mm}{sep}{yyyy}", f"{dd}{sep}{mm}{sep}{yy}",
                        f"{yyyy}{sep}{mm}{sep}{dd}", f"{mm}{sep}{dd}{sep}{yyyy}",
                        f"{dd}{sep}{mm}"]
    out += [f"{yyyy}{month:02d}{day:02d}", f"{day:02d}{month:02d}{yyyy}",
            f"{day:02d}{month:02d}{yy}"]
    return [rf"(?<![\d.,/-]){re.escape(x)}(?![\d]|[.,/-]\d)" for x in out]


@dataclass
class Scrubber:
    """Removes identifying strings from free text in a de-identified summary.

    Reviewers type notes by hand; a name, a record number or a date in a note would
    defeat the export. ``patterns`` are the patient's own identifiers (name parts with or
    without accents, the record number's digits in any wrapping, the birth date in
    common formats); then every calendar date is removed: numeric (2010-03-14,
    14/03/2010, 14-03-2010, 14.03.2010, 2010/03/14, 03/2010), with an English or French
    month name and a day or a year (April 17th, 1982; 17 avril 1982; April 1982), and a
    bare year unless a unit follows it ("2000 pg/mL" is a value), six-digit dates
    (100221); then clock times (10:45, 10h45, 8 am), which would date a note within its
    day. E-mail addresses, telephone numbers, street addresses and postcodes with their
    town go first, before their digits read as dates.
    """

    active: bool
    patterns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._own = (re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE)
                     if self.patterns else None)

    def __call__(self, text: str) -> str:
        if not self.active or not text:
            return text
        if self._own is not None:
            text = self._own.sub("[removed]", text)
        text = _CONTACT.sub("[contact removed]", text)
        text = _DATE.sub("[date removed]", text)
        return _TIME.sub("[time removed]", text)


def scrubber(patient: dict, *, active: bool, earlier: Iterable[dict] = ()) -> Scrubber:
    """A scrubber for the patient's identifying fields, and for the values they held
    before (``earlier``: identity rows of the audit trail), which old notes may carry."""
    patterns: list[str] = []
    for old in earlier:
        patterns += _own_patterns(old)
    return Scrubber(active, [*_own_patterns(patient), *dict.fromkeys(patterns)])


def _own_patterns(patient: dict) -> list[str]:
    patterns: list[str] = []
    name = str(patient.get("name") or "").strip()
    if name:
        parts = [w for w in re.split(r"[\s\-'’.,]+", name) if len(w) >= 2]
        # The whole name first, then its parts, longest first ("Demo-Lefort" before
        # "Demo"), each as a whole word so "Ann" leaves "annual" alone.
        for w in [name, *sorted(set(parts), key=len, reverse=True)]:
            # An underscore separates words too (Marchand_Julien_MRN-100587.csv).
            patterns.append(rf"(?<![^\W_]){_loose(w)}(?![^\W_])")
    record = str(patient.get("record_number") or "").strip()
    if record:
        chunks = re.findall(r"[^\W_]+", record)
        patterns.append(r"[\s\-_./:#]*".join(_loose(c) for c in chunks) or re.escape(record))
        patterns += [_digits_pattern(d) for d in re.findall(r"\d{4,}", record)]
    if patient.get("birth_date"):
        patterns += _birth_date_patterns(patient["birth_date"])
    return patterns
