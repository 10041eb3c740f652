"""How numbers and dates are written for a reader: the same on screen, in the PDF and on the
command line."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Context, Decimal

DASH = "—"


def is_missing(x: object) -> bool:
    """No value: None, NaN or NaT (what pandas puts in an empty cell), or blank text."""
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    if isinstance(x, str):
        return not x.strip()
    try:
        return bool(x != x)  # NaT and numpy NaN are not equal to themselves
    except TypeError:  # pandas.NA has no truth value
        return True


def shown(x: object, default: str = DASH) -> str:
    """A stored value as a reader sees it; ``default`` where there is none.

    The one place where a missing field (a patient created by a lab import has no
    diagnosis, sex or birth year) becomes text, so no view prints "nan" or "None".
    """
    return default if is_missing(x) else str(x)


_EVERY_DIGIT = Context(prec=400)


def fmt_number(x: float | None) -> str:
    """Up to two decimals (one from 100 on), half up, no trailing zeros, never scientific
    notation; below 0.01 two significant digits (0.0001 pg/mL is not "0 pg/mL" beside
    a fold of 0.0000083)."""
    if x is None or not math.isfinite(x):
        return DASH
    if 0 < abs(x) < 0.01:
        return _rounded(x, Decimal(1).scaleb(math.floor(math.log10(abs(x))) - 1))
    return _rounded(x, Decimal("0.1") if abs(x) >= 100 else Decimal("0.01"))


def fmt_fold(x: float | None) -> str:
    """A fold over the healthy-control mean (or a ratio of two measurements): three
    significant digits, whole numbers from 100 (162, 94.5, 1.02), two significant digits
    below 1 (0.46, 0.042); half up, no trailing zeros.

    The one rule for every fold on screen, in the PDF and on the command line: with
    fmt_number's decimals a baseline printed 161.9× beside 94.45× and 1.02×, a precision
    no fold over a control mean of 20 people has.
    """
    if x is None or not math.isfinite(x):
        return DASH
    if x == 0:
        return "0"
    digits = 3 if abs(x) >= 1 else 2
    exponent = math.floor(math.log10(abs(x)))
    return _rounded(x, Decimal(1).scaleb(min(exponent - digits + 1, 0)))


def _rounded(x: float, places: Decimal) -> str:
    # Half up, as a clinician rounds by hand (1341.25 → 1341.3): the float's shortest
    # decimal form, not its binary value (1341.25 is exact; 2.675 is 2.67499… in binary).
    # Enough digits for any finite float (1e308 has 309): the default 28 raised
    # InvalidOperation on a fold over an absurdly small control mean, and no case exported.
    text = format(Decimal(repr(float(x))).quantize(places, rounding=ROUND_HALF_UP,
                                                    context=_EVERY_DIGIT), "f")
    if "." in text:
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
