"""The case timeline: tracks stacked on one shared time axis, crosshair readout, navigation.

The widget reads a data.case.Case and never touches the database. Its state that the
user changes (visible tracks, their order, axis mode, fold, dose unit) is set through
methods and announced by signals, so the main window can persist it.
"""

from __future__ import annotations

import datetime as dt
import weakref

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from data.numbers import utc_date
from gui.palette import THEMES, phase_bands
from gui.timeline import dose_readout, navigation, shapes
from gui.timeline.axis import CALENDAR, RELATIVE, TimeAxis, ValueAxis, format_time
from gui.timeline.episode_layer import EpisodeLayer
from gui.timeline.highlight import SampleHighlight
from gui.timeline.readout import LINES, ReadoutLine, readout_html
from gui.timeline.tracks import TRACK_TYPES, TRACKS_BY_KEY
from gui.timeline.tracks.base import TimelineOptions, Track

LEFT_AXIS_WIDTH = 100
LANE_HEIGHT = 40


class TimelineWidget(QtWidgets.QWidget):
    pointClicked = QtCore.Signal(dict)  # noqa: N815 (Qt naming)
    tracksChanged = QtCore.Signal(list)  # noqa: N815  [(key, visible), …] in display order

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, theme: str = "screen") -> None:
        super().__init__(parent)
        self.theme = THEMES[theme]
        self.case = None
        self.options = TimelineOptions()
        self.track_order: list[str] = [t.key for t in TRACK_TYPES]
        self.hidden: set[str] = {t.key for t in TRACK_TYPES if not t.shown_by_default}
        self.tracks: dict[str, Track] = {}
        self._phase_items: list[tuple[pg.PlotItem, shapes.VBand]] = []
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
        self.readout.setText(self._hint())
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
        self.episode_layer = EpisodeLayer(self)
        self.highlight = SampleHighlight(self)  # rings: a key figure's or a grid cell's samples

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
        """The time axis the reviewer sees."""
        if self.time_axis is not None:
            return self.time_axis
        plots = self.plots()
        return plots[-1].getAxis("bottom") if plots else None

    # -- building ----------------------------------------------------------------------
    def set_case(self, case, x_range: tuple[float, float] | None = None) -> None:
        """Show a case, over its whole time or over x_range (a reload keeps the view)."""
        self.case = case
        self.cursor_t = None  # the readout belongs to the case on screen
        self._rebuild()
        if x_range is None:
            self.fit()
        else:
            self.set_x_range(*x_range)
        # An unchanged x range emits no signal, and the plots are reused from the last
        # case: fit y to the new data here.
        self._follow_y()
        self.set_cursor(None)

    def _rebuild(self) -> None:
        self.tracks.clear()
        self._phase_items.clear()
        self._cursor_lines.clear()
        if self.case is None:
            self._release_plots()
            self._layout_keys = []
            return
        shown = [k for k in self.available_tracks() if k not in self.hidden]
        if shown != self._layout_keys:
            self._lay_out(shown)
        for key in shown:
            plot = self._plot_pool[key]
            # Plots are reused from case to case (creating seven costs ~100 ms): only
            # their items are replaced.
            plot.clear()
            self._add_cursor_line(plot)
            track = TRACKS_BY_KEY[key](plot, self.theme)
            track.on_point_clicked = self.pointClicked.emit
            track.render(self.case, self.options)
            plot.vb.disableAutoRange()  # y follows the visible data through _follow_y
            self.tracks[key] = track
        self._draw_phases()
        self._apply_axis_mode()
        lo, hi = self.case.time_range
        margin = (hi - lo) * 0.03 + navigation.DAY
        for plot in self.plots():
            plot.vb.setLimits(xMin=lo - margin, xMax=hi + margin, minXRange=navigation.MIN_SPAN)
        self.episode_layer.set_episodes(self.case.episodes)

    _layout_keys: list[str] = []
    _plot_pool: dict[str, pg.PlotItem] = {}

    def _lay_out(self, shown: list[str]) -> None:
        """Create one plot per shown track, stacked, x-linked to the first."""
        self._release_plots()
        self._plot_pool = {}
        first: pg.PlotItem | None = None
        for row, key in enumerate(shown):
            plot = self.view.addPlot(row=row, col=0, axisItems={"bottom": TimeAxis("bottom"),
                                                               "left": ValueAxis("left")})
            self._style_plot(plot, last=row == len(shown) - 1)
            if first is None:
                first = plot
                plot.vb.sigXRangeChanged.connect(self._follow_y)
                plot.vb.sigXRangeChanged.connect(self._readout_timer.start)
                if self.time_axis is not None:
                    self.time_axis.linkToView(plot.vb)
            else:
                plot.setXLink(first)
            track_type = TRACKS_BY_KEY[key]
            if track_type.stretch == 0:
                plot.setFixedHeight(LANE_HEIGHT)
            self.view.ci.layout.setRowStretchFactor(row, track_type.stretch * 10 or 1)
            self._plot_pool[key] = plot
        self._layout_keys = shown
        self._fit_min_heights()

    def _fit_min_heights(self) -> None:
        """Each track's minimum: its legend line(s) as wrapped now, plus the data area's
        readable minimum. The tracks scroll only below the sum of those (a window shorter
        than a 1024×700 screen gives them); above it they share the height by stretch."""
        total = 0.0
        for key, plot in self._plot_pool.items():
            track_type = TRACKS_BY_KEY[key]
            if track_type.stretch == 0:
                total += LANE_HEIGHT
                continue
            title = plot.titleLabel
            wanted = (_title_height(title) if title.isVisible() else 0) + track_type.min_height
            if plot.minimumHeight() != wanted:
                plot.setMinimumHeight(wanted)
            total += wanted
        margins = self.view.ci.layout.getContentsMargins()
        # The PDF's timeline carries its time axis on the last plot.
        axis = 0 if self.time_axis is not None else 30
        total = int(total + margins[1] + margins[3]) + axis + 2
        if self.view.minimumHeight() != total:
            self.view.setMinimumHeight(total)

    def _release_plots(self) -> None:
        self._plot_pool = {}
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
        _let_shrink(plot, self._fit_min_heights)
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

    def _draw_phases(self) -> None:
        for plot in self.plots():
            for ph, c in phase_bands(self.case.phases()):
                band = shapes.add(plot, shapes.VBand(ph.start, ph.end, pg.mkBrush(c)))
                self._phase_items.append((plot, band))

    # -- queries -----------------------------------------------------------------------
    def available_tracks(self) -> list[str]:
        """Tracks with something to show for this case, in the user's order."""
        if self.case is None:
            return []
        return [k for k in self.track_order if TRACKS_BY_KEY[k].has_data(self.case)]

    def plots(self) -> list[pg.PlotItem]:
        return [t.plot for t in self.tracks.values()]

    def visible_plots(self) -> list[tuple[str, pg.PlotItem]]:
        return [(k, t.plot) for k, t in self.tracks.items()]

    def plot_for(self, key: str) -> pg.PlotItem | None:
        t = self.tracks.get(key)
        return None if t is None else t.plot

    def x_range(self) -> tuple[float, float]:
        plots = self.plots()
        if not plots:
            return (0.0, 1.0)
        lo, hi = plots[0].vb.viewRange()[0]
        return float(lo), float(hi)

    # -- state the user changes ------------------------------------------------------------
    def set_track_config(self, order: list[str], hidden: set[str]) -> None:
        known = [k for k in order if k in TRACKS_BY_KEY]
        self.track_order = known + [t.key for t in TRACK_TYPES if t.key not in known]
        self.hidden = set(hidden) & set(TRACKS_BY_KEY)
        # A track added since the order was saved starts as it would without a saved order.
        self.hidden |= {t.key for t in TRACK_TYPES if not t.shown_by_default and t.key
                        not in known}
        self._rebuild_keeping_range()

    def set_track_visible(self, key: str, visible: bool) -> None:
        (self.hidden.discard if visible else self.hidden.add)(key)
        self._rebuild_keeping_range()
        self._announce_tracks()

    def move_track(self, key: str, offset: int) -> None:
        i = self.track_order.index(key)
        j = min(max(i + offset, 0), len(self.track_order) - 1)
        self.track_order.insert(j, self.track_order.pop(i))
        self._rebuild_keeping_range()
        self._announce_tracks()

    def _announce_tracks(self) -> None:
        self.tracksChanged.emit([(k, k not in self.hidden) for k in self.track_order])

    def set_axis_mode(self, mode: str) -> None:
        changed = mode != self.options.axis_mode
        self.options.axis_mode = mode
        self._apply_axis_mode()
        if changed:
            # The activity track sums calendar months, or on a relative axis 30-day blocks
            # from day 0 (what a de-identified print shows).
            self._redraw_track("activity")
        # The readout gives its times in the axis's format: refresh it now, not when the
        # mouse next moves.
        if self.cursor_t is not None:
            self.set_cursor(self.cursor_t)

    def _apply_axis_mode(self) -> None:
        anchor = None
        if self.case is not None:
            anchor = self.case.anchor.t
        mode = self.options.axis_mode
        axes = [plot.getAxis("bottom") for plot in self.plots()]
        if self.time_axis is not None:
            axes.append(self.time_axis)
        for axis in axes:
            axis.set_mode(mode, anchor)
        label = "Date (UTC)" if mode != RELATIVE else "Days" if self.case is None else \
            "Days from anakinra start" if self.case.anchor.on_anakinra else \
            "Days from the first record"
        for axis in axes:  # a hidden axis keeps its label for the PDF and for tests
            axis.setLabel(label)

    def set_fold(self, fold: bool) -> None:
        self.options.fold = fold
        self._redraw_track("cytokines")

    def set_dose_time(self, seconds: float) -> None:
        """The usual anakinra time of day (Preferences): samples' time since dose changes."""
        self.options.dose_time = seconds
        for key in ("cytokines", "markers"):
            self._redraw_track(key)

    def set_per_kg(self, per_kg: bool) -> None:
        self.options.per_kg = per_kg
        self._redraw_track("treatment")

    def _redraw_track(self, key: str) -> None:
        track = self.tracks.get(key)
        if track is None or self.case is None:
            return
        lo_hi = self.x_range()
        # Keep the crosshair line and the phase bands; replace the data items.
        keep = {id(line) for line in self._cursor_lines}
        keep |= {id(b) for p, b in self._phase_items if p is track.plot}
        for item in list(track.plot.items):
            if id(item) not in keep:
                track.plot.removeItem(item)
        track.render(self.case, self.options)
        track.plot.vb.disableAutoRange()
        self.episode_layer.redraw()
        self.set_x_range(*lo_hi)
        self._follow_y()

    def _rebuild_keeping_range(self) -> None:
        lo_hi = self.x_range() if self.plots() else None
        self._rebuild()
        if lo_hi is not None and self.plots():
            self.set_x_range(*lo_hi)

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

    def fit(self) -> None:
        if self.case is None:
            return
        lo, hi = self.case.time_range
        margin = (hi - lo) * 0.01
        self.set_x_range(lo - margin, hi + margin)

    def zoom(self, factor: float, centre: float | None = None) -> None:
        self.set_x_range(*navigation.zoom(*self.x_range(), factor, centre))

    def pan(self, fraction: float) -> None:
        self.set_x_range(*navigation.pan(*self.x_range(), fraction))

    def show_months(self, months: float) -> None:
        lo, hi = self.x_range()
        centre = self.cursor_t if self.cursor_t is not None and lo <= self.cursor_t <= hi \
            else (lo + hi) / 2
        self.set_x_range(*navigation.months_around(centre, months))

    # -- crosshair and readout -------------------------------------------------------------
    def _on_mouse_moved(self, args) -> None:
        pos = args[0]
        for plot in self.plots():
            if plot.sceneBoundingRect().contains(pos):
                t = float(plot.vb.mapSceneToView(pos).x())
                self.set_cursor(t)
                return

    def set_cursor(self, t: float | None) -> None:
        if t is not None:
            lo, hi = self.x_range()
            if not lo <= t <= hi or self.case is None:
                t = None  # panned out of view: nothing on screen to read
        self.cursor_t = t
        for line in self._cursor_lines:
            line.setVisible(t is not None)
            if t is not None:
                line.set_x(t)
        self.readout.setText(self._hint() if t is None else readout_html(
            self._time_text(t), self.readout_lines(t)))

    def readout_lines(self, t: float) -> list[ReadoutLine]:
        """Nearest visible measurement of every series at time t."""
        lo, hi = self.x_range()
        out: list[ReadoutLine] = []
        for track in self.tracks.values():
            for s in track.series:
                j = s.nearest(t, lo, hi)
                if j is not None:
                    out.append(ReadoutLine(s.label, s.value_text(j), s.unit,
                                           self._when(float(s.x[j]), t,
                                                      always=track.key == "symptoms"),
                                           s.colour, track.key))
        return out + dose_readout.readout_line(self.tracks.values(), t, lo, hi,
                                               lambda sample: self._when(sample, t))

    def _time_text(self, t: float) -> str:
        anchor = None if self.case is None else self.case.anchor
        return format_time(t, self.options.axis_mode, anchor)

    def _when(self, sample: float, cursor: float, *, always: bool = False) -> str:
        """When a value was measured, for the readout: nothing if on the cursor's day
        (unless always: a diary entry names its day)."""
        if self.options.axis_mode == RELATIVE and self.case is not None:
            text = self._time_text(sample)
            return "" if text == self._time_text(cursor) and not always else text
        if utc_date(sample) == utc_date(cursor) and not always:
            return ""
        # "18 Apr", with the year only when it is not the cursor's: the line stays short.
        fmt = "%d %b" if utc_date(sample)[:4] == utc_date(cursor)[:4] else "%d %b %Y"
        return dt.datetime.fromtimestamp(int(sample), dt.UTC).strftime(fmt)

    def _hint(self) -> str:
        if self.case is None:  # the first run opens no case: say what to do
            return ("<span style='color:#666'>Choose a case in the list on the left (or type "
                    "its pseudonym in the filter box and press Enter) to see its timeline."
                    "</span>")
        return ("<span style='color:#666'>Move the mouse over the timeline to read values. "
                "Wheel: zoom · drag: pan (after A: drag marks an episode) · ← →: pan · "
                "+ −: zoom · Home: whole case · "
                "1/3/6/12: months</span>")

    # -- printing ---------------------------------------------------------------------------
    def render_vector(self, painter: QtGui.QPainter, target: QtCore.QRectF, *,
                      opaque: bool = False) -> None:
        """Paint the visible timeline into target as vector graphics (PDF, SVG).

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


def _title_height(label: pg.LabelItem) -> int:
    """The legend line's height as wrapped now (one or two lines of text)."""
    return int(label.item.boundingRect().height()) + 1


def _let_shrink(plot: pg.PlotItem, heights_changed) -> None:
    """A track's legend line must not widen its plot past the window: in a narrow window
    it wraps onto a second line (between entries) instead of being cut. Its row is as
    tall as its lines (pyqtgraph fixes every title row at 30 px, two lines' worth: on a
    700 px screen five such rows cost the room of a track).

    LabelItem re-imposes its text width as minimum on every resize (updateMin), so the
    minimum is cleared after each of its own updates, and the text is given the label's
    width to wrap in.
    """
    label = plot.titleLabel
    label.item.document().setDocumentMargin(1)
    own_update = label.updateMin
    # Neither the plot nor the timeline is held here: a reference from the label back to
    # them keeps the timeline alive past the QApplication, and Python's exit then
    # segfaults (DESIGN.md, "Exit crash").
    changed = weakref.WeakMethod(heights_changed)

    natural: dict[str, float] = {}  # unwrapped width of the last text: layouts call often

    def natural_width() -> float:
        if label.text not in natural:
            doc = QtGui.QTextDocument()
            doc.setDocumentMargin(1)
            doc.setDefaultFont(label.item.font())
            doc.setHtml(label.item.toHtml())
            natural.clear()
            natural[label.text] = doc.idealWidth()
        return natural[label.text]

    def update_min() -> None:
        width = label.size().width()
        wanted = width if 0 < width < natural_width() + 4 else -1
        if label.item.textWidth() != wanted:  # a change repaints: only when needed
            label.item.setTextWidth(wanted)
            label.item.update()
        own_update()
        height = label._sizeHint[QtCore.Qt.SizeHint.MinimumSize][1]
        label._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0, height)
        label._sizeHint[QtCore.Qt.SizeHint.PreferredSize] = (0, height)
        label.setMinimumWidth(0)
        owner = label.parentItem()
        if label.isVisible() and isinstance(owner, pg.PlotItem):
            rows = _title_height(label)
            if owner.layout.rowMinimumHeight(0) != rows or label.maximumHeight() != rows:
                label.setMaximumHeight(rows)
                owner.layout.setRowFixedHeight(0, rows)
                if (callback := changed()) is not None:
                    callback()

    label.updateMin = update_min


def data_x_to_widget(widget: TimelineWidget, key: str, t: float, y: float) -> QtCore.QPoint:
    """Map a data point of a track to viewport pixels (tests and tools drive the mouse)."""
    plot = widget.plot_for(key)
    scene = plot.vb.mapViewToScene(QtCore.QPointF(t, y))
    return widget.view.mapFromScene(scene)


__all__ = ["CALENDAR", "RELATIVE", "TimelineWidget", "data_x_to_widget"]
