"""Running the relapse criteria over stored cases: one case, or every case at once.

The criteria read a case's visits (CRP, SAA, PGA), its IL-1β and TNF-α and its daily
AIDAI. ``criteria_cases`` reads those of every case asked in a few queries (a case read
whole took 47 ms a ten-year case, most of it the 44,000 diary answers): the measured
series of all cases in one (db.cohort.cohort_rows), the diary already summed per day by
the database and each other code's first and last time (db.criteria_reads), which is
what day 0 of a case without anakinra and its time range need. The window applies the
same criteria to the case it has open, read whole (tests check both give the same).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data.case import CONTROLS_BY_KEY, Case, every_diary_day
from data.codes import AIDAI_CODES, PGA
from data.relapse_criteria import CriteriaSettings, suggest
from data.suggest_agreement import MATCH_DAYS
from data.suggest_report import case_record

# The measured codes the criteria read; the diary's come summed per day.
MEASURED_CODES = ("CRP", "SAA", PGA, "IL1B", "TNFA")


def case_ids(engine: Engine) -> list[int]:
    from db.cases import case_rows

    return [int(r[0]) for r in case_rows(engine)]  # by pseudonym


@dataclass
class CriteriaCase(Case):
    """A case holding only what the criteria read: the measured codes' rows, the diary
    summed per day (``diary``: t, score, answers) and every code's first and last time
    (``extents``: code, first, last), so day 0 and the time range are the whole case's."""

    diary: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    extents: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def _observed_range(self) -> list[float]:
        if self.extents.empty:
            return []
        return [float(self.extents["first"].min()), float(self.extents["last"].max())]

    def _code_firsts(self) -> tuple[list[str], np.ndarray]:
        return ([str(c) for c in self.extents["code"]],
                self.extents["first"].to_numpy(dtype=float))

    @cached_property
    def activity_score(self) -> pd.DataFrame:
        d = self.diary
        if d.empty:
            return every_diary_day(pd.Series(dtype=float), pd.Series(dtype=int))
        index = pd.Index(d["t"].to_numpy(dtype=np.int64))
        return every_diary_day(pd.Series(d["score"].to_numpy(dtype=float), index=index),
                               pd.Series(d["answers"].to_numpy(dtype=np.int64), index=index))


def criteria_cases(engine: Engine, patient_ids: list[int], references=None
                   ) -> Iterator[CriteriaCase]:
    """The cases, in the order given, as the criteria need them; ``references``
    (db.controls.load_references) when already read."""
    from data.controls import by_key
    from db.cohort import cohort_rows
    from db.controls import load_references
    from db.criteria_reads import code_extents, diary_days
    from db.models import CENSOR_SIGNS
    from db.queries import OBS_FIELDS, administrations_of

    ids = [int(i) for i in patient_ids]
    controls, reference_set = references or load_references(engine)
    rows = cohort_rows(engine, ids, list(MEASURED_CODES))
    obs = rows["observations"]
    obs = obs.assign(
        censor=pd.Categorical.from_codes(obs["censor"].to_numpy(dtype=np.int8) + 1,
                                         categories=list(CENSOR_SIGNS)),
        source=pd.Categorical([""] * len(obs)))[["patient_id", *OBS_FIELDS]]
    extents = code_extents(engine, ids)
    diary = diary_days(engine, ids, list(AIDAI_CODES))
    # Doses recorded one by one: the dose context of an episode's onset (interrupted?).
    given = administrations_of(engine, ids)
    patients = {int(p["id"]): p for p in rows["patients"].to_dict("records")}
    refs = by_key(controls)  # every case's, from the one table
    for pid in ids:
        case = CriteriaCase(
            patients[pid], _of(obs, pid).drop(columns="patient_id").reset_index(drop=True),
            _of(rows["medications"], pid).reset_index(drop=True),
            _of(rows["episodes"], pid).reset_index(drop=True), controls, reference_set,
            administrations=_of(given, pid).drop(columns="patient_id").reset_index(drop=True),
            diary=_of(diary, pid), extents=_of(extents, pid))
        case.derived(CONTROLS_BY_KEY, lambda: refs)
        yield case


def _of(frame: pd.DataFrame, pid: int) -> pd.DataFrame:
    """The rows of one case of a frame sorted by patient_id."""
    col = frame["patient_id"].to_numpy()
    lo, hi = np.searchsorted(col, pid, side="left"), np.searchsorted(col, pid, side="right")
    return frame.iloc[lo:hi]


def load_case(engine: Engine, patient_id: int, references=None) -> CriteriaCase:
    """One case as the criteria need it."""
    return next(criteria_cases(engine, [patient_id], references))


def suggest_cases(engine: Engine, patient_ids: list[int], *, settings: CriteriaSettings,
                  within_days: int = MATCH_DAYS) -> list[dict[str, Any]]:
    """``suggest --json``'s record of each case (data.suggest_report.case_record)."""
    return [case_record(case, suggest(case, settings), settings=settings,
                        within_days=within_days)
            for case in criteria_cases(engine, patient_ids)]
