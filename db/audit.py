"""The audit trail: one row per change, in the transaction of the change."""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from db.models import AuditEvent


def now_epoch() -> int:
    return int(time.time())


def record(conn: Connection, *, actor: str, entity: str, entity_id: int | None,
           patient_id: int | None, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None, at: int | None = None) -> None:
    conn.execute(
        insert(AuditEvent).values(
            at=at if at is not None else now_epoch(),
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            action=action,
            before=None if before is None else json.dumps(before, sort_keys=True, default=str),
            after=None if after is None else json.dumps(after, sort_keys=True, default=str),
        )
    )


def history(engine: Engine, entity: str, entity_id: int) -> pd.DataFrame:
    t = AuditEvent.__table__
    stmt = (
        select(t.c.at, t.c.actor, t.c.action, t.c.before, t.c.after)
        .where(t.c.entity == entity, t.c.entity_id == entity_id)
        .order_by(t.c.id)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=["at", "actor", "action", "before", "after"])
