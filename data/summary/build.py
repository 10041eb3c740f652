"""The whole summary: header, key figures and tables, as strings, in one date format."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from data.case import DAY, Case, epoch
from data.numbers import DASH, fmt_number, is_missing, shown
from data.patients import sex_text
from data.summary.audit import notes_table
from data.summary.dates import DateFormat, date_format
from data.summary.figures import NEAR_NORMAL_FOLD, KeyFigure, key_figures
from data.summary.references import references_table
from data.summary.scrub import scrubber
from data.summary.tables import Table, aidai_table, cytokine_table, dosing_table, episodes_table


@dataclass
class Summary:
    pseudonym: str
    title: str
    deidentified: bool
    header: list[tuple[str, str]]
    figures: list[KeyFigure]
    tables: list[Table]
    date_mode: str  # shown under the timeline: how to read its axis

    def all_text(self) -> Iterable[str]:
        """Every string the summary holds, for de-identification checks."""
        yield from (self.pseudonym, self.title, self.date_mode)
        for k, v in self.header:
            yield from (k, v)
        for f in self.figures:
            yield from (f.name, f.value, f.definition, f.threshold)
        for t in self.tables:
            yield from (t.title, t.note, t.empty, *(c.name for c in t.columns))
            for row in t.rows:
                yield from row


def _age_text(x: object) -> str:
    return DASH if is_missing(x) else f"{fmt_number(float(x))} year{'' if float(x) == 1 else 's'}"


def build_summary(case: Case, *, deidentify: bool = False, reviewer: str | None = None,
                  audit: pd.DataFrame | None = None, generated_at: dt.datetime | None = None,
                  near_normal_fold: float = NEAR_NORMAL_FOLD) -> Summary:
    """Everything the PDF prints, as strings, in the requested date format."""
    fmt = date_format(case, relative=deidentify)
    scrub = scrubber(case.patient, active=deidentify)
    p = case.patient
    lo, hi = _period_covered(case)
    header: list[tuple[str, str]] = [("Case", case.pseudonym)]
    if not deidentify:
        if p.get("name"):
            header.append(("Name", str(p["name"])))
        if p.get("birth_date"):
            header.append(("Born", str(p["birth_date"])))
        if p.get("record_number"):
            header.append(("Record", str(p["record_number"])))
    header += [
        ("Diagnosis", shown(p.get("diagnosis"))),
        ("Genotype", shown(p.get("genotype"))),
        ("Sex", sex_text(p.get("sex"))),
        ("Age at onset", _age_text(p.get("onset_age"))),
        ("Reviewer", scrub(reviewer or shown(p.get("reviewed_by"), "not assigned"))),
        ("Review status", _review_status(p, fmt)),
        ("Period covered", f"{fmt.date(lo)} to {fmt.date(hi)}"
                           f" ({_days_between(lo, hi)} days)"),
        ("Day 0", "first anakinra dose" + ("" if deidentify or case.day0 is None
                                           else f", {fmt.date(case.day0)}")
         if case.day0 is not None else "no anakinra: days count from the first record"),
        ("Generated", "withheld in a de-identified export" if deidentify
         else (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    tables = [
        episodes_table(case, fmt, scrub),
        references_table(case, deidentify=deidentify),
        cytokine_table(case, fmt),
        dosing_table(case, fmt),
        aidai_table(case, fmt),
        notes_table(case, fmt, audit, scrub),
    ]
    mode = ("Times are days from day 0 (first anakinra dose)." if deidentify
            else "Times are calendar dates (UTC).")
    return Summary(
        pseudonym=case.pseudonym,
        title=f"Case summary {case.pseudonym}" + (" (de-identified)" if deidentify else ""),
        deidentified=deidentify,
        header=header,
        figures=key_figures(case, fmt, near_normal_fold=near_normal_fold),
        tables=tables,
        date_mode=mode,
    )


def _period_covered(case: Case) -> tuple[float, float]:
    """The first and the last recorded date: a value, a medication start or end.

    Not ``Case.time_range``, which reaches one day past the last dose so the timeline
    can draw that day.
    """
    ts: list[float] = []
    if not case.observations.empty:
        t = case.observations["t"].to_numpy(dtype=float)
        ts += [float(t.min()), float(t.max())]
    m = case.medications
    if not m.empty:
        ts += [epoch(m["start"].min()), epoch(m["start"].max())]
        ends = m["end"].dropna()
        if len(ends):
            ts.append(epoch(ends.max()))
    return (min(ts), max(ts)) if ts else case.time_range


def _days_between(lo: float, hi: float) -> int:
    """Calendar days from lo's day to hi's day, both counted."""
    return int(math.floor(hi / DAY) - math.floor(lo / DAY)) + 1


def _review_status(p: dict, fmt: DateFormat) -> str:
    if not p.get("reviewed_by"):
        return "not reviewed"
    at = p.get("reviewed_at")
    return "reviewed" + ("" if is_missing(at) else f" on {fmt.date(float(at))}")
