"""What someone else changed since a reviewer read a record, told from the audit trail.

A save based on an old version is refused (db: the version columns); the reviewer is then
shown who changed what and when since the version they had, and chooses to keep that or to
apply their own change on top of it. The wording is the History dialog's (data.audit_text).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from data.audit_text import action_text, change_lines, decoded, when
from data.controls import reference_text
from data.numbers import is_missing
from db.audit import history
from db.controls import history as reference_history

# What each kind of record is versioned by, and the audit entities that carry its changes.
EPISODE = (("episode",), "version")
REVIEW = (("patient",), "review_version")
DETAILS = (("patient", "patient_identity"), "version")


@dataclass(frozen=True)
class OtherChange:
    actor: str
    at: int
    action: str
    lines: tuple[str, ...]

    def text(self) -> str:
        """"bob (2026-11-30 09:12:04 UTC): changed" and a line per field changed,
        "· onset: 2024-03-01 → 2024-03-03"."""
        return "\n".join([f"{self.actor} ({when(self.at)} UTC): {action_text(self.action)}",
                          *(f"· {line}" for line in self.lines)])


def changes_since(engine: Engine, record: tuple[tuple[str, ...], str], entity_id: int,
                  version: int) -> list[OtherChange]:
    """The audit rows that moved ``entity_id`` past ``version`` (a deletion included),
    oldest first. ``record`` is EPISODE, REVIEW or DETAILS."""
    entities, field = record
    # One save of patient details writes a row per entity (details, identity): told as one.
    saves: dict[tuple, list[str]] = {}
    for entity in entities:
        for row in history(engine, entity, entity_id).itertuples(index=False):
            moved = decoded(row.after).get(field)
            deleted = not decoded(row.after) and decoded(row.before)
            if not deleted and (moved is None or int(moved) <= int(version)):
                continue
            key = (int(row.at), str(row.actor), str(row.action), moved)
            saves.setdefault(key, []).extend(change_lines(row.action, entity, row.before,
                                                          row.after))
    return [OtherChange(actor, at, action, tuple(lines))
            for (at, actor, action, _v), lines in sorted(
                saves.items(), key=lambda kv: (kv[0][0], kv[0][3] or 0))]


def theirs_text(changes: Iterable[OtherChange]) -> str:
    """One line per change, for the conflict message; a fallback when the trail has none
    (a change written outside the program)."""
    lines = [c.text() for c in changes]
    return "\n".join(lines) or "it was changed outside Flarescope (no audit row says how)"


def mine_text(entity: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """The reviewer's refused change in the same words: "severity: moderate → severe"."""
    return "\n".join(change_lines("update", entity, before, after)) or "no change"


def reference_changes(engine: Engine, code: str, specimen: str,
                      seen_set: int) -> list[OtherChange]:
    """The control reference sets after ``seen_set`` that added or retired a reference of
    this analyte and specimen, oldest first: who made each (the set's login and database
    time, as its audit row has them) and the references it retired and added."""
    rows, sets = reference_history(engine)
    mine = [r for r in rows.to_dict("records")
            if r["code"] == code and (r.get("specimen") or "") == (specimen or "")]
    out = []
    for s in sets.to_dict("records"):
        sid = int(s["id"])
        if sid <= seen_set:
            continue
        lines = ([f"retired: {reference_text(r)}" for r in mine
                  if not is_missing(r.get("retired_set_id")) and int(r["retired_set_id"]) == sid]
                 + [f"added: {reference_text(r)}" for r in mine if int(r["set_id"]) == sid])
        if lines:
            out.append(OtherChange(str(s["created_by"]), int(s["created_at"]), str(s["action"]),
                                   tuple(lines)))
    return out
