"""Running the relapse criteria over stored cases: one case, or every case in turn."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from data.case import Case
from data.relapse_criteria import CriteriaSettings, suggest
from data.suggest_agreement import MATCH_DAYS
from data.suggest_report import case_record


def case_ids(engine: Engine) -> list[int]:
    from db.cases import case_rows

    return [int(r[0]) for r in case_rows(engine)]  # by pseudonym


def load_case(engine: Engine, patient_id: int) -> Case:
    from db.queries import load_case as load_frames

    return Case.from_frames(load_frames(engine, patient_id))


def suggest_case(engine: Engine, patient_id: int, *, settings: CriteriaSettings,
                 within_days: int = MATCH_DAYS) -> dict[str, Any]:
    case = load_case(engine, patient_id)
    return case_record(case, suggest(case, settings), settings=settings,
                       within_days=within_days)
