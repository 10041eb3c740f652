"""The case timeline: a case's tracks on one shared time axis, crosshair readout,
navigation, and the episode layer (annotating belongs to this single-case view only).

The widget reads a data.case.Case and never touches the database. Its state that the
user changes (visible tracks, their order, axis mode, fold, dose unit) is set through
methods and announced by signals, so the main window can persist it. Stacking, linking,
following y, the crosshair and printing are the TrackStack's (gui/timeline/stack.py),
shared with the episode overlay and the cohort view.
"""

from __future__ import annotations

import datetime as dt

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from data.numbers import utc_date
from gui.palette import phase_bands
from gui.timeline import dose_readout, navigation, shapes
from gui.timeline.axis import CALENDAR, RELATIVE, format_time
from gui.timeline.episode_layer import EpisodeLayer
from gui.timeline.highlight import SampleHighlight
from gui.timeline.readout import ReadoutLine
from gui.timeline.stack import Row, TrackStack, data_to_viewport
from gui.timeline.tracks import TRACK_TYPES, TRACKS_BY_KEY
from gui.timeline.tracks.base import TimelineOptions


class TimelineWidget(TrackStack):
    pointClicked = QtCore.Signal(dict)  # noqa: N815 (Qt naming)
    tracksChanged = QtCore.Signal(list)  # noqa: N815  [(key, visible), …] in display order

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, theme: str = "screen") -> None:
        self.case = None
        super().__init__(parent, theme=theme)
        self.options = TimelineOptions()
        self.track_order: list[str] = [t.key for t in TRACK_TYPES]
        self.hidden: set[str] = {t.key for t in TRACK_TYPES if not t.shown_by_default}
        # Tracks shown only where there is room (Track.shown_when_room): the ones the
        # reviewer asked for anyway, and the ones left out now for want of room.
        self.asked: set[str] = set()
        self.no_room: set[str] = set()
        self._room_timer = QtCore.QTimer(self, singleShot=True, interval=0)
        self._room_timer.timeout.connect(self._check_room)
        # Each plot's phase bands, kept with the plot from case to case (TrackStack.place)
        self._phase_items: dict[pg.PlotItem, list[shapes.VBand]] = {}
        self.episode_layer = EpisodeLayer(self)
        self.highlight = SampleHighlight(self)  # rings: a key figure's or a grid cell's samples

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

    def clear_case(self) -> None:
        """Take the case off the screen while the next one is read: every item that
        refers to its numbers goes, the plots stay for the next case."""
        self.case = None
        self.highlight.clear()
        for plot in self.plots():
            for band in self._phase_items.pop(plot, []):
                plot.removeItem(band)
            self.clear_track(plot)
        self.tracks.clear()
        self.episode_layer.set_episodes(self.episode_layer.episodes.iloc[0:0])
        self.set_cursor(None)

    def _rebuild(self) -> None:
        if self.case is None:
            self._phase_items.clear()
            self.arrange([])
            return
        rows = self._with_room([Row.of(k, TRACKS_BY_KEY[k]) for k in self.available_tracks()
                                if k not in self.hidden])
        shown = [r.key for r in rows]
        self.arrange(rows)
        for key in shown:
            track = self.place(key, TRACKS_BY_KEY[key], self.case, self.options)
            track.on_point_clicked = self.pointClicked.emit
        self._draw_phases()
        self._apply_axis_mode()
        self.limit_x(*self.case.time_range)
        self.episode_layer.set_episodes(self.case.episodes)

    def _draw_phases(self) -> None:
        wanted = [(ph.start, ph.end, pg.mkBrush(c)) for ph, c in phase_bands(self.case.phases())]
        before, self._phase_items = self._phase_items, {}
        for plot in self.plots():
            bands = before.get(plot, [])
            if len(bands) == len(wanted):
                for band, span in zip(bands, wanted, strict=True):
                    band.set_span(*span)
            else:
                for band in bands:
                    plot.removeItem(band)
                bands = [shapes.add(plot, shapes.VBand(*span)) for span in wanted]
            self._phase_items[plot] = bands

    def kept_items(self, plot: pg.PlotItem) -> set[int]:
        return super().kept_items(plot) | {id(b) for b in self._phase_items.get(plot, [])}

    def _with_room(self, rows: list[Row]) -> list[Row]:
        """rows without the tracks shown only where there is room if, with them, the
        tracks would scroll at the timeline's height now. On paper (no fixed time axis)
        they stay: a page does not scroll, and the PDF left out the physician global the
        window showed."""
        optional = {r.key for r in rows
                    if TRACKS_BY_KEY[r.key].shown_when_room and r.key not in self.asked}
        if optional and self.time_axis is not None and \
                self.needed_height(rows) > self.scroll.viewport().height():
            rows = [r for r in rows if r.key not in optional]
        else:
            optional = set()
        self.no_room = optional
        return rows

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._room_timer.start()  # once the scroll area has its new height

    def _check_room(self) -> None:
        """A taller or shorter window may give or take the room a track needs."""
        if self.case is None or self.time_axis is None:
            return
        wanted = [Row.of(k, TRACKS_BY_KEY[k]) for k in self.available_tracks()
                  if k not in self.hidden]
        before = self.no_room
        if [r.key for r in self._with_room(wanted)] != [r.key for r in self._rows]:
            self._rebuild_keeping_range()
        elif self.no_room != before:
            self._announce_tracks()

    def shown(self, key: str) -> bool:
        """Whether track key is shown when the case has data for it (View → Tracks)."""
        return key not in self.hidden and key not in self.no_room

    # -- queries -----------------------------------------------------------------------
    def available_tracks(self) -> list[str]:
        """Tracks with something to show for this case, in the user's order."""
        if self.case is None:
            return []
        return [k for k in self.track_order if TRACKS_BY_KEY[k].has_data(self.case)]

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
        (self.asked.add if visible else self.asked.discard)(key)
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
        axes = self.time_axes()
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
        self.clear_track(track.plot)  # the crosshair line and the phase bands stay
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

    # -- navigation ----------------------------------------------------------------------
    def fit(self) -> None:
        if self.case is None:
            return
        lo, hi = self.case.time_range
        margin = (hi - lo) * 0.01
        self.set_x_range(lo - margin, hi + margin)

    def show_months(self, months: float) -> None:
        lo, hi = self.x_range()
        centre = self.cursor_t if self.cursor_t is not None and lo <= self.cursor_t <= hi \
            else (lo + hi) / 2
        self.set_x_range(*navigation.months_around(centre, months))

    # -- crosshair and readout -------------------------------------------------------------
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

    def time_text(self, t: float) -> str:
        anchor = None if self.case is None else self.case.anchor
        return format_time(t, self.options.axis_mode, anchor)

    def _when(self, sample: float, cursor: float, *, always: bool = False) -> str:
        """When a value was measured, for the readout: nothing if on the cursor's day
        (unless always: a diary entry names its day)."""
        if self.options.axis_mode == RELATIVE and self.case is not None:
            text = self.time_text(sample)
            return "" if text == self.time_text(cursor) and not always else text
        if utc_date(sample) == utc_date(cursor) and not always:
            return ""
        # "18 Apr", with the year only when it is not the cursor's: the line stays short.
        fmt = "%d %b" if utc_date(sample)[:4] == utc_date(cursor)[:4] else "%d %b %Y"
        return dt.datetime.fromtimestamp(int(sample), dt.UTC).strftime(fmt)

    def hint(self) -> str:
        if self.case is None:  # the first run opens no case: say what to do
            return ("<span style='color:#666'>Choose a case in the list on the left (or type "
                    "its pseudonym in the filter box and press Enter) to see its timeline."
                    "</span>")
        return ("<span style='color:#666'>Move the mouse over the timeline to read values. "
                "Wheel: zoom · drag: pan (after A: drag marks an episode) · ← →: pan · "
                "+ −: zoom · Home: whole case · "
                "1/3/6/12: months</span>")


def data_x_to_widget(widget: TimelineWidget, key: str, t: float, y: float) -> QtCore.QPoint:
    """Map a data point of a track to viewport pixels (tests and tools drive the mouse)."""
    return data_to_viewport(widget, key, t, y)


__all__ = ["CALENDAR", "RELATIVE", "TimelineWidget", "data_x_to_widget"]
