"""Where axis ticks go and how their labels read: round values (1-2-5), never more labels
than fit, the year always readable on a calendar axis. Plain functions, tested without Qt.
"""

from __future__ import annotations

import datetime as dt
import math

from data.alignment import DAY

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def nice_step(span: float, max_count: int) -> float:
    """The smallest 1, 2 or 5 × 10^k step that puts at most max_count ticks over span."""
    if span <= 0 or max_count < 1:
        return 1.0
    raw = span / max_count
    k = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10.0 ** k >= raw:
            return m * 10.0 ** k
    return 10.0 ** (k + 1)


def smaller_step(step: float) -> float:
    """The next 1-2-5 step down: 5 → 2 → 1 → 0.5."""
    k = math.floor(math.log10(step) + 1e-9)
    m = round(step / 10.0 ** k)
    return {5: 2, 2: 1}.get(m, 0.5) * 10.0 ** k


def linear_ticks(lo: float, hi: float, max_count: int) -> list[float]:
    """Multiples of a 1-2-5 step within [lo, hi], about max_count of them at most."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    step = nice_step(hi - lo, max(max_count - 1, 1))  # n ticks span n - 1 steps
    while True:  # at least two labels, else the axis has no scale to read
        first = math.ceil(lo / step - 1e-9)
        last = math.floor(hi / step + 1e-9)
        if last > first or step < (hi - lo) * 1e-6:
            return [round(i * step, 12) for i in range(first, last + 1)]
        step = smaller_step(step)


WEEK_STEPS = (7, 14, 28, 56, 91, 182, 364)  # days: 1, 2, 4, 8 weeks, 3, 6, 12 months


def week_ticks(lo: float, hi: float, max_count: int) -> list[float]:
    """Days from day 0 at whole weeks (-28, -14, 0, 14 …), about max_count at most; []
    when fewer than two would fall within [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    for step in WEEK_STEPS:
        first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
        if last - first + 1 <= max(max_count, 2):
            return [float(i * step) for i in range(first, last + 1)] if last > first else []
    return []


def log_ticks(lo: float, hi: float, max_count: int) -> list[float]:
    """Ticks for a log axis, given and returned as log10 values, labels at 1-2-5 values:
    decades (every 2nd, 5th… when many), or 1, 2, 5 per decade when they fit; over less
    than two such values (a small range, 27–56) round linear steps (30, 40, 50)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    decades = range(math.floor(lo), math.ceil(hi) + 1)
    one_two_five = [d + math.log10(m) for d in decades for m in (1, 2, 5)]
    inside = [v for v in one_two_five if lo - 1e-9 <= v <= hi + 1e-9]
    if 2 <= len(inside) <= max_count:
        return inside
    if len(inside) > max_count:
        for step in (1, 2, 5, 10, 20, 50):  # every decade, every 2nd, 5th…
            whole = [float(d) for d in decades if d % step == 0 and lo - 1e-9 <= d <= hi + 1e-9]
            if len(whole) <= max_count:
                return whole if len(whole) >= 2 else inside
        return whole
    values = linear_ticks(10.0 ** lo, 10.0 ** hi, max_count)
    return [math.log10(v) for v in values if v > 0]


def value_label(value: float) -> str:
    """A tick value as a clinician writes it: 0.5, 20, 5000, 20 000; 10⁵ and 2·10⁻⁴ beyond."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)) + 1e-9)
    if exponent >= 5 or exponent <= -4:
        mantissa = round(value / 10.0 ** exponent, 6)
        power = f"10{str(exponent).translate(SUPERSCRIPT)}"
        return power if mantissa == 1 else f"{mantissa:g}·{power}"
    text = f"{value:.{max(0, -exponent + 1)}f}".rstrip("0").rstrip(".") if exponent < 1 \
        else f"{round(value):,}".replace(",", "\u2009")  # thin space between thousands
    return text


# Calendar levels: (unit, count). Each is tried from the finest; the first whose labels
# fit is used, and only that level is labelled, so labels never overlap.
LEVELS = [("hour", n) for n in (1, 2, 3, 6, 12)] + [("day", n) for n in (1, 2, 7, 14)] + \
    [("month", n) for n in (1, 2, 3, 6)] + [("year", n) for n in (1, 2, 5, 10, 20, 50)]
APPROX_SECONDS = {"hour": 3600.0, "day": DAY, "month": 30.44 * DAY, "year": 365.25 * DAY}
# The widest label of each unit (the first label names the year), to decide what fits.
WIDEST = {"hour": "28 Sep 2009 00:00", "day": "28 Sep 2009", "month": "Sep 2009",
          "year": "2009"}


def calendar_level(lo: float, hi: float, fits: int | dict[str, int]) -> tuple[str, int]:
    """The finest level whose ticks over [lo, hi] number at most fits (per unit when a
    dict: labels of different units have different widths)."""
    for unit, n in LEVELS:
        allowed = fits[unit] if isinstance(fits, dict) else fits
        if (hi - lo) / (APPROX_SECONDS[unit] * n) <= max(allowed, 1):
            return unit, n
    return LEVELS[-1]


def _utc(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.UTC)


def calendar_ticks(lo: float, hi: float, unit: str, n: int) -> list[float]:
    """Epoch seconds of the level's ticks in [lo, hi], on round calendar boundaries."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    start = _utc(lo).replace(minute=0, second=0, microsecond=0)
    out: list[float] = []
    if unit == "hour":
        t = start.replace(hour=start.hour - start.hour % n)
        while t.timestamp() <= hi:
            out.append(t.timestamp())
            t += dt.timedelta(hours=n)
    elif unit == "day":
        t = start.replace(hour=0)
        while t.timestamp() <= hi:
            if (n in (1, 2) and (t.day - 1) % n == 0) or (n in (7, 14) and (t.day - 1) % n == 0
                                                         and t.day <= 29 - n // 2):
                out.append(t.timestamp())
            t += dt.timedelta(days=1)
    elif unit == "month":
        y, m = start.year, start.month
        while True:
            t = dt.datetime(y, m, 1, tzinfo=dt.UTC)
            if t.timestamp() > hi:
                break
            if (m - 1) % n == 0:
                out.append(t.timestamp())
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        y = start.year - start.year % n
        while (t := dt.datetime(y, 1, 1, tzinfo=dt.UTC)).timestamp() <= hi:
            out.append(t.timestamp())
            y += n
    return [t for t in out if t >= lo]


def calendar_labels(values: list[float], unit: str) -> list[str]:
    """Labels for one level's ticks. Months and days name the year where it starts
    (January, 1 January) and on the first label, so the year is always on screen."""
    out = []
    previous: dt.datetime | None = None
    for t in values:
        d = _utc(t)
        new_year = previous is None or d.year != previous.year
        if unit == "year":
            text = f"{d.year}"
        elif unit == "month":
            text = f"{d:%b} {d.year}" if new_year else f"{d:%b}"
        elif unit == "day":
            text = f"{d.day} {d:%b} {d.year}" if new_year else f"{d.day} {d:%b}"
        elif new_year:
            text = f"{d.day} {d:%b} {d.year} {d:%H:%M}"
        elif previous is None or d.date() != previous.date():
            text = f"{d.day} {d:%b} {d:%H:%M}"
        else:
            text = f"{d:%H:%M}"
        out.append(text)
        previous = d
    return out
