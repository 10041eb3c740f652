"""How numbers and dates are written for a reader: the same on screen, in the PDF and on the
command line."""

from __future__ import annotations

import datetime as dt
import math

DASH = "—"


def fmt_number(x: float | None) -> str:
    """Up to two decimals, no trailing zeros, never scientific notation."""
    if x is None or not math.isfinite(x):
        return DASH
    text = f"{x:.1f}" if abs(x) >= 100 else f"{x:.2f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def utc_date(t: float | None, *, with_time: bool = False) -> str:
    """Epoch seconds as a UTC calendar date (and time unless it is midnight); DASH if none."""
    if t is None or t != t:  # None, or NaN from an outer join
        return DASH
    moment = dt.datetime.fromtimestamp(int(t), dt.UTC)
    if not with_time:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
