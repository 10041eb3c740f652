"""Healthy-control reference files: one reference per row, all or nothing.

Columns (names compared loosely, English or French): analyte, specimen/stimulation,
unit, n, mean, SD or range ("2–30", or low and high columns), assay/kit, batch, lab,
date; optionally an upper limit of normal for markers and a comment. The file is read
by the measurement importer's reader and reports problems the same way: every problem
with file, row, column, value and reason, and nothing is written while any remains.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data.codes import ANALYTES
from data.controls import REFERENCE_CODES, Reference, check, labs_of
from data.importing.columns import fixed_columns
from data.importing.dates import parse_dates
from data.importing.errors import Problems
from data.importing.readers import read_table
from data.importing.synonyms import code_for, key, specimen_for
from data.importing.values import parse_numbers

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("analyte", "code", "cytokine", "parameter", "test", "marker", "analyse",
             "parametre", "marqueur"),
    "specimen": ("specimen", "stimulation", "specimenstimulation", "specimenorstimulation",
                 "context", "sample", "condition", "echantillon", "prelevement"),
    "unit": ("unit", "units", "unite", "unites"),
    "n": ("n", "ncontrols", "numberofcontrols", "controls", "count", "effectif", "nombre"),
    "mean": ("mean", "controlmean", "average", "moyenne"),
    "sd": ("sd", "stddev", "standarddeviation", "ecarttype", "et"),
    "spread": ("sdorrange", "sdrange", "spread"),
    "range": ("range", "normalrange", "referencerange", "interval", "intervalle",
              "plage", "lowhigh"),
    "range_low": ("low", "rangelow", "min", "minimum", "lower", "bas"),
    "range_high": ("high", "rangehigh", "max", "maximum", "upper", "haut"),
    "upper_normal": ("uppernormal", "upperlimitofnormal", "uln", "limitesuperieure"),
    "assay": ("assay", "kit", "assaykit", "method", "methode", "technique", "trousse"),
    "batch": ("batch", "lot", "batchlot", "lotnumber", "numerodelot"),
    "lab": ("lab", "laboratory", "laboratoire", "labo"),
    "date": ("date", "referencedate", "datedemesure", "measured"),
    "comment": ("comment", "comments", "note", "notes", "remark", "commentaire"),
}
_FIELD_OF = {name: f for f, names in FIELD_NAMES.items() for name in names}
REQUIRED = ("code", "specimen", "unit", "n", "mean", "lab")
_RANGE = re.compile(r"^\s*(?P<low>[-+]?\d+(?:[.,]\d*)?)\s*(?:–|—|-|to|à|\.\.)\s*"
                    r"(?P<high>[-+]?\d+(?:[.,]\d*)?)\s*$")


@dataclass
class ReferencePlan:
    """A checked reference file: what would be written, in the file's units."""

    file: str
    description: str
    references: list[Reference]

    @property
    def lab(self) -> str:
        return labs_of(self.references)


def read_reference_file(path: str | Path, *, lab: str | None = None) -> ReferencePlan:
    """Parse and check a whole reference file. ``lab`` fills rows whose lab cell is empty
    (and stands for a missing lab column). Raises ImportFailed with every problem."""
    table = read_table(path)
    problems = Problems(table.file)
    cols = fixed_columns(table, problems, _FIELD_OF, normalise=key,
                         unknown="a column a control reference file does not have (analyte, "
                                 "specimen, unit, n, mean, SD, range, assay, batch, lab, "
                                 "date, comment)")
    for f in REQUIRED:
        if f not in cols and not (f == "lab" and lab):
            problems.add(None, None, None, f"no {f} column")
    problems.raise_if_any()

    rows = table.data.index.to_numpy()
    n = len(rows)
    if n == 0:
        problems.fail(None, None, None, "the file has no reference rows")

    def text(f: str) -> np.ndarray:
        if f not in cols:
            return np.full(n, "", dtype=object)
        return table.column(cols[f]).str.strip().to_numpy(dtype=object)

    def header(f: str) -> str:
        return table.header[cols[f]] if f in cols else f

    start = problems.total
    numbers = {f: _numbers(table, cols, f, problems) for f in
               ("n", "mean", "sd", "range_low", "range_high", "upper_normal")}
    for f in ("range", "spread"):
        if f not in cols:
            continue
        if "range_low" in cols or "range_high" in cols or ("spread" in cols and f == "range"):
            problems.add(1, header(f), None, "give the SD or range in one way: an SD column, "
                         "a range column (low–high), low and high columns, or 'SD or range'")
        low, high, sd = _ranges(table, cols[f], problems, sd_allowed=f == "spread")
        numbers["range_low"], numbers["range_high"] = low, high
        if f == "spread" and "sd" not in cols:
            numbers["sd"] = sd
    dates = _dates(table, cols, problems)
    # A cell already reported as unreadable is not reported again as missing.
    reported = {(p.row, p.column) for p in problems.items[start:]}

    codes, specimens, units, labs = text("code"), text("specimen"), text("unit"), text("lab")
    seen: dict[tuple[str, str], int] = {}
    refs: list[Reference] = []
    for i, row in enumerate(rows.tolist()):
        code = code_for(codes[i]) if codes[i] else None
        if code is None or code not in REFERENCE_CODES:
            problems.add(row, header("code"), codes[i],
                         "no analyte" if not codes[i] else
                         f"not an analyte with control references (accepted: "
                         f"{', '.join(REFERENCE_CODES)})")
            continue
        specimen = specimen_for(specimens[i]) if specimens[i] else ""
        if specimen is None:
            problems.add(row, header("specimen"), specimens[i], "unknown specimen (accepted: "
                         "PBMC spontaneous, LPS, serum, or empty for unspecified)")
            continue
        if not units[i]:
            problems.add(row, header("unit"), None, "no unit")
        row_lab = labs[i] or (lab or "")
        if not row_lab:
            problems.add(row, header("lab"), None, "no lab: whose healthy controls are these?")
        if (code, specimen) in seen:
            problems.add(row, header("code"), codes[i], f"duplicate: row {seen[code, specimen]}"
                         " has a reference for the same analyte and specimen")
        seen.setdefault((code, specimen), row)
        nums = {f: (None if np.isnan(v[i]) else float(v[i])) for f, v in numbers.items()}
        ref = Reference(code=code, specimen=specimen, unit=units[i] or ANALYTES[code].unit,
                        lab=row_lab, assay=text("assay")[i], batch=text("batch")[i],
                        ref_date=dates[i], source=table.file, **nums)
        for f, reason in check(ref):
            column = _column_of(f, cols)
            if (row, header(column)) not in reported:
                problems.add(row, header(column), _cell(table, cols, column, row), reason)
        refs.append(ref)
    problems.raise_if_any()
    return ReferencePlan(table.file, table.description, refs)


def _column_of(f: str, cols: dict[str, int]) -> str:
    """The file column a field of a reference came from."""
    if f.startswith("range") and f not in cols:
        return "range" if "range" in cols else "spread" if "spread" in cols else f
    if f == "sd" and "sd" not in cols and "spread" in cols:
        return "spread"
    return f


def _cell(table, cols: dict[str, int], f: str, row: int) -> str | None:
    if f not in cols:
        return None
    return str(table.column(cols[f]).loc[row]).strip() or None


def _numbers(table, cols: dict[str, int], f: str, problems: Problems) -> np.ndarray:
    """A number column: NaN where empty; text, limits ('<5') and infinities are problems."""
    if f not in cols:
        return np.full(len(table.data), np.nan)
    column = table.column(cols[f])
    parsed = parse_numbers(column, table.decimal_comma)
    rows = table.data.index.to_numpy()
    stripped = column.str.strip().str.lower()
    infinite = stripped.isin(["inf", "+inf", "-inf", "infinity", "nan", "∞"]).to_numpy()
    bad = (parsed.reason != "") | (parsed.censor != None) | parsed.word | infinite  # noqa: E711
    reason = np.where(infinite, "not a finite number",
                      np.where(parsed.censor != None,  # noqa: E711
                               "a limit is not a reference value: write the number",
                               "not a number"))
    problems.add_rows(rows, table.header[cols[f]], column, reason, bad)
    value = parsed.value.copy()
    value[bad | parsed.missing] = np.nan
    return value


def _ranges(table, at: int, problems: Problems, *, sd_allowed: bool
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 'low–high' column as low and high arrays (NaN where empty); in an 'SD or range'
    column a single number is the SD (third array)."""
    column = table.column(at).str.strip()
    n = len(column)
    low, high, sd = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    for i, (row, cell) in enumerate(column.items()):
        if not cell:
            continue
        m = _RANGE.match(cell)
        if m is not None:
            low[i] = float(m["low"].replace(",", "."))
            high[i] = float(m["high"].replace(",", "."))
            continue
        number = parse_numbers(pd.Series([cell]), table.decimal_comma)
        if sd_allowed and number.reason[0] == "" and number.censor[0] is None \
                and not number.word[0] and np.isfinite(number.value[0]):
            sd[i] = number.value[0]
            continue
        problems.add(int(row), table.header[at], cell,
                     "not an SD or a range (write 5, or low–high such as 2–30)" if sd_allowed
                     else "not a range (write low–high, e.g. 2–30)")
    return low, high, sd


def _dates(table, cols: dict[str, int], problems: Problems) -> list[dt.date | None]:
    n = len(table.data)
    if "date" not in cols:
        return [None] * n
    column = table.column(cols["date"])
    filled = (column.str.strip() != "").to_numpy()
    out: list[dt.date | None] = [None] * n
    if not filled.any():
        return out
    parsed = parse_dates(column[filled])
    rows = table.data.index.to_numpy()[filled]
    problems.add_rows(rows, table.header[cols["date"]], column[filled], parsed.reason,
                      parsed.bad)
    stamps = pd.to_datetime(parsed.t, unit="s", utc=True)
    for j, i in enumerate(np.flatnonzero(filled)):
        if not parsed.bad[j]:
            out[i] = stamps[j].date()
    return out

