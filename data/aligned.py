"""Series aligned on an anchor: one line per member (an episode of a case, a patient of a
cohort), their median and interquartile range on one relative axis.

The episode overlay (data/episode_overlay.py) and the cohort view (data/cohort.py) both
give their values in these shapes, and the screen and the PDF draw them with the same
track (gui/timeline/tracks/aligned.py).

Members are measured on different days (weekly in one, monthly in another), so there
is rarely a day on which all were: each line is read where it runs, between its own
values, as it is drawn (straight on the panel's axis; a censored value at its limit, as
plotted), and the median and quartiles are taken over the lines running at each day of
a grid; each day's count says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data.alignment import DAY, Anchor


@dataclass(frozen=True)
class Line:
    """One member's values: days from its own day 0 (continuous, Anchor.position)."""

    name: str  # "relapse, day +143" or a patient's pseudonym
    days: np.ndarray
    values: np.ndarray
    censor: np.ndarray  # "", "<" or ">" per value
    times: np.ndarray  # epoch seconds of each value (where to open the case)
    member: int = 0  # the patient id in a cohort, the episode's number in an overlay
    marks: tuple[float, ...] = ()  # days marked on the line (a patient's first relapse)


@dataclass(frozen=True)
class Spread:
    """Median and quartiles across members per bin; days are the bins' centres."""

    days: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    n: np.ndarray  # members with a value in the bin

    @classmethod
    def empty(cls) -> Spread:
        nothing = np.array([], dtype=float)
        return cls(nothing, nothing, nothing, nothing, np.array([], dtype=int))


@dataclass(frozen=True)
class Panel:
    """One analyte's aligned lines: a small multiple of its own."""

    key: str
    title: str
    unit: str
    log: bool
    lines: tuple[Line, ...]
    spread: Spread
    reference: float | None = None  # a horizontal line: 1× controls, AIDAI ≥ 9
    reference_label: str = ""
    notes: tuple[str, ...] = field(default=())  # members left out, and why
    # Every member's number in the order they are listed (a cohort's patients, whether
    # or not they have a line here): a line's colour is its member's place in the list.
    # Empty: the lines' own order (an overlay has a line, maybe empty, per episode).
    members: tuple[int, ...] = field(default=())


def line_in_window(name: str, anchor: Anchor, t: np.ndarray, values: np.ndarray,
                   censor: np.ndarray, window: tuple[float, float] | None, *, member: int = 0,
                   marks: tuple[float, ...] = ()) -> Line:
    """The values whose whole day number lies in window (inclusive; None: all), placed at
    their continuous position from the anchor's day 0."""
    t = np.asarray(t, dtype=float)
    keep = np.isfinite(np.asarray(values, dtype=float))
    if window is not None:
        day = anchor.days(t)
        keep &= (day >= window[0]) & (day <= window[1])
    return Line(name, np.asarray(anchor.position(t[keep]), dtype=float),
                np.asarray(values, dtype=float)[keep], np.asarray(censor, dtype=str)[keep],
                t[keep], member, marks)


def spread(lines: tuple[Line, ...] | list[Line], lo: float, hi: float, step: float, *,
           log: bool) -> Spread:
    """Median and quartiles (numpy's linear interpolation) across lines at each grid day
    lo, lo + step, … ≤ hi. Each line is read between its own values, as it is drawn
    (straight on the panel's axis: in log10 on a log panel), never beyond its first
    and last value; a grid day counts the lines that run there."""
    grid = np.arange(lo, hi + step / 2, step, dtype=float)
    rows = []
    for line in lines:
        ys = plotted(line.values, log)
        ok = np.isfinite(ys)
        if ok.sum() < 2:  # a single value is a point, not a course
            continue
        xs, ys = line.days[ok], ys[ok]
        row = np.interp(grid, xs, ys)
        row[(grid < xs[0]) | (grid > xs[-1])] = np.nan
        rows.append(row)
    if not rows:
        return Spread.empty()
    m = np.vstack(rows)
    n = np.isfinite(m).sum(axis=0)
    keep = n > 0
    if not keep.any():
        return Spread.empty()
    q = _percentiles(m[:, keep], n[keep], (50, 25, 75))
    if log:
        q = 10.0 ** q
    return Spread(grid[keep], q[0], q[1], q[2], n[keep])


def _percentiles(m: np.ndarray, n: np.ndarray, ps: tuple[float, ...]) -> np.ndarray:
    """Per column, numpy's default (linear) percentiles of its n finite values: what
    np.nanpercentile gives, without its column-by-column loop (0.6 s for a cohort)."""
    ordered = np.sort(m, axis=0)  # NaN sort last
    out = []
    for p in ps:
        pos = (n - 1) * p / 100.0
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        a = np.take_along_axis(ordered, lo[None, :], axis=0)[0]
        b = np.take_along_axis(ordered, hi[None, :], axis=0)[0]
        out.append(a + (b - a) * (pos - lo))
    return np.array(out)


def plotted(values: np.ndarray, log: bool) -> np.ndarray:
    """Values as a panel plots them: log10 on a log panel (zero and below: not drawn)."""
    values = np.asarray(values, dtype=float)
    if not log:
        return values
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)


def nearest_line(lines: tuple[Line, ...] | list[Line], day: float, y: float, *, log: bool,
                 tol_days: float, tol_y: float) -> Line | None:
    """The line passing closest above or below (day, y) (y in plotted units), within
    tol_y; a line counts only where it runs (between its first and last value, tol_days
    either side). What a hover names and a click opens."""
    best: tuple[float, Line] | None = None
    for line in lines:
        ys = plotted(line.values, log)
        ok = np.isfinite(ys)
        if not ok.any():
            continue
        xs, ys = line.days[ok], ys[ok]
        if not xs[0] - tol_days <= day <= xs[-1] + tol_days:
            continue
        gap = abs(float(np.interp(day, xs, ys)) - y)
        if xs.size == 1:  # a single value: near the point itself
            gap = max(gap, abs(day - xs[0]) / tol_days * tol_y)
        if gap <= tol_y and (best is None or gap < best[0]):
            best = (gap, line)
    return None if best is None else best[1]


def time_at(line: Line, day: float) -> float:
    """The epoch time of a day on the line's own axis: where its case opens."""
    return float(line.times[0] + (day - line.days[0]) * DAY)
