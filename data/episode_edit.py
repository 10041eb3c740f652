"""The arithmetic of drawing and adjusting an episode, free of Qt.

Times are UTC epoch seconds. Drags snap to whole days (UTC midnight) unless ``free``
(Shift held). Every proposal comes back as a Span; a Span that may not be saved says
why in ``reason``, so the screen can show the same sentence the controller refuses with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

from data.alignment import DAY

MARGIN = 30 * DAY  # episodes may start a little before the first record or end after the last
OPEN_STUB = 7 * DAY  # how far an ongoing episode is drawn past its onset at the least

Bounds = tuple[float, float]


@dataclass(frozen=True)
class Span:
    onset: float
    end: float | None  # None: still going on
    reason: str | None = None  # why this span may not be saved; None when it may

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def duration_days(self) -> float | None:
        return duration_days(self.onset, self.end)


def is_missing(v: object) -> bool:
    """None or NaN: a missing value as a DataFrame row gives it (pandas fills an ongoing
    episode's missing end with NaN)."""
    return v is None or (isinstance(v, Real) and v != v)


def snap(t: float, free: bool = False) -> float:
    """The nearest UTC midnight, or t itself when free."""
    return float(t) if free else float(round(t / DAY) * DAY)


def bounds(time_range: tuple[float, float], margin: float = MARGIN) -> Bounds:
    """Where an episode may lie: the case's range widened by margin, out to whole days."""
    lo, hi = time_range
    return (math.floor((lo - margin) / DAY) * DAY, math.ceil((hi + margin) / DAY) * DAY)


def clamp(t: float, limits: Bounds) -> float:
    return min(max(t, limits[0]), limits[1])


def check(onset: float, end: float | None) -> str | None:
    """Why (onset, end) cannot be an episode, or None if it can."""
    if end is None:
        return None
    if end < onset:
        return "The end cannot be before the onset"
    if end == onset:
        return "An episode must last longer than no time at all"
    return None


def _span(onset: float, end: float | None) -> Span:
    return Span(onset, end, check(onset, end))


def from_drag(start: float, stop: float, limits: Bounds, *, free: bool = False) -> Span:
    """The episode a drag from start to stop draws (either direction).

    Snapped, a drag within one day still marks that whole day: a reviewer who drags a
    short stroke means "this day", not "nothing".
    """
    a, b = sorted((clamp(start, limits), clamp(stop, limits)))
    onset, end = snap(a, free), snap(b, free)
    if not free and end == onset:
        if onset + DAY <= limits[1]:
            end = onset + DAY
        else:
            onset = end - DAY
    return _span(onset, end)


def move_edge(onset: float, end: float | None, edge: str, t: float, limits: Bounds, *,
              free: bool = False) -> Span:
    """Move the onset or the end edge to t; the other edge stays."""
    t = snap(clamp(t, limits), free)
    if edge == "onset":
        return _span(t, end)
    if edge == "end":
        return _span(onset, t)
    raise ValueError(f"edge must be 'onset' or 'end', not {edge!r}")


def move_body(onset: float, end: float | None, delta: float, limits: Bounds, *,
              free: bool = False) -> Span:
    """Shift the whole episode by delta, keeping its duration, inside limits."""
    lo, hi = limits
    length = 0.0 if end is None else end - onset
    new_onset = snap(onset + delta, free)
    new_onset = min(max(new_onset, lo), hi - length)
    return _span(new_onset, None if end is None else new_onset + length)


def drawn_end(onset: float, end: float | None, horizon: float) -> float:
    """Where an episode's bar stops: its end, or for an ongoing one the horizon (the case's
    last record), but never less than a short stub so it stays visible and grabbable."""
    if end is not None:
        return end
    return max(horizon, onset + OPEN_STUB)


def close_ongoing(onset: float, horizon: float) -> float:
    """An end for an ongoing episode that the reviewer closes: where it was drawn, snapped."""
    return max(snap(drawn_end(onset, None, horizon)), snap(onset) + DAY)


def duration_days(onset: float, end: float | None) -> float | None:
    """Length in days; None while the episode goes on."""
    return None if end is None else (end - onset) / DAY


def format_days(days: float | None, *, signed: bool = False, missing: str = "—") -> str:
    """Whole days without decimals, fractions to one decimal: '7', '+272', '2.5'."""
    if days is None:
        return missing
    sign = "+" if signed else ""
    whole = abs(days - round(days)) < 1e-6
    return f"{days:{sign}.0f}" if whole else f"{days:{sign}.1f}"


def last_day(end: float) -> float:
    """Midnight of the last day an episode covers, for display and for date entry.

    Ends are exclusive: a one-day episode on 14 March is stored as 14 March 00:00 to
    15 March 00:00, and its last day is 14 March. Stored end = last_day + DAY.
    """
    return (end - 1) // DAY * DAY


def shown_end(end: float) -> float:
    """The time to show for a stored end: a whole-day end as its last day (14 March for
    14 Mar 00:00 → 15 Mar 00:00); an end within a day (Shift-drag) as that moment."""
    return last_day(end) if end % DAY == 0 else end


def end_for_last_day(end: float, day: float) -> float:
    """The stored end whose last day is day (a UTC midnight), keeping end's time within
    its day: a reviewer who types 14 March as the end of a whole-day episode stores
    15 March 00:00. The inverse of last_day for date entry."""
    return day + (end - last_day(end))
