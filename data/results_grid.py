"""The results grid: every cytokine and marker measurement of a case as a date × analyte
table, as an EHR's results view shows them (issue 14, item 3), the physician global
(score and word, never flagged) and the stimulation indices (data.stimulation) as columns
of their own.

A value outside its reference is flagged ↑ or ↓: for a cytokine the healthy-control band
(mean ± 2 SD, or the reported range; data.controls.band), for a marker its upper limit
of normal. A censored value keeps its sign (`<5`) and is flagged only when the limit
itself says so: `<5` under a band starting at 8 is ↓, under one starting at 2 it is not
known. Rows are UTC calendar days; two measurements of one column on one day share a cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from data.alignment import DAY
from data.case import Case
from data.codes import (
    ANALYTES,
    CYTOKINES,
    MARKERS,
    PBMC_LPS,
    PBMC_SPONTANEOUS,
    PGA,
    SERUM,
    pga_text,
)
from data.controls import band
from data.numbers import fmt_number
from data.stimulation import SPECIMEN as SI_SPECIMEN
from data.stimulation import UNIT as SI_UNIT
from data.stimulation import stimulation_indices
from data.summary.censored import Measure, censor_sign

HIGH, LOW = "↑", "↓"
SHORT_SPECIMEN = {PBMC_SPONTANEOUS: "spont.", PBMC_LPS: "LPS", SERUM: "serum", "": ""}


@dataclass(frozen=True)
class GridColumn:
    code: str
    specimen: str
    title: str  # "IL-1β spont."
    unit: str
    low: float | None  # the reference the flags use; None: no bound that side
    high: float | None
    # An upper limit of normal is stated "normal below 5 mg/L" (DOMAIN.md): 5 itself is
    # outside it. A control band's mean + 2 SD is inside its own band.
    normal_below: bool = False
    # How a value reads: the physician global with its word ("2 (mild)"); None: a number.
    words: Callable[[float], str] | None = None
    usual: bool = False  # high is the usual limit of normal: the lab sent no reference

    @property
    def caveat(self) -> str:
        """What a reader must know about the analyte, as a sentence; '' for most."""
        text = ANALYTES[self.code].caveat if self.code in ANALYTES else ""
        return f"{text[0].upper()}{text[1:]}." if text else ""

    @property
    def reference(self) -> str:
        """"reference 2–22 pg/mL", "normal < 5 mg/L", or "no reference"."""
        from data.numbers import fmt_number

        if self.low is not None and self.high is not None:
            return f"reference {fmt_number(self.low)}–{fmt_number(self.high)} {self.unit}"
        if self.high is not None:
            return f"normal < {fmt_number(self.high)} {self.unit}" + (
                " (the usual limit: no lab reference imported)" if self.usual else "")
        return "no reference"


@dataclass(frozen=True)
class Cell:
    t: float
    value: float
    censor: str  # '', '<' or '>'
    flag: str  # HIGH, LOW or ''

    def text(self, words: Callable[[float], str] | None = None) -> str:
        if not np.isfinite(self.value):  # a stimulation index of two censored values
            return "not computable"
        value = Measure(self.value, self.censor).text(words or fmt_number)
        return f"{value}{' ' + self.flag if self.flag else ''}"


@dataclass
class ResultsGrid:
    days: np.ndarray  # the midnight (UTC epoch seconds) of each row, ascending
    columns: list[GridColumn]
    cells: dict[tuple[int, int], list[Cell]] = field(default_factory=dict)  # (row, column)

    def text(self, row: int, col: int) -> str:
        words = self.columns[col].words
        return " / ".join(c.text(words) for c in self.cells.get((row, col), ()))

    def row_of(self, t: float) -> int:
        return int(np.searchsorted(self.days, np.floor(t / DAY) * DAY))


def flags(values: np.ndarray, censor: np.ndarray, low: float | None,
          high: float | None, normal_below: bool = False) -> np.ndarray:
    """↑/↓ for each value against [low, high] (against [low, high) when normal lies
    strictly below ``high``); a limit flags only when it decides."""
    out = np.full(values.size, "", dtype=object)
    measured, below, above = censor == "", censor == "<", censor == ">"
    if high is not None:
        # ">500" is above 400; "<5" can never be shown above anything.
        over = values >= high if normal_below else values > high
        out[(measured | above) & over] = HIGH
    if low is not None:
        # "<5" is below 8 (all of it lies under the limit); "<5" against 2 is unknown.
        out[(measured & (values < low)) | (below & (values <= low))] = LOW
    return out


def _reference(case: Case, code: str, specimen: str,
               unit: str) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, normal_below, usual) of the code's reference; see GridColumn."""
    ref = case.control(code, specimen)
    if ref is None:
        analyte = ANALYTES.get(code)
        if analyte is not None and analyte.usual_upper is not None and unit == analyte.unit:
            return None, analyte.usual_upper, True, True
        return None, None, False, False
    low, high = band(ref) or (None, None)
    upper = ref.get("upper_normal")
    if isinstance(upper, int | float) and np.isfinite(upper):
        return (low if low else None), float(upper), True, False
    return low, high, False, False


def results_grid(case: Case) -> ResultsGrid:
    """Every cytokine and inflammatory-marker measurement of the case, one row per day."""
    columns: list[GridColumn] = []
    series = []
    for analyte in (*CYTOKINES, *MARKERS):
        for specimen in case.specimens(analyte.code):
            s = case.series(analyte.code, specimen)
            if s.empty:
                continue
            unit = str(s["unit"].iloc[0])
            low, high, normal_below, usual = _reference(case, analyte.code, specimen, unit)
            short = SHORT_SPECIMEN.get(specimen, specimen)
            title = f"{analyte.label} {short}".strip() if analyte in CYTOKINES else analyte.label
            columns.append(GridColumn(analyte.code, specimen, title, unit, low, high,
                                      normal_below, usual=usual))
            series.append(s)
    pga = case.series(PGA)
    if not pga.empty:  # a judgement on a scale: no reference, never flagged
        columns.append(GridColumn(PGA, "", ANALYTES[PGA].label, "0–4", None, None,
                                  words=pga_text))
        series.append(pga.assign(censor=""))
    si = stimulation_indices(case)
    for analyte in CYTOKINES:
        rows = si[si["code"] == analyte.code]
        if len(rows):  # a ratio has no reference: never flagged
            columns.append(GridColumn(analyte.code, SI_SPECIMEN, f"{analyte.label} LPS ÷ spont.",
                                      SI_UNIT, None, None))
            series.append(rows.assign(censor=rows["censor"].fillna("")))
    if not series:
        return ResultsGrid(np.array([], dtype=float), [])
    days = np.unique(np.concatenate([np.floor(s["t"].to_numpy(dtype=float) / DAY) * DAY
                                     for s in series]))
    grid = ResultsGrid(days, columns)
    for col, (column, s) in enumerate(zip(columns, series, strict=True)):
        t = s["t"].to_numpy(dtype=float)
        values = s["value"].to_numpy(dtype=float)
        censor = np.array([censor_sign(c) for c in s["censor"]], dtype=object)
        flag = flags(values, censor, column.low, column.high, column.normal_below)
        rows = np.searchsorted(days, np.floor(t / DAY) * DAY)
        for r, tt, v, c, f in zip(rows, t, values, censor, flag, strict=True):
            grid.cells.setdefault((int(r), col), []).append(Cell(float(tt), float(v), c, f))
    return grid
