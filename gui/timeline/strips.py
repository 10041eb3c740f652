"""Diary strips as vector rectangles: one rectangle per run of consecutive days.

An ImageItem is fast on screen but prints as a raster image, and its downsampling
averages a lone attack day away when ten years share 1,300 pixels. Runs of days are
few (hundreds over a decade), are drawn at least one pixel wide, and stay vectors
in a PDF.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from data.alignment import DAY

ROW_FILL = 0.86  # of a row's height: a hairline of white between symptom rows


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start indices and lengths of the runs of True in a 1-D boolean array."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2]
    return starts, ends - starts


class SymptomStrips(pg.GraphicsObject):
    """Rows of recorded (light) and present (coloured) days; row 0 at the top."""

    def __init__(self, first_day: float, matrix: np.ndarray, present: QtGui.QColor,
                 recorded: QtGui.QColor) -> None:
        super().__init__()
        self.first_day = first_day
        self.n_rows = matrix.shape[1]
        self.n_days = matrix.shape[0]
        self.present_brush = QtGui.QBrush(present)
        self.recorded_brush = QtGui.QBrush(recorded)
        self.layers = []
        for kind in ("recorded", "present"):
            rows = []
            for r in range(self.n_rows):
                col = matrix[:, r]
                mask = ~np.isnan(col) if kind == "recorded" else np.nan_to_num(col) > 0
                starts, lengths = runs(mask)
                rows.append((first_day + starts * DAY, lengths * DAY))
            self.layers.append(rows)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        return QtCore.QRectF(self.first_day, 0, max(self.n_days, 1) * DAY, self.n_rows)

    def paint(self, p: QtGui.QPainter, *_args) -> None:
        vb = self.getViewBox()
        view = vb.viewRect() if vb is not None else self.boundingRect()
        px = self.pixelWidth() or 0.0  # data units per device pixel
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        for brush, rows in zip((self.recorded_brush, self.present_brush), self.layers,
                               strict=True):
            p.setBrush(brush)
            for r, (starts, widths) in enumerate(rows):
                a = np.searchsorted(starts + widths, view.left())
                b = np.searchsorted(starts, view.right())
                y = self.n_rows - r - 1 + (1 - ROW_FILL) / 2
                rects = [QtCore.QRectF(x, y, max(w, px), ROW_FILL)
                         for x, w in zip(starts[a:b], widths[a:b], strict=True)]
                if rects:
                    p.drawRects(rects)
