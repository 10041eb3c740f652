"""How numbers are written for a reader: the same on screen, in the PDF and on the command line."""

from __future__ import annotations

import math

DASH = "—"


def fmt_number(x: float | None) -> str:
    """Up to two decimals, no trailing zeros, never scientific notation."""
    if x is None or not math.isfinite(x):
        return DASH
    text = f"{x:.1f}" if abs(x) >= 100 else f"{x:.2f}"
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
