"""Reading a case and its audit trail for a summary."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from data.case import Case


def load_audit(engine: Engine, case: Case) -> pd.DataFrame:
    """Every audit event about this case, oldest first (db.case_audit)."""
    from db.case_audit import case_audit

    return case_audit(engine, case.id)


def load_case(engine: Engine, patient_id: int) -> Case:
    """The case with its identifying fields: shown, or used to scrub free text."""
    from db.queries import load_case as load_frames

    return Case.from_frames(load_frames(engine, patient_id, identifying=True))
