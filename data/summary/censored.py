"""Values that may be a detection limit ("<5"): medians and ratios that stay honest about it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from data.numbers import fmt_number


@dataclass(frozen=True)
class Measure:
    """A value that may be a detection limit: censor is '', '<' or '>'."""

    value: float
    censor: str = ""

    def text(self, number: Callable[[float], str] = fmt_number) -> str:
        """"<5" for a detection limit; number writes the value (data.numbers.fmt_fold for a
        fold or ratio)."""
        return f"{self.censor}{number(self.value)}"

    def scaled(self, factor: float) -> Measure:
        return Measure(self.value * factor, self.censor)


def censor_sign(c: object) -> str:
    # '<'/'>' in DataFrames; -1/+1 is how the database may store the same fact.
    if isinstance(c, int | np.integer):
        return {-1: "<", 1: ">"}.get(int(c), "")
    s = "" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c)
    return s if s in ("<", ">") else ""


def censor_signs(column) -> np.ndarray:
    """censor_sign of every row of a column: a categorical one through its few categories
    (a call per row cost 0.1 s over fifty ten-year cases)."""
    if hasattr(column, "cat"):
        table = np.array([censor_sign(x) for x in column.cat.categories] + [""], dtype=object)
        return table[column.cat.codes.to_numpy()]  # code -1 (missing): the last entry
    return np.array([censor_sign(x) for x in column.to_numpy()], dtype=object)


def rank(m: Measure) -> tuple[float, int]:
    # "<5" sorts just below 5 and ">5" just above: the limit is a bound, not a value.
    return (m.value, {"<": 0, "": 1, ">": 2}[m.censor])


def median_range(values: list[Measure]) -> tuple[float, float] | None:
    """The lowest and highest the median can be, given what the censored values allow.

    A value "<L" lies anywhere below L and ">L" anywhere above L: the median is computed
    with every "<" at -inf and every ">" at L, then with every "<" at L and every ">" at
    +inf. Equal ends mean the median is known; otherwise it lies between them.
    """
    if not values:
        return None
    low = [-math.inf if m.censor == "<" else m.value for m in values]
    high = [math.inf if m.censor == ">" else m.value for m in values]
    return _middle(low), _middle(high)


def _middle(xs: list[float]) -> float:
    ordered = sorted(xs)
    n = len(ordered)
    mid = ordered[(n - 1) // 2 : n // 2 + 1]
    if any(math.isinf(x) for x in mid):
        signs = {x > 0 for x in mid if math.isinf(x)}
        return math.nan if len(signs) > 1 else (math.inf if signs == {True} else -math.inf)
    return float(np.mean(mid))


def median_measure(values: list[Measure]) -> Measure | None:
    """The median, a bound ("<8") when censored values leave it open on one side only.

    None when there are no values, or when the median is not computable: censored values
    rank at or across the middle so that it may lie anywhere between two measured values
    (``[<100, 10, 20]``: between 10 and 20), see ``median_range``.
    """
    r = median_range(values)
    if r is None:
        return None
    lo, hi = r
    if math.isnan(lo) or math.isnan(hi):
        return None
    if lo == hi:
        return Measure(lo)
    if math.isinf(lo) and not math.isinf(hi):
        return Measure(hi, "<")
    if math.isinf(hi) and not math.isinf(lo):
        return Measure(lo, ">")
    return None


def ratio_measure(num: Measure, den: Measure) -> Measure | None:
    """num ÷ den as a bound when either is censored; None when it cannot be bounded."""
    if den.value <= 0:
        return None
    r = num.value / den.value
    if not num.censor and not den.censor:
        return Measure(r)
    if num.censor in ("", ">") and den.censor in ("", "<"):
        return Measure(r, ">")
    if num.censor in ("", "<") and den.censor in ("", ">"):
        return Measure(r, "<")
    return None
