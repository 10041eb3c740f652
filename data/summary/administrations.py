"""The summary's table of doses recorded one by one (an administration record), beside the
dosing periods: each dose when a group has few, else a group's count, first and last dose
and the doses given.

A group is the doses of one drug inside one of its dosing periods; doses outside every
period (a patient whose dosing was imported only as administrations) group into runs of
consecutive days, as a period would be.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from data.case import DAY, Case, epoch
from data.numbers import DASH, fmt_number, is_missing, utc_date
from data.summary.dates import DateFormat
from data.summary.privacy import Privacy
from data.summary.tables import Column, Table

TITLE = "Administrations recorded"
LISTED = 4  # a group of at most this many doses is listed dose by dose


def administrations_table(case: Case, fmt: DateFormat, privacy: Privacy) -> Table | None:
    """None when no dose was recorded one by one (the periods say it all)."""
    given = case.administrations
    if given is None or given.empty:
        return None
    cols = (Column("Drug"), Column("Given", wrap=True), Column("Dose"), Column("Route"),
            Column("Dosing period"))
    rows: list[tuple[str, ...]] = []
    for drug, doses in given.sort_values(["drug", "t"], kind="stable").groupby(
            "drug", sort=True):
        periods = case.drug_periods(str(drug))
        for period, group in _groups(doses, periods, fmt):
            name = privacy.drug(drug)
            if len(group) <= LISTED:
                rows += [(name, _when(fmt, float(r.t)), _dose(r.dose, r.unit, privacy),
                          privacy.route(r.route), period) for r in group.itertuples()]
            else:
                rows.append((name, _summary(fmt, group), _doses(group, privacy),
                             _routes(group, privacy), period))
    times = "" if fmt.relative else " at its recorded time (UTC)"
    return Table(TITLE, cols, rows, note=(
        f"Each dose given{times}, from the ward's administration record; on its day it "
        "replaces the dosing period's assumed dose in time since dose, day 0 and the "
        f"treatment track. More than {LISTED} doses in a period are summarised: how many, "
        "on how many days, the first and the last, and each dose given with its count."
        + (" Times of day are withheld in a de-identified export." if fmt.relative else "")))


def _groups(doses: pd.DataFrame, periods: pd.DataFrame, fmt: DateFormat
            ) -> list[tuple[str, pd.DataFrame]]:
    """(the period's dates, its doses) in time order."""
    t = doses["t"].to_numpy(dtype=float)
    day = np.floor(t / DAY) * DAY
    which = np.full(t.size, -1)
    spans = []
    for i, (start, end) in enumerate(zip(periods["start"], periods["end"], strict=True)
                                     if len(periods) else ()):
        lo, hi = epoch(start), np.inf if pd.isna(end) else epoch(end)
        which[(day >= lo) & (day <= hi) & (which < 0)] = i
        spans.append((lo, None if pd.isna(end) else hi))
    # Outside every period: runs of consecutive days, numbered after the periods.
    loose = np.flatnonzero(which < 0)
    run = len(spans) - 1
    for k, i in enumerate(loose):
        if k == 0 or day[i] - day[loose[k - 1]] > DAY:
            run += 1
        which[i] = run
    out = []
    for g in sorted(set(which.tolist()), key=lambda g: t[which == g][0]):
        group = doses[which == g]
        if g >= len(spans):
            text = "none: doses recorded one by one only"
        else:
            lo, hi = spans[g]
            text = f"{fmt.date(lo)} to {fmt.date(hi) if hi is not None else 'ongoing'}"
        out.append((text, group))
    return out


def _when(fmt: DateFormat, t: float) -> str:
    """"2024-03-04 21:30" (a recorded time), or "day +3" when dates are relative: a time
    of day with days from day 0 gives the clock back."""
    return fmt.date(t) if fmt.relative else utc_date(t, with_time=True)


def _summary(fmt: DateFormat, group: pd.DataFrame) -> str:
    t = group["t"].to_numpy(dtype=float)
    days = np.unique(np.floor(t / DAY)).size
    return (f"{len(t)} doses on {days} day{'s' * (days != 1)}, "
            f"{_when(fmt, t[0])} to {_when(fmt, t[-1])}")


def _dose(dose: float, unit: object, privacy: Privacy) -> str:
    return DASH if is_missing(dose) else f"{fmt_number(float(dose))} {privacy.unit(unit)}".strip()


def _doses(group: pd.DataFrame, privacy: Privacy) -> str:
    """"100 mg ×10; 150 mg ×2", the commonest first."""
    counts = Counter(_dose(d, u, privacy) for d, u in zip(group["dose"], group["unit"],
                                                           strict=True))
    return "; ".join(f"{text} ×{n}" for text, n in counts.most_common())


def _routes(group: pd.DataFrame, privacy: Privacy) -> str:
    return ", ".join(dict.fromkeys(privacy.route(r) for r in group["route"]))
