"""The summary's tables: episodes, cytokines, dosing, monthly AIDAI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.case import DAY, Case, epoch
from data.codes import AIDAI_ACTIVE_THRESHOLD, AIDAI_CODES, CYTOKINES, label
from data.episode_edit import last_day
from data.numbers import DASH, fmt_number, is_missing, shown
from data.summary.censored import Measure, censor_sign
from data.summary.dates import DateFormat
from data.summary.figures import specimen_text
from data.summary.scrub import Scrubber


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


def episodes_table(case: Case, fmt: DateFormat, scrub: Scrubber) -> Table:
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
        status = getattr(r, "status", "accepted") or "accepted"
        kind = str(r.kind) + ("" if status == "accepted" else f" ({status})")
        last = "open" if end is None else fmt.date(last_day(end))
        rows.append((kind, fmt.date(float(r.onset)), last, duration,
                     shown(r.severity), shown(r.certainty), scrub(shown(r.note, ""))))
    return Table("Episodes", cols, rows, empty="no episode annotated")


def cytokine_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Date"), Column("Analyte"), Column("Specimen"), Column("Value", "right"),
            Column("Unit"), Column("Fold", "right"))
    codes = [a.code for a in CYTOKINES]
    parts = []
    for code in codes:
        for spec in case.specimens(code):
            s = case.fold(code, spec)
            parts.append(s)
    if not parts:
        return Table("Cytokine measurements", cols, [])
    df = pd.concat(parts)
    order = {c: i for i, c in enumerate(codes)}
    df = df.assign(_o=df["code"].astype(str).map(order)).sort_values(["t", "_o", "specimen"])
    rows = []
    for t, code, spec, v, c, u, f in zip(df["t"], df["code"], df["specimen"], df["value"],
                                         df["censor"], df["unit"], df["fold"], strict=True):
        cen = censor_sign(c)
        value = Measure(float(v), cen).text()
        fold = Measure(float(f), cen).text() if np.isfinite(f) else DASH
        rows.append((fmt.date(t), label(str(code)), specimen_text(str(spec)), value,
                     str(u), fold))
    return Table("Cytokine measurements", cols, rows,
                 note="Fold = value ÷ healthy-control mean for the same analyte and specimen. "
                      "A value such as “<5” was below the assay's detection limit: the limit "
                      "is shown, not a measurement.")


def dosing_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Drug"), Column("ATC"), Column("Daily dose", "right"), Column("Route"),
            Column("From"), Column("To"), Column("Days", "right"))
    m = case.medications
    rows = []
    if len(m):
        m = m.sort_values(["start", "drug"])
        last_end: dict[str, float] = {}
        for r in m.itertuples(index=False):
            start = epoch(r.start)
            end = None if is_missing(r.end) else epoch(r.end)
            prev = last_end.get(r.drug)
            if prev is not None and start > prev + DAY:
                gap = round((start - prev) / DAY) - 1
                rows.append((str(r.drug), shown(r.atc), "interrupted", "", fmt.date(prev + DAY),
                             fmt.date(start - DAY), str(gap)))
            dose = DASH if is_missing(r.dose) else _dose_text(float(r.dose), shown(r.unit, ""))
            days = "ongoing" if end is None else str(round((end - start) / DAY) + 1)
            rows.append((str(r.drug), shown(r.atc), dose, shown(r.route), fmt.date(start),
                         fmt.date(end) if end is not None else "ongoing", days))
            if end is not None:
                last_end[r.drug] = max(end, last_end.get(r.drug, end))
    return Table("Dosing history", cols, rows, empty="no medication recorded")


_DAILY_SUFFIXES = ("/d", "/day", "/j", "/jour", "/24h")


def _dose_text(dose: float, unit: str) -> str:
    """A daily dose: "100 mg/d"; a unit that already is per day ("mg/kg/d") stays as is."""
    daily = unit.strip().lower().endswith(_DAILY_SUFFIXES)
    return f"{fmt_number(dose)} {unit}{'' if daily else '/d'}".strip()


def aidai_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Month"), Column("AIDAI", "right"), Column("Diary days", "right"),
            Column("Assessment"))
    m = case.monthly_aidai()
    rows = []
    for r in m.itertuples(index=False):
        days = f"{int(r.days_recorded)} of {int(r.days_in_month)}"
        if not r.complete:
            missing = int(r.days_in_month) - int(r.days_recorded)
            verdict = f"incomplete: {missing} day{'s' if missing != 1 else ''} missing"
        elif r.score >= AIDAI_ACTIVE_THRESHOLD:
            verdict = "active"
        else:
            verdict = "inactive"
        rows.append((fmt.month(r.month), fmt_number(float(r.score)), days, verdict))
    return Table("Monthly AIDAI", cols, rows, empty="no diary recorded",
                 note=f"Active: complete month with AIDAI ≥ {AIDAI_ACTIVE_THRESHOLD}. Diary days "
                      f"count days with all {len(AIDAI_CODES)} items recorded.")
