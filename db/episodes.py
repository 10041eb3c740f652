"""Episode writes: each change and its audit row in one transaction, guarded by ``version``.

Every function takes the version the caller last saw. If the stored row has moved on
(another reviewer, another window) the write is refused with StaleEpisodeError and
nothing changes: a stale edit is never silently laid over a newer one.
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.audit import (
    AuditError,
    audited_transaction,
    check_actor,
    db_now,
    encode_change,
    history,
    last_event,
    record,
)
from db.audit_action import STEPS, base_action, stepped
from db.errors import UserFacingError
from db.models import (
    CERTAINTIES,
    KINDS,
    ORIGINS,
    SEVERITIES,
    STATUSES,
    AuditEvent,
    Episode,
    Patient,
)

__all__ = ["KINDS", "SEVERITIES", "CERTAINTIES", "STATUSES", "ORIGINS"]

# What a reviewer may change; id, patient, author, created and version are the database's.
EDITABLE = ("kind", "onset", "end", "severity", "certainty", "note", "status", "origin")
ENTITY = "episode"
VOCABULARIES = {"kind": KINDS, "severity": SEVERITIES, "certainty": CERTAINTIES,
                "status": STATUSES, "origin": ORIGINS}
OPTIONAL = ("severity", "certainty")

_T = Episode.__table__


class EpisodeError(UserFacingError):
    """An episode write that was refused; the message is meant for the user, in one line."""


class StaleEpisodeError(EpisodeError):
    """The episode changed (or vanished) since the caller read it."""


def _validate(values: dict[str, Any]) -> None:
    for field, allowed in VOCABULARIES.items():
        if field not in values or (values[field] is None and field in OPTIONAL):
            continue
        if values[field] not in allowed:
            raise EpisodeError(f"Unknown episode {field} {values[field]!r}: one of "
                               f"{', '.join(allowed)}")
    onset, end = values.get("onset"), values.get("end")
    for field, t in (("onset", onset), ("end", end)):
        if t is not None and (isinstance(t, bool) or not isinstance(t, int)):
            raise EpisodeError(f"Episode {field} must be a time in seconds, not {t!r}")
    if "onset" in values and onset is None:
        raise EpisodeError("An episode needs an onset")
    if onset is not None and end is not None and end < onset:
        raise EpisodeError("An episode cannot end before its onset")
    if "note" in values and not isinstance(values["note"], str):
        raise EpisodeError("An episode note must be text")


def _actor(actor: object) -> str:
    try:
        return check_actor(actor)
    except AuditError as exc:
        raise EpisodeError(str(exc)) from exc


def _seconds(t: Any) -> Any:
    """A time as whole seconds (SQLite would store a float as REAL); anything but a number
    is left for _validate to refuse."""
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        return int(round(float(t)))
    return t


def _row(conn: Connection, episode_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(_T).where(_T.c.id == episode_id)).mappings().first()
    return None if row is None else dict(row)


def check_version(row: dict[str, Any] | None, episode_id: int, version: int, *,
                   what: str = "Episode", gone: str = "deleted",
                   error: type[StaleEpisodeError] = StaleEpisodeError) -> dict[str, Any]:
    """The row if it is still at ``version``; else the refusal (db.suggestions uses it
    for a suggestion, "withdrawn" when gone)."""
    if row is None:
        raise error(f"{what} {episode_id} was {gone} meanwhile")
    if row["version"] != version:
        raise error(
            f"{what} {episode_id} was changed meanwhile (version {row['version']}, "
            f"you had {version}); your change was not saved")
    return row




def get_episode(engine: Engine, episode_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        return _row(conn, episode_id)


def check_actor_for_episode(actor: object) -> str:
    """The actor as stored, or EpisodeError (a refusal the window reports)."""
    return _actor(actor)


def create_episode(engine: Engine, patient_id: int, *, actor: str, kind: str, onset: int,
                   end: int | None = None, severity: str | None = None,
                   certainty: str | None = None, note: str = "", status: str = "accepted",
                   origin: str = "reviewer") -> dict[str, Any]:
    """Insert an episode authored by actor; returns the stored row.

    The database assigns the id inside the write, so two writers never claim the same one.
    """
    try:
        with audited_transaction(engine) as conn:
            return insert_episode(conn, patient_id, actor=actor, kind=kind, onset=onset,
                                  end=end, severity=severity, certainty=certainty, note=note,
                                  status=status, origin=origin)
    except IntegrityError as exc:
        raise EpisodeError(f"Case {patient_id} does not exist (deleted meanwhile?)") from exc


def insert_episode(conn: Connection, patient_id: int, *, actor: str, kind: str, onset: int,
                   end: int | None = None, severity: str | None = None,
                   certainty: str | None = None, note: str = "", status: str = "accepted",
                   origin: str = "reviewer", created: int | None = None) -> dict[str, Any]:
    """create_episode inside the caller's audited transaction (an accepted suggestion
    and its episode are one write). ``created`` is the database clock's now unless given:
    the demo dates its example episode so that a seed always gives the same cohort (a
    reviewer login on a server gets the server's time whatever it gives)."""
    values = dict(patient_id=patient_id, kind=kind, onset=_seconds(onset), end=_seconds(end),
                  severity=severity, certainty=certainty, note=note or "",
                  author=_actor(actor), version=1, status=status, origin=origin)
    _validate(values)
    values["created"] = values["updated"] = db_now(conn) if created is None else int(created)
    eid = conn.execute(insert(Episode).values(**values).returning(_T.c.id)).scalar_one()
    row = _row(conn, eid)
    record(conn, actor=actor, entity=ENTITY, entity_id=eid, patient_id=patient_id,
           action="create", before=None, after=row)
    return row  # type: ignore[return-value]


def update_episode(engine: Engine, episode_id: int, version: int, *, actor: str,
                   step: str | None = None, **changes: Any) -> dict[str, Any]:
    """Change editable fields if the stored version is still ``version``; returns the new row.

    The audit row holds only the fields that changed (and the version), before and after;
    ``step`` ("undo", "redo") says the change was written by one (db.audit.stepped).
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise EpisodeError(f"Cannot change {', '.join(sorted(unknown))} of an episode")
    actor = _actor(actor)
    for key in ("onset", "end"):
        if key in changes:
            changes[key] = _seconds(changes[key])
    with audited_transaction(engine) as conn:
        row = check_version(_row(conn, episode_id), episode_id, version)
        _validate({**row, **changes})
        changed = {k: v for k, v in changes.items() if row[k] != v}
        if not changed:
            return row
        result = conn.execute(
            update(Episode)
            .where(_T.c.id == episode_id, _T.c.version == version)
            .values(**changed, updated=db_now(conn), version=version + 1))
        if result.rowcount != 1:  # another writer got in between the read and the write
            check_version(_row(conn, episode_id), episode_id, version)
        before = {k: row[k] for k in changed} | {"version": version}
        after = dict(changed) | {"version": version + 1}
        record(conn, actor=actor, entity=ENTITY, entity_id=episode_id,
               patient_id=row["patient_id"], action=stepped("update", step), before=before,
               after=after)
        return _row(conn, episode_id)


def delete_episode(engine: Engine, episode_id: int, version: int, *,
                   actor: str, step: str | None = None) -> dict[str, Any]:
    """Delete the episode; returns the deleted row (what restore_episode needs)."""
    with audited_transaction(engine) as conn:
        return remove_episode(conn, episode_id, version, actor=actor, step=step)


def remove_episode(conn: Connection, episode_id: int, version: int, *, actor: str,
                   step: str | None = None) -> dict[str, Any]:
    """delete_episode inside the caller's audited transaction."""
    actor = _actor(actor)
    row = check_version(_row(conn, episode_id), episode_id, version)
    result = conn.execute(_T.delete().where(_T.c.id == episode_id, _T.c.version == version))
    if result.rowcount != 1:
        check_version(_row(conn, episode_id), episode_id, version)
    record(conn, actor=actor, entity=ENTITY, entity_id=episode_id,
           patient_id=row["patient_id"], action=stepped("delete", step), before=row,
           after=None)
    return row


def restore_episode(engine: Engine, deleted: dict[str, Any], *, actor: str,
                    step: str | None = None) -> dict[str, Any]:
    """Put a deleted episode back under its original id (undo of a delete).

    Only what the audit trail recorded as deleted can come back, exactly as it was:
    ``deleted`` must be the row delete_episode returned, and the newest audit row about
    that id must be its deletion. The version moves on past the deleted one, so an editor
    still holding the old row cannot write over the restored episode unnoticed.
    """
    try:
        with audited_transaction(engine) as conn:
            return put_back_episode(conn, deleted, actor=actor, step=step)
    except IntegrityError as exc:
        raise StaleEpisodeError(
            f"Episode {deleted.get('id')} cannot be restored: it exists again or its case "
            "is gone") from exc


def put_back_episode(conn: Connection, deleted: dict[str, Any], *, actor: str,
                     step: str | None = None) -> dict[str, Any]:
    """restore_episode inside the caller's audited transaction."""
    actor = _actor(actor)
    try:
        episode_id = int(deleted["id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EpisodeError("Only a deleted episode can be restored") from exc
    if _row(conn, episode_id) is not None:
        raise StaleEpisodeError(f"Episode {episode_id} cannot be restored: it exists again")
    last = last_event(conn, ENTITY, episode_id)
    if last is None or base_action(last["action"]) != "delete" or not last["before"]:
        raise EpisodeError(f"Episode {episode_id} cannot be restored: it was never deleted")
    recorded = last["before"]
    given = json.loads(encode_change({k: deleted.get(k) for k in recorded}))
    if given != recorded:
        raise EpisodeError(f"Episode {episode_id} cannot be restored: that is not the "
                           "episode that was deleted")
    values = {c.name: recorded[c.name] for c in _T.columns if c.name in recorded}
    _validate(values)
    values["version"] = int(recorded["version"]) + 1
    values["updated"] = db_now(conn)
    conn.execute(insert(Episode).values(**values))
    row = _row(conn, episode_id)
    record(conn, actor=actor, entity=ENTITY, entity_id=episode_id,
           patient_id=row["patient_id"], action=stepped("restore", step), before=None,
           after=row)
    return row  # type: ignore[return-value]


def episode_history(engine: Engine, episode_id: int) -> pd.DataFrame:
    """The episode's audit rows, oldest first; before/after decoded to dicts (or None)."""
    df = history(engine, ENTITY, episode_id)
    for col in ("before", "after"):
        # pandas turns a column's missing JSON into NaN, hence the isinstance
        df[col] = pd.Series([json.loads(v) if isinstance(v, str) else None for v in df[col]],
                            index=df.index, dtype=object)
    return df


class StaleReviewError(StaleEpisodeError):
    """The case's review changed since the caller read it."""


def mark_case_reviewed(engine: Engine, patient_id: int, reviewer: str, reviewed: bool, *,
                       version: int, at: int | None = None,
                       actor: str | None = None, step: str | None = None) -> dict[str, Any]:
    """Record (or withdraw) that reviewer reviewed the case, if its review is still at
    ``version`` (patient.review_version as the caller read it); returns reviewed_by,
    reviewed_at and the new review_version.

    ``at`` and ``actor`` let an undo put back an earlier review under its original
    reviewer and time while the audit row names who did the undo; that review must be
    one the audit trail recorded.
    """
    p = Patient.__table__
    actor = _actor(actor or reviewer)
    reviewer = _actor(reviewer)
    with audited_transaction(engine) as conn:
        row = conn.execute(select(p.c.reviewed_by, p.c.reviewed_at, p.c.review_version)
                           .where(p.c.id == patient_id)).mappings().first()
        if row is None:
            raise EpisodeError(f"Case {patient_id} does not exist")
        if row["review_version"] != version:
            now = (f"reviewed by {row['reviewed_by']}" if row["reviewed_by"]
                   else "not reviewed")
            raise StaleReviewError(f"The review of this case was changed meanwhile (now "
                                   f"{now}); your change was not saved")
        if reviewed and at is not None and not _was_reviewed(conn, patient_id, reviewer, at):
            raise EpisodeError(f"No review by {reviewer} at that time to put back")
        after = {"reviewed_by": reviewer if reviewed else None,
                 "reviewed_at": ((db_now(conn) if at is None else int(at))
                                 if reviewed else None),
                 "review_version": version + 1}
        result = conn.execute(update(Patient).where(p.c.id == patient_id,
                                                    p.c.review_version == version)
                              .values(**after))
        if result.rowcount != 1:
            raise StaleReviewError("The review of this case was changed meanwhile; your "
                                   "change was not saved")
        record(conn, actor=actor, entity="patient", entity_id=patient_id,
               patient_id=patient_id,
               action=stepped("review" if reviewed else "unreview", step),
               before=dict(row), after=after)
    return after


def _was_reviewed(conn: Connection, patient_id: int, reviewer: str, at: int) -> bool:
    a = AuditEvent.__table__
    afters = conn.execute(select(a.c.after).where(
        a.c.entity == "patient", a.c.entity_id == patient_id,
        a.c.action.in_([stepped("review", s) for s in (None, *STEPS)]))).scalars()
    for text in afters:
        after = json.loads(text) if text else {}
        if after.get("reviewed_by") == reviewer and after.get("reviewed_at") == int(at):
            return True
    return False
