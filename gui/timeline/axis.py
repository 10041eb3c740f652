"""The shared time axis: calendar dates (UTC) or days relative to an anchor (day 0).

Data are always plotted in epoch seconds; only the tick labels change between modes,
so switching never re-plots anything.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui

from data.alignment import DAY, Anchor
from data.numbers import utc_date
from gui.timeline.ticks import (
    APPROX_SECONDS,
    WIDEST,
    calendar_labels,
    calendar_level,
    calendar_ticks,
    linear_ticks,
    log_ticks,
    value_label,
    week_ticks,
)

CALENDAR = "calendar"
RELATIVE = "relative"


def _metrics(axis: pg.AxisItem) -> QtGui.QFontMetrics:
    return QtGui.QFontMetrics(axis.style["tickFont"] or QtGui.QFont())


class ValueAxis(pg.AxisItem):
    """A y axis whose ticks sit at round values (1-2-5) and never crowd: as many labels as
    fit the track's height, on linear and log scales (log: 30 40 50 over 27–56, not
    every minor tick)."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (Qt naming)
        fits = max(2, int(size / (_metrics(self).height() + 4)))
        lo, hi = sorted((minVal, maxVal))
        values = log_ticks(lo, hi, fits) if self.logMode else linear_ticks(lo, hi, fits)
        return [(1.0, values)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if self.logMode:
            return [value_label(10.0 ** v) for v in values]
        return [value_label(v) for v in values]

    def resizeEvent(self, event=None) -> None:  # noqa: N802
        # Fixed labels, one per row (the diary's twelve symptoms), cannot thin out like
        # values: on a small screen their rows got shorter than a line of text and the
        # names ran into each other. Their font shrinks with the rows instead.
        super().resizeEvent(event)
        rows = len(self._tickLevels[0]) if self._tickLevels else 0
        if rows < 2:
            return
        row = self.geometry().height() / rows
        want = None if row >= QtGui.QFontMetrics(QtGui.QFont()).height() else max(8, int(row))
        current = self.style["tickFont"]
        if want != (None if current is None else current.pixelSize()):
            font = None
            if want is not None:
                font = QtGui.QFont()
                font.setPixelSize(want)
            self.setStyle(tickFont=font)


class TimeAxis(pg.AxisItem):
    """Calendar dates (one level of round calendar ticks, the year named where it starts
    and on the first label) or whole days from day 0 at 1-2-5 steps."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.mode = CALENDAR
        self.anchor = 0.0
        self.weeks = False  # relative ticks at whole weeks (an overlay's -28 … +56 window)
        self._unit = "day"

    def set_mode(self, mode: str, anchor: float | None = None) -> None:
        self.mode = mode
        if anchor is not None:
            self.anchor = anchor
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (Qt naming)
        fm = _metrics(self)
        if self.mode == CALENDAR:
            fits = {unit: int(size / (fm.horizontalAdvance(text) + 16))
                    for unit, text in WIDEST.items()}
            self._unit, n = calendar_level(minVal, maxVal, fits)
            ticks = calendar_ticks(minVal, maxVal, self._unit, n)
            # pyqtgraph hides a label that would stick out past the axis's end; the first
            # label names the year, so leave out ticks whose label could not be shown.
            half = fm.horizontalAdvance(WIDEST[self._unit]) / 2 * (maxVal - minVal) / size
            inside = [t for t in ticks if minVal + half <= t <= maxVal - half / 2]
            return [(APPROX_SECONDS[self._unit] * n, inside)]
        lo, hi = (minVal - self.anchor) / DAY, (maxVal - self.anchor) / DAY
        fits = max(2, int(size / (fm.horizontalAdvance("-0000") + 24)))
        days = week_ticks(lo, hi, fits) if self.weeks else []
        days = days or [d for d in linear_ticks(lo, hi, fits) if d == int(d)]  # whole days
        return [(DAY, [self.anchor + d * DAY for d in days])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if self.mode == CALENDAR:
            return calendar_labels(list(values), self._unit)
        return [f"{round((v - self.anchor) / DAY):d}" for v in values]


def format_time(t: float, mode: str, anchor: Anchor | None) -> str:
    """A point in time as the axis shows it, for readouts and tooltips: whole days
    (data.alignment), the same "day N" as the episode list and the PDF."""
    if mode == RELATIVE and anchor is not None:
        return anchor.label(t)
    return utc_date(t, with_time=True)
