"""The audit trail: one row per change, in the transaction of the change, hash-chained.

Each row stores ``prev_hash`` (the hash of the row before it, GENESIS for the first) and
``hash``, SHA-256 over a canonical encoding of its content and ``prev_hash``. The table is
append-only in the database (triggers, see the a2_audit_chain migration), and ``verify``
walks the chain: a row edited behind the program's back no longer matches its hash, and a
deleted row leaves its successor pointing at a hash that is not there. Deleting the newest
rows leaves no successor to notice; compare the count ``verify`` reports with an earlier one.

Appending reads the newest hash and writes the next row in one transaction that holds
the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock), so two
writers cannot both extend the same row and fork the chain. Times come from the database
clock, never from the caller: an audit row cannot be backdated.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from json.encoder import encode_basestring
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, text

from db.audit_state import differences
from db.changes import announce
from db.engine import WRITE_LOCK, take_write_lock
from db.errors import UserFacingError, sqlite_errors
from db.models import AuditEvent

GENESIS = "0" * 64
# What an audit row may be about: the entity kinds the program changes.
ENTITIES = ("episode", "patient", "patient_identity", "import", "database",
            "control_reference_set", "suggestion", "measurement")
_T = AuditEvent.__table__
# The columns a row's hash covers, in the order they are encoded (never change it: every
# stored hash depends on it).
HASHED = ("at", "actor", "entity", "entity_id", "patient_id", "action", "before", "after")


class AuditError(UserFacingError):
    """An audit row that was refused (empty actor, unknown entity); one line for the user."""


def check_actor(actor: object) -> str:
    """The actor as stored: a non-empty name of printable characters, at most 120 long."""
    if not isinstance(actor, str) or not actor.strip():
        raise AuditError("Every change must name who made it (the reviewer name is empty)")
    name = actor.strip()
    if len(name) > AuditEvent.__table__.c.actor.type.length:
        raise AuditError(f"Reviewer name too long ({len(name)} characters, at most 120)")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise AuditError(f"Reviewer name {name!r} holds control characters")
    return name


def row_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 (hex) of a row's HASHED values and the previous row's hash."""
    return _digest(prev_hash, *(values[k] for k in HASHED))


def _digest(prev_hash: str, at: int, actor: str, entity: str, entity_id: int | None,
            patient_id: int | None, action: str, before: str | None, after: str | None) -> str:
    """The canonical encoding is the compact JSON array (UTF-8, no ASCII escaping)
    ``[prev_hash, at, actor, entity, entity_id, patient_id, action, before, after]``: the
    values are None, ints and strings (before and after are already JSON text), so a row
    has exactly one encoding. Written out by hand because json.dumps per row is three
    times slower, the difference between `audit verify` meeting its budget or not."""
    body = "[%s,%d,%s,%s,%s,%s,%s,%s,%s]" % (  # noqa: UP031 - the fastest formatting here
        _q(prev_hash), at, _q(actor), _q(entity), _NULL if entity_id is None else _int(entity_id),
        _NULL if patient_id is None else _int(patient_id), _q(action),
        _NULL if before is None else _q(before), _NULL if after is None else _q(after))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_q = encode_basestring  # a JSON string literal, as json.dumps(ensure_ascii=False) writes it
_NULL = "null"


def _int(x: int) -> str:
    return "%d" % x  # noqa: UP031 - refuses text (TypeError), as str() would not


def encode_change(change: dict[str, Any] | None) -> str | None:
    return None if change is None else json.dumps(change, sort_keys=True, default=str)


def lock_chain(conn: Connection) -> None:
    """Take the write lock now, so the newest hash read next is still the newest at commit.

    Call it first in an audited transaction: on SQLite a transaction that has only read
    cannot later write if another one committed meanwhile. Engines from open_database
    begin with BEGIN IMMEDIATE when audited_transaction asks (db.engine.WRITE_LOCK); the
    check here covers a transaction begun by the driver's own rules.
    """
    if conn.dialect.name == "sqlite":
        if not conn.connection.driver_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        take_write_lock(conn)


@contextmanager
def audited_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the write lock from its first statement (see lock_chain)."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_LOCK: True})
        with conn.begin():
            lock_chain(conn)
            yield conn


def db_now(conn: Connection) -> int:
    """The database clock in epoch seconds, the same for the whole transaction, so a change
    and its audit row carry one time. Every time a change stores comes from here: on a
    server, one reviewer's wrong clock must not reorder the department's history."""
    txn = conn.get_transaction()
    cached = conn.info.get("audit_now")
    if cached is not None and txn is not None and cached[0] is txn:
        return cached[1]
    if conn.dialect.name == "postgresql":
        now = conn.execute(text("SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)")).scalar()
    else:
        now = conn.execute(text("SELECT CAST(strftime('%s', 'now') AS INTEGER)")).scalar()
    conn.info["audit_now"] = (txn, int(now))
    return int(now)


def record(conn: Connection, *, actor: str, entity: str, entity_id: int | None,
           patient_id: int | None, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> dict[str, Any]:
    """Append one audit row, chained to the newest one; returns the stored values."""
    if entity not in ENTITIES:
        raise AuditError(f"Unknown audit entity {entity!r}")
    if not isinstance(action, str) or not action.strip():
        raise AuditError("An audit row needs an action")
    values = dict(at=0, actor=check_actor(actor), entity=entity,
                  entity_id=None if entity_id is None else int(entity_id),
                  patient_id=None if patient_id is None else int(patient_id),
                  action=action, before=encode_change(before), after=encode_change(after))
    lock_chain(conn)
    values["at"] = db_now(conn)
    prev = conn.execute(select(_T.c.hash).order_by(_T.c.id.desc()).limit(1)).scalar()
    values["prev_hash"] = prev or GENESIS
    values["hash"] = row_hash(values["prev_hash"], values)
    conn.execute(insert(AuditEvent).values(**values))
    announce(conn)  # other Flarescopes re-read what this changed (db.changes)
    return values


def history(engine: Engine, entity: str, entity_id: int) -> pd.DataFrame:
    t = AuditEvent.__table__
    stmt = (
        select(t.c.at, t.c.actor, t.c.action, t.c.before, t.c.after)
        .where(t.c.entity == entity, t.c.entity_id == entity_id)
        .order_by(t.c.id)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=["at", "actor", "action", "before", "after"])


def last_event(conn: Connection, entity: str, entity_id: int) -> dict[str, Any] | None:
    """The newest audit row about one entity, before/after decoded."""
    row = conn.execute(select(_T).where(_T.c.entity == entity, _T.c.entity_id == entity_id)
                       .order_by(_T.c.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    return dict(row) | {k: json.loads(row[k]) if row[k] else None for k in ("before", "after")}


def actors_since_last(conn: Connection, action: str) -> set[str]:
    """Who recorded changes after the newest row with ``action`` (all rows if none)."""
    since = conn.execute(select(func.max(_T.c.id)).where(_T.c.action == action)).scalar() or 0
    return set(conn.execute(select(_T.c.actor).where(_T.c.id > since).distinct()).scalars())


def _checked(conn: Connection) -> Iterator[tuple[int, str | None, str | None, bool]]:
    """Every audit row, oldest first, as (id, prev_hash, hash, content matches hash)."""
    last = 0
    if conn.dialect.name == "sqlite":
        sha = hashlib.sha256
        try:
            # SQLite writes the canonical JSON itself: a third less CPU than formatting
            # 200,000 rows in Python. Python's encoding stays the judge: a row whose hash
            # this text misses is checked again by _digest before it is called edited.
            for rid, canonical, prev, stored in _query(conn, (
                    'SELECT id, json_array(prev_hash, at, actor, entity, entity_id, patient_id,'
                    ' action, "before", "after"), prev_hash, hash FROM audit_event '
                    "ORDER BY id")):
                ok = stored is not None and sha(canonical.encode("utf-8")).hexdigest() == stored
                if not ok and stored is not None:
                    [row] = _query(conn, f"{_SELECT} WHERE id = {int(rid)}")
                    ok = _matches(row[-2], row[1:-2], stored)
                yield rid, prev, stored, ok
                last = rid
            return
        except sqlite_errors("OperationalError"):  # no JSON functions, or a value JSON cannot hold
            pass
    for row in _query(conn, f"{_SELECT} WHERE id > {int(last)} ORDER BY id"):
        rid, prev, stored = row[0], row[-2], row[-1]
        yield rid, prev, stored, stored is not None and _matches(prev, row[1:-2], stored)


_COLUMNS = ", ".join(f'"{c}"' for c in ("id", *HASHED, "prev_hash", "hash"))
_SELECT = f"SELECT {_COLUMNS} FROM audit_event"


def _query(conn: Connection, sql: str) -> Iterator[tuple]:
    if conn.dialect.name == "sqlite":
        # The driver's own cursor: 200,000 rows in a fraction of Core's per-row cost.
        cur = conn.connection.driver_connection.cursor()
        cur.arraysize = 10_000
        return cur.execute(sql)
    return iter(conn.execution_options(stream_results=True, yield_per=10_000)
                .exec_driver_sql(sql))


def _matches(prev_hash: str, hashed: tuple, stored: str) -> bool:
    try:
        return _digest(prev_hash, *hashed) == stored
    except TypeError:  # a value of the wrong type, e.g. text in a number column
        return False


def verify(engine: Engine) -> tuple[int, list[tuple[int, str]]]:
    """Walk the chain in id order: (rows read, problems as (row id, what is wrong))."""
    problems: list[tuple[int, str]] = []
    n = 0
    prev_id, prev_hash = None, GENESIS
    with engine.connect() as conn:
        for rid, stored_prev, stored, ok in _checked(conn):
            n += 1
            if stored is None:
                problems.append((rid, "no hash: written outside the audit trail"))
            elif not ok:
                # Every other row is still checked: one bad row does not void the rest.
                problems.append((rid, "content does not match its hash: the row was edited "
                                      "after it was written, or written outside Flarescope"))
            if stored_prev != prev_hash:
                problems.append((rid, _break(prev_id, rid)))
            prev_id, prev_hash = rid, stored
        problems += [(0, what) for what in _unguarded(conn)]
        problems += [(0, f"episode #{eid} has no audit row: its history was deleted")
                     for eid in _episodes_without_audit(conn)]
        problems += [(0, what) for what in differences(conn)]
    return n, problems


# What a reviewer login changes only together with an audit row about the row changed
# (the a5_guards, a9_guards migrations).
AUDITED_TABLES = ("patient", "patient_identity", "series", "source", "observation",
                  "medication", "control_reference_set", "control_reference", "episode",
                  "import_mapping", "suggestion", "administration")
# The chain cannot see the newest rows deleted, or the whole trail: these can.
_SQLITE_GUARDS = ("audit_event_no_update", "audit_event_no_delete")
_POSTGRESQL_GUARDS = ("audit_event_no_change", "audit_event_no_truncate",
                      "audit_event_from_server", "audit_event_chained")
# What a reviewer login may write, even with raw SQL (the a5_guards, a6_guards migrations).
_POSTGRESQL_VALUE_GUARDS = ("episode_author_is_login", "patient_reviewer_is_login",
                            "control_set_creator_is_login", "control_reference_in_new_set",
                            "observation_measured_stays", "medication_period_stays",
                            "suggestion_decision_stays", "audit_due_checked",
                            *(f"{table}_audit_due{event}" for table in AUDITED_TABLES
                              for event in ("", "_update", "_delete")),
                            "audit_event_said",
                            # and a10_guards's
                            "episode_gone_kept", "review_given_kept",
                            # and a12_guards's
                            "episode_version_moves", "suggestion_version_moves",
                            "patient_version_moves", "patient_identity_with_its_case",
                            # and a13_guards's
                            "typed_by_kept",
                            # and a14_guards's
                            "version_moved_kept",
                            # and a6_guards's
                            "suggestion_decided_by", "medication_ends_after_start",
                            "episode_version_goes_up", "suggestion_version_goes_up",
                            "patient_version_goes_up", "episode_created_by_server",
                            # and a8_guards's
                            "audit_event_whole_database")


def _unguarded(conn: Connection) -> list[str]:
    """The append-only triggers that are missing: someone dropped them to edit rows."""
    if conn.dialect.name == "sqlite":
        present = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
        expected = _SQLITE_GUARDS
    elif conn.dialect.name == "postgresql":
        present = set(conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
        expected = _POSTGRESQL_GUARDS
    else:
        return []
    return ([f"trigger {name} is missing: the trail could be edited without a trace"
             for name in expected if name not in present]
            + [f"trigger {name} is missing: a reviewer login could change what only the "
               "program changes, unseen" for name in _POSTGRESQL_VALUE_GUARDS
               if conn.dialect.name == "postgresql" and name not in present])


def _episodes_without_audit(conn: Connection) -> list[int]:
    return list(conn.exec_driver_sql(
        "SELECT e.id FROM episode e WHERE NOT EXISTS (SELECT 1 FROM audit_event a "
        "WHERE a.entity = 'episode' AND a.entity_id = e.id) ORDER BY e.id").scalars())


def _break(prev_id: int | None, rid: int) -> str:
    if prev_id is None:
        return "the first row does not start the chain: rows before it were deleted"
    if rid > prev_id + 1:
        missing = f"row {prev_id + 1}" if rid == prev_id + 2 else f"rows {prev_id + 1}–{rid - 1}"
        return f"chain broken: {missing} deleted"
    return f"chain broken: does not follow row {prev_id} (a row between was deleted or " \
           f"row {prev_id} was rewritten)"
