"""Reading a case and its audit trail for a summary."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from data.case import Case


def load_audit(engine: Engine, case: Case) -> pd.DataFrame:
    """Every audit event about this case, oldest first, in one query.

    By patient, not by episode: the history of a deleted episode belongs in the trail too.
    """
    from sqlalchemy import select

    from db.models import AuditEvent

    t = AuditEvent.__table__
    cols = ["at", "actor", "action", "before", "after", "entity", "entity_id"]
    stmt = (select(*(t.c[c] for c in cols))
            .where(t.c.patient_id == int(case.id)).order_by(t.c.at, t.c.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def load_case(engine: Engine, patient_id: int) -> Case:
    """The case with its identifying fields: shown, or used to scrub free text."""
    from db.queries import load_case as load_frames

    return Case.from_frames(load_frames(engine, patient_id, identifying=True))
