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
from data.case import Case, epoch
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
    relative=True (de-identified) 30-day blocks from day 0 (case.anchor)."""
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
    out = []
    for k in np.unique(key):
        rows = key == k
        if relative:
            first = int(k) * BLOCK_DAYS
            start = case.anchor.t + first * DAY
            end, length, month = start + BLOCK_DAYS * DAY, BLOCK_DAYS, None
        else:
            first = None
            month = months[rows][0]
            start, end = epoch(month.start_time), epoch(month.end_time.normalize()) + DAY
            length = int(month.days_in_month)
        out.append(_period(start, end, month, first, length, a["score"].to_numpy()[rows],
                           recorded[rows]))
    return out


def _recorded(case: Case, t: np.ndarray) -> np.ndarray:
    """days × items: whether the item was recorded on the day (t: the days' midnights)."""
    out = np.zeros((len(t), len(AIDAI_CODES)), dtype=bool)
    for j, code in enumerate(AIDAI_CODES):
        s = case.series(code)
        if len(s):
            days = (s["t"].to_numpy() // DAY) * DAY
            out[:, j] = np.isin(t, days[~np.isnan(s["value"].to_numpy(dtype=float))])
    return out


def _period(start: float, end: float, month: pd.Period | None, first: int | None,
            length: int, scores: np.ndarray, recorded: np.ndarray) -> AidaiPeriod:
    any_item = recorded.any(axis=1)
    diary = recorded[any_item]
    score = float(np.nansum(scores)) if any_item.any() else float("nan")
    missing = tuple((label(code), int((~diary[:, j]).sum()))
                    for j, code in enumerate(AIDAI_CODES) if diary.size and not diary[:, j].all())
    return AidaiPeriod(start, end, month, first, score, length, int(any_item.sum()),
                       int(recorded.all(axis=1).sum()), missing)


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
