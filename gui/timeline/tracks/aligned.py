"""One aligned panel (data.aligned.Panel): a line per member, their median and IQR band.

Serves the episode overlay (a line per episode, in its own colour, up to six) and the
cohort view (a thin grey line per patient: fifty colours would not read). x is in
seconds from day 0 (days × 86,400), so the stack's relative time axis labels it as the
case timeline's.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from data.aligned import Line, Panel, plotted
from data.alignment import DAY
from data.numbers import fmt_number
from gui.palette import OKABE_ITO
from gui.timeline import shapes
from gui.timeline.crowd import CrowdItem
from gui.timeline.tracks.base import Series, TimelineOptions, Track

# Episode colours: Okabe–Ito without black (the median) and yellow (unreadable on white).
MEMBER_NAMES = ("blue", "vermillion", "green", "orange", "purple", "sky blue")
MEMBER_COLOURS = [OKABE_ITO[k.replace(" blue", "")] for k in MEMBER_NAMES]
MAX_COLOURED = len(MEMBER_COLOURS)
GREY = "#B4B4B4"  # light: the median and the band over fifty lines must stand out
MEDIAN = "#000000"
HIGHLIGHT = OKABE_ITO["vermillion"]


def member_colour(i: int, n: int) -> str:
    """The i-th of n lines' colour: coloured while few, grey in a crowd."""
    return MEMBER_COLOURS[i % len(MEMBER_COLOURS)] if n <= MAX_COLOURED else GREY


def member_colour_name(i: int, n: int) -> str:
    """The colour's name, for a printed list of what the lines are."""
    return MEMBER_NAMES[i % len(MEMBER_NAMES)] if n <= MAX_COLOURED else "grey"


def band_path(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> QtGui.QPainterPath:
    """The area between lo and hi, one polygon per run where both are known.

    One plain path item, not pyqtgraph's FillBetweenItem: that one is drawn between two
    curves of its own, which no scene owns; its slots kept them alive after the plot was
    cleared, and the garbage collector deleted them later, live pyqtgraph items, at any
    moment (the test run segfaulted, mid-run or at exit, DESIGN.md "Exit crash")."""
    path = QtGui.QPainterPath()
    known = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], known.astype(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        xs = x[start:stop]
        upper = [QtCore.QPointF(a, b) for a, b in zip(xs, hi[start:stop], strict=True)]
        lower = [QtCore.QPointF(a, b) for a, b in zip(xs[::-1], lo[start:stop][::-1],
                                                      strict=True)]
        path.addPolygon(QtGui.QPolygonF(upper + lower))
        path.closeSubpath()
    return path


def _cached(item: QtWidgets.QGraphicsItem) -> None:
    """Paint item from a pixmap while the view only moves or stays (hover, crosshair).

    The band's and the median's fills are cheap in CPU, but Qt's raster engine hands a
    fill of many spans to its thread pool and waits: on a loaded machine ~1 ms of wall
    time a panel per frame (benchmarks/bench_aligned.py). Cached, a pan paints the newly
    exposed strip only; the PDF switches the cache off (TrackStack.render_vector)."""
    item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


class AlignedTrack(Track):
    key = "aligned"
    stretch = 3
    min_height = 70
    always_titled = True  # one sample per episode and no median: no legend entry

    def __init__(self, plot: pg.PlotItem, theme, panel: Panel, *, band: bool = False) -> None:
        super().__init__(plot, theme)
        self.panel = panel
        self.band = band  # the interquartile band: a cohort's, not two or three episodes'.
        self.key = panel.key
        self.title = panel.title
        self.log_y = panel.log
        self._highlight: pg.PlotDataItem | None = None
        self.median: Series | None = None

    @classmethod
    def maker(cls, panel: Panel, *, band: bool = False):
        return lambda plot, theme: cls(plot, theme, panel, band=band)

    def draw(self, panel: Panel, options: TimelineOptions) -> None:
        p = self.plot
        p.getAxis("left").setLogMode(panel.log)
        # Colours follow the list of members beside the panels, whoever has a line here.
        order = panel.members or tuple(line.member for line in panel.lines)
        place = {member: i for i, member in enumerate(order)}
        n = len(order)
        width = 1.6 if n <= MAX_COLOURED else 0.7
        if not panel.lines:  # a panel says it is empty rather than show bare axes unnamed
            self.add_legend_entry("", "#555555", "no value in this selection")
        if n <= MAX_COLOURED:
            for i, line in enumerate(panel.lines):
                colour = member_colour(place.get(line.member, i), n)
                x, y = line.days * DAY, plotted(line.values, panel.log)
                # Hollow where censored (a '<5' drawn at its limit), as on the case timeline
                # (gui/timeline/tracks/points.py).
                filled, hollow = pg.mkBrush(colour), pg.mkBrush(None)
                brushes = [hollow if c else filled for c in line.censor]
                p.addItem(pg.PlotDataItem(x, y, pen=pg.mkPen(colour, width=width),
                                          connect="finite", symbol="o", symbolSize=5,
                                          symbolPen=pg.mkPen(colour), symbolBrush=brushes))
        elif panel.lines:
            # One item for the crowd, drawing what is in view (gui/timeline/crowd.py).
            crowd = CrowdItem([(line.days * DAY, plotted(line.values, panel.log))
                               for line in panel.lines], pg.mkPen(GREY, width=width))
            p.addItem(crowd, ignoreBounds=True)
            crowd.viewRangeChanged()
            self._draw_censored(panel)
        if any((line.censor != "").any() for line in panel.lines):
            self.add_legend_entry("○", GREY if n > MAX_COLOURED else "#555555",
                                  "censored, at its limit")
        # Every line keeps y in view as it pans (Track.visible_y_range), not the median only:
        # all lines' values as one series sorted by time, one search a frame, not fifty.
        if panel.lines:
            x = np.concatenate([line.days * DAY for line in panel.lines])
            y = np.concatenate([np.asarray(line.values, dtype=float) for line in panel.lines])
            order = np.argsort(x, kind="stable")
            self.series.append(Series("lines", panel.unit, x[order], y[order], GREY))
        self._draw_marks(panel)
        self._draw_spread(panel)
        if panel.reference is not None:
            y0 = np.log10(panel.reference) if panel.log else panel.reference
            shapes.add(p, shapes.HLine(float(y0), pg.mkPen(
                "#555555", width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
            self.add_legend_entry("╌", "#555555", panel.reference_label)
        # Day 0 itself: the anchor every line is aligned on.
        shapes.add(p, shapes.VLine(pg.mkPen("#555555", width=1,
                                            style=QtCore.Qt.PenStyle.DashLine)), z=5)
        p.setLabel("left", panel.unit)
        self._highlight = pg.PlotDataItem([], [], pen=pg.mkPen(HIGHLIGHT, width=2.5),
                                          connect="finite")
        self._highlight.setZValue(60)
        p.addItem(self._highlight)
        self.follow_y = () if panel.reference is None else (
            float(np.log10(panel.reference) if panel.log else panel.reference),)

    def _draw_censored(self, panel: Panel) -> None:
        """A crowd's lines have no markers; its censored values get a hollow one each, so
        a value below (or above) the assay's limit never reads as a measured one."""
        xs, ys = [], []
        for line in panel.lines:
            cut = line.censor != ""
            xs.append(line.days[cut] * DAY)
            ys.append(plotted(line.values[cut], panel.log))
        x, y = np.concatenate(xs), np.concatenate(ys)
        ok = np.isfinite(y)
        if ok.any():
            points = pg.ScatterPlotItem(x[ok], y[ok], symbol="o", size=5,
                                        pen=pg.mkPen(GREY, width=1), brush=pg.mkBrush(None))
            points.setZValue(10)
            _cached(points)
            self.plot.addItem(points)

    def _draw_marks(self, panel: Panel) -> None:
        xs, ys = [], []
        for line in panel.lines:
            y = plotted(line.values, panel.log)
            ok = np.isfinite(y)
            for mark in line.marks:
                # On the line only where it runs: a △ past its last value floated alone.
                if ok.any() and line.days[ok][0] <= mark <= line.days[ok][-1]:
                    xs.append(mark * DAY)
                    ys.append(float(np.interp(mark, line.days[ok], y[ok])))
        if xs:
            # Hollow and black: a coloured mark would read as one of the coloured lines.
            marks = pg.ScatterPlotItem(xs, ys, symbol="t1", size=10,
                                       pen=pg.mkPen("#000000", width=1.5), brush="#FFFFFF")
            marks.setZValue(40)
            _cached(marks)
            self.plot.addItem(marks)
            self.add_legend_entry("△", "#000000", "first relapse")

    def _draw_spread(self, panel: Panel) -> None:
        s = panel.spread
        if s.days.size == 0:
            return
        x = s.days * DAY
        # A "median" of one line is that line: drawn only where two or more run (the
        # readout still gives each day's median and count).
        median = np.where(s.n >= 2, plotted(s.median, panel.log), np.nan)
        if self.band:
            lo, hi = plotted(s.q1, panel.log), plotted(s.q3, panel.log)
            # Over the patients' lines, translucent: under them fifty lines hid it.
            band = QtWidgets.QGraphicsPathItem(band_path(x, lo, hi))
            band.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
            band.setBrush(pg.mkBrush(86, 180, 233, 110))
            band.setZValue(20)
            _cached(band)
            self.plot.addItem(band)
        if np.isfinite(median).any():
            line = pg.PlotDataItem(x, median, pen=pg.mkPen(MEDIAN, width=2.2),
                                   connect="finite")
            line.setZValue(30)
            _cached(line.curve)
            self.plot.addItem(line)
        self.add_legend_entry("━", MEDIAN, f"median of {len(panel.lines)}, where ≥ 2 run")
        if self.band:
            self.add_legend_entry("▮", OKABE_ITO["sky"], "IQR")
        self.median = Series("median", panel.unit, x, s.median, MEDIAN, fmt=fmt_number)
        self.series.append(self.median)

    def highlight(self, line: Line | None) -> None:
        """Draw one member's line over the others (None: none)."""
        if self._highlight is None:
            return
        if line is None:
            self._highlight.setData([], [])
        else:
            self._highlight.setData(line.days * DAY, plotted(line.values, self.panel.log),
                                    connect="finite")
