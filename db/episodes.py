"""Episode writes: each change and its audit row in one transaction, guarded by ``version``.

Every function takes the version the caller last saw. If the stored row has moved on
(another reviewer, another window) the write is refused with StaleEpisodeError and
nothing changes: a stale edit is never silently laid over a newer one.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.audit import history, now_epoch, record
from db.models import AuditEvent, Episode, Patient

KINDS = ("relapse", "flare", "remission", "adverse event", "note")
SEVERITIES = ("mild", "moderate", "severe")
CERTAINTIES = ("certain", "probable", "uncertain")
# What a reviewer may change; id, patient, author, created and version are the database's.
EDITABLE = ("kind", "onset", "end", "severity", "certainty", "note", "status", "origin")
ENTITY = "episode"

_T = Episode.__table__


class EpisodeError(Exception):
    """An episode write that was refused; the message is meant for the user, in one line."""


class StaleEpisodeError(EpisodeError):
    """The episode changed (or vanished) since the caller read it."""


def _validate(values: dict[str, Any]) -> None:
    kind = values.get("kind")
    if kind is not None and kind not in KINDS:
        raise EpisodeError(f"Unknown episode kind {kind!r}")
    for field, allowed in (("severity", SEVERITIES), ("certainty", CERTAINTIES)):
        v = values.get(field)
        if v is not None and v not in allowed:
            raise EpisodeError(f"Unknown {field} {v!r}: one of {', '.join(allowed)}")
    onset, end = values.get("onset"), values.get("end")
    if onset is not None and end is not None and end < onset:
        raise EpisodeError("An episode cannot end before its onset")


def _row(conn: Connection, episode_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(_T).where(_T.c.id == episode_id)).mappings().first()
    return None if row is None else dict(row)


def _check_version(row: dict[str, Any] | None, episode_id: int, version: int) -> dict[str, Any]:
    if row is None:
        raise StaleEpisodeError(f"Episode {episode_id} was deleted meanwhile")
    if row["version"] != version:
        raise StaleEpisodeError(
            f"Episode {episode_id} was changed meanwhile (version {row['version']}, "
            f"you had {version}); your change was not saved")
    return row


def _next_id(conn: Connection) -> int | None:
    # SQLite hands out max(id)+1, so undoing the newest creation and creating again
    # would reuse an id whose audit rows belong to the deleted episode. Counting the
    # audit trail keeps ids unique for life. PostgreSQL sequences never reuse.
    if conn.dialect.name != "sqlite":
        return None
    a = AuditEvent.__table__
    top_episode = conn.execute(select(func.max(_T.c.id))).scalar() or 0
    top_audit = conn.execute(
        select(func.max(a.c.entity_id)).where(a.c.entity == ENTITY)).scalar() or 0
    return max(top_episode, top_audit) + 1


def get_episode(engine: Engine, episode_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        return _row(conn, episode_id)


def create_episode(engine: Engine, patient_id: int, *, actor: str, kind: str, onset: int,
                   end: int | None = None, severity: str | None = None,
                   certainty: str | None = None, note: str = "", status: str = "accepted",
                   origin: str = "reviewer", at: int | None = None) -> dict[str, Any]:
    """Insert an episode authored by actor; returns the stored row."""
    now = now_epoch() if at is None else at
    values = dict(patient_id=patient_id, kind=kind, onset=int(round(onset)),
                  end=None if end is None else int(round(end)), severity=severity,
                  certainty=certainty, note=note or "", author=actor, created=now, updated=now,
                  version=1, status=status, origin=origin)
    _validate(values)
    with engine.begin() as conn:
        new_id = _next_id(conn)
        if new_id is not None:
            values["id"] = new_id
        eid = conn.execute(insert(Episode).values(**values).returning(_T.c.id)).scalar_one()
        row = _row(conn, eid)
        record(conn, actor=actor, entity=ENTITY, entity_id=eid, patient_id=patient_id,
               action="create", before=None, after=row, at=now)
    return row


def update_episode(engine: Engine, episode_id: int, version: int, *, actor: str,
                   at: int | None = None, **changes: Any) -> dict[str, Any]:
    """Change editable fields if the stored version is still ``version``; returns the new row.

    The audit row holds only the fields that changed (and the version), before and after.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise EpisodeError(f"Cannot change {', '.join(sorted(unknown))} of an episode")
    for key in ("onset", "end"):
        if changes.get(key) is not None:  # a float would be stored as REAL by SQLite
            changes[key] = int(round(changes[key]))
    now = now_epoch() if at is None else at
    with engine.begin() as conn:
        row = _check_version(_row(conn, episode_id), episode_id, version)
        _validate({**row, **changes})
        changed = {k: v for k, v in changes.items() if row[k] != v}
        if not changed:
            return row
        result = conn.execute(
            update(Episode)
            .where(_T.c.id == episode_id, _T.c.version == version)
            .values(**changed, updated=now, version=version + 1))
        if result.rowcount != 1:  # another writer got in between the read and the write
            _check_version(_row(conn, episode_id), episode_id, version)
        before = {k: row[k] for k in changed} | {"version": version}
        after = dict(changed) | {"version": version + 1}
        record(conn, actor=actor, entity=ENTITY, entity_id=episode_id,
               patient_id=row["patient_id"], action="update", before=before, after=after,
               at=now)
        return _row(conn, episode_id)


def delete_episode(engine: Engine, episode_id: int, version: int, *, actor: str,
                   at: int | None = None) -> dict[str, Any]:
    """Delete the episode; returns the deleted row (what restore_episode needs)."""
    with engine.begin() as conn:
        row = _check_version(_row(conn, episode_id), episode_id, version)
        result = conn.execute(
            _T.delete().where(_T.c.id == episode_id, _T.c.version == version))
        if result.rowcount != 1:
            _check_version(_row(conn, episode_id), episode_id, version)
        record(conn, actor=actor, entity=ENTITY, entity_id=episode_id,
               patient_id=row["patient_id"], action="delete", before=row, after=None, at=at)
    return row


def restore_episode(engine: Engine, deleted: dict[str, Any], *, actor: str,
                    at: int | None = None) -> dict[str, Any]:
    """Put a deleted episode back under its original id (undo of a delete).

    The version moves on past the deleted one, so an editor still holding the old
    row cannot write over the restored episode unnoticed.
    """
    values = {c.name: deleted[c.name] for c in _T.columns if c.name in deleted}
    values["version"] = int(deleted["version"]) + 1
    now = now_epoch() if at is None else at
    values["updated"] = now
    try:
        with engine.begin() as conn:
            conn.execute(insert(Episode).values(**values))
            row = _row(conn, values["id"])
            record(conn, actor=actor, entity=ENTITY, entity_id=row["id"],
                   patient_id=row["patient_id"], action="restore", before=None, after=row,
                   at=now)
    except IntegrityError as exc:
        raise StaleEpisodeError(
            f"Episode {values['id']} cannot be restored: it exists again or its case is gone"
        ) from exc
    return row


def episode_history(engine: Engine, episode_id: int) -> pd.DataFrame:
    """The episode's audit rows, oldest first; before/after decoded to dicts (or None)."""
    df = history(engine, ENTITY, episode_id)
    for col in ("before", "after"):
        # pandas turns a column's missing JSON into NaN, hence the isinstance
        df[col] = pd.Series([json.loads(v) if isinstance(v, str) else None for v in df[col]],
                            index=df.index, dtype=object)
    return df


def mark_case_reviewed(engine: Engine, patient_id: int, reviewer: str, reviewed: bool, *,
                       at: int | None = None, actor: str | None = None) -> dict[str, Any]:
    """Record (or withdraw) that reviewer reviewed the case; returns reviewed_by/reviewed_at.

    ``at`` and ``actor`` let an undo put back an earlier review under its original
    reviewer and time while the audit row names who did the undo.
    """
    p = Patient.__table__
    after = {"reviewed_by": reviewer if reviewed else None,
             "reviewed_at": ((now_epoch() if at is None else int(at)) if reviewed else None)}
    with engine.begin() as conn:
        row = conn.execute(select(p.c.reviewed_by, p.c.reviewed_at)
                           .where(p.c.id == patient_id)).mappings().first()
        if row is None:
            raise EpisodeError(f"Case {patient_id} does not exist")
        before = dict(row)
        conn.execute(update(Patient).where(p.c.id == patient_id).values(**after))
        record(conn, actor=actor or reviewer, entity="patient", entity_id=patient_id,
               patient_id=patient_id, action="review" if reviewed else "unreview",
               before=before, after=after)
    return after
