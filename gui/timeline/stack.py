"""Tracks stacked on one shared, linked x axis, with a crosshair readout and vector printing.

What the case timeline, the episode overlay and the cohort view have in common: each
fills the stack with Track objects (gui/timeline/tracks), each track drawing data it is
given (a Case, or data/ series aligned on an anchor). The stack knows nothing of cases,
episodes or annotating: the case timeline (gui/timeline/widget.py) adds those.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from data.alignment import DAY
from gui.palette import THEMES, Theme
from gui.timeline import navigation, shapes
from gui.timeline.axis import TimeAxis, ValueAxis
from gui.timeline.readout import LINES, ReadoutLine, readout_html
from gui.timeline.title_row import let_shrink, title_height
from gui.timeline.tracks.base import Track

LEFT_AXIS_WIDTH = 100
LANE_HEIGHT = 40


@dataclass(frozen=True)
class Row:
    """One track's place in the stack: its key, relative height (0: a fixed lane) and the
    least data-area height that still reads."""

    key: str
    stretch: int
    min_height: int

    @classmethod
    def of(cls, key: str, track_type: type[Track]) -> Row:
        return cls(key, track_type.stretch, track_type.min_height)


class TrackStack(QtWidgets.QWidget):
    """Plots in a scroll area, x-linked to the first; y follows the visible data.

    Subclasses say what the readout reads (readout_lines, time_text, hint).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, theme: str = "screen") -> None:
        super().__init__(parent)
        self.theme = THEMES[theme]
        self.tracks: dict[str, Track] = {}
        self._rows: list[Row] = []
        self._plot_pool: dict[str, pg.PlotItem] = {}
        self._cursor_lines: list[shapes.VLine] = []
        self.cursor_t: float | None = None

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground(self.theme.background)
        self.view.ci.layout.setSpacing(0)
        self.view.ci.setContentsMargins(4, 2, 12, 2)
        self.view.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.readout = QtWidgets.QLabel()
        self.readout.setObjectName("timelineReadout")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        margins = self.readout.contentsMargins()
        self.readout.setFixedHeight(LINES * self.readout.fontMetrics().lineSpacing()
                                    + margins.top() + margins.bottom() + 2)
        self.readout.setText(self.hint())
        # The readout follows the view (key zoom and pan move the data under the cursor):
        # refreshed once per event-loop pass, not once per linked plot's range signal.
        self._readout_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._readout_timer.timeout.connect(lambda: self.set_cursor(self.cursor_t))

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        # Tracks keep a readable height (Track.min_height); a 1024×700 screen holds them
        # all, and only a shorter window scrolls them rather than squashing them.
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidget(self.view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.scroll, 1)
        self.time_axis: TimeAxis | None = None
        if theme == "screen":
            self._add_fixed_time_axis(layout)
        layout.addWidget(self.readout)
        self.setFocusProxy(self.view)

        self._mouse_proxy = pg.SignalProxy(self.view.scene().sigMouseMoved, rateLimit=60,
                                           slot=self._on_mouse_moved)

    def _add_fixed_time_axis(self, layout: QtWidgets.QVBoxLayout) -> None:
        """On screen the time axis sits under the scrolling tracks, not inside them: in a
        window shorter than 1024×700 the tracks scroll and the dates stay in sight. The PDF
        keeps the axis on the last plot."""
        self.axis_view = pg.GraphicsLayoutWidget()
        self.axis_view.setBackground(self.theme.background)
        self.time_axis = TimeAxis("bottom")
        self._style_axis(self.time_axis)
        self.time_axis.setHeight(36)
        self.axis_view.ci.addItem(self.time_axis, row=0, col=0)
        self.axis_view.setFixedHeight(38)
        self.axis_view.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.axis_view.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.axis_view.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.axis_view)
        # Aligned with the plots: their left axis, the layout margins, and the vertical
        # scroll bar when the tracks scroll.
        self.scroll.verticalScrollBar().rangeChanged.connect(self._align_time_axis)
        self._align_time_axis()

    def _align_time_axis(self, *_args) -> None:
        if self.time_axis is None:
            return
        bar = self.scroll.verticalScrollBar()
        extra = bar.sizeHint().width() if bar.maximum() > 0 else 0
        self.axis_view.ci.setContentsMargins(4 + LEFT_AXIS_WIDTH, 0, 12 + extra, 0)

    def bottom_axis(self) -> TimeAxis | None:
        """The time axis the reader sees."""
        if self.time_axis is not None:
            return self.time_axis
        plots = self.plots()
        return plots[-1].getAxis("bottom") if plots else None

    def time_axes(self) -> list[TimeAxis]:
        """Every time axis, shown or not (a hidden one keeps its label for the PDF)."""
        axes = [plot.getAxis("bottom") for plot in self.plots()]
        return axes + ([self.time_axis] if self.time_axis is not None else [])

    # -- building ----------------------------------------------------------------------
    def arrange(self, rows: list[Row]) -> None:
        """One plot per row, stacked, x-linked to the first; kept while the rows stay the
        same (creating seven plots costs ~100 ms): only their items are replaced."""
        self.tracks.clear()
        if rows != self._rows:
            self._lay_out(rows)

    def place(self, key: str, make: Callable[[pg.PlotItem, Theme], Track], source,
              options) -> Track:
        """Draw source with a new track in the row key's plot, in place of the last one's
        items. The plot's own items (the crosshair line, kept_items) stay: adding and
        removing an item costs ~0.15 ms, and a case's opening replaced ~30 that way."""
        plot = self._plot_pool[key]
        self.clear_track(plot)
        track = make(plot, self.theme)
        track.render(source, options)
        plot.vb.disableAutoRange()  # y follows the visible data through _follow_y
        self.tracks[key] = track
        return track

    def clear_track(self, plot: pg.PlotItem) -> None:
        """Remove what a track drew into plot, keeping the plot's own items."""
        keep = self.kept_items(plot)
        for item in list(plot.items):
            if id(item) not in keep:
                plot.removeItem(item)

    def kept_items(self, plot: pg.PlotItem) -> set[int]:
        """Ids of the items of plot that outlive its tracks."""
        return {id(line) for line in self._cursor_lines if line.getViewBox() is plot.vb}

    def limit_x(self, lo: float, hi: float) -> None:
        """Panning and zooming stay around lo..hi."""
        margin = (hi - lo) * 0.03 + navigation.DAY
        for plot in self.plots():
            plot.vb.setLimits(xMin=lo - margin, xMax=hi + margin, minXRange=navigation.MIN_SPAN)

    def _lay_out(self, rows: list[Row]) -> None:
        self._release_plots()
        first: pg.PlotItem | None = None
        for i, row in enumerate(rows):
            plot = self.view.addPlot(row=i, col=0, axisItems={"bottom": TimeAxis("bottom"),
                                                             "left": ValueAxis("left")})
            self._style_plot(plot, last=i == len(rows) - 1)
            if first is None:
                first = plot
                plot.vb.sigXRangeChanged.connect(self._follow_y)
                plot.vb.sigXRangeChanged.connect(self._readout_timer.start)
                if self.time_axis is not None:
                    self.time_axis.linkToView(plot.vb)
            else:
                plot.setXLink(first)
            # Each plot's items move to a new range at once, not in the next paint (below).
            plot.vb.sigRangeChanged.connect(self._settle)
            self._add_cursor_line(plot)
            if row.stretch == 0:
                plot.setFixedHeight(LANE_HEIGHT)
            self.view.ci.layout.setRowStretchFactor(i, row.stretch * 10 or 1)
            self._plot_pool[row.key] = plot
        self._rows = list(rows)
        self._fit_min_heights()

    @staticmethod
    def _settle(vb: pg.ViewBox, *_args) -> None:
        """Place the plot's items for its new range now. pyqtgraph does it lazily, as the
        next paint begins; curves and markers then announce new bounds in mid-paint, and
        Qt painted every plot a second time: two paints a frame while panning (a cohort
        frame 9-10 ms of CPU in the event loop; 6 ms with one)."""
        vb.updateMatrix()

    def needed_height(self, rows: list[Row]) -> int:
        """The least height of rows before they are drawn, each legend taken as one line
        and one more line for the one that wraps (the cytokines' in a 1024 px window):
        about what _fit_min_heights will ask, never less."""
        line = self.fontMetrics().height() + 2
        margins = self.view.ci.layout.getContentsMargins()
        return int(sum(LANE_HEIGHT if r.stretch == 0 else r.min_height + line for r in rows)
                   + line + margins[1] + margins[3]) + 2

    def _fit_min_heights(self) -> None:
        """Each track's minimum: its legend line(s) as wrapped now, plus the data area's
        readable minimum. The tracks scroll only below the sum of those (a window shorter
        than a 1024×700 screen gives them); above it they share the height by stretch."""
        total = 0.0
        for row in self._rows:
            plot = self._plot_pool.get(row.key)
            if plot is None:
                continue
            if row.stretch == 0:
                total += LANE_HEIGHT
                continue
            title = plot.titleLabel
            wanted = (title_height(title) if title.isVisible() else 0) + row.min_height
            if plot.minimumHeight() != wanted:
                plot.setMinimumHeight(wanted)
            total += wanted
        margins = self.view.ci.layout.getContentsMargins()
        # The PDF's stack carries its time axis on the last plot.
        axis = 0 if self.time_axis is not None else 30
        total = int(total + margins[1] + margins[3]) + axis + 2
        if self.view.minimumHeight() != total:
            self.view.setMinimumHeight(total)

    def _release_plots(self) -> None:
        # Items first: a plot taken out of the layout stays owned by Qt, and its clickable
        # scatters' slots reach their track, which holds the plot. Python cannot collect
        # that loop, so every change of the set of tracks kept the last case's items
        # (tests/gui/test_memory.py).
        for plot in self._plot_pool.values():
            plot.clear()
        self._plot_pool = {}
        self._cursor_lines = []
        self._rows = []
        self.view.ci.clear()

    def _style_axis(self, ax: pg.AxisItem) -> None:
        fg = self.theme.foreground
        font = QtGui.QFont()
        font.setPointSize(self.theme.font_pt)
        ax.enableAutoSIPrefix(False)  # else every range change re-lays out its label
        ax.setPen(pg.mkPen(fg, width=1))
        ax.setTextPen(pg.mkPen(fg))
        ax.setTickFont(font)
        ax.label.setFont(font)

    def _style_plot(self, plot: pg.PlotItem, *, last: bool) -> None:
        plot.setMouseEnabled(x=True, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.vb.setDefaultPadding(0.04)
        for name in ("left", "bottom"):
            self._style_axis(plot.getAxis(name))
        left = plot.getAxis("left")
        left.setWidth(LEFT_AXIS_WIDTH)
        # The left axis rarely changes while panning: cache it as a pixmap. No grid: an
        # axis with grid lines spans the whole plot, and replaying it cost ~25 ms a frame
        # across seven tracks (benchmarks/bench_timeline.py); the crosshair reads values.
        left.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.titleLabel.item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        let_shrink(plot, self._fit_min_heights)
        last = last and self.time_axis is None
        plot.showAxis("bottom", last)
        if last:
            plot.getAxis("bottom").setHeight(28)

    def _add_cursor_line(self, plot: pg.PlotItem) -> None:
        line = shapes.add(plot, shapes.VLine(pg.mkPen("#444444", width=1)), z=100)
        line.setVisible(self.cursor_t is not None)
        if self.cursor_t is not None:
            line.set_x(self.cursor_t)
        self._cursor_lines.append(line)

    # -- queries -----------------------------------------------------------------------
    def plots(self) -> list[pg.PlotItem]:
        return [t.plot for t in self.tracks.values()]

    def visible_plots(self) -> list[tuple[str, pg.PlotItem]]:
        return [(k, t.plot) for k, t in self.tracks.items()]

    def scroll_to_track(self, key: str) -> None:
        """Scroll the tracks (a window shorter than their minimum scrolls them) so that
        track ``key`` is in sight, moving as little as needed."""
        plot = self.plot_for(key)
        if plot is None:
            return
        box = self.view.mapFromScene(plot.mapRectToScene(plot.boundingRect())).boundingRect()
        half = box.height() // 2
        self.scroll.ensureVisible(box.center().x(), box.top() + half, 0, half)

    def plot_for(self, key: str) -> pg.PlotItem | None:
        t = self.tracks.get(key)
        return None if t is None else t.plot

    def x_range(self) -> tuple[float, float]:
        plots = self.plots()
        if not plots:
            return (0.0, 1.0)
        lo, hi = plots[0].vb.viewRange()[0]
        return float(lo), float(hi)

    def cursor_day(self) -> float:
        """Midnight (UTC epoch seconds) of the day under the cursor, or of the middle of
        the view when the cursor is elsewhere: the day a keyboard action offers."""
        lo, hi = self.x_range()
        t = self.cursor_t
        t = t if t is not None and lo <= t <= hi else (lo + hi) / 2
        return math.floor(t / DAY) * DAY

    def _follow_y(self, *_args) -> None:
        lo, hi = self.x_range()
        for track in self.tracks.values():
            wanted = track.visible_y_range(lo, hi)
            if wanted is None:
                continue
            ymin, ymax = wanted
            pad = max((ymax - ymin) * 0.08, 0.05 if track.log_y else 0.5)
            ymin, ymax = ymin - pad, ymax + pad
            cur_lo, cur_hi = track.plot.vb.viewRange()[1]
            # Hysteresis: grow as soon as data would be cut off, shrink only once the range
            # is far too wide. Each change re-renders the axis labels (~2 ms).
            clipped = ymin < cur_lo or ymax > cur_hi
            too_wide = (cur_hi - cur_lo) > 1.6 * (ymax - ymin)
            if clipped or too_wide:
                track.plot.vb.setYRange(ymin, ymax, padding=0)

    # -- navigation ----------------------------------------------------------------------
    def set_x_range(self, lo: float, hi: float) -> None:
        plots = self.plots()
        if plots:
            plots[0].vb.setXRange(lo, hi, padding=0)

    def zoom(self, factor: float, centre: float | None = None) -> None:
        self.set_x_range(*navigation.zoom(*self.x_range(), factor, centre))

    def pan(self, fraction: float) -> None:
        self.set_x_range(*navigation.pan(*self.x_range(), fraction))

    # -- crosshair and readout -------------------------------------------------------------
    def _on_mouse_moved(self, args) -> None:
        pos = args[0]
        for key, plot in self.visible_plots():
            if plot.sceneBoundingRect().contains(pos):
                at = plot.vb.mapSceneToView(pos)
                self.hovered(key, float(at.x()), float(at.y()))
                self.set_cursor(float(at.x()))
                return

    def hovered(self, key: str, x: float, y: float) -> None:
        """The mouse is over track key at (x, y) in its plotted units."""

    def set_cursor(self, t: float | None) -> None:
        if t is not None:
            lo, hi = self.x_range()
            if not lo <= t <= hi or not self.tracks:
                t = None  # panned out of view: nothing on screen to read
        self.cursor_t = t
        for line in self._cursor_lines:
            line.setVisible(t is not None)
            if t is not None:
                line.set_x(t)
        self.readout.setText(self.hint() if t is None else readout_html(
            self.time_text(t), self.readout_lines(t)))

    def readout_lines(self, t: float) -> list[ReadoutLine]:
        return []

    def time_text(self, t: float) -> str:
        raise NotImplementedError

    def hint(self) -> str:
        return ""

    # -- printing ---------------------------------------------------------------------------
    def render_vector(self, painter: QtGui.QPainter, target: QtCore.QRectF, *,
                      opaque: bool = False) -> None:
        """Paint the visible tracks into target as vector graphics (PDF, SVG).

        Items are switched to export mode as pyqtgraph's own exporters do: without it
        every scatter marker is embedded as a small raster image. The view is rendered
        rather than the scene: with date axes the scene rect spans ~1e12 units.
        opaque: items that paint translucent colours themselves blend them onto the
        background instead (export option "opaque"), for PDF/A-1 which has no alpha.
        """
        scene_items = self.view.scene().items()
        items = [i for i in scene_items if hasattr(i, "setExportMode")]
        # A cached item paints from its pixmap, even into a PDF: switch caching off.
        none = QtWidgets.QGraphicsItem.CacheMode.NoCache
        cached = [(i, i.cacheMode()) for i in scene_items if i.cacheMode() != none]
        opts = {"painter": painter, "antialias": True, "background": self.theme.background,
                "opaque": opaque}
        for item, _mode in cached:
            item.setCacheMode(none)
        for item in items:
            item.setExportMode(True, opts)
        try:
            source = QtCore.QRectF(self.view.viewport().rect())
            self.view.render(painter, target, source.toRect())
        finally:
            for item in items:
                item.setExportMode(False, opts)
            for item, mode in cached:
                item.setCacheMode(mode)


def data_to_viewport(stack: TrackStack, key: str, x: float, y: float) -> QtCore.QPoint:
    """Map a data point of a track to viewport pixels (tests and tools drive the mouse)."""
    plot = stack.plot_for(key)
    scene = plot.vb.mapViewToScene(QtCore.QPointF(x, y))
    return stack.view.mapFromScene(scene)
