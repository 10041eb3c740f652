"""A case's first record: day 0 of a case never on anakinra, and the case list's First
record column (the window's list and ``cases``), by one rule.

A record is a clinical event: a measurement or diary answer, the start of a dosing period
or a dose given (an imported administration), of any drug. A weighing is not one: it only
converts doses per kg, and a weight typed with an earlier date moved the same IL-1β sample
from day 0 to day +90.

Plain Python: the case list is painted before numpy and pandas are imported.
"""

from __future__ import annotations

import math

# Codes that are no clinical record: they never set day 0 or the First record column.
NOT_CLINICAL = frozenset({"WEIGHT"})


def first_record(observed: float | None, dose_start: float | None,
                 given: float | None) -> float | None:
    """The earliest of the first measurement or diary answer (weighings left out), the
    first dosing period's start (its midnight, UTC) and the first dose given, in epoch
    seconds; None for a case with none of them (weighings only, or nothing)."""
    times = [float(t) for t in (observed, dose_start, given)
             if t is not None and not math.isnan(float(t))]
    return min(times) if times else None
