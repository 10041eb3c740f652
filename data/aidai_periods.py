"""The periods the AIDAI diary is summed over: calendar months, or 30-day blocks from day 0.

One definition for the timeline's month-score line, the key figure and the summary's
table. A de-identified view cannot use calendar months: their lengths (28, 31, 30 …) and
edges give the calendar back, and with it day 0's real date; it sums 30-day blocks
counted from day 0 instead.

An item the diary did not record on a day is missing, not a "no" (DOMAIN.md: missing
diary data is flagged, never silently scored low), so a period is complete only when
every day of it has all 12 items; what is missing is said plainly, day by day and item
by item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.alignment import DAY, day_text
from data.case import Case, epochs
from data.codes import AIDAI_ACTIVE_THRESHOLD, AIDAI_CODES, label

BLOCK_DAYS = 30


@dataclass(frozen=True)
class AidaiPeriod:
    """One month or block: its edges (epoch seconds, end exclusive) and what was recorded."""

    start: float
    end: float
    month: pd.Period | None  # the calendar month; None for a 30-day block
    first_day: int | None  # day number of a block's first day; None for a month
    score: float  # sum of the recorded items; NaN without any diary day
    length: int  # days in the period
    diary_days: int  # days with at least one item recorded
    full_days: int  # days with all 12 items recorded
    missing_items: tuple[tuple[str, int], ...]  # (item label, diary days without it)

    @property
    def complete(self) -> bool:
        return self.full_days == self.length

    @property
    def active(self) -> bool:
        """Active disease: AIDAI ≥ 9. Missing items can only add to a sum, so an
        incomplete period already at the threshold is active; below it, it is unknown."""
        return bool(self.score >= AIDAI_ACTIVE_THRESHOLD)

    @property
    def classified(self) -> bool:
        return self.complete or self.active

    def verdict(self) -> str:
        """"active", "inactive", or what is missing: "incomplete: 12 days without diary;
        items not recorded: Headache, Chest pain (3 of 28 diary days)"."""
        if self.complete:
            return "active" if self.active else "inactive"
        gaps = []
        no_diary = self.length - self.diary_days
        if no_diary:
            gaps.append(f"{no_diary} day{'s' if no_diary != 1 else ''} without diary")
        if self.missing_items:
            # Items missing on every diary day first, named alone; then the others, grouped
            # by on how many diary days they are missing.
            counts = sorted({n for _, n in self.missing_items}, reverse=True)
            groups = []
            for count in counts:
                names = ", ".join(name for name, n in self.missing_items if n == count)
                groups.append(names if count == self.diary_days else
                              f"{names} ({count} of {self.diary_days} diary days)")
            gaps.append("items not recorded: " + "; ".join(groups))
        head = "active (incomplete diary)" if self.active else "incomplete"
        return f"{head}: {'; '.join(gaps)}"


def aidai_periods(case: Case, *, relative: bool) -> list[AidaiPeriod]:
    """The diary's periods from the first to the last diary day: calendar months, or with
    relative=True (de-identified) 30-day blocks from day 0 (case.anchor).

    Summed for every period at once over the days' rows (sorted by day, so a period's
    days are one run of rows): period by period, a ten-year diary took ~20 ms of the
    case's opening."""
    a = case.activity_score
    if a.empty:
        return []
    t = a["t"].to_numpy(dtype=float)
    recorded = _recorded(case, t)
    if relative:
        days = np.asarray(case.anchor.days(t), dtype=int)
        key = np.floor_divide(days, BLOCK_DAYS)
    else:
        months = pd.to_datetime(t, unit="s").to_period("M")
        key = months.asi8
    first_rows = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])

    def per_period(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, first_rows, axis=0)

    any_item = recorded.any(axis=1)
    with_diary = per_period(any_item.astype(int))
    full = per_period(recorded.all(axis=1).astype(int))
    scores = np.where(with_diary > 0, per_period(np.nan_to_num(a["score"].to_numpy(float))),
                      np.nan)
    missing = per_period((~recorded & any_item[:, None]).astype(int))  # periods × items
    if relative:
        firsts = [int(k) * BLOCK_DAYS for k in key[first_rows]]
        starts = case.anchor.t + np.array(firsts, dtype=float) * DAY
        ends, lengths = starts + BLOCK_DAYS * DAY, np.full(len(firsts), BLOCK_DAYS)
        periods: list = [None] * len(firsts)
    else:
        firsts = [None] * len(first_rows)
        periods = list(months[first_rows])
        first_months = months[first_rows]
        starts = epochs(first_months.start_time)
        ends = epochs(first_months.end_time.normalize()) + DAY
        lengths = first_months.days_in_month
    labels = [label(code) for code in AIDAI_CODES]
    gaps = missing.tolist()  # Python ints: numpy scalars one by one cost ~1 ms a case
    return [AidaiPeriod(float(starts[i]), float(ends[i]), periods[i], firsts[i],
                        float(scores[i]), int(lengths[i]), int(with_diary[i]), int(full[i]),
                        tuple((labels[j], n) for j, n in enumerate(gaps[i]) if n))
            for i in range(len(first_rows))]


def _recorded(case: Case, t: np.ndarray) -> np.ndarray:
    """days × items: whether the item was recorded on the day (t: the days' midnights,
    sorted)."""
    out = np.zeros((len(t), len(AIDAI_CODES)), dtype=bool)
    for j, code in enumerate(AIDAI_CODES):
        st, value = case.numbers(code)
        if len(st):
            days = (st // DAY) * DAY
            days = days[~np.isnan(value)]
            # A binary search in the sorted days (np.isin sorted both sides, per item).
            row = np.clip(np.searchsorted(t, days), 0, len(t) - 1)
            out[row[t[row] == days], j] = True
    return out


def period_text(p: AidaiPeriod) -> str:
    """"2026-01", or for a block "day 0 to +29"."""
    if p.month is not None:
        return str(p.month)
    return f"{day_text(p.first_day)} to {p.first_day + BLOCK_DAYS - 1:+d}"


def period_definition(relative: bool) -> str:
    if relative:
        return (f"{BLOCK_DAYS}-day blocks from day 0, not calendar months (whose lengths "
                "would give the calendar back)")
    return "calendar months"
