"""A case's audit trail as the case summary reads it."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from db.models import AuditEvent

COLUMNS = ("at", "actor", "action", "before", "after", "entity", "entity_id")


def case_audit(engine: Engine, patient_id: int) -> pd.DataFrame:
    """Every audit event about this case, oldest first, in one query.

    By patient, not by episode: the history of a deleted episode belongs in the trail too.
    """
    t = AuditEvent.__table__
    stmt = (select(*(t.c[c] for c in COLUMNS))
            .where(t.c.patient_id == int(patient_id)).order_by(t.c.at, t.c.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS))
