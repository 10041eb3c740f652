"""Reviewer episodes on the timeline: a labelled bar on the episodes lane, a faint band
across every other track, drag previews, and annotate mode.

The layer never writes anything. A drag shows a preview while it lasts and, when the
button is released, announces what the reviewer asked for (createRequested,
changeRequested); Esc before the release cancels it. A click announces a selection. A
controller decides what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from data import episode_edit as edit
from gui.episodes.graphics import (
    BODY,
    END,
    LEFT,
    ONSET,
    RIGHT,
    AnnotateSurface,
    EpisodeItem,
    EpisodeView,
    PreviewItem,
)
from gui.timeline.axis import CALENDAR, format_time

DAY = edit.DAY
CREATE = "create"


@dataclass
class _Drag:
    zone: str  # ONSET, END, BODY or CREATE
    episode: EpisodeView | None
    start: float  # data x where the button went down
    plot: pg.PlotItem  # where the caption goes


def episode_label(row) -> str:
    parts = [str(row.kind)]
    if isinstance(row.severity, str) and row.severity:
        parts.append(row.severity)
    if edit.is_missing(row.end):
        parts.append("ongoing")
    return " · ".join(parts)


class EpisodeLayer(QtCore.QObject):
    """Episode drawing and the mouse side of annotating; state is only what is on screen."""

    selected = QtCore.Signal(object)  # episode id, or None when the reviewer clicked away
    redrawn = QtCore.Signal()  # the plots' items were replaced: other layers draw again
    createRequested = QtCore.Signal(float, float)  # noqa: N815  onset, end (snapped)
    changeRequested = QtCore.Signal(int, float, object)  # noqa: N815  id, onset, end|None
    menuRequested = QtCore.Signal(int, QtCore.QPoint)  # noqa: N815  id, global position

    def __init__(self, timeline) -> None:
        super().__init__(timeline)
        self.timeline = timeline
        self.episodes = pd.DataFrame()
        self.views: list[EpisodeView] = []
        self.selected_id: int | None = None
        self.annotating = False
        self.editable = True  # False for a login that may not change episodes (gui/access.py)
        self._items: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []
        self._retired: list[pg.GraphicsObject] = []
        self._previews: list[tuple[pg.PlotItem, PreviewItem]] = []
        self._drag: _Drag | None = None
        self.message = _MessageLabel(timeline.view)

    @property
    def dragging(self) -> bool:
        """A drag is under way: a redraw now would cancel it (gui.live_refresh waits)."""
        return self._drag is not None

    # -- what the timeline calls -----------------------------------------------------------
    def set_episodes(self, episodes: pd.DataFrame) -> None:
        self.episodes = episodes
        self.redraw()

    def redraw(self) -> None:
        # The item being dragged may be the one asking for this redraw (a drop writes,
        # the controller reloads): keep removed items alive until the next redraw.
        # Those retired by the redraw before are out of every scene and no drag holds
        # them: delete them now, from the event loop. Left to Python, items caught in
        # pyqtgraph's reference cycles were deleted, still live, whenever the collector
        # next ran (the cohort band's crash, issue 14).
        for item in self._retired:
            item.deleteLater()
        self._retired = [item for _, item in self._items]
        for plot, item in self._items:
            plot.removeItem(item)
        self._items.clear()
        self._previews.clear()
        self._set_drag(None)
        case = self.timeline.case
        if case is None:
            self.views = []
            self.redrawn.emit()
            return
        self.views = self._views(case.time_range[1])
        lane = self.timeline.plot_for("episodes")
        for _key, plot in self.timeline.visible_plots():
            for view in self.views:
                item = EpisodeItem(view, self, lane=plot is lane)
                item.set_selected(view.id == self.selected_id)
                self._add(plot, item)
            if self.annotating:
                self._add(plot, AnnotateSurface(self))
            preview = PreviewItem()
            preview.hide()
            self._add(plot, preview)
            self._previews.append((plot, preview))
        self.redrawn.emit()

    def _add(self, plot: pg.PlotItem, item: pg.GraphicsObject) -> None:
        plot.addItem(item, ignoreBounds=True)
        self._items.append((plot, item))

    def _views(self, horizon: float) -> list[EpisodeView]:
        out = []
        for row in self.episodes.itertuples(index=False):
            end = None if edit.is_missing(row.end) else float(row.end)
            onset = float(row.onset)
            out.append(EpisodeView(int(row.id), str(row.kind), onset, end,
                                   edit.drawn_end(onset, end, horizon), episode_label(row)))
        return out

    # -- what the controller calls ---------------------------------------------------------
    def set_selected(self, episode_id: int | None) -> None:
        self.selected_id = episode_id
        for _plot, item in self._items:
            if isinstance(item, EpisodeItem):
                item.set_selected(item.episode.id == episode_id)

    def set_annotating(self, on: bool) -> None:
        if on != self.annotating:
            self.annotating = on
            self.redraw()

    def view_of(self, episode_id: int) -> EpisodeView | None:
        return next((v for v in self.views if v.id == episode_id), None)

    def items(self, episode_id: int | None = None) -> list[EpisodeItem]:
        """The drawn items (of one episode), lane bar first: for tests and tools."""
        found = [i for _p, i in self._items if isinstance(i, EpisodeItem)
                 and (episode_id is None or i.episode.id == episode_id)]
        return sorted(found, key=lambda i: not i.lane)

    def show_message(self, text: str, *, error: bool = False, msec: int = 6000) -> None:
        """A one-line message over the top of the timeline, gone after msec."""
        self.message.show_text(text, error=error, msec=msec)

    # -- what the items call (intent, never writes) ----------------------------------------
    def episode_clicked(self, item: EpisodeItem, button, screen_pos) -> None:
        self._select(item.episode.id)
        if button == RIGHT:
            self.menuRequested.emit(item.episode.id, screen_pos.toPoint())

    def surface_clicked(self, surface: AnnotateSurface, ev) -> None:
        hit = self.hit(surface, ev.pos())
        if hit is not None:
            ev.accept()
            self.episode_clicked(hit[0], ev.button(), ev.screenPos())
        elif ev.button() == LEFT:
            self._select(None)  # and the click goes on to a measurement point beneath

    def episode_dragged(self, item: EpisodeItem, ev) -> None:
        if not self.editable:
            ev.ignore()  # the drag pans the timeline, as on a measurement
            return
        if ev.isStart():
            zone = item.zone(ev.buttonDownPos().x()) if ev.button() == LEFT else None
            if zone is None:
                ev.ignore()
                return
            self._start(zone, item, ev.buttonDownPos().x())
        self._dragging(ev)

    def surface_dragged(self, surface: AnnotateSurface, ev) -> None:
        if ev.isStart():
            if ev.button() != LEFT:
                ev.ignore()
                return
            x = ev.buttonDownPos().x()
            hit = self.hit(surface, ev.buttonDownPos())
            if hit is not None:
                self._start(hit[1], hit[0], x)
            else:
                self._set_drag(_Drag(CREATE, None, x, self._plot_of(surface)))
        self._dragging(ev)

    def hit(self, surface: AnnotateSurface,
            pos: QtCore.QPointF) -> tuple[EpisodeItem, str] | None:
        """The episode part under pos on the surface's plot: an edge before a body."""
        vb = surface.getViewBox()
        body = None
        for _plot, item in self._items:
            if not isinstance(item, EpisodeItem) or item.getViewBox() is not vb \
                    or not item.boundingRect().contains(pos):
                continue
            zone = item.zone(pos.x())
            if zone in (ONSET, END):
                return item, zone
            if zone == BODY and body is None:
                body = (item, zone)
        return body

    def _start(self, zone: str, item: EpisodeItem, x: float) -> None:
        self._set_drag(_Drag(zone, item.episode, x, self._plot_of(item)))
        self._select(item.episode.id)

    # -- dragging --------------------------------------------------------------------------
    def _dragging(self, ev) -> None:
        drag = self._drag
        if drag is None:
            ev.ignore()
            return
        ev.accept()
        free = bool(ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier)
        span = self._proposal(drag, ev.pos().x(), free)
        if not ev.isFinish():
            self._show_preview(drag, span)
            return
        self._hide_preview()
        self._set_drag(None)
        if drag.zone == CREATE:
            self.createRequested.emit(span.onset, span.end)
        elif (span.onset, span.end) != (drag.episode.onset, drag.episode.end):
            # Refused spans are announced too: the controller says why, where it is seen.
            self.changeRequested.emit(drag.episode.id, span.onset, span.end)

    def _set_drag(self, drag: _Drag | None) -> None:
        """Start or end a drag; while one lasts, Esc anywhere in the app cancels it."""
        app = QtCore.QCoreApplication.instance()
        if drag is not None and self._drag is None:
            app.installEventFilter(self)
        elif drag is None and self._drag is not None:
            app.removeEventFilter(self)
        self._drag = drag

    def cancel_drag(self) -> bool:
        """Drop the drag in progress: no request, the preview gone. False if none."""
        if self._drag is None:
            return False
        self._hide_preview()
        self._set_drag(None)
        self.show_message("Drag cancelled: nothing changed.")
        return True

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        t = event.type()
        if self._drag is None or t not in (QtCore.QEvent.Type.ShortcutOverride,
                                           QtCore.QEvent.Type.KeyPress) \
                or event.key() != QtCore.Qt.Key.Key_Escape:
            return False
        if t == QtCore.QEvent.Type.ShortcutOverride:
            event.accept()  # Esc is the drag's, not "Leave annotate mode"'s: comes as a key
            return True
        self.cancel_drag()
        return True

    def _proposal(self, drag: _Drag, x: float, free: bool) -> edit.Span:
        limits = edit.bounds(self.timeline.case.time_range)
        e = drag.episode
        if drag.zone == CREATE:
            return edit.from_drag(drag.start, x, limits, free=free)
        if drag.zone == BODY:
            return edit.move_body(e.onset, e.end, x - drag.start, limits, free=free)
        return edit.move_edge(e.onset, e.end, drag.zone, x, limits, free=free)

    def _show_preview(self, drag: _Drag, span: edit.Span) -> None:
        horizon = self.timeline.case.time_range[1]
        shown_end = edit.drawn_end(span.onset, span.end, horizon)
        caption = span.reason or self.describe(span)
        for plot, preview in self._previews:
            preview.show_span(span.onset, shown_end, span.ok,
                              caption if plot is drag.plot else "")

    def _hide_preview(self) -> None:
        for _plot, preview in self._previews:
            preview.hide()

    def _plot_of(self, item: pg.GraphicsObject) -> pg.PlotItem:
        vb = item.getViewBox()
        return next(p for _k, p in self.timeline.visible_plots() if p.vb is vb)

    def describe(self, span: edit.Span) -> str:
        """'2024-03-03 → 2024-03-10 · 8 days · day +272' in the axis's own terms; the
        second date is the last day (the stored end is the midnight after it)."""
        case = self.timeline.case
        mode = self.timeline.options.axis_mode
        anchor = None if case is None else case.anchor
        onset = format_time(span.onset, mode, anchor)
        if span.end is None:
            text = f"from {onset}, ongoing"
        else:
            days = span.duration_days
            unit = "day" if days == 1 else "days"
            text = f"{onset} → {format_time(edit.shown_end(span.end), mode, anchor)} · " \
                   f"{edit.format_days(days)} {unit}"
        if mode == CALENDAR and anchor is not None:
            text += f" · {anchor.label(span.onset)}"
        return text

    def _select(self, episode_id: int | None) -> None:
        self.set_selected(episode_id)
        self.selected.emit(episode_id)


class _MessageLabel(QtWidgets.QLabel):
    """A message floating over the top of the timeline, where the reviewer is looking."""

    STYLES = {
        False: "background:#FFF8DC; color:#262626; border:1px solid #C9B458;",
        True: "background:#FDECEA; color:#8A1C12; border:1px solid #D55E00;",
    }

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("episodeMessage")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def show_text(self, text: str, *, error: bool, msec: int) -> None:
        self.setStyleSheet(f"QLabel {{ {self.STYLES[error]} border-radius:4px; "
                           "padding:4px 10px; }")
        self.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        self.move(max((parent.width() - self.width()) // 2, 4), 6)
        self.raise_()
        self.show()
        self._timer.start(msec)


__all__ = ["BODY", "END", "ONSET", "EpisodeLayer", "episode_label"]
