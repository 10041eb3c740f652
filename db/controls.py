"""Healthy-control references: reads and the one write path for every change.

Every change (an import, the demo, an add, edit or retire in the dialog) is one new
``control_reference_set`` row written in the same transaction as the rows it adds and
retires. Rows are never updated except to record the set that retired them, so the
references in force at any earlier set can be read back (``references(as_of=N)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, or_, select

from db.audit import db_now, record
from db.models import ControlReference, ControlReferenceSet

REFERENCE_FIELDS = ("code", "specimen", "unit", "n", "mean", "sd", "range_low", "range_high",
                    "upper_normal", "assay", "batch", "lab", "ref_date", "source")
SET_FIELDS = ("id", "lab", "action", "source", "created_at", "created_by")


class StaleReference(Exception):
    """A reference was retired by someone else since it was read; nothing was written."""


class ReferenceInForce(Exception):
    """An added reference's code and specimen already have one in force; nothing written."""


def latest_set(conn: Connection) -> dict[str, Any] | None:
    s = ControlReferenceSet.__table__
    row = conn.execute(select(s).order_by(s.c.id.desc()).limit(1)).mappings().first()
    return None if row is None else dict(row)


def reference_set(conn: Connection, set_id: int) -> dict[str, Any] | None:
    s = ControlReferenceSet.__table__
    row = conn.execute(select(s).where(s.c.id == set_id)).mappings().first()
    return None if row is None else dict(row)


def references(conn: Connection, *, as_of: int | None = None,
               retired: bool = False) -> pd.DataFrame:
    """The references in force (at set ``as_of``, default now); with ``retired`` every
    row ever stored, retired ones included, oldest first."""
    c = ControlReference.__table__
    stmt = select(c).order_by(c.c.code, c.c.specimen, c.c.id)
    if as_of is not None:
        stmt = stmt.where(c.c.set_id <= as_of,
                          or_(c.c.retired_set_id.is_(None), c.c.retired_set_id > as_of))
    elif not retired:
        stmt = stmt.where(c.c.retired_set_id.is_(None))
    rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[col.name for col in c.columns])


def load_references(engine: Engine) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """The references in force and the set that put them in force, read together."""
    with engine.connect() as conn:
        return references(conn), latest_set(conn)


def history(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every reference row (retired included) and every set, for the dialog and the CLI."""
    s = ControlReferenceSet.__table__
    with engine.connect() as conn:
        rows = references(conn, retired=True)
        sets = conn.execute(select(s).order_by(s.c.id)).mappings().all()
    return rows, pd.DataFrame([dict(r) for r in sets], columns=list(SET_FIELDS))


def change_references(conn: Connection, *, add: Iterable[dict[str, Any]] = (),
                      retire: Iterable[int] = (), lab: str, action: str,
                      actor: str, source: str | None = None,
                      supersede: bool = False) -> int | None:
    """Write one set: retire the rows ``retire`` names and add the rows ``add``.

    With ``supersede`` (an imported file) a row in force for the same code and specimen
    as an added one is retired too, and an added row identical to the one in force is
    left out. Returns the new set's id, or None when there was nothing to change.
    Raises StaleReference when a row to retire is no longer in force.
    """
    c = ControlReference.__table__
    add = [dict(r) for r in add]
    retire_ids = list(dict.fromkeys(int(i) for i in retire))
    if supersede and add:
        current = references(conn)
        keep = []
        for row in add:
            same = current[(current["code"] == row["code"])
                           & (current["specimen"] == row.get("specimen", ""))]
            if len(same) and _same_reference(same.iloc[0].to_dict(), row):
                continue
            keep.append(row)
            retire_ids += [int(i) for i in same["id"]]
        add = keep
    if not add and not retire_ids:
        return None
    in_force = references(conn)
    gone = sorted(set(retire_ids) - set(int(i) for i in in_force["id"]))
    if gone:
        raise StaleReference(f"control reference #{gone[0]} was changed or retired by someone "
                             "else; reload and try again")
    for row in add:
        same = in_force[(in_force["code"] == row["code"])
                        & (in_force["specimen"] == (row.get("specimen") or ""))]
        if len(same) and not set(int(i) for i in same["id"]) & set(retire_ids):
            raise ReferenceInForce(f"a {row['code']} reference for specimen "
                                   f"'{row.get('specimen') or ''}' is already in force "
                                   f"(#{int(same['id'].iloc[0])}): edit or retire it")
    set_id = conn.execute(insert(ControlReferenceSet).values(
        lab=lab, action=action, source=source, created_at=db_now(conn), created_by=actor,
    ).returning(ControlReferenceSet.id)).scalar_one()
    for rid in retire_ids:
        done = conn.execute(c.update().where(c.c.id == rid, c.c.retired_set_id.is_(None))
                            .values(retired_set_id=set_id)).rowcount
        if done != 1:
            raise StaleReference(f"control reference #{rid} was changed or retired by someone "
                                 "else; reload and try again")
    if add:
        conn.execute(insert(c), [{**{k: r.get(k) for k in REFERENCE_FIELDS},
                                  "specimen": r.get("specimen") or "", "set_id": set_id}
                                 for r in add])
    # In the chained trail too: a reference decides every fold a summary prints.
    added = conn.execute(select(c.c.id).where(c.c.set_id == set_id).order_by(c.c.id)).scalars()
    record(conn, actor=actor, entity="control_reference_set", entity_id=int(set_id),
           patient_id=None, action=action,
           before={"retired": sorted(retire_ids)} if retire_ids else None,
           after={"lab": lab, "source": source, "added": [int(i) for i in added]})
    return int(set_id)


def _same_reference(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    def norm(v: Any) -> Any:
        if v is None or (isinstance(v, float) and v != v):
            return None
        if isinstance(v, pd.Timestamp):
            return v.date()
        return v

    return all(norm(stored.get(k)) == norm(new.get(k))
               for k in REFERENCE_FIELDS if k != "source")


def count_sets(conn: Connection, *, except_actions: Iterable[str] = ()) -> int:
    s = ControlReferenceSet.__table__
    stmt = select(func.count()).select_from(s).where(s.c.action.not_in(list(except_actions)))
    return int(conn.execute(stmt).scalar() or 0)
