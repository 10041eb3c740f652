"""Dense series kept again as packed chunks (db.models.SeriesChunk): written after a
series' rows are, read by db.queries in place of the rows.

A thermometer's minutes (a million rows in two years) are what makes a case slow to open:
SQLite steps through every row of a series, whatever is asked of them (~330 ms CPU for a
million), while the same numbers as 16 byte strings of 65,536 rows read in a few ms. Only
series of DENSE_ROWS rows or more are packed; the rows stay the record (triggers delete a
series' chunks when one of its rows changes, migration a5_dense). SQLite files only:
a server sends the rows as byte strings already, and keeps its guards on the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from sqlalchemy import Connection, bindparam, delete, exists, func, insert, select

from db.models import Observation, Series, SeriesChunk

# A ten-year diary item (3,650 rows) too: the large benchmark case's twelve of them took
# 27 ms CPU to read as rows, 12 ms as chunks; `suggest --all` counted fifty ten-year
# cases' 2.2 M answers in 0.6 s, reads them packed in ~0.1 s. Weekly labs (~500 rows)
# stay rows.
DENSE_ROWS = 2_000
_PACKED, _VALUE = np.dtype("<i8"), np.dtype("<f8")


def pack_missing(conn: Connection, patient_ids: Iterable[int] | None = None) -> int:
    """Pack every series of these patients (every patient: None) that has DENSE_ROWS rows
    or more and no chunks: those whose rows were written since. Returns how many.
    SQLite files only (migration a5_dense says why a server keeps none)."""
    if conn.dialect.name != "sqlite":
        return 0
    s, c, o = Series.__table__, SeriesChunk.__table__, Observation.__table__
    stmt = select(s.c.id).where(~exists().where(c.c.series_id == s.c.id))
    if patient_ids is not None:
        stmt = stmt.where(s.c.patient_id.in_([int(p) for p in patient_ids]))
    bare = [int(i) for i in conn.execute(stmt).scalars()]
    if not bare:
        return 0
    dense = conn.execute(select(o.c.series_id).where(o.c.series_id.in_(bare))
                         .group_by(o.c.series_id).having(func.count() >= DENSE_ROWS)).scalars()
    return sum(pack(conn, int(series)) for series in list(dense))


def pack(conn: Connection, series: int) -> bool:
    """Write a series' chunks from its rows, in the caller's transaction. False when its
    rows do not pack (a time or source id beyond the packed bits): it is read row by row."""
    # db.queries reads chunks through this module: its chunked read of rows, imported here.
    from db.queries import T_SHIFT, Unpackable, series_chunks

    c = SeriesChunk.__table__
    conn.execute(delete(c).where(c.c.series_id == series))
    try:
        for packed, value in series_chunks(conn, series):
            conn.execute(insert(c).values(
                series_id=series, first_t=int(packed[0] >> T_SHIFT), n=len(packed),
                packed=packed.astype(_PACKED).tobytes(), value=value.astype(_VALUE).tobytes()))
    except Unpackable:
        conn.execute(delete(c).where(c.c.series_id == series))
        return False
    return True


def packed_rows(conn: Connection, series_ids: list[int]) -> dict[int, int]:
    """Rows per series, of the series given that have chunks."""
    if conn.dialect.name != "sqlite":
        return {}
    c = SeriesChunk.__table__
    return {int(k): int(n) for k, n in conn.execute(
        select(c.c.series_id, func.sum(c.c.n)).where(c.c.series_id.in_(series_ids))
        .group_by(c.c.series_id))}


def chunks(conn: Connection, series: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(packed, value) of each chunk of a series, in time order: one chunk in memory at a
    time (a client-side cursor would hold the whole series first)."""
    c = SeriesChunk.__table__
    stmt = select(c.c.first_t, c.c.packed, c.c.value).where(
        c.c.series_id == series, c.c.first_t > bindparam("after")).order_by(c.c.first_t).limit(1)
    after = -(2 ** 63)
    while (row := conn.execute(stmt, {"after": after}).first()) is not None:
        after, packed, value = row
        yield np.frombuffer(packed, _PACKED), np.frombuffer(value, _VALUE)


def chunks_of(conn: Connection, series_ids: list[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """(packed, value) of each series given that has chunks, its chunks joined in time
    order: many small series in one query (for series of a few chunks each, such as a
    diary's items; ``chunks`` holds one chunk in memory at a time)."""
    if conn.dialect.name != "sqlite" or not series_ids:
        return {}
    c = SeriesChunk.__table__
    parts: dict[int, list[tuple[bytes, bytes]]] = {}
    for series, packed, value in conn.execute(
            select(c.c.series_id, c.c.packed, c.c.value)
            .where(c.c.series_id.in_([int(i) for i in series_ids]))
            .order_by(c.c.series_id, c.c.first_t)):
        parts.setdefault(int(series), []).append((packed, value))
    return {series: (np.frombuffer(b"".join(p for p, _ in chunk), _PACKED),
                     np.frombuffer(b"".join(v for _, v in chunk), _VALUE))
            for series, chunk in parts.items()}
