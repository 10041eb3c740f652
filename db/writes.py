"""Bulk writes used by the demo generator and the importers, each in the caller's transaction."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Float, Table, bindparam, delete, func, insert, select

from db import dense
from db.errors import UserFacingError
from db.models import (
    CENSOR_SIGNS,
    Administration,
    AuditEvent,
    ControlReference,
    ControlReferenceSet,
    Episode,
    ImportMapping,
    Medication,
    Observation,
    Patient,
    PatientIdentity,
    Series,
    SeriesChunk,
    Source,
    Suggestion,
)


class InvalidRowError(UserFacingError):
    """A row the database layer refuses to store; the message names it, in one line."""


OBSERVATION_COLUMNS = ("patient_id", "t", "code", "value", "censor", "unit", "specimen", "source")


def insert_patient(conn: Connection, **fields: Any) -> int:
    identity = {k: fields.pop(k) for k in ("name", "birth_date", "record_number") if k in fields}
    pid = conn.execute(insert(Patient).values(**fields).returning(Patient.id)).scalar_one()
    if "id" in fields and conn.dialect.name == "postgresql":
        # An id given (the demo's after a reset) does not move PostgreSQL's sequence on.
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('patient', 'id'), "
                             "(SELECT max(id) FROM patient))")
    if identity:
        conn.execute(insert(PatientIdentity).values(patient_id=pid, **identity))
    return int(pid)


def clear_database(conn: Connection) -> tuple[dict[str, int], int]:
    """Delete every case, control reference and column mapping; the audit trail stays.
    Returns how many rows of each kind went, and the first patient id no stored or
    audited case ever had."""
    a = AuditEvent.__table__
    first_id = 1 + max(conn.execute(select(func.max(Patient.id))).scalar() or 0,
                       conn.execute(select(func.max(a.c.patient_id))).scalar() or 0)
    counts = {}
    conn.execute(delete(SeriesChunk))  # rows again, not a kind of its own: not counted
    for model in (Suggestion, Episode, Administration, Medication, Observation, Series, Source,
                  PatientIdentity, Patient,
                  ControlReference, ControlReferenceSet, ImportMapping):
        counts[model.__tablename__] = conn.execute(delete(model)).rowcount
    return counts, first_id


def patient_id_by_pseudonym(conn: Connection, pseudonym: str) -> int | None:
    return conn.execute(select(Patient.id).where(Patient.pseudonym == pseudonym)).scalar()


def patient_pseudonyms(conn: Connection) -> list[str]:
    return list(conn.execute(select(Patient.pseudonym).order_by(Patient.pseudonym)).scalars())


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
        return _copy_ignoring_duplicates(conn, table, columns, rows)
    result = conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
    return result.rowcount


def _copy_ignoring_duplicates(conn: Connection, table: Table, columns: Sequence[str],
                              rows: Sequence[Sequence[Any]]) -> int:
    """PostgreSQL: COPY straight into the table, the server's fast path, when none of the
    rows is stored yet (a new file's); if one is (a file imported again, in part), that
    COPY is undone and one INSERT ... ON CONFLICT DO NOTHING adds the others. No temporary
    staging table: `db roles` takes the right to make them from every login (a temporary
    table can stand in for one of ours in a careless function)."""
    from psycopg.errors import UniqueViolation

    floats = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, Float)]
    cols = ", ".join(f'"{c}"' for c in columns)
    try:
        with conn.begin_nested(), conn.connection.driver_connection.cursor() as cur, \
                cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                # NaN is how the importers hand over a value not given: NULL.
                if any(row[i] != row[i] for i in floats):
                    row = [None if i in floats and v != v else v for i, v in enumerate(row)]
                copy.write_row(row)
        return len(rows)
    except UniqueViolation:  # the driver's own: raised through its cursor
        return _unnest_ignoring_duplicates(conn, table, columns, rows)


def _unnest_ignoring_duplicates(conn: Connection, table: Table, columns: Sequence[str],
                                rows: Sequence[Sequence[Any]]) -> int:
    """One INSERT ... ON CONFLICT DO NOTHING from the rows sent as one typed array per
    column; its row count is the rows added (an executemany reports -1)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    arrays = ", ".join(f"%b::{table.c[c].type.compile(dialect=conn.dialect)}[]"
                       for c in columns)
    # NaN is how the importers hand over a value not given: NULL, as SQLite stores it.
    picked = ", ".join(f"NULLIF(\"{c}\", 'NaN')" if isinstance(table.c[c].type, Float)
                       else f'"{c}"' for c in columns)
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {picked} '
                    f"FROM unnest({arrays}) AS incoming ({cols}) ON CONFLICT DO NOTHING",
                    [list(values) for values in zip(*rows, strict=True)])
        return cur.rowcount


CENSOR_CODES = {None: 0, **{sign: i - 1 for i, sign in enumerate(CENSOR_SIGNS)}}


def insert_observations(conn: Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Rows in OBSERVATION_COLUMNS order. Returns how many were new.

    Series (patient, code, specimen) and sources are created on first use; a value whose
    series is stored in another unit is refused, since units are converted on import.
    """
    rows = list(rows)
    if not rows:
        return 0
    _check_observations(rows)
    frame = pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))
    frame["source"] = frame["source"].astype(object).where(frame["source"].notna(), "")
    added = sum(insert_observation_columns(conn, part, str(source))
                for source, part in frame.groupby("source", sort=False))
    if added:
        dense.pack_missing(conn, frame["patient_id"].unique().tolist())
    return added


def insert_observation_columns(conn: Connection, frame: pd.DataFrame, source: str,
                               chunk: int = 50_000, between: Callable[[int], None] | None = None
                               ) -> int:
    """``insert_observations`` for a whole DataFrame (patient_id, t, code, value, censor,
    unit, specimen), all from ``source`` ('' for none), without building a tuple per row
    twice: the series of each row is found by group, not by row. Returns how many were
    new.

    ``between(start)`` is called before each ``chunk`` rows (progress, cancel).
    A dense series written this way is packed again by db.dense.pack_missing, which the
    caller runs once its last part is written (a file's parts share one transaction)."""
    n = len(frame)
    if not n:
        return 0
    keys = ["patient_id", "code", "specimen"]
    group = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    firsts = frame.drop_duplicates(keys)
    series = _series_ids(conn, {(int(r.patient_id), r.code, r.specimen or "", r.unit or "")
                                for r in firsts.itertuples(index=False)})
    sid = np.array([series[(int(r.patient_id), r.code, r.specimen or "")]
                    for r in firsts.itertuples(index=False)], dtype=np.int64)[group]
    source_id = source_ids(conn, {source})[source] if source else None
    censor = frame["censor"].to_numpy(dtype=object)
    codes = np.zeros(n, dtype=np.int64)
    for sign, code in CENSOR_CODES.items():
        if sign is not None and code:
            codes[censor == sign] = code
    if not pd.api.types.is_integer_dtype(frame["t"]):
        raise InvalidRowError("times are not whole seconds; nothing was written")
    t = frame["t"].to_numpy(dtype=np.int64)
    value = frame["value"].to_numpy(dtype=float)
    finite = np.isfinite(value) | np.isnan(value)  # NaN: a value not given (NULL)
    if not finite.all():
        at = int(np.flatnonzero(~finite)[0])
        raise InvalidRowError(f"{frame['code'].iloc[at]}: value {value[at]!r} is not a finite "
                              "number; nothing was written")
    added = 0
    for start in range(0, n, chunk):
        if between is not None:
            between(start)
        end = start + chunk
        added += _insert_ignoring_duplicates(
            conn, Observation.__table__, ("series_id", "t", "value", "censor", "source_id"),
            list(zip(sid[start:end].tolist(), t[start:end].tolist(), value[start:end].tolist(),
                     codes[start:end].tolist(), itertools.repeat(source_id), strict=False)))
    return added


def _check_observations(rows: Sequence[Sequence[Any]]) -> None:
    """The database's last word on what the importers validated: a time in whole seconds,
    a finite value (infinity would make the case impossible to draw or export)."""
    bad_time = next((r for r in rows if not isinstance(r[1], numbers.Integral)
                     or isinstance(r[1], bool)), None)
    if bad_time is not None:
        raise InvalidRowError(f"{bad_time[2]}: time {bad_time[1]!r} is not whole seconds; "
                              "nothing was written")
    finite = math.isfinite
    bad = next((r for r in rows if r[3] is not None and not finite(r[3])), None)
    if bad is not None:
        raise InvalidRowError(f"{bad[2]}: value {bad[3]!r} is not a finite number; nothing "
                              "was written")


def changed_observations(conn: Connection, rows: Sequence[Sequence[Any]],
                         rel_tol: float = 1e-9) -> list[tuple[int, float, str | None]]:
    """Rows (OBSERVATION_COLUMNS order) whose patient, code, time and specimen is already
    stored with another value or censor: (index in rows, stored value, stored censor).

    A re-imported identical row is not listed (INSERT OR IGNORE skips it); a different
    one would be skipped as silently, so the importer reports these instead. Costs one
    query when none of the rows' series is stored yet (a first import).
    """
    if not rows:
        return []
    t = Series.__table__
    pids = {r[0] for r in rows}
    series = {
        (r.patient_id, r.code, r.specimen): r.id
        for r in conn.execute(select(t.c.id, t.c.patient_id, t.c.code, t.c.specimen)
                              .where(t.c.patient_id.in_(pids)))
    }
    if not series:
        return []
    row_series = [series.get((r[0], r[2], r[6] or "")) for r in rows]
    wanted: dict[int, tuple[int, int]] = {}
    for sid, r in zip(row_series, rows, strict=True):
        if sid is not None:
            lo, hi = wanted.get(sid, (r[1], r[1]))
            wanted[sid] = (min(lo, r[1]), max(hi, r[1]))
    if not wanted:
        return []
    stored = _stored_values(conn, wanted)
    signs = {v: k for k, v in CENSOR_CODES.items() if k}
    out = []
    for i, (sid, r) in enumerate(zip(row_series, rows, strict=True)):
        hit = None if sid is None else stored.get((sid, r[1]))
        if hit is None:
            continue
        value, censor = hit
        same_value = (value is None and r[3] is None) or (
            value is not None and r[3] is not None
            and math.isclose(value, r[3], rel_tol=rel_tol, abs_tol=0.0))
        if not same_value or censor != CENSOR_CODES[r[4]]:
            out.append((i, value, signs.get(censor)))
    return out


def _series_ids(conn: Connection, keys: set[tuple[int, str, str, str]]) -> dict:
    t = Series.__table__
    pids = {k[0] for k in keys}
    stored = {
        (r.patient_id, r.code, r.specimen): (r.id, r.unit)
        for r in conn.execute(select(t).where(t.c.patient_id.in_(pids)))
    }
    out = {}
    for pid, code, specimen, unit in keys:
        hit = stored.get((pid, code, specimen))
        if hit is None:
            sid = conn.execute(insert(t).values(patient_id=pid, code=code, specimen=specimen,
                                                unit=unit).returning(t.c.id)).scalar_one()
            hit = stored[(pid, code, specimen)] = (sid, unit)
        elif hit[1] != unit:
            raise ValueError(f"{code} ({specimen or 'no specimen'}) is stored in {hit[1]}, "
                             f"not {unit}")
        out[(pid, code, specimen)] = hit[0]
    return out


def correct_observations(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Replace the stored value and censor of rows (OBSERVATION_COLUMNS order) already
    stored under their patient, code, time and specimen: a lab's corrected report. The
    source becomes the correcting file; the caller audits before and after."""
    if not rows:
        return
    s, o = Series.__table__, Observation.__table__
    pids = {r[0] for r in rows}
    series = {(r.patient_id, r.code, r.specimen): r.id for r in conn.execute(
        select(s.c.id, s.c.patient_id, s.c.code, s.c.specimen).where(s.c.patient_id.in_(pids)))}
    sources = source_ids(conn, {r[7] for r in rows})
    params = [{"sid": series[(r[0], r[2], r[6] or "")], "tt": int(r[1]), "v": r[3],
               "c": CENSOR_CODES[r[4]], "src": sources[r[7]]} for r in rows]
    conn.execute(o.update().where(o.c.series_id == bindparam("sid"), o.c.t == bindparam("tt"))
                 .values(value=bindparam("v"), censor=bindparam("c"),
                         source_id=bindparam("src")), params)


def source_ids(conn: Connection, names: set[str]) -> dict[str, int]:
    t = Source.__table__
    if not names:
        return {}
    stored = dict(conn.execute(select(t.c.name, t.c.id).where(t.c.name.in_(names))).all())
    for name in names - stored.keys():
        stored[name] = conn.execute(insert(t).values(name=name).returning(t.c.id)).scalar_one()
    return stored




def insert_medications(conn: Connection, rows: Iterable[dict[str, Any]]) -> int:
    rows = list(rows)
    for row in rows:
        dose, start, end = row.get("dose"), row.get("start"), row.get("end")
        if dose is not None and not (math.isfinite(dose) and dose >= 0):
            raise InvalidRowError(f"{row.get('drug')}: dose {dose!r} is not a finite "
                                  "number ≥ 0; nothing was written")
        if start is None or (end is not None and end < start):
            raise InvalidRowError(f"{row.get('drug')}: a period needs a start, and an end "
                                  "on or after it; nothing was written")
    if rows:
        conn.execute(insert(Medication), rows)
    return len(rows)


def stored_administrations(conn: Connection, patient_ids: Iterable[int]
                           ) -> dict[tuple[int, str, int], tuple[float, str]]:
    """{(patient id, drug, time): (dose, unit)} of some patients, to de-duplicate a
    re-imported administration file."""
    ids = list(patient_ids)
    if not ids:
        return {}
    a = Administration.__table__
    rows = conn.execute(select(a.c.patient_id, a.c.drug, a.c.t, a.c.dose, a.c.unit)
                        .where(a.c.patient_id.in_(ids)))
    return {(int(p), str(d), int(t)): (float(v), str(u)) for p, d, t, v, u in rows}


def insert_administrations(conn: Connection, rows: list[dict[str, Any]]) -> int:
    for row in rows:
        if not (math.isfinite(row["dose"]) and row["dose"] >= 0):
            raise InvalidRowError(f"{row.get('drug')}: dose {row['dose']!r} is not a finite "
                                  "number ≥ 0; nothing was written")
    if rows:
        conn.execute(insert(Administration), rows)
    return len(rows)


def medication_periods(conn: Connection, patient_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The stored periods of some patients, to de-duplicate a re-imported dosing file."""
    ids = list(patient_ids)
    if not ids:
        return []
    t = Medication.__table__
    stmt = select(t.c.id, t.c.patient_id, t.c.drug, t.c.dose, t.c.unit, t.c.route, t.c.start,
                  t.c.end).where(t.c.patient_id.in_(ids))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def close_medication_periods(conn: Connection, ends: Iterable[tuple[int, Any]]) -> int:
    """Give ongoing periods (by id) the end date a later file records for them."""
    t = Medication.__table__
    n = 0
    for period_id, end in ends:
        n += conn.execute(t.update().where(t.c.id == period_id, t.c.end.is_(None))
                          .values(end=end)).rowcount
    return n


def read_import_mappings(conn: Connection) -> dict[str, str]:
    """Column name → code, as the user mapped them in earlier imports."""
    t = ImportMapping.__table__
    return {r.column_name: r.code for r in conn.execute(select(t.c.column_name, t.c.code))}


def save_import_mappings(conn: Connection, mapping: dict[str, str]) -> None:
    """Remember (or change) what each column name maps to."""
    t = ImportMapping.__table__
    stored = read_import_mappings(conn)
    for name, code in mapping.items():
        if name not in stored:
            conn.execute(insert(t).values(column_name=name, code=code))
        elif stored[name] != code:
            conn.execute(t.update().where(t.c.column_name == name).values(code=code))


def read_import_specimens(conn: Connection) -> dict[str, str]:
    """Column name → the specimen chosen for it at an earlier import."""
    t = ImportMapping.__table__
    return {r.column_name: r.specimen for r in conn.execute(
        select(t.c.column_name, t.c.specimen).where(t.c.specimen.is_not(None)))}


def save_import_specimens(conn: Connection, columns: dict[str, tuple[str, str]]) -> None:
    """Remember the specimen chosen for each column name: {name: (code, specimen)}."""
    t = ImportMapping.__table__
    stored = read_import_mappings(conn)
    for name, (code, specimen) in columns.items():
        if name in stored:
            conn.execute(t.update().where(t.c.column_name == name).values(specimen=specimen))
        else:
            conn.execute(insert(t).values(column_name=name, code=code, specimen=specimen))


def any_other_specimen(conn: Connection, keys: Sequence[tuple[int, str, str]]) -> bool:
    """Whether any (patient, code, specimen) has a stored series of the same patient and
    code whose specimen differs, one of the two being unspecified ('')."""
    if not keys:
        return False
    t = Series.__table__
    stored: dict[tuple[int, str], set[str]] = {}
    for r in conn.execute(select(t.c.patient_id, t.c.code, t.c.specimen)
                          .where(t.c.patient_id.in_({int(k[0]) for k in keys}))):
        stored.setdefault((r.patient_id, r.code), set()).add(r.specimen)
    for pid, code, specimen in keys:
        specimen = specimen or ""
        if any(s != specimen and "" in (s, specimen) for s in stored.get((int(pid), code), ())):
            return True
    return False


def same_values_other_specimen(conn: Connection, rows: Sequence[Sequence[Any]],
                               rel_tol: float = 1e-9) -> list[tuple[int, str]]:
    """Rows (OBSERVATION_COLUMNS order) whose value is already stored for the same
    patient, code and time with the same value, where one of the two specimens is
    unspecified ('') and the other is not: (index in rows, the stored specimen).

    That is one measurement imported twice, once without a specimen and once with one;
    stored as two series it would count twice.
    """
    if not rows:
        return []
    t = Series.__table__
    pids = {r[0] for r in rows}
    by_key: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for r in conn.execute(select(t.c.id, t.c.patient_id, t.c.code, t.c.specimen)
                          .where(t.c.patient_id.in_(pids))):
        by_key.setdefault((r.patient_id, r.code), []).append((r.id, r.specimen))
    # Which (patient, code, specimen) of these rows has such a counterpart at all: most
    # imports have none, and then no row is looked at one by one.
    clash = {}
    for pid, code, specimen in {(r[0], r[2], r[6] or "") for r in rows}:
        others = [(sid, s) for sid, s in by_key.get((pid, code), ())
                  if s != specimen and "" in (s, specimen)]
        if others:
            clash[(pid, code, specimen)] = others
    if not clash:
        return []
    wanted: dict[int, tuple[int, int]] = {}
    candidates: list[tuple[int, list[tuple[int, str]]]] = []
    for i, r in enumerate(rows):
        others = clash.get((r[0], r[2], r[6] or ""))
        if others:
            candidates.append((i, others))
            for sid, _ in others:
                lo, hi = wanted.get(sid, (r[1], r[1]))
                wanted[sid] = (min(lo, r[1]), max(hi, r[1]))
    if not candidates:
        return []
    stored = _stored_values(conn, wanted)
    out = []
    for i, others in candidates:
        r = rows[i]
        for sid, specimen in others:
            hit = stored.get((sid, r[1]))
            if hit is not None and hit[1] == CENSOR_CODES[r[4]] and hit[0] is not None \
                    and r[3] is not None and math.isclose(hit[0], r[3], rel_tol=rel_tol):
                out.append((i, specimen))
                break
    return out


def _stored_values(conn: Connection, wanted: dict[int, tuple[int, int]]
                   ) -> dict[tuple[int, int], tuple[float, int]]:
    """(series id, time) → (value, censor code) of the stored rows in each series' window."""
    o = Observation.__table__
    stored: dict[tuple[int, int], tuple[float, int]] = {}
    for sid, (lo, hi) in wanted.items():
        for t_, value, censor in conn.execute(
                select(o.c.t, o.c.value, o.c.censor)
                .where(o.c.series_id == sid, o.c.t >= lo, o.c.t <= hi)):
            stored[(sid, t_)] = (value, censor or 0)
    return stored
