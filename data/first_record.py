"""A case's first and last record: day 0 of a case never on anakinra, and the case list's
First record and Last columns (the window's list and ``cases``), by one rule.

A record is a clinical event: a measurement or diary answer, a dosing period, or a dose
given (an imported administration), of any drug. A weighing is not one: it only converts
doses per kg, and a weight typed with an earlier date moved the same IL-1β sample from
day 0 to day +90.

A period's days are records from its start to its end (dates, inclusive). An ongoing
period (no end) is known only up to its start: that it still runs today is what was
believed when it was imported, not something seen, and its later days are known only
from the records that fall on them (a measurement, a dose given), which count by
themselves. So a case's last record never moves with today's date.

Plain Python: the case list is painted before numpy and pandas are imported.
"""

from __future__ import annotations

import math

# Codes that are no clinical record: they never set day 0 or the First and Last columns.
NOT_CLINICAL = frozenset({"WEIGHT"})


def first_record(observed: float | None, dose_start: float | None,
                 given: float | None) -> float | None:
    """The earliest of the first measurement or diary answer (weighings left out), the
    first dosing period's start (its midnight, UTC) and the first dose given, in epoch
    seconds; None for a case with none of them (weighings only, or nothing)."""
    times = _known(observed, dose_start, given)
    return min(times) if times else None


def last_record(observed: float | None, dose_day: float | None,
                given: float | None) -> float | None:
    """The latest of the last measurement or diary answer (weighings left out), the last
    day of any dosing period (its midnight, UTC: an ended period's end, an ongoing one's
    start) and the last dose given, in epoch seconds; None for a case with none of them."""
    times = _known(observed, dose_day, given)
    return max(times) if times else None


def _known(*times: float | None) -> list[float]:
    return [float(t) for t in times if t is not None and not math.isnan(float(t))]
