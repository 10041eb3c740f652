"""Every date of a summary goes through one ``DateFormat``, so a de-identified summary cannot
leak a calendar date by accident."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from data.case import DAY, Case, epoch
from data.numbers import DASH, utc_date


@dataclass(frozen=True)
class DateFormat:
    """Calendar dates, or whole days from an anchor (day 0) for de-identified output."""

    relative: bool
    anchor: float  # epoch seconds of day 0 (midnight UTC)

    def day(self, t: float) -> int:
        return int(math.floor((float(t) - self.anchor) / DAY))

    def date(self, t: float | None) -> str:
        if t is None or (isinstance(t, float) and math.isnan(t)):
            return DASH
        if self.relative:
            return f"day {self.day(t)}"
        return utc_date(t)

    def month(self, period: pd.Period) -> str:
        if not self.relative:
            return str(period)
        start = epoch(period.start_time)
        end = epoch(period.end_time.normalize())
        return f"day {self.day(start)} to {self.day(end)}"


def date_format(case: Case, *, relative: bool) -> DateFormat:
    anchor = case.day0 if case.day0 is not None else math.floor(case.time_range[0] / DAY) * DAY
    return DateFormat(relative, float(anchor))
