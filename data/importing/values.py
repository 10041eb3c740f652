"""Cell text to numbers: decimals, censored values (<5, >1000) and yes/no diary answers.

``<5`` is kept as value 5 with censor '<': the limit of detection and the fact that
the true value lies below it, never a made-up number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# ASCII digits only ([0-9], not \d): float() reads "６０" (full-width) as 60, a value
# pandas and every other number path refuse.
_CENSORED = (r"^(?P<sign><=?|>=?|≤|≥|&lt;|&gt;)\s*(?P<number>[-+]?(?:[0-9]+(?:\.[0-9]*)?"
             r"|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)$")
# Digit groups as French and Swiss lab exports print them ("1 250,5", "12 500"): only
# spaces between groups of exactly three digits, so "1 25" stays an error. A dot or
# comma between groups is not accepted: "1.250" means 1.25 to half the world.
_GROUPED = r"^[-+]?[0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+(?:\.[0-9]+)?$"
_GROUP_SPACES = r"[ \u00a0\u202f\u2009]"
_SIGN = {"<": "<", "<=": "<", "≤": "<", "&lt;": "<", ">": ">", ">=": ">", "≥": ">", "&gt;": ">"}
_YES_NO = {"yes": 1.0, "no": 0.0, "y": 1.0, "n": 0.0, "oui": 1.0, "non": 0.0, "o": 1.0,
           "true": 1.0, "false": 0.0, "vrai": 1.0, "faux": 0.0}
# Written for "not measured": an empty cell. "n.d." is not among them: it may mean
# "not done" or "not detected", and only the file's author knows which.
MISSING = {"", "na", "n/a", "-", "—", "–", "nan", "null", "none"}

NOT_A_NUMBER = "not a number"
AMBIGUOUS = 'ambiguous: write "<LIMIT" for a value below detection, or leave the cell empty'


@dataclass
class Numbers:
    value: np.ndarray  # float, NaN where missing or bad
    censor: np.ndarray  # object: None, '<' or '>'
    missing: np.ndarray  # bool: the cell says nothing was measured
    word: np.ndarray  # bool: a yes/no answer (only diary items may use one)
    reason: np.ndarray  # object: '' or why the cell is bad


# In a file of decimal commas a dot is no decimal point: "1.234" is most likely 1234 (digit
# groups split by dots, as German or Italian exports write them), and read as 1.234 it
# would be a thousandfold error. Refused, never guessed.
_DOT_GROUPED = r"^\s*[-+]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+\s*$"
DOT_GROUPS = ('ambiguous in a file of decimal commas: "1.234" may be 1234 (a dot between '
              'digit groups) or 1,234; write 1234, 1 234 or 1,234')


def parse_numbers(column: pd.Series, decimal_comma: bool) -> Numbers:
    numbers = _parse_numbers(column, decimal_comma)
    if decimal_comma:
        dotted = (column.str.contains(".", regex=False, na=False)
                  & column.str.match(_DOT_GROUPED, na=False)).to_numpy(dtype=bool)
        numbers.value[dotted] = np.nan
        numbers.reason[dotted] = DOT_GROUPS
    return numbers


def _parse_numbers(column: pd.Series, decimal_comma: bool) -> Numbers:
    n = len(column)
    text = column.str.replace(",", ".", regex=False) if decimal_comma else column
    value = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    censor = np.full(n, None, dtype=object)
    missing = np.zeros(n, dtype=bool)
    word = np.zeros(n, dtype=bool)
    reason = np.full(n, "", dtype=object)
    value[~np.isfinite(value)] = np.nan  # 'inf' and 'nan' are words, not measurements
    todo = np.flatnonzero(np.isnan(value))
    if len(todo) == 0:
        return Numbers(value, censor, missing, word, reason)
    # Only the cells that are not plain numbers are looked at one pattern at a time.
    rest = text.iloc[todo].str.strip()
    lowered = rest.str.lower()
    is_missing = lowered.isin(MISSING).to_numpy()
    missing[todo[is_missing]] = True
    answers = lowered.map(_YES_NO)
    is_word = answers.notna().to_numpy()
    word[todo[is_word]] = True
    value[todo[is_word]] = answers[is_word].to_numpy(dtype=float)
    is_grouped = rest.str.match(_GROUPED).to_numpy(dtype=bool)
    value[todo[is_grouped]] = (rest[is_grouped].str.replace(_GROUP_SPACES, "", regex=True)
                               .astype(float).to_numpy())
    found = rest.str.replace(_GROUP_SPACES, "", regex=True).str.extract(_CENSORED)
    is_censored = found["number"].notna().to_numpy()
    value[todo[is_censored]] = found["number"][is_censored].astype(float).to_numpy()
    censor[todo[is_censored]] = found["sign"][is_censored].map(_SIGN).to_numpy()
    bad = ~(is_missing | is_word | is_grouped | is_censored)
    ambiguous = lowered.str.replace(".", "", regex=False).isin({"nd", "nc", "nf"}).to_numpy()
    reason[todo[bad & ambiguous]] = AMBIGUOUS
    reason[todo[bad & ~ambiguous]] = NOT_A_NUMBER
    return Numbers(value, censor, missing, word, reason)


def parse_number(text: object, *, what: str = "value") -> float:
    """One plain number typed by a person (the command line, a dialog, a patient file), read
    as a measurement file's cell is: a decimal point or comma, digit groups split by
    spaces, ASCII digits only. Raises ValueError with a one-line reason."""
    typed = str(text).strip()
    parsed = parse_numbers(pd.Series([typed], dtype=object), decimal_comma="." not in typed)
    value = float(parsed.value[0])
    if parsed.word[0] or parsed.censor[0] is not None or not np.isfinite(value):
        plain = "" if typed.isascii() else " (write the digits 0-9)"
        raise ValueError(f"{what} {typed!r} is not a number{plain}")
    return value
