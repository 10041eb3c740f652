"""Aligned panels stacked on one relative axis: the episode overlay and the cohort view.

The same stack and track drawing as the case timeline (TrackStack, Track), fed with
data.aligned.Panel series instead of a case; no episode layer: annotating belongs to the
case timeline. Hovering names the line under the mouse and draws it over the others in
every panel; clicking it announces the member and the time of that day on its course.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from data.aligned import Line, Panel, nearest_line, time_at
from data.alignment import DAY, day_text
from data.numbers import fmt_number
from gui.timeline.axis import RELATIVE
from gui.timeline.readout import ReadoutLine
from gui.timeline.stack import Row, TrackStack
from gui.timeline.tracks.aligned import HIGHLIGHT, AlignedTrack
from gui.timeline.tracks.base import TimelineOptions

HIT_PX = 6  # how near the mouse a line must pass to be named or clicked


class AlignedStack(TrackStack):
    lineClicked = QtCore.Signal(int, float)  # noqa: N815  member, epoch time of that day
    lineHovered = QtCore.Signal(object)  # noqa: N815  the Line under the mouse, or None

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, theme: str = "screen",
                 hint: str = "", band: bool = False,
                 panel_height: int = AlignedTrack.min_height) -> None:
        self._hint_text = hint
        self.band = band  # draw the interquartile band (a cohort)
        self.panel_height = panel_height  # a panel's least height; below, they scroll
        super().__init__(parent, theme=theme)
        self.panels: tuple[Panel, ...] = ()
        self.options = TimelineOptions(axis_mode=RELATIVE)
        self.hovered_line: Line | None = None
        self.view.scene().sigMouseClicked.connect(self._clicked)

    def set_panels(self, panels: tuple[Panel, ...], axis_label: str, *,
                   keep_range: bool = False, window: tuple[int, int] | None = None) -> None:
        """Draw panels; keep_range: a panel filled in later keeps the reader's view.
        window (first and last day, an overlay's): the axis spans it, whatever days the
        lines reach, with weekly ticks, so both edges are labelled."""
        kept = self.x_range() if keep_range and self.tracks else None
        self.panels = tuple(panels)
        self.hovered_line = None
        self.arrange([Row(p.key, AlignedTrack.stretch, self.panel_height)
                      for p in self.panels])
        if not self.panels:
            self._release_plots()
        for panel in self.panels:
            self.place(panel.key, AlignedTrack.maker(panel, band=self.band), panel,
                       self.options)
        for axis in self.time_axes():
            axis.set_mode(RELATIVE, 0.0)
            axis.weeks = window is not None
            axis.setLabel(axis_label)
        # An episode without a value of this panel in its window has an empty line.
        days = [d for p in self.panels for line in p.lines if line.days.size
                for d in line.days[[0, -1]]]
        if window is not None and self.panels:
            days = list(window)
        if days:
            lo, hi = min(days) * DAY, max(days) * DAY
            self.limit_x(lo, hi)
            # Room for the edge labels: pyqtgraph hides one that would stick out.
            margin = (hi - lo) * 0.03 + DAY
            self.set_x_range(*(kept or (lo - margin, hi + margin)))
        self._follow_y()
        self.set_cursor(None)

    # -- hover and click ---------------------------------------------------------------
    def line_at(self, key: str, x: float, y: float) -> Line | None:
        """The line of panel key passing within HIT_PX pixels of (x, y), plotted units."""
        track = self.tracks.get(key)
        if track is None:
            return None
        px, py = track.plot.vb.viewPixelSize()
        return nearest_line(track.panel.lines, x / DAY, y, log=track.panel.log,
                            tol_days=HIT_PX * px / DAY, tol_y=HIT_PX * py)

    def hovered(self, key: str, x: float, y: float) -> None:
        line = self.line_at(key, x, y)
        if line is self.hovered_line:
            return
        self.hovered_line = line
        member = None if line is None else line.member
        for track in self.tracks.values():
            track.highlight(next((ln for ln in track.panel.lines if ln.member == member),
                                 None))
        self.lineHovered.emit(line)

    def _clicked(self, event) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        for key, plot in self.visible_plots():
            if plot.sceneBoundingRect().contains(pos):
                at = plot.vb.mapSceneToView(pos)
                line = self.line_at(key, float(at.x()), float(at.y()))
                if line is not None and line.times.size:
                    self.lineClicked.emit(line.member, time_at(line, float(at.x()) / DAY))
                return

    # -- readout ---------------------------------------------------------------------------
    def readout_lines(self, t: float) -> list[ReadoutLine]:
        """The hovered line's value and the median in each panel, nearest the cursor."""
        lo, hi = self.x_range()
        out: list[ReadoutLine] = []
        member = None if self.hovered_line is None else self.hovered_line.member
        for key, track in self.tracks.items():
            mine = next((ln for ln in track.panel.lines if ln.member == member), None)
            if mine is not None and mine.days.size:
                j = int(np.argmin(np.abs(mine.days * DAY - t)))
                if lo <= mine.days[j] * DAY <= hi:
                    value = f"{mine.censor[j]}{fmt_number(float(mine.values[j]))}"
                    out.append(ReadoutLine(f"{mine.name}: {track.panel.title}", value,
                                           track.panel.unit, day_text(int(mine.days[j] // 1)),
                                           HIGHLIGHT, key))
            median = track.median
            if median is not None and (j := median.nearest(t, lo, hi)) is not None:
                n = int(track.panel.spread.n[j])
                out.append(ReadoutLine(f"{track.panel.title} median of {n}",
                                       median.value_text(j), track.panel.unit, "",
                                       median.colour, key))
        return out

    def time_text(self, t: float) -> str:
        return day_text(int(t // DAY))

    def hint(self) -> str:
        return f"<span style='color:#666'>{self._hint_text}</span>"
