"""Suggested episodes: what the relapse criteria proposed for a case, and what the reviewer
decided. Every write and its audit row in one transaction, guarded by ``version``.

Storing a run (``store_suggestions``) never duplicates a suggestion: one per case and
onset, and a candidate that overlaps a suggestion already decided is that suggestion.
When the evidence behind a stored suggestion differs from the run's (a re-import added a
visit, a physician global), the row takes the new evidence and is marked ``changed``; a
decided one keeps its decision. An open suggestion the criteria no longer find is
withdrawn. A decided suggestion stays marked ``changed`` through every later run until
the reviewer decides again or keeps the decision (``keep_decision``). Accepting writes a reviewer episode (origin 'rule') through the episode write
path (db.episodes), in the same transaction as the suggestion's new state.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, text, update

from db.audit import audited_transaction, db_now, record
from db.audit_action import stepped
from db.episodes import (
    EpisodeError,
    StaleEpisodeError,
    check_actor_for_episode,
    check_version,
    insert_episode,
    put_back_episode,
    remove_episode,
)
from db.models import SUGGESTION_STATES, Suggestion

ENTITY = "suggestion"
OPEN, ACCEPTED, REJECTED = SUGGESTION_STATES
# What a run of the criteria gives for each candidate.
RULE_FIELDS = ("kind", "onset", "end", "criteria", "certainty", "evidence", "fingerprint")

_T = Suggestion.__table__


class SuggestionError(EpisodeError):
    """A suggestion write that was refused; one line for the reviewer."""


class StaleSuggestionError(StaleEpisodeError):
    """The suggestion changed (or went) since the caller read it."""


log = logging.getLogger(__name__)


def _decoded(row: dict[str, Any]) -> dict[str, Any] | None:
    """Criteria and evidence decoded; None for a row whose JSON does not read (written
    by hand on the server): the case still opens, without that suggestion."""
    try:
        row["criteria"] = json.loads(row["criteria"])
        row["evidence"] = json.loads(row["evidence"])
    except (TypeError, ValueError):
        log.warning("suggestion %s left out: its criteria or evidence is not valid JSON",
                    row.get("id"))
        return None
    return row


def _row(conn: Connection, sid: int) -> dict[str, Any] | None:
    row = conn.execute(select(_T).where(_T.c.id == sid)).mappings().first()
    return None if row is None else dict(row)


def _checked(conn: Connection, sid: int, version: int) -> dict[str, Any]:
    return check_version(_row(conn, sid), sid, version, what="Suggestion", gone="withdrawn",
                         error=StaleSuggestionError)


def _encoded(found: dict[str, Any]) -> dict[str, Any]:
    out = {k: found[k] for k in RULE_FIELDS}
    out["onset"] = int(out["onset"])
    out["end"] = None if out["end"] is None else int(out["end"])
    out["criteria"] = json.dumps(list(found["criteria"]))
    out["evidence"] = json.dumps(found["evidence"], ensure_ascii=False)
    return out


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    """What an audit row holds of a suggestion: all but the bookkeeping times."""
    return {k: v for k, v in row.items() if k not in ("created", "updated")}


def _set(conn: Connection, row: dict[str, Any], values: dict[str, Any], *, actor: str,
         action: str) -> dict[str, Any]:
    new = _update(conn, row, values)
    changed = {k: new[k] for k in values if row[k] != new[k]}
    record(conn, actor=actor, entity=ENTITY, entity_id=row["id"],
           patient_id=row["patient_id"], action=action,
           before={k: row[k] for k in changed} | {"version": row["version"]},
           after=changed | {"version": new["version"]})
    return new


def _update(conn: Connection, row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The row at its version changed, its version moved on by one; no audit row."""
    changed = {k: v for k, v in values.items() if row[k] != v}
    version = row["version"]
    result = conn.execute(update(Suggestion)
                          .where(_T.c.id == row["id"], _T.c.version == version)
                          .values(**changed, version=version + 1, updated=db_now(conn)))
    if result.rowcount != 1:
        _checked(conn, row["id"], version)
    return _row(conn, row["id"])  # type: ignore[return-value]


def _same(stored: list[dict[str, Any]], found: dict[str, Any]) -> dict[str, Any] | None:
    """The stored suggestion a candidate is: same onset, else a decided one it overlaps."""
    for s in stored:
        if s["onset"] == found["onset"]:
            return s
    end = found["end"] if found["end"] is not None else float("inf")
    for s in stored:
        s_end = s["end"] if s["end"] is not None else float("inf")
        if s["state"] != OPEN and s["onset"] < end and found["onset"] < s_end:
            return s
    return None


def store_suggestions(engine: Engine, patient_id: int, found: list[dict[str, Any]], *,
                      actor: str) -> dict[str, int]:
    """Store one run of the criteria for a case; returns how many were added, changed,
    unchanged and withdrawn."""
    actor = check_actor_for_episode(actor)
    counts = dict(added=0, changed=0, unchanged=0, withdrawn=0)
    with audited_transaction(engine) as conn:
        stored = [dict(r) for r in conn.execute(
            select(_T).where(_T.c.patient_id == patient_id).order_by(_T.c.onset)).mappings()]
        seen: set[int] = set()
        for f in found:
            values = _encoded(f)
            hit = _same([s for s in stored if s["id"] not in seen], values)
            if hit is None:
                now = db_now(conn)
                sid = conn.execute(insert(Suggestion).values(
                    patient_id=patient_id, **values, state=OPEN, changed=0, version=1,
                    created=now, updated=now).returning(_T.c.id)).scalar_one()
                record(conn, actor=actor, entity=ENTITY, entity_id=sid, patient_id=patient_id,
                       action="create", before=None, after=_audited(_row(conn, sid)))
                counts["added"] += 1
                continue
            seen.add(hit["id"])
            if all(hit[k] == v for k, v in values.items() if k != "onset"):
                counts["unchanged"] += 1
                continue
            # Same fingerprint, other findings: written outside the criteria (raw SQL on a
            # server, attacker review); the run puts back what the criteria find, marked.
            if hit["onset"] != values["onset"]:  # the identity stays the first onset
                values.pop("onset")
            _set(conn, hit, values | {"changed": 1}, actor=actor, action="evidence changed")
            counts["changed"] += 1
        for s in stored:
            if s["id"] in seen:
                continue
            if s["state"] == OPEN:
                conn.execute(_T.delete().where(_T.c.id == s["id"]))
                record(conn, actor=actor, entity=ENTITY, entity_id=s["id"],
                       patient_id=patient_id, action="withdraw", before=_audited(s), after=None)
                counts["withdrawn"] += 1
            elif s["fingerprint"]:
                # Decided, and the criteria no longer find it: its evidence is gone.
                _set(conn, s, {"fingerprint": "", "changed": 1}, actor=actor,
                     action="evidence changed")
                counts["changed"] += 1
    return counts


def load_suggestions(engine: Engine, patient_id: int) -> pd.DataFrame:
    """The case's suggestions by onset; criteria and evidence decoded."""
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(_T).where(_T.c.patient_id == patient_id).order_by(_T.c.onset, _T.c.id)
        ).mappings()]
    rows = [r for r in map(_decoded, rows) if r is not None]
    return pd.DataFrame(rows, columns=[c.name for c in _T.columns])


def get_suggestion(engine: Engine, sid: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        return _row(conn, sid)


def suggestion_of_episode(engine: Engine, episode_id: int) -> dict[str, Any] | None:
    """The accepted suggestion an episode came from, if any (its criteria, its evidence)."""
    with engine.connect() as conn:
        row = conn.execute(select(_T).where(_T.c.episode_id == episode_id,
                                            _T.c.state == ACCEPTED)).mappings().first()
    if row is None:
        return None
    return _decoded(dict(row))


def accept_suggestion(engine: Engine, sid: int, version: int, *, actor: str,
                      step: str | None = None, restore: dict[str, Any] | None = None
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Turn an open suggestion into a reviewer episode (origin 'rule', its kind and edges);
    returns (suggestion, episode). ``restore``: the episode an undone accept deleted, put
    back under its id (a redo)."""
    actor = check_actor_for_episode(actor)
    with audited_transaction(engine) as conn:
        row = _checked(conn, sid, version)
        if row["state"] != OPEN:
            raise SuggestionError(f"Suggestion {sid} is already {row['state']}")
        if restore is None:
            episode = insert_episode(conn, row["patient_id"], actor=actor, kind=row["kind"],
                                     onset=row["onset"], end=row["end"], origin="rule")
        else:
            episode = put_back_episode(conn, restore, actor=actor, step=step)
        new = _set(conn, row, {"state": ACCEPTED, "episode_id": episode["id"], "reason": None,
                               "changed": 0}, actor=actor, action=stepped("accept", step))
    return new, episode


def reject_suggestion(engine: Engine, sid: int, version: int, *, actor: str, reason: str,
                      step: str | None = None) -> dict[str, Any]:
    """Hide an open suggestion, with the reviewer's reason (required)."""
    actor = check_actor_for_episode(actor)
    reason = (reason or "").strip()
    if not reason:
        raise SuggestionError("Say why the suggestion is rejected (the reason is kept in "
                              "the audit trail)")
    with audited_transaction(engine) as conn:
        row = _checked(conn, sid, version)
        if row["state"] != OPEN:
            raise SuggestionError(f"Suggestion {sid} is already {row['state']}")
        return _set(conn, row, {"state": REJECTED, "reason": reason, "changed": 0},
                    actor=actor, action=stepped("reject", step))


def reopen_suggestion(engine: Engine, sid: int, version: int, *, actor: str,
                      episode_version: int | None = None, step: str | None = None
                      ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Undo a decision: an accepted suggestion's episode is deleted (it must still be at
    ``episode_version``), a rejected one loses its reason. Returns (suggestion, the
    deleted episode or None)."""
    actor = check_actor_for_episode(actor)
    with audited_transaction(engine) as conn:
        row = _checked(conn, sid, version)
        deleted = None
        if row["state"] == ACCEPTED and row["episode_id"] is not None:
            if episode_version is None:
                raise SuggestionError("The accepted episode's version is needed to undo")
            deleted = remove_episode(conn, row["episode_id"], episode_version, actor=actor,
                                     step=step)
        new = _set(conn, row, {"state": OPEN, "episode_id": None, "reason": None},
                   actor=actor, action=stepped("reopen", step))
    return new, deleted


def _decided_by_another(conn: Connection, sid: int) -> str | None:
    """The login that decided it, if not this one (a server keeps it: a6_guards' column,
    not in a SQLite file)."""
    if conn.dialect.name != "postgresql":
        return None
    decider, me = conn.execute(text("SELECT decided_by, session_user FROM suggestion "
                                    "WHERE id = :s"), {"s": sid}).one()
    return decider if decider is not None and decider != me else None


def keep_decision(engine: Engine, sid: int, version: int, *, actor: str, keep: bool = True,
                  step: str | None = None) -> dict[str, Any]:
    """The reviewer has seen that a decided suggestion's evidence changed and keeps the
    decision: the mark goes. ``keep=False`` (its undo) puts the mark back."""
    actor = check_actor_for_episode(actor)
    with audited_transaction(engine) as conn:
        row = _checked(conn, sid, version)
        if row["state"] == OPEN:
            raise SuggestionError(f"Suggestion {sid} is open: there is no decision to keep")
        if bool(row["changed"]) != keep:
            raise SuggestionError(f"Suggestion {sid}'s evidence is "
                                  f"{'not marked changed' if keep else 'already marked'}")
        if not keep:
            return _set(conn, row, {"changed": 1}, actor=actor,
                        action=stepped("mark changed", step))
        decider = _decided_by_another(conn, sid)
        if decider is not None:
            raise SuggestionError(f"Only {decider}, who {row['state']} it, can keep the "
                                  "decision: on the server a decision is taken again only "
                                  "by whoever took it")
        # Kept is decided again: a server lets the mark go only with a decision, so the
        # suggestion is reopened and given the same decision, in one step of the trail.
        reopened = _update(conn, row, {"state": OPEN})
        new = _update(conn, reopened, {"state": row["state"], "changed": 0})
        record(conn, actor=actor, entity=ENTITY, entity_id=sid, patient_id=row["patient_id"],
               action=stepped("keep", step), before={"changed": 1, "version": version},
               after={"changed": 0, "version": new["version"]})
        return new
