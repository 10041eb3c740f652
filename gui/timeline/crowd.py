"""Many lines as one graphics item that draws only what is in view: a cohort's fifty patients.

One item, not fifty: each item costs a paint per frame. pyqtgraph's own clipping to the
view assumes one line with sorted x, and the lines joined into one curve run back at
each line's start, so this item keeps each line sorted and, when the view's x range
changes, draws of each line its points in view and one beyond either edge (the line
runs on to the edge). Zoomed to three months, a ten-year cohort draws ~2 % of its
points; the frame's stroke was its largest cost (benchmarks/bench_aligned.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets


class CrowdItem(pg.GraphicsObject):
    def __init__(self, lines: list[tuple[np.ndarray, np.ndarray]], pen: QtGui.QPen) -> None:
        """lines: (x, y) per line, x ascending; non-finite values are left out."""
        super().__init__()
        self.pen = pen
        xs, ys, ends = [], [], []
        for x, y in lines:
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            ok = np.isfinite(x) & np.isfinite(y)
            xs.append(x[ok])
            ys.append(y[ok])
            ends.append(int(ok.sum()))
        self._x = np.concatenate(xs) if xs else np.zeros(0)
        self._y = np.concatenate(ys) if ys else np.zeros(0)
        self._stop = np.cumsum(ends, dtype=np.int64)
        self._start = self._stop - np.asarray(ends, dtype=np.int64)
        # One sorted key for every line's x: line k's points lie in [k·stride, (k+1)·stride),
        # so one searchsorted finds each line's first and last point in view.
        x = self._x  # finite already
        self._origin = float(x.min()) if x.size else 0.0
        self._stride = (float(x.max()) - self._origin + 1.0) * 2 if x.size else 1.0
        line_of = np.repeat(np.arange(len(ends)), ends)
        self._key = (self._x - self._origin) + line_of * self._stride
        self._shown: tuple[float, float] | None = None
        self._path = QtGui.QPainterPath()
        self._painted: tuple | None = None  # the view last painted
        self._image: QtGui.QImage | None = None  # that view's lines, once painted twice
        self._image_rect = QtCore.QRect()

    def _visible(self, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the points to draw and whether each connects to the next."""
        k = np.arange(self._stop.size) * self._stride
        a = np.searchsorted(self._key, k + (lo - self._origin), side="left")
        b = np.searchsorted(self._key, k + (hi - self._origin), side="right")
        a = np.maximum(a - 1, self._start)  # one point beyond each edge
        b = np.minimum(b + 1, self._stop)
        n = np.maximum(b - a, 0)
        n[n < 2] = 0  # a lone point draws no segment
        total = int(n.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        first = np.cumsum(n) - n  # where each run starts in the output
        idx = np.arange(total) - np.repeat(first - a, n)
        connect = np.ones(total, dtype=bool)
        connect[np.cumsum(n[n > 0]) - 1] = False  # a run's last point ends its line
        return idx, connect

    def viewRangeChanged(self) -> None:  # noqa: N802 (pyqtgraph hook)
        vb = self.getViewBox()
        if vb is None:
            return
        rect = vb.viewRect()
        lo, hi = rect.left(), rect.right()
        if self._shown == (lo, hi):
            return  # only y changed: the same points
        self._shown = (lo, hi)
        idx, connect = self._visible(lo, hi)
        self.prepareGeometryChange()
        self._path = (pg.arrayToQPath(self._x[idx], self._y[idx], connect=connect)
                      if idx.size else QtGui.QPainterPath())
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        return self._path.boundingRect()

    def dataBounds(self, *_args, **_kwargs):  # noqa: N802 (never drives auto-range)
        return None

    def paint(self, p: QtGui.QPainter, _option, widget: QtWidgets.QWidget | None = None
              ) -> None:
        tr = p.worldTransform()
        key = (self._shown, tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.dx(), tr.dy())
        raster = p.paintEngine().type() == QtGui.QPaintEngine.Type.Raster
        if widget is None or not raster or key != self._painted:
            # A PDF (vector lines), or a view that moved: stroke the lines. While panning
            # each frame is a new view, and stroking into an image first cost more.
            self._painted, self._image = key, None
            p.setPen(self.pen)
            p.drawPath(self._path)
            return
        # The same view painted again (hovering repaints the crosshair's and the
        # highlighted line's strips many times a second, each stroked the whole crowd:
        # 26 ms of CPU a mouse move over fifty ten-year lines): from an image of it.
        # The view's widget, not p.device(): PySide took a grab's pixmap device as its
        # own and freed it twice (a crash at the test's end).
        rect = tr.mapRect(self._path.boundingRect()).toAlignedRect().adjusted(-2, -2, 2, 2)
        rect &= widget.rect()
        if rect.isEmpty():
            return
        if self._image is None or self._image_rect != rect:
            dpr = widget.devicePixelRatioF()
            image = QtGui.QImage(round(rect.width() * dpr), round(rect.height() * dpr),
                                 QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(QtCore.Qt.GlobalColor.transparent)
            q = QtGui.QPainter(image)
            q.setTransform(tr * QtGui.QTransform.fromTranslate(-rect.left(), -rect.top()))
            q.setPen(self.pen)
            q.drawPath(self._path)
            q.end()
            self._image, self._image_rect = image, rect
        p.save()
        p.resetTransform()
        p.drawImage(rect.topLeft(), self._image)
        p.restore()
