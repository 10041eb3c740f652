"""Zoom and pan arithmetic for the time axis: plain functions, tested without Qt."""

from __future__ import annotations

from data.alignment import DAY

MONTH = 30.4375 * DAY
MIN_SPAN = 3_600.0  # one hour: enough to read a per-minute thermometer series


def zoom(lo: float, hi: float, factor: float, centre: float | None = None) -> tuple[float, float]:
    """Scale the span by factor (<1 zooms in) around centre (default: the middle)."""
    c = (lo + hi) / 2 if centre is None else centre
    span = max((hi - lo) * factor, MIN_SPAN)
    left = (c - lo) / (hi - lo) if hi > lo else 0.5
    return c - span * left, c + span * (1 - left)


def pan(lo: float, hi: float, fraction: float) -> tuple[float, float]:
    shift = (hi - lo) * fraction
    return lo + shift, hi + shift


def months_around(centre: float, months: float) -> tuple[float, float]:
    half = months * MONTH / 2
    return centre - half, centre + half


def clamp(lo: float, hi: float, bounds: tuple[float, float]) -> tuple[float, float]:
    """Keep the window inside bounds without changing its span (unless it is wider)."""
    blo, bhi = bounds
    span = hi - lo
    if span >= bhi - blo:
        return blo, bhi
    if lo < blo:
        return blo, blo + span
    if hi > bhi:
        return bhi - span, bhi
    return lo, hi
