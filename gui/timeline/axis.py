"""The shared time axis: calendar dates (UTC) or days relative to an anchor (day 0).

Data are always plotted in epoch seconds; only the tick labels change between modes,
so switching never re-plots anything.
"""

from __future__ import annotations

import pyqtgraph as pg

from data.alignment import DAY, Anchor
from data.numbers import utc_date

CALENDAR = "calendar"
RELATIVE = "relative"


class TimeAxis(pg.DateAxisItem):
    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, utcOffset=0, **kwargs)
        self.mode = CALENDAR
        self.anchor = 0.0

    def set_mode(self, mode: str, anchor: float | None = None) -> None:
        self.mode = mode
        if anchor is not None:
            self.anchor = anchor
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (Qt naming)
        if self.mode == CALENDAR:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = (minVal - self.anchor) / DAY, (maxVal - self.anchor) / DAY
        levels = pg.AxisItem.tickValues(self, lo, hi, size)
        return [(spacing * DAY, [self.anchor + v * DAY for v in values])
                for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if self.mode == CALENDAR:
            return super().tickStrings(values, scale, spacing)
        return [f"{round((v - self.anchor) / DAY):d}" for v in values]


def format_time(t: float, mode: str, anchor: Anchor | None) -> str:
    """A point in time as the axis shows it, for readouts and tooltips: whole days
    (data.alignment), the same "day N" as the episode list and the PDF."""
    if mode == RELATIVE and anchor is not None:
        return anchor.label(t)
    return utc_date(t, with_time=True)
