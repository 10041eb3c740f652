"""Running the relapse criteria over stored cases: one case, or every case in turn."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from data.case import Case
from data.codes import AIDAI_CODES, ANAKINRA, PGA
from data.relapse_criteria import CriteriaSettings, suggest
from data.suggest_agreement import MATCH_DAYS
from data.suggest_report import case_record


def case_ids(engine: Engine) -> list[int]:
    from db.cases import case_rows

    return [int(r[0]) for r in case_rows(engine)]  # by pseudonym


# What the criteria read. A case on anakinra needs no other code (its day 0 is the first
# dose); one without it reads every code, whose first record is its day 0.
CRITERIA_CODES = ("CRP", "SAA", PGA, "IL1B", "TNFA", *AIDAI_CODES)


def load_case(engine: Engine, patient_id: int, references=None) -> Case:
    """The case as the criteria need it; ``references`` (db.controls.load_references)
    read once for many cases."""
    from db.controls import load_references
    from db.queries import (
        CaseFrames,
        load_episodes,
        load_medications,
        load_observations,
        patient_row,
    )

    controls, reference_set = references or load_references(engine)
    medications = load_medications(engine, patient_id)
    on_anakinra = not medications.empty and (medications["drug"].str.lower() == ANAKINRA).any()
    codes = list(CRITERIA_CODES) if on_anakinra else None
    return Case.from_frames(CaseFrames(
        patient=patient_row(engine, patient_id),
        observations=load_observations(engine, patient_id, codes),
        medications=medications, episodes=load_episodes(engine, patient_id),
        controls=controls, reference_set=reference_set))


def suggest_case(engine: Engine, patient_id: int, *, settings: CriteriaSettings,
                 within_days: int = MATCH_DAYS, references=None) -> dict[str, Any]:
    case = load_case(engine, patient_id, references)
    return case_record(case, suggest(case, settings), settings=settings,
                       within_days=within_days)
