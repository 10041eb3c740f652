"""Checking and converting measurements, whichever shape they came in.

The long and wide readers reduce a file to ``Cells``: one entry per value, still as text,
with the code and specimen already resolved. This module parses dates and numbers,
converts units and checks what a clinician would check, all vectorised: a rule is
applied to every row at once and only the rows that break it are looked at one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.codes import ANALYTES, PGA, PGA_LEVELS, PLAUSIBLE
from data.importing.dates import Parsed, combine, parse_dates, parse_times_of_day
from data.importing.errors import Problems
from data.importing.units import conversion, tidy
from data.importing.values import parse_numbers
from data.numbers import fmt_number

OBSERVATION_FRAME_COLUMNS = ["patient", "t", "code", "value", "censor", "unit", "specimen",
                             "row", "column",  # row and column: where the value is written
                             "from_unit"]  # the file's unit of a converted value, else None

_KEY = ["patient", "t", "code", "specimen"]
MAX_VALUE = 1e12  # in the stored unit: 1 g/mL of a cytokine, a kilometre of ESR
# ... and the smallest above 0: a femtogram of cytokine per litre is 1e-6 pg/mL. 1e-320
# (a subnormal float) was stored and later printed as a 330-digit decimal.
MIN_VALUE = 1e-9


@dataclass
class Cells:
    """One entry per value to import. Arrays are aligned; texts are as in the file."""

    row: np.ndarray  # spreadsheet row
    patient: np.ndarray  # pseudonym
    date: pd.Series  # date text
    time: pd.Series | None  # time-of-day text, when the file has a time column
    code: np.ndarray  # our code ('' where unresolved: already reported)
    unit: np.ndarray  # unit text as written ('' = the stored unit)
    specimen: np.ndarray  # our specimen code
    value: pd.Series  # value text
    censor: np.ndarray | None  # '<', '>' or None from a separate censor column
    value_column: str | np.ndarray  # header to name in a problem about the value
    unit_column: str | np.ndarray  # header to name in a problem about the unit
    date_column: str
    time_column: str | None
    bad: np.ndarray  # rows already reported


def finish(cells: Cells, decimal_comma: bool, problems: Problems, *,
           skip_missing: bool) -> pd.DataFrame:
    """Validated observations in stored units (OBSERVATION_FRAME_COLUMNS).

    ``skip_missing``: an empty cell means 'not measured' (wide files) rather than an error.
    """
    bad = cells.bad.copy()
    rows = cells.row
    when = _times(cells, problems, bad)

    numbers = parse_numbers(cells.value, decimal_comma)
    value, censor = numbers.value, numbers.censor
    skip = numbers.missing
    if not skip_missing:
        problems.add_rows(rows, cells.value_column, None, "no value", skip & ~bad)
        bad |= skip
        skip = np.zeros_like(skip)
    problems.add_rows(rows, cells.value_column, cells.value, numbers.reason,
                      (numbers.reason != "") & ~bad & ~skip)
    bad |= (numbers.reason != "") | skip
    if cells.censor is not None:
        censor = _merge_censor(cells, censor, bad, problems)

    code_id, codes = pd.factorize(cells.code)
    codes = np.asarray(codes, dtype=object)
    value, converted = _convert_units(cells, codes, code_id, value, bad, problems)
    _check_values(cells, codes, code_id, value, censor, numbers.word, bad, problems)
    keep = ~bad
    stored_unit = np.array([ANALYTES[c].unit if c else "" for c in codes], dtype=object)
    # Object columns: the writer turns them into tuples, and converting 200,000 strings
    # to Arrow and back costs more than all the checks above.
    frame = pd.DataFrame({
        "patient": pd.Series(cells.patient[keep], dtype=object),
        "t": when.t[keep],
        "code": pd.Series(codes[code_id[keep]], dtype=object),
        "value": value[keep],
        "censor": pd.Series(censor[keep], dtype=object),
        "unit": pd.Series(stored_unit[code_id[keep]], dtype=object),
        "specimen": pd.Series(cells.specimen[keep], dtype=object),
        "row": rows[keep],
        "column": (cells.value_column if isinstance(cells.value_column, str)
                   else pd.Series(cells.value_column[keep], dtype=object)),
        # Said before the user confirms: "12 values converted from ng/mL to pg/mL".
        "from_unit": pd.Series(np.where(converted, cells.unit, None)[keep], dtype=object),
    })
    return _drop_repeats(frame, problems)


def _times(cells: Cells, problems: Problems, bad: np.ndarray) -> Parsed:
    dates = parse_dates(cells.date)
    if cells.time is not None:
        times = parse_times_of_day(cells.time)
        problems.add_rows(cells.row, cells.time_column, cells.time, times.reason,
                          times.bad & ~dates.bad & ~bad)
        bad |= times.bad & ~dates.bad
        dates = combine(dates, times)
    problems.add_rows(cells.row, cells.date_column, cells.date, dates.reason,
                      dates.bad & ~bad)
    bad |= dates.bad
    return dates


def _merge_censor(cells: Cells, censor: np.ndarray, bad: np.ndarray,
                  problems: Problems) -> np.ndarray:
    """A '<' in its own column applies to a plain number in the value column."""
    given = cells.censor
    has = given != None  # noqa: E711 - element-wise on an object array
    clash = has & (censor != None) & (censor != given) & ~bad  # noqa: E711
    problems.add_rows(cells.row, cells.value_column, cells.value,
                      "the value's sign contradicts the censor column", clash)
    bad |= clash
    return np.where(has, given, censor)


def _convert_units(cells: Cells, codes: np.ndarray, code_id: np.ndarray, value: np.ndarray,
                   bad: np.ndarray, problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """Values in the stored unit, and which rows were converted to it."""
    unit_id, units = pd.factorize(cells.unit)
    pair_id, pairs = pd.factorize(code_id * len(units) + unit_id)
    scale = np.ones(len(pairs))
    offset = np.zeros(len(pairs))
    reason = np.full(len(pairs), "", dtype=object)
    for k, pair in enumerate(pairs.tolist()):
        code, unit = codes[pair // len(units)], units[pair % len(units)]
        if not code:
            continue
        conv = conversion(unit, code)
        if isinstance(conv, str):
            reason[k] = conv
        else:
            scale[k], offset[k] = conv.scale, conv.offset
    row_reason = reason[pair_id]
    wrong = (row_reason != "") & ~bad
    problems.add_rows(cells.row, cells.unit_column, cells.unit, row_reason, wrong)
    bad |= row_reason != ""
    converted = (scale != 1.0) | (offset != 0.0)
    rows = converted[pair_id]
    if converted.any():
        value = value.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            value[rows] = tidy(value[rows] * scale[pair_id][rows] + offset[pair_id][rows])
    # 1e308 ng/mL is a finite number that becomes infinity in pg/mL; no assay reads
    # anywhere near MAX_VALUE, so beyond it the cell is a typo or an attack.
    stored = np.array([ANALYTES[c].unit if c else "" for c in codes], dtype=object)[code_id]
    huge = ~bad & ~(np.abs(value) <= MAX_VALUE) & ~np.isnan(value)
    _refuse(cells, problems, bad, huge, stored, lambda u: "too large to be a measurement once "
            f"converted to {u} (at most {MAX_VALUE:.0e})")
    with np.errstate(invalid="ignore"):
        tiny = ~bad & (value != 0) & (np.abs(value) < MIN_VALUE)
    _refuse(cells, problems, bad, tiny, stored, lambda u: "too small to be a measurement in "
            f"{u} (0, or at least {MIN_VALUE:.0e})")
    return value, rows


def _refuse(cells: Cells, problems: Problems, bad: np.ndarray, mask: np.ndarray,
            stored: np.ndarray, why) -> None:
    """Each masked value a problem whose reason names its stored unit; marks them bad."""
    if mask.any():
        reason = np.full(len(mask), "", dtype=object)
        reason[mask] = [why(u) for u in stored[mask]]
        problems.add_rows(cells.row, cells.value_column, cells.value, reason, mask)
        bad |= mask


def _check_values(cells: Cells, codes: np.ndarray, code_id: np.ndarray, value: np.ndarray,
                  censor: np.ndarray, word: np.ndarray, bad: np.ndarray,
                  problems: Problems) -> None:
    """Rules a clinician would apply; each adds its problems and marks its rows bad."""
    is_count = np.array([bool(c) and ANALYTES[c].unit == "1" for c in codes],
                        dtype=bool)[code_id]
    censored = censor != None  # noqa: E711

    def rule(mask: np.ndarray, reason: str) -> None:
        mask = mask & ~bad
        problems.add_rows(cells.row, cells.value_column, cells.value, reason, mask)
        bad[:] |= mask

    rule(word & ~is_count, "yes/no answers are only for diary items; write a number")
    rule(is_count & (censored | ((value != 0) & (value != 1))),
         "a diary item is 0 (no) or 1 (yes)")
    is_pga = codes[code_id] == PGA
    rule(is_pga & (censored | (value != np.round(value)) | (value < 0)
                   | (value >= len(PGA_LEVELS))),
         "a physician global is a whole number from 0 to 4 (" + ", ".join(
             f"{i} {word}" for i, word in enumerate(PGA_LEVELS)) + ")")
    not_temp = codes[code_id] != "TEMP"
    rule(not_temp & (value < 0), "a negative value")
    for code, (low, high) in PLAUSIBLE.items():
        k = np.flatnonzero(codes == code)
        if len(k):
            unit = ANALYTES[code].unit
            rule((code_id == k[0]) & ((value < low) | (value > high)),
                 f"outside the plausible range of {code} "
                 f"({fmt_number(low)}–{fmt_number(high)} {unit} once converted): a wrong unit?")


def _drop_repeats(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """The same measurement twice in a file is kept once; two different values for the
    same patient, code, time and specimen are an error."""
    dup = frame.duplicated(_KEY, keep=False).to_numpy()
    if not dup.any():
        return frame.reset_index(drop=True)
    sub = frame[dup]
    first = sub.groupby(_KEY, sort=False)["row"].transform("first").to_numpy()
    same = sub.duplicated([*_KEY, "value", "censor"], keep="first").to_numpy()
    later = sub["row"].to_numpy() != first
    conflict = later & ~same
    values = [f"{c or ''}{fmt_number(v)}" for v, c in zip(sub["value"], sub["censor"],
                                                           strict=True)]
    problems.add_rows(sub["row"].to_numpy(), None, values,
                      np.array([f"another {c} value at the same time and specimen for "
                                f"this patient (row {r})" for c, r in
                                zip(sub["code"], first, strict=True)], dtype=object),
                      conflict)
    return frame[~frame.duplicated(_KEY, keep="first").to_numpy()].reset_index(drop=True)
