"""Graphics items for episodes: a bar on the episodes lane, a band on every other track,
a drag preview, and the surface that turns drags into new episodes in annotate mode.

Items know how to draw and where their edges are; what a click or drag means is decided
by their ``handler`` (the EpisodeLayer), which only announces intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from gui.palette import EPISODE_COLOURS, flatten

EDGE_PX = 5  # how close to an edge the pointer grabs it
LANE_Y = (0.1, 0.9)  # the bar's height on the episodes lane (lane y runs 0..2)
LEFT = QtCore.Qt.MouseButton.LeftButton
RIGHT = QtCore.Qt.MouseButton.RightButton
ONSET, END, BODY = "onset", "end", "body"
CURSORS = {ONSET: QtCore.Qt.CursorShape.SizeHorCursor, END: QtCore.Qt.CursorShape.SizeHorCursor,
           BODY: QtCore.Qt.CursorShape.OpenHandCursor, None: QtCore.Qt.CursorShape.CrossCursor}


@dataclass(frozen=True)
class EpisodeView:
    """What an item draws: the stored times plus where an ongoing episode's bar stops."""

    id: int
    kind: str
    onset: float
    end: float | None
    drawn_end: float
    label: str


class Handler(Protocol):
    editable: bool  # False: episodes are shown and selected, never dragged

    def episode_clicked(self, item: EpisodeItem, button: QtCore.Qt.MouseButton,
                        screen_pos: QtCore.QPointF) -> None: ...
    def episode_dragged(self, item: EpisodeItem, ev) -> None: ...
    def surface_dragged(self, surface: AnnotateSurface, ev) -> None: ...
    def surface_clicked(self, surface: AnnotateSurface, ev) -> None: ...
    def hit(self, surface: AnnotateSurface,
            pos: QtCore.QPointF) -> tuple[EpisodeItem, str] | None: ...


def episode_colour(kind: str) -> QtGui.QColor:
    return QtGui.QColor(EPISODE_COLOURS.get(kind, "#777777"))


def _cosmetic(colour: QtGui.QColor, width: float = 1.0,
              style: QtCore.Qt.PenStyle = QtCore.Qt.PenStyle.SolidLine) -> QtGui.QPen:
    pen = QtGui.QPen(colour, width, style)
    pen.setCosmetic(True)
    return pen


class _ViewSpanning(pg.GraphicsObject):
    """An item whose height follows its ViewBox (bands, preview, annotate surface)."""

    def viewTransformChanged(self) -> None:  # noqa: N802 (pyqtgraph naming)
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def _y_range(self) -> tuple[float, float]:
        vr = self.viewRect()
        return (0.0, 1.0) if vr is None else (vr.top(), vr.bottom())


class EpisodeItem(_ViewSpanning):
    """One episode on one plot. On the lane: a labelled bar, draggable at its edges and body.
    Elsewhere: a faint band whose edges can be dragged (its body lets the view pan)."""

    def __init__(self, episode: EpisodeView, handler: Handler, *, lane: bool) -> None:
        super().__init__()
        self.episode = episode
        self.handler = handler
        self.lane = lane
        self.selected = False
        self.hover_zone: str | None = None
        self.setZValue(5 if lane else -20)  # bands behind the data, bars above the lane text

    # -- geometry --------------------------------------------------------------------------
    def _y_range(self) -> tuple[float, float]:
        return LANE_Y if self.lane else super()._y_range()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        pad = EDGE_PX * (self.pixelWidth() or 0.0)
        y0, y1 = self._y_range()
        e = self.episode
        return QtCore.QRectF(e.onset - pad, y0, e.drawn_end - e.onset + 2 * pad, y1 - y0)

    def zone(self, x: float) -> str | None:
        """Which part of the episode the pointer at x would grab, if any."""
        tol = EDGE_PX * (self.pixelWidth() or 0.0)
        e = self.episode
        d_onset, d_end = abs(x - e.onset), abs(x - e.drawn_end)
        if min(d_onset, d_end) <= tol:
            return ONSET if d_onset <= d_end else END
        if self.lane and e.onset < x < e.drawn_end:
            return BODY
        return None

    # -- mouse -----------------------------------------------------------------------------
    def hoverEvent(self, ev) -> None:  # noqa: N802
        zone = None if ev.isExit() or not self.handler.editable else self.zone(ev.pos().x())
        if zone is not None and not ev.acceptDrags(LEFT):
            zone = None  # something above us takes this drag
        if zone is not None or (self.lane and not ev.isExit()):
            ev.acceptClicks(LEFT)
            ev.acceptClicks(RIGHT)
        if zone is None:
            self.unsetCursor()
        else:
            self.setCursor(CURSORS[zone])
        tip = None
        if zone == BODY:
            tip = f"{self.episode.label}: drag to move, drag an edge to change the dates"
        self.setToolTip(tip or "")
        if zone != self.hover_zone:
            self.hover_zone = zone
            self.update()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if ev.button() in (LEFT, RIGHT):
            ev.accept()
            self.handler.episode_clicked(self, ev.button(), ev.screenPos())

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        self.handler.episode_dragged(self, ev)

    # -- drawing ---------------------------------------------------------------------------
    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        e = self.episode
        colour = episode_colour(e.kind)
        y0, y1 = self._y_range()
        rect = QtCore.QRectF(e.onset, y0, e.drawn_end - e.onset, y1 - y0)
        alpha = (205 if self.selected else 150) if self.lane else (48 if self.selected else 22)
        export = getattr(self, "_exportOpts", False) or {}
        # An archival (PDF/A-1) print has no transparency: blend onto the page instead.
        page = QtGui.QColor(export["background"]) if export.get("opaque") else None
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(_fill(colour, alpha, rect, open_end=e.end is None, page=page))
        p.drawRect(rect)
        edge = colour.darker(140)
        edge.setAlpha(255 if self.lane else (200 if self.selected else 90))
        if page is not None:
            edge = flatten(edge, page)
        width = 2.0 if self.selected or self.hover_zone else 1.0
        if self.lane or self.selected or self.hover_zone:
            p.setPen(_cosmetic(edge, width))
            p.drawLine(QtCore.QLineF(e.onset, y0, e.onset, y1))
            if e.end is not None:
                p.drawLine(QtCore.QLineF(e.drawn_end, y0, e.drawn_end, y1))
        if self.lane:
            if self.selected:
                p.setPen(_cosmetic(edge, 1.0))
                p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                p.drawRect(rect)
            visible = self.viewRect()
            shown = rect if visible is None else rect.intersected(visible)
            shown_px = p.transform().mapRect(shown)
            _paint_in_pixels(p, rect, lambda r: self._paint_label(p, r, shown_px, edge))

    def _paint_label(self, p: QtGui.QPainter, r: QtCore.QRectF, shown: QtCore.QRectF,
                     edge: QtGui.QColor) -> None:
        """r: the whole bar in pixels; shown: its visible part, where the text goes."""
        if self.episode.end is None:  # ongoing: an arrowhead where the bar fades out
            h = min(r.height() * 0.6, 12.0)
            tip = QtCore.QPointF(r.right(), r.center().y())
            arrow = QtGui.QPolygonF([tip, QtCore.QPointF(tip.x() - h * 0.8, tip.y() - h / 2),
                                     QtCore.QPointF(tip.x() - h * 0.8, tip.y() + h / 2)])
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.setBrush(edge)
            p.drawPolygon(arrow)
        right_pad = 14 if self.episode.end is None and shown.right() >= r.right() - 1 else 4
        text_rect = shown.adjusted(5, 0, -right_pad, 0)
        if text_rect.width() < 18:
            return
        font = QtGui.QFont()
        font.setPointSize(8)
        font.setBold(self.selected)
        p.setFont(font)
        p.setPen(QtGui.QColor("#000000"))
        fm = QtGui.QFontMetrics(font)
        label = self.episode.label
        if fm.horizontalAdvance(label) > text_rect.width():
            label = label.split(" · ")[0]  # the kind alone, rather than a word cut short
        text = fm.elidedText(label, QtCore.Qt.TextElideMode.ElideRight, int(text_rect.width()))
        p.drawText(text_rect, int(QtCore.Qt.AlignmentFlag.AlignVCenter
                                  | QtCore.Qt.AlignmentFlag.AlignLeft), text)


class PreviewItem(_ViewSpanning):
    """The span a drag would give, dashed, across a whole plot; red when it is refused.
    One preview per drag also carries the dates (or the refusal) as text."""

    def __init__(self) -> None:
        super().__init__()
        self.span: tuple[float, float] = (0.0, 0.0)
        self.ok = True
        self.text = ""
        self.setZValue(50)

    def show_span(self, onset: float, end: float, ok: bool, text: str = "") -> None:
        self.prepareGeometryChange()
        self.span = (min(onset, end), max(onset, end))
        self.ok, self.text = ok, text
        self.show()
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        y0, y1 = self._y_range()
        lo, hi = self.span
        if self.text:  # the caption may stick out on either side, within the view
            vr = self.viewRect()
            if vr is not None:
                lo, hi = min(lo, vr.left()), max(hi, vr.right())
        return QtCore.QRectF(lo, y0, hi - lo, y1 - y0)

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        colour = QtGui.QColor("#333333" if self.ok else "#C00000")
        y0, y1 = self._y_range()
        lo, hi = self.span
        rect = QtCore.QRectF(lo, y0, hi - lo, y1 - y0)
        fill = QtGui.QColor(colour)
        fill.setAlpha(28 if self.ok else 40)
        p.setBrush(fill)
        p.setPen(_cosmetic(colour, 1.5, QtCore.Qt.PenStyle.DashLine))
        p.drawRect(rect)
        vr = self.viewRect()
        if self.text and vr is not None:
            bounds = p.transform().mapRect(QtCore.QRectF(vr))
            _paint_in_pixels(p, rect, lambda r: self._paint_caption(p, r, bounds, colour))

    def _paint_caption(self, p: QtGui.QPainter, span: QtCore.QRectF, bounds: QtCore.QRectF,
                       colour: QtGui.QColor) -> None:
        self.caption_rect = _caption(p, span, bounds, self.text, colour)

    caption_rect: QtCore.QRectF | None = None  # last painted, in device pixels


class AnnotateSurface(_ViewSpanning):
    """In annotate mode, covers a plot and takes every drag there: on an episode's edge
    (or its body, on the lane) the drag adjusts that episode, anywhere else it draws a
    new one instead of panning.

    It lies on top and paints nothing. Being on top, it wins a drag even when pyqtgraph
    has no fresh hover to go by (the layer was just redrawn under a still pointer,
    e.g. right after pressing A).
    """

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.setZValue(1000)
        self.setCursor(QtCore.Qt.CursorShape.CrossCursor)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        vr = self.viewRect()
        return QtCore.QRectF() if vr is None else QtCore.QRectF(vr)

    def paint(self, *_args) -> None:
        pass

    def hoverEvent(self, ev) -> None:  # noqa: N802
        if ev.isExit():
            return
        ev.acceptDrags(LEFT)
        hit = self.handler.hit(self, ev.pos())
        self.setCursor(CURSORS[None if hit is None else hit[1]])

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        self.handler.surface_dragged(self, ev)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        self.handler.surface_clicked(self, ev)


def _fill(colour: QtGui.QColor, alpha: int, rect: QtCore.QRectF, *,
          open_end: bool, page: QtGui.QColor | None = None) -> QtGui.QBrush:
    solid = QtGui.QColor(colour)
    solid.setAlpha(alpha)
    if page is not None:
        solid = flatten(solid, page)
    if not open_end:
        return QtGui.QBrush(solid)
    # An ongoing episode fades out over its last third: it has no end yet.
    grad = QtGui.QLinearGradient(rect.left(), 0, rect.right(), 0)
    grad.setColorAt(0.0, solid)
    grad.setColorAt(0.65, solid)
    clear = QtGui.QColor(colour)
    clear.setAlpha(alpha // 6)
    if page is not None:
        clear = flatten(clear, page)
    grad.setColorAt(1.0, clear)
    return QtGui.QBrush(grad)


def _paint_in_pixels(p: QtGui.QPainter, rect: QtCore.QRectF, draw) -> None:
    """Run draw(rect in device pixels) with the data transform removed, so text and
    arrowheads keep their size at any zoom."""
    device = p.transform().mapRect(rect)
    p.save()
    p.resetTransform()
    try:
        draw(device)
    finally:
        p.restore()


def place_caption(span: QtCore.QRectF, size: QtCore.QSizeF,
                  bounds: QtCore.QRectF) -> QtCore.QRectF:
    """Where a caption of size goes for a span (pixels): at the span's top left, moved
    left as far as needed to stay inside bounds (the visible plot), never past its left."""
    box = QtCore.QRectF(QtCore.QPointF(span.left() + 4, span.top() + 4), size)
    if box.right() > bounds.right() - 2:
        box.moveRight(bounds.right() - 2)
    if box.left() < bounds.left() + 2:
        box.moveLeft(bounds.left() + 2)
    return box


def _caption(p: QtGui.QPainter, r: QtCore.QRectF, bounds: QtCore.QRectF, text: str,
             colour: QtGui.QColor) -> QtCore.QRectF:
    font = QtGui.QFont()
    font.setPointSize(8)
    p.setFont(font)
    fm = QtGui.QFontMetrics(font)
    size = QtCore.QSizeF(fm.horizontalAdvance(text) + 10, fm.height() + 4)
    box = place_caption(r, size, bounds)
    p.setPen(_cosmetic(colour, 1.0))
    p.setBrush(QtGui.QColor(255, 255, 255, 235))
    p.drawRoundedRect(box, 3, 3)
    p.setPen(colour)
    p.drawText(box, int(QtCore.Qt.AlignmentFlag.AlignCenter), text)
    return box
