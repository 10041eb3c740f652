"""A dense series (a home thermometer's minute readings: ~1 M points) drawn from a min/max
pyramid built once per case.

For each bucket of points the pyramid keeps where its lowest and highest points are, at
bucket sizes growing eightfold; a frame draws, of the coarsest level that still has one
bucket per pixel column, the extremes of the visible buckets (Sonic Visualiser's and
plotly-resampler's way). Every drawn point is a measured one, every peak is drawn at every
zoom, and the curve gets ~2 points per pixel whatever the span: pyqtgraph's own peak
downsampling rescanned every visible point per frame and wanted the times as float64
(an 8 MB copy of the case's int64 times).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

FACTOR = 8  # points per bucket at the first level, buckets per bucket above it
TOP = 256  # the pyramid stops once a level has no more buckets than this
_CHUNK = FACTOR * 65_536  # points per step of the build: a bounded working copy


def sorted_index(x: np.ndarray, values) -> np.ndarray:
    """np.searchsorted(x, values) (first x ≥ value) without converting x: a float query
    on int64 times makes numpy copy every time to float64 on each call (~1 ms and 8 MB
    per call for a million points)."""
    v = np.asarray(values, dtype=np.float64)
    if x.dtype.kind in "iu":
        limit = np.iinfo(x.dtype)  # the largest float64 below limit.max, to cast safely
        top = np.nextafter(float(limit.max), 0.0)
        v = np.clip(np.ceil(v), float(limit.min), top).astype(x.dtype)
    return np.searchsorted(x, v)


def _extremes(keys_low: np.ndarray, keys_high: np.ndarray, width: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per group of `width` consecutive keys: the position of the lowest and the highest.
    The last group may be short; a gap (NaN, given as +inf/-inf) is never picked over a
    value."""
    n = len(keys_low)
    groups = -(-n // width)
    pad = groups * width - n
    if pad:
        keys_low = np.pad(keys_low, (0, pad), constant_values=np.inf)
        keys_high = np.pad(keys_high, (0, pad), constant_values=-np.inf)
    low, high = keys_low.reshape(groups, width), keys_high.reshape(groups, width)
    base = np.arange(groups) * width
    return base + low.argmin(axis=1), base + high.argmax(axis=1)


def _gaps_apart(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """y as keys for the lowest and for the highest point: a gap (NaN) neither."""
    gap = np.isnan(y)
    if not gap.any():
        return y, y
    return np.where(gap, np.inf, y), np.where(gap, -np.inf, y)


class MinMaxPyramid:
    """x sorted (int64 or float), y float64 with NaN for gaps; both kept, never copied."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        # (bucket size, index of each bucket's lowest point, of its highest point)
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []
        index = np.int32 if len(y) < 2**31 else np.int64
        if len(y) <= FACTOR * TOP:
            return
        lows, highs = [], []
        for start in range(0, len(y), _CHUNK):  # the first level, a chunk at a time
            part = y[start:start + _CHUNK]
            lo, hi = _extremes(*_gaps_apart(part), FACTOR)
            lows.append((lo + start).astype(index))
            highs.append((hi + start).astype(index))
        low, high = np.concatenate(lows), np.concatenate(highs)
        size = FACTOR
        while True:
            self.levels.append((size, low, high))
            if len(low) <= TOP:
                break
            lo, hi = _extremes(_gaps_apart(y[low])[0], _gaps_apart(y[high])[1], FACTOR)
            low, high, size = low[lo], high[hi], size * FACTOR

    def visible(self, lo: float, hi: float, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """The points to draw for the view lo..hi, `columns` pixels wide: every point when
        they fit two to a column, else the extremes of each bucket of the coarsest level
        with at least one bucket per column. One point either side of the view keeps the
        line running to its edges."""
        a, b = sorted_index(self.x, [lo, hi])
        a, b = max(int(a) - 1, 0), min(int(b) + 1, len(self.x))
        if b <= a:
            return np.empty(0), np.empty(0)
        columns = max(columns, 1)
        level = None
        for size, low, high in self.levels:
            if (b - a) / size < columns:
                break
            level = (size, low, high)
        if level is None:
            return self.x[a:b].astype(np.float64), self.y[a:b]
        size, low, high = level
        first, last = a // size, (b - 1) // size + 1
        low, high = low[first:last], high[first:last]
        # Each bucket's two points in time order, so the line runs forward.
        index = np.column_stack((np.minimum(low, high), np.maximum(low, high))).ravel()
        return self.x[index].astype(np.float64), self.y[index]


class DenseCurve(pg.PlotCurveItem):
    """A PlotCurveItem that shows, at each view range and width, what its pyramid gives."""

    def __init__(self, pyramid: MinMaxPyramid, **opts) -> None:
        super().__init__(**opts)
        self.pyramid = pyramid
        self._shown: tuple[float, float, int] | None = None

    @QtCore.Slot(object, object)
    @QtCore.Slot(object, object, object)
    def viewRangeChanged(self, vb=None, ranges=None, changed=None) -> None:  # noqa: N802
        self.refresh()

    def viewTransformChanged(self) -> None:  # noqa: N802 (a resize changes the columns)
        super().viewTransformChanged()
        self.refresh()

    def refresh(self) -> None:
        vb = self.getViewBox()
        if not isinstance(vb, pg.ViewBox):  # not in a plot (yet)
            return
        (lo, hi), _ = vb.viewRange()
        key = (lo, hi, int(vb.width()))
        if key != self._shown:
            self._shown = key
            x, y = self.pyramid.visible(lo, hi, key[2])
            self.setData(x, y, skipFiniteCheck=True)
