"""Bulk writes used by the demo generator and the importers, each in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from db.models import ControlReference, Medication, Observation, Patient, PatientIdentity

OBSERVATION_COLUMNS = ("patient_id", "t", "code", "value", "censor", "unit", "specimen", "source")


def insert_patient(conn: Connection, **fields: Any) -> int:
    identity = {k: fields.pop(k) for k in ("name", "birth_date", "record_number") if k in fields}
    pid = conn.execute(insert(Patient).values(**fields).returning(Patient.id)).scalar_one()
    if identity:
        conn.execute(insert(PatientIdentity).values(patient_id=pid, **identity))
    return int(pid)


def patient_id_by_pseudonym(conn: Connection, pseudonym: str) -> int | None:
    return conn.execute(select(Patient.id).where(Patient.pseudonym == pseudonym)).scalar()


def _insert_ignoring_duplicates(conn: Connection, table: Table, columns: Sequence[str],
                                rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows, skipping those whose unique key is already stored; returns rows added."""
    if not rows:
        return 0
    if conn.dialect.name == "sqlite":
        # The driver's executemany on tuples is ~5x faster than Core's per-row dicts,
        # and the import benchmark has a floor to meet.
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        cur = conn.connection.driver_connection.cursor()
        cur.executemany(
            f'INSERT OR IGNORE INTO "{table.name}" ({cols}) VALUES ({marks})', rows
        )
        return cur.rowcount
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).on_conflict_do_nothing()
    else:
        stmt = insert(table)
    result = conn.execute(stmt, [dict(zip(columns, r, strict=True)) for r in rows])
    return result.rowcount


def insert_observations(conn: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Rows in OBSERVATION_COLUMNS order. Returns how many were new."""
    return _insert_ignoring_duplicates(
        conn, Observation.__table__, OBSERVATION_COLUMNS, list(rows)
    )


MEDICATION_COLUMNS = ("patient_id", "drug", "atc", "dose", "unit", "route", "start", "end", "source")


def insert_medications(conn: Connection, rows: Iterable[dict[str, Any]]) -> int:
    rows = list(rows)
    if rows:
        conn.execute(insert(Medication), rows)
    return len(rows)


def upsert_control_references(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    table = ControlReference.__table__
    for row in rows:
        existing = conn.execute(
            select(table.c.id).where(
                table.c.code == row["code"], table.c.specimen == row.get("specimen", "")
            )
        ).scalar()
        if existing is None:
            conn.execute(insert(table).values(**row))
        else:
            conn.execute(table.update().where(table.c.id == existing).values(**row))
