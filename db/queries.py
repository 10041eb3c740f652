"""Reads that feed the views: SQLAlchemy Core in, pandas DataFrames out. No ORM objects leave."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from db import dense
from db.cases import CASE_FIELDS, case_rows
from db.controls import load_references
from db.models import (
    CENSOR_SIGNS,
    Administration,
    Episode,
    Medication,
    Observation,
    Patient,
    PatientIdentity,
    Series,
    Source,
)

OBS_FIELDS = ["t", "code", "value", "censor", "unit", "specimen", "source"]


@dataclass(frozen=True)
class CaseFrames:
    """Everything stored about one case, as plain DataFrames."""

    patient: dict
    observations: pd.DataFrame
    medications: pd.DataFrame
    episodes: pd.DataFrame
    controls: pd.DataFrame
    reference_set: dict | None = None  # the control reference set ``controls`` come from
    administrations: pd.DataFrame | None = None  # doses recorded one by one (t, drug, …)


def list_cases(engine: Engine) -> pd.DataFrame:
    """db.cases.case_rows as a DataFrame (CASE_FIELDS). A case's first and last record
    are data.case_list's (data.first_record), not first_t/last_t: those are measurements
    only."""
    return pd.DataFrame(case_rows(engine), columns=list(CASE_FIELDS))


def patient_row(engine: Engine, patient_id: int, *, identifying: bool = False) -> dict:
    p = Patient.__table__
    with engine.connect() as conn:
        row = conn.execute(select(p).where(p.c.id == patient_id)).mappings().one()
        out = dict(row)
        if identifying:
            i = PatientIdentity.__table__
            ident = conn.execute(select(i).where(i.c.patient_id == patient_id)).mappings().first()
            out.update({k: v for k, v in (ident or {}).items() if k != "patient_id"})
    return out


def load_observations(engine: Engine, patient_id: int, codes: list[str] | None = None) -> pd.DataFrame:
    """One case's observations (OBS_FIELDS), sorted by series then time.

    Text columns come back as categoricals built from the few series and source rows:
    the bulk of the read is numbers only.
    """
    sr, src = Series.__table__, Source.__table__
    stmt = select(sr.c.id, sr.c.code, sr.c.specimen, sr.c.unit).where(sr.c.patient_id == patient_id)
    if codes:
        stmt = stmt.where(sr.c.code.in_(codes))
    with engine.connect() as conn:
        series = pd.DataFrame(conn.execute(stmt.order_by(sr.c.code, sr.c.specimen)).all(),
                              columns=["id", "code", "specimen", "unit"])
        if series.empty:
            return _empty_observations()
        sources = dict(conn.execute(select(src.c.id, src.c.name)).all())
    series = series.sort_values("id").reset_index(drop=True)
    ids = [int(i) for i in series["id"]]
    for _ in range(3):  # rows written between the count and the read: count again
        packed = _packed_rows(engine, ids)  # their chunks say: no count over the rows
        rows = [i for i in ids if i not in packed]
        counts = dict(zip(rows, _row_counts(engine, rows), strict=True)) if rows else {}
        series["rows"] = [packed.get(i, counts.get(i, 0)) for i in ids]
        raw = _Numbers(int(series["rows"].sum()), sources)
        try:
            _read_values(engine, ids, raw, set(packed))
        except _CountChanged:
            continue
        if raw.filled == len(raw.t):
            return _frame(raw, series)
    raise RuntimeError("the case kept changing while it was read; try again")


def _packed_rows(engine: Engine, series_ids: list[int]) -> dict[int, int]:
    with engine.connect() as conn:
        return dense.packed_rows(conn, series_ids)


def _row_counts(engine: Engine, series_ids: list[int]) -> list[int]:
    """Rows per series, in the order given. Rows are read ordered by series id, then
    time: the series of each row follows from these counts, no per-row id is read."""
    o = Observation.__table__
    with engine.connect() as conn:
        counts = dict(conn.execute(select(o.c.series_id, func.count()).where(
            o.c.series_id.in_(series_ids)).group_by(o.c.series_id)).all())
    return [counts.get(i, 0) for i in series_ids]


class _CountChanged(Exception):
    pass


class _Numbers:
    """A case's numbers, allocated once at their final size and filled batch by batch:
    the read never holds two copies of a million values.

    Sources are kept as their place in ``source_names`` (the categorical's codes), found
    batch by batch: an int64 id per row and its search at the end held 17 MB more for a
    million rows while the case opened.
    """

    def __init__(self, n: int, sources: dict[int, str]) -> None:
        # Source id 0 stands for "no source"; every other id exists (foreign key).
        self.source_ids = np.array([0, *sorted(sources)], dtype=np.int64)
        self.source_names = np.array(["", *(sources[k] for k in sorted(sources))], dtype=object)
        self.t = np.empty(n, dtype=np.int64)
        self.value = np.empty(n, dtype=np.float64)
        self.censor = np.empty(n, dtype=np.int8)  # -1, 0, +1
        self.source = np.empty(n, dtype=np.int16 if len(self.source_ids) < 2**15 else np.int32)
        self.filled = 0

    def add(self, t, value, censor, source_id) -> None:
        a, b = self.filled, self.filled + len(t)
        if b > len(self.t):
            raise _CountChanged
        self.t[a:b], self.value[a:b], self.censor[a:b] = t, value, censor
        self.source[a:b] = np.searchsorted(self.source_ids, source_id)
        self.filled = b


# One packed integer per row carries t, a NULL-value flag, the censor and the source id,
# so the numbers of a row are two (that integer and the value), not four. Below t's bits:
# the NULL flag (1 bit), censor + 1 (2 bits; 3: none of -1, 0, +1), the source id (20
# bits). A time or source id that does not fit packs as NULL and the case is read
# unpacked instead.
_SOURCE_BITS = 20
T_SHIFT = _SOURCE_BITS + 3
_T_LIMIT = 2 ** (62 - T_SHIFT)  # |t| below it (year 17,000): the packed value fits int64
_PACKED = (
    f"CASE WHEN t > -{_T_LIMIT} AND t < {_T_LIMIT} "
    f"AND COALESCE(source_id, 0) BETWEEN 0 AND {2 ** _SOURCE_BITS - 1} THEN "
    f"t * {2 ** T_SHIFT} + (CASE WHEN value IS NULL THEN {2 ** (_SOURCE_BITS + 2)} ELSE 0 END) "
    "+ (CASE COALESCE(censor, 0) WHEN -1 THEN 0 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE 3 END) "
    f"* {2 ** _SOURCE_BITS} + COALESCE(source_id, 0) END"
)
# DOUBLE PRECISION: PostgreSQL's REAL is 4 bytes (SQLite's REAL either way).
_VALUE = "COALESCE(CAST(value AS DOUBLE PRECISION), 0.0)"  # NULL: the packed flag says so
_PACKED_ROW = np.dtype([("packed", np.int64), ("value", np.float64)])
# SQLite: a chunk of a series as two texts of whole numbers, the packed integers and the
# values in thousandths, so a million rows make no Python object per row (1.1 M rows:
# ~600 → ~340 ms CPU). A value travels this way only when thousandths give it back
# exactly (k / 1000.0 is the very same double, checked by SQLite with the same IEEE
# division numpy does); a chunk with any other value (more decimals, NULL, beyond 2**53)
# is read row by row instead. The rows' order is checked, not assumed of group_concat.
_CHUNK_ROWS = 65_536
_THOUSANDTHS = "CAST(ROUND(value * 1000) AS INTEGER)"
_CHUNK_TEXT_SQL = (
    "SELECT group_concat(packed), group_concat(thousandths), count(*) FROM ("
    f"SELECT {_PACKED} AS packed, CASE WHEN {_THOUSANDTHS} / 1000.0 = value "
    f"THEN {_THOUSANDTHS} END AS thousandths FROM observation "
    "WHERE series_id = {series} AND t > {after} ORDER BY t LIMIT {limit})"
)
_CHUNK_ROWS_SQL = (f"SELECT {_PACKED}, {_VALUE} FROM observation "
                   "WHERE series_id = {series} AND t > {after} ORDER BY t LIMIT {limit}")
# PostgreSQL: the same chunk as one byte string, each row's packed integer and value in
# the server's own binary form (int8send, float8send: 8 bytes each, big-endian), read by
# numpy without one Python object per row. For 1.1 M rows, CPU of client and server
# together: 1.3 s row by row through a server-side binary cursor, 0.8 s with two byte
# strings each ordered by the aggregate. Binary COPY comes as one message per row, which
# psycopg reads in Python (6.6 s). The aggregate takes the rows in the order the chunk
# gives them, as PostgreSQL does for an ordered subquery; that is checked, not assumed:
# a chunk out of order is asked again with the order inside the aggregate.
_CHUNK_BYTES_SQL = (
    "SELECT string_agg(int8send(packed) || float8send(value), ''::bytea{order}), count(*) "
    f"FROM (SELECT t, {_PACKED} AS packed, {_VALUE} AS value FROM observation "
    "WHERE series_id = %(series)s AND t > %(after)s ORDER BY t LIMIT %(limit)s) AS chunk"
)
_BYTES_ROW = np.dtype([("packed", ">i8"), ("value", ">f8")])
_UNPACKED_SQL = (
    "SELECT t, CAST(value AS DOUBLE PRECISION) AS value, COALESCE(censor, 0) AS censor, "
    "COALESCE(source_id, 0) AS source_id FROM observation WHERE series_id IN ({ids}) "
    "ORDER BY series_id, t"
)


class Unpackable(Exception):
    pass


def _read_values(engine: Engine, series_ids: list[int], out: _Numbers,
                 packed: set[int] = frozenset()) -> None:
    """The numbers of a case into numpy arrays, a chunk of rows at a time; the series in
    ``packed`` from their packed chunks (db/dense.py) when they still have them.

    Read through the engine's own driver, never a second SQLite library: ADBC's SQLite
    read was 3x faster, but a second SQLite library in the process drops this process's
    POSIX locks on the file when it closes, so another Flarescope (or a `cases` run)
    took itself for the last connection and deleted the WAL the window was still
    writing into: every later change was lost at the next crash.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # SQLite's transactions are snapshots already
            conn.execution_options(isolation_level="REPEATABLE READ")
        # One transaction: every chunk is read from the same snapshot of the database.
        with conn.begin():
            try:
                for series in series_ids:
                    read = False
                    if series in packed:
                        for chunk in dense.chunks(conn, series):
                            _add_packed(out, *chunk)
                            read = True
                    if not read:  # no chunks, or a write took them since they were counted
                        for chunk in series_chunks(conn, series):
                            _add_packed(out, *chunk)
            except Unpackable:
                out.filled = 0
                # Ids are our own integers, written into the SQL.
                ids = ", ".join(str(int(i)) for i in series_ids)
                _read_unpacked(_cursor(conn), ids, out)


def _add_packed(out: _Numbers, packed: np.ndarray, value: np.ndarray) -> None:
    out.add(*unpack(packed, value))


def unpack(packed: np.ndarray, value: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """t, value (NaN for NULL), censor and source id of packed rows."""
    low = packed & (2 ** T_SHIFT - 1)
    censor = ((low >> _SOURCE_BITS) & 3) - 1
    value = np.where(low >> (_SOURCE_BITS + 2) == 1, np.nan, value)
    return packed >> T_SHIFT, value, censor, low & (2 ** _SOURCE_BITS - 1)


def series_chunks(conn: Connection, series: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(packed, value) of a series' rows, _CHUNK_ROWS at a time, in time order, read in
    the caller's transaction. Raises Unpackable for a row whose time or source id does
    not fit the packed bits."""
    driver = conn.connection.driver_connection
    sqlite = conn.dialect.name == "sqlite"
    cursor = driver.cursor() if sqlite else driver.cursor(binary=True)
    chunk_of = _sqlite_chunk if sqlite else _postgresql_chunk
    after = -(2 ** 63)  # below any time: each chunk starts after the last one's end
    try:
        while True:
            packed, value = chunk_of(cursor, dict(series=series, after=after, limit=_CHUNK_ROWS))
            if len(packed):
                yield packed, value
            if len(packed) < _CHUNK_ROWS:
                return
            after = int(packed[-1] >> T_SHIFT)
    finally:
        cursor.close()


def _sqlite_chunk(cursor, where: dict) -> tuple[np.ndarray, np.ndarray]:
    chunk = _chunk_as_text(cursor, _CHUNK_TEXT_SQL.format(**where))
    return chunk if chunk is not None else _chunk_as_rows(cursor, _CHUNK_ROWS_SQL.format(**where))


def _postgresql_chunk(cursor, where: dict) -> tuple[np.ndarray, np.ndarray]:
    """(packed, value) of a chunk from the byte string of _CHUNK_BYTES_SQL."""
    for order in ("", " ORDER BY t"):
        # Parameters, not text: psycopg prepares the statement after a few chunks (the
        # server plans it once per connection, not once per chunk).
        data, n = cursor.execute(_CHUNK_BYTES_SQL.format(order=order), where).fetchone()
        if not n:
            return np.empty(0, np.int64), np.empty(0)
        # A NULL packed value (a time or source id beyond the bits) is left out.
        if data is None or len(data) != _BYTES_ROW.itemsize * n:
            raise Unpackable
        rows = np.frombuffer(data, _BYTES_ROW)
        packed = rows["packed"].astype(np.int64)
        if (np.diff(packed >> T_SHIFT) > 0).all():  # times are unique in a series
            return packed, rows["value"].astype(np.float64)
    raise RuntimeError("the server gave a series' values out of order")


def _chunk_as_text(cursor, sql: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(packed, value) of a chunk, or None when it must be read row by row."""
    packed_text, thousandths_text, n = cursor.execute(sql).fetchone()
    if not n:
        return np.empty(0, np.int64), np.empty(0)
    if packed_text is None or thousandths_text is None:
        return None
    packed = np.fromstring(packed_text, dtype=np.int64, sep=",")
    thousandths = np.fromstring(thousandths_text, dtype=np.int64, sep=",")
    # A NULL is left out of group_concat: fewer numbers than rows. Times are unique in a
    # series, so rows in the order asked have strictly rising times.
    if len(packed) != n or len(thousandths) != n or (np.diff(packed >> T_SHIFT) <= 0).any():
        return None
    return packed, thousandths / 1000.0


def _chunk_as_rows(cursor, sql: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        rows = np.fromiter(cursor.execute(sql), _PACKED_ROW)  # row by row: no list of tuples
    except TypeError as exc:  # a NULL packed value: a time or source id beyond the bits
        raise Unpackable from exc
    return rows["packed"], rows["value"]


def _cursor(conn):
    """The driver's cursor for the row-by-row read. PostgreSQL: a server-side one, in
    binary: the server hands over a batch at a time (a client-side cursor holds the whole
    result first) and numbers arrive without text parsing."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return driver.cursor(name="case_values", binary=True)
    return driver.cursor()


def _read_unpacked(cursor, ids: str, out: _Numbers) -> None:
    # CAST/COALESCE keep each column one type; a NULL value becomes NaN in the float array.
    try:
        cursor.execute(_UNPACKED_SQL.format(ids=ids))
        while rows := cursor.fetchmany(BATCH_ROWS):
            block = np.array(rows, dtype=np.float64)  # exact below 2**53
            out.add(block[:, 0].astype(np.int64), block[:, 1], block[:, 2],
                    block[:, 3].astype(np.int64))
    finally:
        cursor.close()


# Small batches: the tuples of a 65,536-row batch left ~6 MB of allocator arenas behind
# after each case (tests/gui/test_memory.py).
BATCH_ROWS = 4_096


def _frame(numbers: _Numbers, series: pd.DataFrame) -> pd.DataFrame:
    """series: sorted by id, with the number of rows of each."""
    n = len(numbers.t)
    # Category codes are built small (int8/int16), never as one int64 per row.
    which = np.repeat(np.arange(len(series), dtype=np.int16), series["rows"].to_numpy())

    def categorical(labels: np.ndarray, index: np.ndarray) -> pd.Categorical:
        cats, inverse = np.unique(labels.astype(str), return_inverse=True)
        return pd.Categorical.from_codes(inverse.astype(np.int16)[index], categories=cats)

    return pd.DataFrame({
        "t": numbers.t[:n],
        "code": categorical(series["code"].to_numpy(), which),
        "value": numbers.value[:n],
        "censor": pd.Categorical.from_codes(numbers.censor[:n] + 1, categories=list(CENSOR_SIGNS)),
        "unit": categorical(series["unit"].to_numpy(), which),
        "specimen": categorical(series["specimen"].to_numpy(), which),
        "source": categorical(numbers.source_names, numbers.source[:n]),
    }, copy=False)


def _empty_observations() -> pd.DataFrame:
    df = pd.DataFrame({"t": np.array([], dtype=np.int64), "value": np.array([], dtype=float)})
    for c in ("code", "censor", "unit", "specimen", "source"):
        df[c] = pd.Categorical([])
    return df[OBS_FIELDS]


def load_medications(engine: Engine, patient_id: int) -> pd.DataFrame:
    m = Medication.__table__
    stmt = select(m).where(m.c.patient_id == patient_id).order_by(m.c.drug, m.c.start)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    cols = [c.name for c in m.columns]
    df = pd.DataFrame([dict(r) for r in rows], columns=cols)
    for c in ("start", "end"):
        df[c] = pd.to_datetime(df[c])
    return df


def load_administrations(engine: Engine, patient_id: int) -> pd.DataFrame:
    """The doses recorded one by one (t, drug, dose, unit, route), by drug and time."""
    return administrations_of(engine, [patient_id]).drop(columns="patient_id")


def administrations_of(engine: Engine, patient_ids: list[int]) -> pd.DataFrame:
    """The doses recorded one by one of some patients in one query (patient_id, t, drug,
    dose, unit, route), by patient, drug and time."""
    a = Administration.__table__
    stmt = select(a.c.patient_id, a.c.t, a.c.drug, a.c.dose, a.c.unit, a.c.route).where(
        a.c.patient_id.in_([int(i) for i in patient_ids])).order_by(
        a.c.patient_id, a.c.drug, a.c.t)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["patient_id", "t", "drug", "dose", "unit", "route"])


def load_episodes(engine: Engine, patient_id: int) -> pd.DataFrame:
    e = Episode.__table__
    stmt = select(e).where(e.c.patient_id == patient_id).order_by(e.c.onset, e.c.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in e.columns])


def load_case(engine: Engine, patient_id: int, *, identifying: bool = False) -> CaseFrames:
    controls, reference_set = load_references(engine)
    return CaseFrames(
        patient=patient_row(engine, patient_id, identifying=identifying),
        observations=load_observations(engine, patient_id),
        medications=load_medications(engine, patient_id),
        episodes=load_episodes(engine, patient_id),
        controls=controls,
        reference_set=reference_set,
        administrations=load_administrations(engine, patient_id),
    )
