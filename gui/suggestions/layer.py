"""Open suggestions on the timeline, apart from the reviewer's episodes: an outlined,
hatched box in the upper row of the episodes lane (the reviewer's bars keep the lower
row) and a hatched band across the other tracks. Redrawn whenever the episode layer is (the plots' items are replaced
then). Items announce a click; the feature decides what it means."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from data import episode_edit as edit
from gui.episodes.graphics import episode_colour

LANE_Y = (1.06, 1.94)  # the lane's upper row (y 1–2); a reviewer's bars fill 0.1–0.9


@dataclass(frozen=True)
class SuggestionView:
    id: int
    kind: str
    onset: float
    drawn_end: float
    label: str
    tip: str


class SuggestionItem(pg.GraphicsObject):
    def __init__(self, view: SuggestionView, on_click, *, lane: bool) -> None:
        super().__init__()
        self.view = view
        self.on_click = on_click
        self.lane = lane
        self.selected = False
        self.setZValue(4 if lane else -25)  # bands under the reviewer's bands
        self.setToolTip(view.tip)

    def viewTransformChanged(self) -> None:  # noqa: N802 (pyqtgraph naming)
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def _y_range(self) -> tuple[float, float]:
        if self.lane:
            return LANE_Y
        vr = self.viewRect()
        return (0.0, 1.0) if vr is None else (vr.top(), vr.bottom())

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        y0, y1 = self._y_range()
        v = self.view
        return QtCore.QRectF(v.onset, y0, v.drawn_end - v.onset, y1 - y0)

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        colour = episode_colour(self.view.kind)
        rect = self.boundingRect()
        hatch = QtGui.QColor(colour)
        hatch.setAlpha(170 if self.lane else 60)
        brush = QtGui.QBrush(hatch, QtCore.Qt.BrushStyle.BDiagPattern)
        # The hatch keeps its spacing in pixels at any zoom.
        brush.setTransform(p.transform().inverted()[0])
        p.setBrush(brush)
        pen = QtGui.QPen(colour.darker(130), 2.0 if self.selected else 1.2,
                         QtCore.Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        p.setPen(pen if self.lane or self.selected else QtCore.Qt.PenStyle.NoPen)
        p.drawRect(rect)
        if self.lane:
            device = p.transform().mapRect(rect)
            p.save()
            p.resetTransform()
            font = QtGui.QFont()
            font.setPointSize(8)
            font.setItalic(True)
            p.setFont(font)
            p.setPen(QtGui.QColor("#000000"))
            box = device.adjusted(5, 0, -4, 0)
            if box.width() > 18:
                text = QtGui.QFontMetrics(font).elidedText(
                    self.view.label, QtCore.Qt.TextElideMode.ElideRight, int(box.width()))
                p.drawText(box, int(QtCore.Qt.AlignmentFlag.AlignVCenter
                                    | QtCore.Qt.AlignmentFlag.AlignLeft), text)
            p.restore()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if self.lane and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            self.on_click(self.view.id)


def views_of(suggestions: pd.DataFrame, horizon: float) -> list[SuggestionView]:
    """The open suggestions, as drawn."""
    out = []
    if suggestions.empty:
        return out
    for row in suggestions.itertuples(index=False):
        if row.state != "open":
            continue
        end = None if edit.is_missing(row.end) else float(row.end)
        onset = float(row.onset)
        label = f"suggested {row.kind} · {row.certainty}" + (" · changed" if row.changed else "")
        tip = (f"Suggested {row.kind} ({row.certainty}): "
               f"{row.evidence[0]['text'] if row.evidence else ''}\n"
               "Accept or reject it in the Suggestions panel")
        out.append(SuggestionView(int(row.id), str(row.kind), onset,
                                  edit.drawn_end(onset, end, horizon), label, tip))
    return out


class SuggestionLayer(QtCore.QObject):
    clicked = QtCore.Signal(int)  # suggestion id

    def __init__(self, timeline) -> None:
        super().__init__(timeline)
        self.timeline = timeline
        self.suggestions = pd.DataFrame()
        self.selected_id: int | None = None
        self.items: list[tuple[pg.PlotItem, SuggestionItem]] = []
        timeline.episode_layer.redrawn.connect(self.redraw)

    def set_suggestions(self, suggestions: pd.DataFrame) -> None:
        self.suggestions = suggestions
        self.redraw()

    def set_selected(self, sid: int | None) -> None:
        self.selected_id = sid
        for _, item in self.items:
            item.set_selected(item.view.id == sid)

    def redraw(self) -> None:
        for plot, item in self.items:
            if item.scene() is not None:
                plot.removeItem(item)
        self.items.clear()
        case = self.timeline.case
        if case is None:
            return
        views = views_of(self.suggestions, case.time_range[1])
        lane = self.timeline.plot_for("episodes")
        for _key, plot in self.timeline.visible_plots():
            for view in views:
                item = SuggestionItem(view, self.clicked.emit, lane=plot is lane)
                item.set_selected(view.id == self.selected_id)
                plot.addItem(item, ignoreBounds=True)
                self.items.append((plot, item))
