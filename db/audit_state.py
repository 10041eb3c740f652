"""The tables against the audit trail: what each audited entity holds now, compared with
what the trail's newest changes left it as.

The hash chain (db.audit.verify) proves the trail itself unedited; it says nothing of an
edit made to the data tables behind the program's back (the sqlite3 tool, say), which
writes no audit row. Such an edit leaves the table disagreeing with the trail, and that
is what this finds.

An update's audit row holds only the fields it changed (and the version), so the state
the trail left an entity in is its rows folded oldest first: a create or restore gives
the whole row, an update lays its fields over it, a delete leaves nothing. Only the
fields some audit row holds can be compared; the rest (a patient's details imported and
never edited, measurements, the reference values of a control set) the trail does not
hold, and an entity with no audit row is not a finding. A demo reset deletes every case
and reference without an audit row per entity (its own row says so), so what the trail
says of an entity before the newest reset is not compared.

One query per entity kind and per table, compared in Python: `audit verify` reads every
audit row already, and this must not add a query per row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

from db.errors import sqlite_errors

# The fields an audit row may hold that are columns of the entity's table. An episode's
# ``updated`` moves on every edit without an audit row naming it, so it is left out.
PATIENT_FIELDS = ("pseudonym", "diagnosis", "sex", "birth_year", "genotype", "version",
                  "reviewed_by", "reviewed_at", "review_version")
IDENTITY_FIELDS = ("name", "birth_date", "record_number")  # shown by name only, never value
EPISODE_FIELDS = ("patient_id", "kind", "onset", "end", "severity", "certainty", "note",
                  "author", "created", "version", "status", "origin")
# A suggestion's: its rule's findings and the reviewer's decision (state, reason).
SUGGESTION_FIELDS = ("patient_id", "kind", "onset", "end", "criteria", "certainty",
                     "evidence", "fingerprint", "state", "reason", "episode_id", "changed",
                     "version")
WEIGHT = "WEIGHT"
_SHOWN = 60  # characters of a differing value shown; a note can be long


def differences(conn: Connection) -> list[str]:
    """One line per field where a table disagrees with the audit trail's last change."""
    since = _last_reset(conn)
    patients = _fold(conn, "patient", since)
    names = {pid: name for pid, name in conn.exec_driver_sql(
        "SELECT id, pseudonym FROM patient")}
    return [*_patients(conn, patients, names), *_weights(conn, patients, names, since),
            *_identities(conn, _fold(conn, "patient_identity", since), names),
            *_rows_against_trail(conn, _fold(conn, "episode", since), "episode",
                                 EPISODE_FIELDS),
            *_rows_against_trail(conn, _fold(conn, "suggestion", since), "suggestion",
                                 SUGGESTION_FIELDS),
            *_control_sets(conn, since)]


class _State:
    """What the trail left one entity as: its fields (None once deleted), the id of its
    newest row, and (patients) the weight of each date with the id of the row that set it."""

    __slots__ = ("fields", "row", "weights")

    def __init__(self, fields: dict[str, Any] | None, row: int) -> None:
        self.fields, self.row = fields, row
        self.weights: dict[str, tuple[int, Any]] = {}


def _fold(conn: Connection, entity: str, since: int) -> dict[int, _State]:
    """Each entity's fields as its newest row holding each left them, entities last changed
    before ``since`` (the newest reset) left out. A create or restore holds every field, so
    the newest value of each field is the fold of create, updates and restore; an entity
    whose newest row is its deletion is gone."""
    states = {}
    for eid, values in _newest(conn, entity, since, "$").items():
        row = max(rid for rid, _ in values.values())
        gone = values.get(None, (0, None))[0] == row
        states[eid] = _State(None if gone else {k: v for k, (_, v) in values.items()
                                                if k is not None}, row)
    if entity == "patient":
        for eid, days in _newest(conn, entity, since, "$.weights").items():
            if eid in states:
                states[eid].weights = {d: rv for d, rv in days.items() if d is not None}
    return states


def _newest(conn: Connection, entity: str, since: int,
            member: str) -> dict[int, dict[str | None, tuple[int, Any]]]:
    """{entity id: {key: (id of the newest row holding it, its value)}} for the keys of
    ``member`` ("$" the whole after, "$.weights" one object in it) of the entity's rows
    newer than ``since``; key None for the newest row holding no such member (a deletion)."""
    if conn.dialect.name == "sqlite":
        try:
            return _newest_sqlite(conn, entity, since, member)
        except sqlite_errors("OperationalError"):  # no JSON functions, or a row that is not JSON
            pass
    return _newest_decoded(conn, entity, since, member)


def _newest_sqlite(conn: Connection, entity: str, since: int,
                   member: str) -> dict[int, dict[str | None, tuple[int, Any]]]:
    """SQLite picks them itself (a bare column of a max() aggregate comes from the row with
    the maximum; a JSON scalar comes as its SQL value, true as 1): decoding 200,000 rows
    in Python costs half as much again."""
    out: dict[int, dict[str | None, tuple[int, Any]]] = {}
    # The driver's own cursor: SQLAlchemy's rows double the cost of this query.
    for eid, key, value, rid in conn.connection.driver_connection.execute(
            "SELECT a.entity_id, j.key, j.value, max(a.id) "
            'FROM audit_event a LEFT JOIN json_each(a."after", ?) j '
            "WHERE a.entity = ? AND a.entity_id IS NOT NULL AND a.id > ? "
            "GROUP BY a.entity_id, j.key", (member, entity, since)):
        out.setdefault(eid, {})[key] = (rid, value)
    return out


def _newest_decoded(conn: Connection, entity: str, since: int,
                    member: str) -> dict[int, dict[str | None, tuple[int, Any]]]:
    """The same, every row decoded in Python, oldest first (any database)."""
    out: dict[int, dict[str | None, tuple[int, Any]]] = {}
    for rid, eid, after in conn.execute(text(
            'SELECT id, entity_id, "after" FROM audit_event WHERE entity = :entity '
            "AND entity_id IS NOT NULL AND id > :since ORDER BY id"),
            {"entity": entity, "since": since}):
        change = json.loads(after) if after else None
        if change is not None and member != "$":
            change = change.get(member.removeprefix("$.")) if isinstance(change, dict) else None
        if change is not None and not isinstance(change, dict):
            # Not a shape Flarescope writes (a list, a string): a row written by hand.
            # It holds no state to compare; the rows it sits among still are.
            continue
        values = out.setdefault(eid, {})
        if change:
            values.update((key, (rid, value)) for key, value in change.items())
        else:
            values[None] = (rid, None)
    return out


def _last_reset(conn: Connection) -> int:
    return conn.exec_driver_sql(
        "SELECT max(id) FROM audit_event WHERE entity = 'database'").scalar() or 0


def _patients(conn: Connection, states: dict[int, _State],
              names: dict[int, str]) -> Iterator[str]:
    table = _rows(conn, "patient", "id", PATIENT_FIELDS)
    for pid, state in sorted(states.items()):
        if pid not in table:
            yield (f"case #{pid}: the table has no such case, the audit trail's last change "
                   "left it in place: deleted outside Flarescope")
            continue
        for field, table_says, trail_left in _differing(table[pid], state.fields,
                                                        PATIENT_FIELDS):
            yield _line(_case(pid, names), field, table_says, trail_left)


def _identities(conn: Connection, states: dict[int, _State],
                names: dict[int, str]) -> Iterator[str]:
    table = _rows(conn, "patient_identity", "patient_id", IDENTITY_FIELDS)
    for pid, state in sorted(states.items()):
        if pid not in names:
            continue  # the case is gone: _patients says so
        now = table.get(pid, dict.fromkeys(IDENTITY_FIELDS))
        for field, _, _ in _differing(now, state.fields, IDENTITY_FIELDS):
            yield (f"{_case(pid, names)} {field}: the table differs from what the audit "
                   "trail's last change left: changed outside Flarescope")


def _rows_against_trail(conn: Connection, states: dict[int, _State], entity: str,
                        fields: tuple[str, ...]) -> Iterator[str]:
    """An episode or a suggestion (``entity``, its table's name) against the trail."""
    table = _rows(conn, entity, "id", fields)
    for eid, state in sorted(states.items()):
        if state.fields is None:
            if eid in table:
                yield (f"{entity} #{eid}: the table has it, the audit trail's last change "
                       "deleted it: changed outside Flarescope")
        elif eid not in table:
            yield (f"{entity} #{eid}: the table has no such {entity}, the audit trail's last "
                   "change left it in place: deleted outside Flarescope")
        else:
            for field, table_says, trail_left in _differing(table[eid], state.fields,
                                                            fields):
                yield _line(f"{entity} #{eid}", field, table_says, trail_left)


def _weights(conn: Connection, states: dict[int, _State], names: dict[int, str],
             since: int) -> Iterator[str]:
    """A date's weight as the patient's newest audit row about that date left it. An import
    adds weights without a row per date (only counts), so a date audited before the newest
    import that added observations is not compared: the import may have changed it."""
    since = max(since, _last_weight_import(conn))
    table: dict[int, dict[str, float]] = {}
    for pid, t, kg in conn.execute(text(
            "SELECT s.patient_id, o.t, o.value FROM observation o JOIN series s "
            "ON s.id = o.series_id WHERE s.code = :code AND o.value IS NOT NULL ORDER BY o.t"),
            {"code": WEIGHT}):
        # Of two weighings on one day the later is the day's, as db.patients reads them.
        day = dt.datetime.fromtimestamp(int(t), dt.UTC).date().isoformat()
        table.setdefault(pid, {})[day] = float(kg)
    for pid, state in sorted(states.items()):
        if pid not in names:
            continue
        for day, (rid, kg) in sorted(state.weights.items()):
            now = table.get(pid, {}).get(day)
            if rid > since and now != (None if kg is None else float(kg)):
                yield _line(_case(pid, names), f"weight on {day} (kg)", now, kg)


def _last_weight_import(conn: Connection) -> int:
    last = 0
    for rid, after in conn.exec_driver_sql(
            "SELECT id, \"after\" FROM audit_event WHERE entity = 'import'"):
        counts = json.loads(after) if after else {}
        if counts.get("weights_added") or counts.get("observations_added"):
            last = max(last, rid)
    return last


def _control_sets(conn: Connection, since: int) -> Iterator[str]:
    """A control reference set as its one audit row (its creation) left it: its lab and
    source, the references it added and those it retired. The reference values are not in
    the trail; a reference row is never updated, only retired by a later set."""
    sets = {sid: {"lab": lab, "source": source} for sid, lab, source in conn.exec_driver_sql(
        "SELECT id, lab, source FROM control_reference_set")}
    added: dict[int, set[int]] = {}
    retired: dict[int, set[int]] = {}
    for rid, set_id, retired_by in conn.exec_driver_sql(
            "SELECT id, set_id, retired_set_id FROM control_reference"):
        added.setdefault(set_id, set()).add(rid)
        if retired_by is not None:
            retired.setdefault(retired_by, set()).add(rid)
    for sid, before, after in conn.execute(text(
            'SELECT entity_id, "before", "after" FROM audit_event '
            "WHERE entity = 'control_reference_set' AND id > :since ORDER BY entity_id, id"),
            {"since": since}):
        left = json.loads(after) if after else {}
        what = f"control reference set #{sid}"
        if sid not in sets:
            yield (f"{what}: the table has no such set, the audit trail's last change left "
                   "it in place: deleted outside Flarescope")
            continue
        for field, table_says, trail_left in _differing(sets[sid], left, ("lab", "source")):
            yield _line(what, field, table_says, trail_left)
        retiring = (json.loads(before) if before else {}).get("retired", [])
        for field, now, then in (("references added", added.get(sid, set()), left.get("added")),
                                 ("references retired", retired.get(sid, set()), retiring)):
            if then is not None and now != set(then):
                yield _line(what, field, _ids(now), _ids(then))


def _rows(conn: Connection, table: str, key: str,
          fields: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    columns = ", ".join(f'"{f}"' for f in fields)
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in conn.exec_driver_sql(
        f'SELECT "{key}", {columns} FROM {table}')}


def _differing(now: dict[str, Any], left: dict[str, Any],
               fields: tuple[str, ...]) -> Iterator[tuple[str, Any, Any]]:
    """(field, table's value, trail's value) for each field the trail holds that differs;
    the table's value encoded as an audit row encodes it, so a date or a whole-number
    float compares as the trail stored it."""
    for field in fields:
        if field in left and now[field] != left[field]:
            table_says = json.loads(json.dumps(now[field], default=str))
            if table_says != left[field]:
                yield field, table_says, left[field]


def _case(pid: int, names: dict[int, str]) -> str:
    return f"case {names[pid]} (#{pid})" if pid in names else f"case #{pid}"


def _line(what: str, field: str, table_says: Any, trail_left: Any) -> str:
    return (f"{what} {field}: the table says {_shown(table_says)}, the audit trail's last "
            f"change left {_shown(trail_left)}: changed outside Flarescope")


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _ids(ids: Any) -> str:
    return ", ".join(f"#{i}" for i in sorted(ids)) or "none"
