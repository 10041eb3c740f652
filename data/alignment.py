"""One notion of "day N": whole days from an anchor, for every view and the PDF.

Day 0 is the first anakinra administration: the earlier of the first dosing period's
start and the first administration recorded one by one (``Case.day0``). A case never on
anakinra counts from its first record (data.first_record: a measurement, a diary answer
or a dose of any drug, never a weighing), and says so. A day number is the difference of
UTC calendar days (the floor of both times to midnight UTC): a sample at 23:00 on the day
before the first dose is day -1, one at 08:00 on that day is day 0. The anchor is kept at
midnight so the continuous position on the axis (``position``) and the whole day agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DAY = 86_400  # seconds in a UTC day; times are epoch seconds everywhere

ANAKINRA_START = "first anakinra dose"
FIRST_RECORD = "first record"
# Anchors of an episode overlay (data/episode_overlay.py): day 0 of each episode.
RELAPSE_ONSET = "relapse onset"
DOSE_CHANGE = "dose change"
ANAKINRA_STOP = "anakinra stop"


def utc_midnight(t: float) -> float:
    """The midnight (UTC) that starts t's calendar day."""
    return float(math.floor(float(t) / DAY) * DAY)


@dataclass(frozen=True)
class Anchor:
    """Day 0 of a case: its midnight (UTC epoch seconds) and the event that set it."""

    t: float
    event: str  # ANAKINRA_START, FIRST_RECORD, RELAPSE_ONSET, DOSE_CHANGE or ANAKINRA_STOP

    @property
    def on_anakinra(self) -> bool:
        return self.event == ANAKINRA_START

    def day(self, t: float) -> int:
        """The whole day number of t: 0 on day 0's calendar day, -1 the day before."""
        return int(math.floor(float(t) / DAY) - round(self.t / DAY))

    def days(self, t: np.ndarray | float) -> np.ndarray | float:
        """Whole day numbers of many times (floor of the calendar-day difference)."""
        return np.floor(np.asarray(t, dtype=float) / DAY) - round(self.t / DAY)

    def position(self, t: np.ndarray | float) -> np.ndarray | float:
        """Continuous days from day 0's midnight: where t sits on a relative axis."""
        return (np.asarray(t, dtype=float) - self.t) / DAY

    def label(self, t: float) -> str:
        """"day +338", "day 0", "day -12": the one way a day is written."""
        return day_text(self.day(t))

    @property
    def described(self) -> str:
        """What day 0 is, for axis titles and the PDF."""
        if self.on_anakinra:
            return "day 0 = first anakinra dose"
        if self.event == FIRST_RECORD:
            return "no anakinra: day 0 = first record"
        return f"day 0 = {self.event}"


def day_text(n: int) -> str:
    return "day 0" if n == 0 else f"day {n:+d}"


def treatment_start(first_dose: float, recorded: bool) -> float:
    """The moment a sample counts as on treatment from (DOMAIN.md, "Day 0"): the first
    anakinra administration when it was recorded with its time, else the end of its day
    (a sample dated day 0 was drawn before the first injection; a period's assumed dosing
    time does not count as recorded)."""
    return float(first_dose) if recorded else utc_midnight(first_dose) + DAY


def anchor_of(day0: float | None, first_record: float | None, fallback: float = 0.0) -> Anchor:
    """Anakinra start when there is one, else the first record's calendar day
    (data.first_record; ``fallback``, the first record of any kind, for a case of
    weighings only)."""
    if day0 is not None:
        return Anchor(utc_midnight(day0), ANAKINRA_START)
    return Anchor(utc_midnight(first_record if first_record is not None else fallback),
                  FIRST_RECORD)


def relapse_onsets(episodes) -> list[float]:
    """Onsets (epoch seconds, sorted) of the reviewer's relapse episodes; suggested and
    rejected ones are not the reviewer's."""
    if episodes is None or len(episodes) == 0:
        return []
    ep = episodes
    if "status" in ep:
        ep = ep[ep["status"].fillna("accepted") == "accepted"]
    return sorted(float(t) for t in ep.loc[ep["kind"] == "relapse", "onset"])


def dose_changes(days: np.ndarray, doses: np.ndarray) -> list[tuple[float, float, float]]:
    """(day, dose before, dose after) for each day whose daily dose differs from the day
    before's: a change of dose, an interruption (to 0) and a resumption. The first
    administration is not one: it is anakinra start."""
    days = np.asarray(days, dtype=float)
    doses = np.nan_to_num(np.asarray(doses, dtype=float))
    changed = np.flatnonzero(doses[1:] != doses[:-1]) + 1
    return [(float(days[i]), float(doses[i - 1]), float(doses[i])) for i in changed]


def anakinra_stops(days: np.ndarray, doses: np.ndarray, ended: bool
                   ) -> list[tuple[float, float, bool]]:
    """(first day without a dose, the dose before, end of treatment) for each stop: the
    first day of each interruption (a day at 0 after a dosing day) and, when treatment
    ended (``ended``: no open period), the day after the last dose."""
    days = np.asarray(days, dtype=float)
    doses = np.nan_to_num(np.asarray(doses, dtype=float))
    out = [(day, before, False) for day, before, after in dose_changes(days, doses)
           if after == 0 and before != 0]
    given = np.flatnonzero(doses != 0)
    if ended and given.size:
        last = int(given[-1])
        out.append((float(days[last]) + DAY, float(doses[last]), True))
    return out
