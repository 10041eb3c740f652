"""The summary's tables: episodes, cytokines, dosing, monthly AIDAI."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from data.aidai_periods import BLOCK_DAYS, aidai_periods, period_definition, period_text
from data.case import DAY, Case, epoch, is_per_kg
from data.codes import (
    AIDAI_ACTIVE_THRESHOLD,
    AIDAI_CODES,
    ANAKINRA,
    CYTOKINES,
    PGA_LEVELS,
    label,
)
from data.dose_context import DEFAULT_DOSE_TIME, OFF_DRUG_HOURS, dose_context, is_date_only
from data.dose_context import texts as dose_texts
from data.episode_edit import last_day
from data.numbers import DASH, fmt_fold, fmt_number, is_missing, shown
from data.stimulation import SPECIMEN as SI_SPECIMEN
from data.summary.censored import Measure, censor_sign
from data.summary.dates import DateFormat
from data.summary.privacy import Privacy


@dataclass(frozen=True)
class Column:
    name: str
    align: str = "left"  # "left" | "right"
    wrap: bool = False  # long free text: wraps instead of setting the column width


@dataclass
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[str, ...]]
    empty: str = "none recorded"
    note: str = ""


def episodes_table(case: Case, fmt: DateFormat, privacy: Privacy) -> Table:
    cols = (Column("Kind"), Column("Onset"), Column("End"), Column("Duration", "right"),
            Column("Severity"), Column("Certainty"), Column("Note", wrap=True))
    rows = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        # Ends are stored exclusive (a one-day episode on 14 March ends 15 March 00:00):
        # the table prints the last day covered, the duration counts end − onset.
        end = None if is_missing(r.end) else float(r.end)
        if end is None:
            duration = "ongoing"
        else:
            duration = f"{max(0, round((end - float(r.onset)) / DAY))} d"
        status = shown(getattr(r, "status", None), "accepted")
        kind = privacy.vocab("kind", r.kind) + (
            "" if status == "accepted" else f" ({privacy.vocab('status', status)})")
        last = "open" if end is None else fmt.date(last_day(end))
        rows.append((kind, fmt.date(float(r.onset)), last, duration,
                     privacy.vocab("severity", r.severity),
                     privacy.vocab("certainty", r.certainty), privacy.note(r.note)))
    return Table("Episodes", cols, rows, empty="no episode annotated")


def cytokine_table(case: Case, fmt: DateFormat, privacy: Privacy, *,
                   dose_time: float = DEFAULT_DOSE_TIME) -> Table:
    """The results grid (data.results_grid) as the PDF prints it: a row per day, a column
    per analyte and specimen (a cytokine's fold over controls under its value), the
    stimulation indices, and what anakinra was then. One row per value ran to three pages.

    dose_time is the usual anakinra time (a setting) behind "Anakinra then"."""
    from data.results_grid import results_grid  # it imports data.summary.censored

    grid = results_grid(case)
    cols = [Column(_grid_header(c, privacy), "right") for c in grid.columns]
    date_col = Column("Day" if fmt.relative else "Date")
    table_cols = (date_col, *cols, Column("Anakinra then", wrap=True))
    folds = _folds(case, grid)
    rows: list[tuple[str, ...]] = []
    # What anakinra was at each day's first sample, and at its last: they differ on the
    # day of a first injection recorded with its time, samples before and after it. A day
    # with timed samples is read from those alone: a date-only value the same day (a
    # physician global) would turn "≈2 h after" into "time not recorded".
    times: dict[int, list[float]] = {}
    for (row, _), cells in grid.cells.items():
        times.setdefault(row, []).extend(float(c.t) for c in cells)
    first = np.full(len(grid.days), np.inf)
    last = np.full(len(grid.days), -np.inf)
    for row, ts in times.items():
        timed = [t for t in ts if not is_date_only(t)] or ts
        first[row], last[row] = min(timed), max(timed)
    ctx = dose_context(case, np.concatenate([first, last]), dose_time=dose_time)
    texts = dose_texts(ctx, case.anchor, with_day=False, clock_free=fmt.relative)
    n = len(grid.days)
    dose = [a if ctx.state[k] == ctx.state[k + n] else f"{a} / {texts[k + n]}"
            for k, a in enumerate(texts[:n])]
    for row, day in enumerate(grid.days):
        date = fmt.date(float(day)) if fmt.relative else \
            f"{fmt.date(float(day))}\n{case.anchor.label(float(day))}"
        cells = []
        for col, column in enumerate(grid.columns):
            shown_cells = grid.cells.get((row, col), [])
            ratio = column.specimen == SI_SPECIMEN  # an index is a ratio: fmt_fold
            values = " / ".join(_cell_text(c, ratio, column.words) for c in shown_cells)
            fold = " / ".join(folds[(col, c.t)] for c in shown_cells if (col, c.t) in folds)
            cells.append(f"{values}\n{fold}" if fold else values)
        rows.append((date, *cells, dose[row]))
    references = "; ".join(f"{c.title} {c.reference}" for c in grid.columns
                           if c.specimen != SI_SPECIMEN and c.words is None)
    return Table("Cytokine measurements", table_cols, rows,
                 note="A row per day, a column per analyte and specimen; under a cytokine's "
                      "value, its fold (value ÷ healthy-control mean for the same analyte and "
                      "specimen). ↑/↓: outside the healthy-control band (mean ± 2 SD or the "
                      f"reported range) or the normal range: {references}. A value such as "
                      "“<5” was below the assay's detection limit: the limit is shown, not a "
                      "measurement, flagged only when the limit decides. Anakinra then: "
                      f"{_since_dose_note(fmt.relative, dose_time)} "
                      "Stimulation index (LPS ÷ spontaneous): the LPS-stimulated value ÷ the "
                      "spontaneous one of the same analyte drawn the same day (the nearest in "
                      "time); a censored value makes it a bound, two make it not computable."
                      + (" PGA: physician global assessment, " + ", ".join(
                         f"{i} {w}" for i, w in enumerate(PGA_LEVELS)) + "; no reference, never "
                         "flagged." if any(c.words for c in grid.columns) else "")
                 + "".join(f" {c.title.split()[0]}: {c.caveat}" for c in _caveats(grid, case)))


def _caveats(grid, case: Case) -> list:
    """A column per analyte whose values need a caveat, on a case where it applies (the
    IL-1Ra assay and the drug: only once anakinra was given)."""
    if case.day0 is None:
        return []
    seen: dict[str, object] = {}
    for c in grid.columns:
        if c.caveat:
            seen.setdefault(c.code, c)
    return list(seen.values())


def _grid_header(column, privacy: Privacy) -> str:
    """Analyte, specimen and unit on lines of their own, so ten columns fit an A4 page; a
    specimen or unit read from a file is printed only as a de-identified summary allows."""
    from data.results_grid import SHORT_SPECIMEN

    if column.specimen == SI_SPECIMEN:
        return f"{label(column.code)}\nLPS ÷\nspont."  # a ratio: no unit
    if column.words is not None:  # a score: its scale instead of a unit
        return f"PGA\n{column.unit}"
    specimen = SHORT_SPECIMEN.get(column.specimen) if column.specimen in SHORT_SPECIMEN \
        else privacy.specimen(column.specimen)
    lines = [label(column.code), specimen, privacy.unit(column.unit)]
    return "\n".join(x for x in lines if x)


def _cell_text(cell, ratio: bool, words=None) -> str:
    if not np.isfinite(cell.value):  # a stimulation index of two censored values
        return "not\ncomputable"  # two lines, as narrow as a value over its fold
    if words is not None:  # the physician global: its score over its word ("2" over
        # "mild"), without the window's brackets, which took the width "Anakinra then" needs
        return words(cell.value).replace(" (", "\n", 1).removesuffix(")")
    value = Measure(cell.value, cell.censor).text(fmt_fold if ratio else fmt_number)
    return f"{value} {cell.flag}" if cell.flag else value


def _folds(case: Case, grid) -> dict[tuple[int, float], str]:
    """Each cytokine value's fold over controls, as the timeline's readout writes it."""
    codes = {a.code for a in CYTOKINES}
    out: dict[tuple[int, float], str] = {}
    for col, column in enumerate(grid.columns):
        if column.code not in codes or column.specimen == SI_SPECIMEN:
            continue
        s = case.fold(column.code, column.specimen)
        for t, f, c in zip(s["t"], s["fold"], s["censor"], strict=True):
            if np.isfinite(f):
                out[(col, float(t))] = f"{Measure(float(f), censor_sign(c)).text(fmt_fold)}×"
    return out


def _since_dose_note(clock_free: bool, dose_time: float) -> str:
    if clock_free:
        # No hours and no usual dosing time: with both, every sample's clock time is back.
        return (f"whether the sample was drawn within {OFF_DRUG_HOURS:.0f} h of the last "
                "administration, and its dose; a dose recorded as a daily period counts "
                "from the usual dosing time. More than "
                f"{OFF_DRUG_HOURS:.0f} h after a dose is possibly off-drug.")
    return ("time since the last administration and its dose; “≈” marks a time counted "
            f"from the usual dosing time, {_clock(dose_time)}, for doses recorded "
            f"as daily periods; more than {OFF_DRUG_HOURS:.0f} h after a dose is possibly "
            "off-drug.")


def _clock(seconds: float) -> str:
    """"08:00 UTC": a time of day, as the settings and --dose-time take it."""
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d} UTC"


def dosing_table(case: Case, fmt: DateFormat, privacy: Privacy) -> Table:
    cols = (Column("Drug"), Column("ATC"), Column("Daily dose", "right"), Column("Route"),
            Column("From"), Column("To"), Column("Days", "right"),
            Column("Weight used", wrap=True))
    m = case.medications
    rows = []
    if len(m):
        m = m.sort_values(["start", "drug"])
        last_end: dict[str, float] = {}
        for r in m.itertuples(index=False):
            drug, atc = privacy.drug(r.drug, r.atc), privacy.atc(r.atc)
            start = epoch(r.start)
            end = None if is_missing(r.end) else epoch(r.end)
            prev = last_end.get(r.drug)
            if prev is not None and start > prev + DAY:
                gap = round((start - prev) / DAY) - 1
                rows.append((drug, atc, "interrupted", "", fmt.date(prev + DAY),
                             fmt.date(start - DAY), str(gap), ""))
            unit = privacy.unit(r.unit)
            dose = DASH if is_missing(r.dose) else _dose_text(float(r.dose), unit)
            days = "ongoing" if end is None else str(round((end - start) / DAY) + 1)
            # The weights convert anakinra both ways: a dose per kg to the timeline's mg/d,
            # a dose in mg to mg/kg/d (the timeline's per-kg view, each sample's dose).
            weight = (_weights_used(case, fmt, start, end) if converted(r.drug)
                      and (is_per_kg(r.unit) or not case.series("WEIGHT").empty) else "")
            rows.append((drug, atc, dose, privacy.route(r.route), fmt.date(start),
                         fmt.date(end) if end is not None else "ongoing", days, weight))
            if end is not None:
                last_end[r.drug] = max(end, last_end.get(r.drug, end))
    given = case.administrations is not None and not case.administrations.empty
    empty = ("no dosing period recorded: the doses were recorded one by one (see "
             "Administrations recorded)" if given else "no medication recorded")
    if not any(r[-1] for r in rows):  # no weight and no dose per kg: nothing converted
        return Table("Dosing history", cols[:-1], [r[:-1] for r in rows], empty=empty)
    return Table("Dosing history", cols, rows, empty=empty,
                 note="Weight used: the body weights that convert an anakinra dose between "
                      "mg/d and mg/kg/d, on the timeline and beside each sample (the last "
                      "weight before a day is carried forward; the first one back).")


def converted(drug: object) -> bool:
    """The drug the timeline shows in both mg/d and mg/kg/d (Case.daily_dose)."""
    return str(drug).strip().lower() == ANAKINRA


def _weights_used(case: Case, fmt: DateFormat, start: float, end: float | None) -> str:
    w = case.series("WEIGHT")
    if w.empty:
        return "no weight recorded"
    t = w["t"].to_numpy(dtype=float)
    v = w["value"].to_numpy(dtype=float)
    stop = end + DAY if end is not None else math.inf
    first = max(int(np.searchsorted(t, start, side="right")) - 1, 0)
    used = [i for i in range(len(t)) if i == first or start <= t[i] < stop]
    each = [f"{fmt_number(v[i])} kg ({fmt.date(t[i])})" for i in used]
    if len(each) <= 4:
        return "; ".join(each)
    lo, hi = min(v[i] for i in used), max(v[i] for i in used)
    return (f"{each[0]}; … {each[-1]}: {len(each)} weights, {fmt_number(lo)} to "
            f"{fmt_number(hi)} kg")


_DAILY_SUFFIXES = ("/d", "/day", "/j", "/jour", "/24h")


def _dose_text(dose: float, unit: str) -> str:
    """A daily dose: "100 mg/d"; a unit that already is per day ("mg/kg/d") stays as is."""
    daily = unit.strip().lower().endswith(_DAILY_SUFFIXES)
    return f"{fmt_number(dose)} {unit}{'' if daily else '/d'}".strip()


def aidai_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Month" if not fmt.relative else f"{BLOCK_DAYS} days"),
            Column("AIDAI", "right"), Column("Diary days", "right"), Column("Assessment"))
    rows = [(period_text(p), DASH if is_missing(p.score) else fmt_number(p.score),
             f"{p.diary_days} of {p.length}", p.verdict())
            for p in aidai_periods(case, relative=fmt.relative)]
    return Table("Monthly AIDAI", cols, rows, empty="no diary recorded",
                 note=f"Sums over {period_definition(fmt.relative)}. Active: AIDAI ≥ "
                      f"{AIDAI_ACTIVE_THRESHOLD}. A period is complete when every day has all "
                      f"{len(AIDAI_CODES)} items recorded; an item not recorded is missing, "
                      "not 'no', so an incomplete period below the threshold is not "
                      "classified. Diary days count days with any item recorded.")
