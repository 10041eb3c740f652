"""Light graphics items for bands and reference lines that span a track.

pyqtgraph's LinearRegionItem carries two InfiniteLines each, and InfiniteLine recomputes
its bounds on every view change: with phase bands, thresholds and a crosshair on seven
tracks that was ~5 ms a frame. These items keep only what they draw, clipped to the
visible rect, so coordinates never grow past what the raster engine handles.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui


class _Spanning(pg.GraphicsObject):
    def __init__(self, pen: QtGui.QPen | None = None, brush: QtGui.QBrush | None = None) -> None:
        super().__init__()
        self.pen = pen or pg.mkPen(None)
        self.pen.setCosmetic(True)
        self.brush = brush or pg.mkBrush(None)
        self._view = QtCore.QRectF()

    def viewRangeChanged(self) -> None:  # noqa: N802 (pyqtgraph hook)
        self.prepareGeometryChange()
        vb = self.getViewBox()
        self._view = vb.viewRect() if vb is not None else QtCore.QRectF()

    def shape_rect(self) -> QtCore.QRectF:
        raise NotImplementedError

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        return self.shape_rect()

    def dataBounds(self, *_args, **_kwargs):  # noqa: N802 (never drives auto-range)
        return None


class VBand(_Spanning):
    """A vertical band from x0 to x1 over the track's whole height."""

    def __init__(self, x0: float, x1: float, brush: QtGui.QBrush) -> None:
        super().__init__(brush=brush)
        self.x0, self.x1 = x0, x1

    def set_span(self, x0: float, x1: float, brush: QtGui.QBrush) -> None:
        self.prepareGeometryChange()
        self.x0, self.x1, self.brush = x0, x1, brush
        self.update()

    def shape_rect(self) -> QtCore.QRectF:
        v = self._view
        left, right = max(self.x0, v.left()), min(self.x1, v.right())
        if right <= left:
            return QtCore.QRectF()
        return QtCore.QRectF(left, v.top(), right - left, v.height())

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(self.brush)
        p.drawRect(self.shape_rect())


class HBand(_Spanning):
    """A horizontal band from y0 to y1 across the visible time range."""

    def __init__(self, y0: float, y1: float, brush: QtGui.QBrush) -> None:
        super().__init__(brush=brush)
        self.y0, self.y1 = y0, y1

    def shape_rect(self) -> QtCore.QRectF:
        v = self._view
        return QtCore.QRectF(v.left(), self.y0, v.width(), self.y1 - self.y0)

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        p.setBrush(self.brush)
        p.drawRect(self.shape_rect())


class HLine(_Spanning):
    """A horizontal reference line (threshold, control mean) across the visible range."""

    def __init__(self, y: float, pen: QtGui.QPen) -> None:
        super().__init__(pen=pen)
        self.y = y

    def shape_rect(self) -> QtCore.QRectF:
        v = self._view
        return QtCore.QRectF(v.left(), self.y, v.width(), 0).adjusted(0, -1e-9, 0, 1e-9)

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        v = self._view
        p.setPen(self.pen)
        p.drawLine(QtCore.QPointF(v.left(), self.y), QtCore.QPointF(v.right(), self.y))


class VLine(_Spanning):
    """A vertical line at x over the track's height (the crosshair)."""

    def __init__(self, pen: QtGui.QPen) -> None:
        super().__init__(pen=pen)
        self.x = 0.0

    def set_x(self, x: float) -> None:
        self.prepareGeometryChange()
        self.x = x
        self.update()

    def shape_rect(self) -> QtCore.QRectF:
        v = self._view
        return QtCore.QRectF(self.x, v.top(), 0, v.height()).adjusted(-1e-3, 0, 1e-3, 0)

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        v = self._view
        p.setPen(self.pen)
        p.drawLine(QtCore.QPointF(self.x, v.top()), QtCore.QPointF(self.x, v.bottom()))


def add(plot: pg.PlotItem, item: _Spanning, z: float = -100) -> _Spanning:
    item.setZValue(z)
    plot.addItem(item, ignoreBounds=True)
    item.viewRangeChanged()
    return item
