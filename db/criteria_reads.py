"""Reads for the relapse criteria over many cases at once (``suggest --all``): each code's
first and last time, and the diary summed per day by the database.

The criteria read a case's visits and cytokines (db.cohort.cohort_rows, one query for all
cases) and its daily AIDAI. Fifty ten-year cases hold 2.2 million diary answers; reading
them (2.3 s) or grouping them by day in SQL (0.95 s CPU) cost most of the run. Almost
every answer is a 0, and a diary item is usually one answer a day without a gap: the
database counts, per item, its answers and the days they fall on, and when they are one
answer on each day from the first to the last, only the answers that are not 0 are read
(0.5 s for the fifty). An item with a gap, two answers a day or an empty answer is summed
per day by the database instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from db import dense
from db.models import Observation, Series
from db.queries import unpack

DAY = 86_400
# The day number of t, rounded down for times before 1970 too (SQLite's and PostgreSQL's
# % and / truncate toward zero).
_DAY_OF_T = f"((t - ((t % {DAY}) + {DAY}) % {DAY}) / {DAY})"

DIARY_DAY_FIELDS = ["patient_id", "t", "score", "answers"]


def code_extents(engine: Engine, patient_ids: Iterable[int]) -> pd.DataFrame:
    """patient_id, code, first and last time of every code of the cases: what day 0 of a
    case without anakinra and its time range need, without reading its rows. Each
    series' first and last time is one look into the (series, time) index."""
    ids = [int(i) for i in patient_ids]
    s, o = Series.__table__, Observation.__table__
    first = select(func.min(o.c.t)).where(o.c.series_id == s.c.id).scalar_subquery()
    last = select(func.max(o.c.t)).where(o.c.series_id == s.c.id).scalar_subquery()
    with engine.connect() as conn:
        rows = conn.execute(select(s.c.patient_id, s.c.code, first, last).where(
            s.c.patient_id.in_(ids))).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=["patient_id", "code", "first", "last"])
    df = df.dropna(subset=["first"])  # a series without rows
    return (df.groupby(["patient_id", "code"], as_index=False)
            .agg(first=("first", "min"), last=("last", "max")))


def diary_days(engine: Engine, patient_ids: Iterable[int], codes: list[str]) -> pd.DataFrame:
    """Per case and UTC day with at least one answer of the codes: t (the day's midnight),
    the sum of the answers (NULL answers count 0) and how many answers were not NULL;
    sorted by case and day."""
    ids = [int(i) for i in patient_ids]
    s = Series.__table__
    with engine.connect() as conn:
        series = dict(conn.execute(select(s.c.id, s.c.patient_id).where(
            s.c.patient_id.in_(ids), s.c.code.in_(codes))).all())
        if not series:
            return pd.DataFrame({c: [] for c in DIARY_DAY_FIELDS})
        # Items stored packed too (db/dense.py: the long ones, SQLite files) are read so.
        packed = {i: unpack(*rows)[:2]
                  for i, rows in dense.chunks_of(conn, list(series)).items()}
        rest = [i for i in series if i not in packed]
        cursor = conn.connection.driver_connection.cursor()
        try:
            # count(DISTINCT t / DAY) truncates toward zero before 1970: two days may
            # count as one, so a series may be judged broken, never unbroken wrongly.
            stats = _rows(cursor, (
                f"SELECT series_id, count(*), count(DISTINCT t / {DAY}), min(t), max(t) "
                f"FROM observation WHERE series_id IN ({_id_list(rest)}) "
                "GROUP BY series_id"), 5)
            stats[:, 3:5] = np.floor_divide(stats[:, 3:5], DAY)  # first and last day
            whole = (stats[:, 1] == stats[:, 2]) & (stats[:, 1] == stats[:, 4] - stats[:, 3] + 1)
            # (series, day, sum, answers): of unbroken series the answers that are not 0
            # (an empty one takes its day's answer back), then the other series summed
            # per day. Only these touch the table: the counts come from the index.
            nonzero = _rows(cursor, (
                f"SELECT series_id, {_DAY_OF_T}, COALESCE(value, 0), "
                "CASE WHEN value IS NULL THEN -1 ELSE 0 END FROM observation "
                f"WHERE series_id IN ({_id_list(stats[whole, 0])}) "
                "AND (value <> 0 OR value IS NULL)"), 4)
            grouped = _rows(cursor, (
                f"SELECT series_id, {_DAY_OF_T} AS d, COALESCE(sum(value), 0), count(value) "
                f"FROM observation WHERE series_id IN ({_id_list(stats[~whole, 0])}) "
                "GROUP BY series_id, d"), 4)
        finally:
            cursor.close()
    more = _packed_days(packed)
    return _per_day(series, np.vstack([stats[whole], more[0]]),
                    np.vstack([nonzero, more[1]]), np.vstack([grouped, more[2]]))


def _packed_days(packed: dict[int, tuple[np.ndarray, np.ndarray]]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What diary_days' three queries give for series read packed (t, value with NaN for
    an empty answer): the unbroken ones' (series, answers, days, first day, last day) and
    their answers that are not 0, the others' answers summed per day."""
    stats, nonzero, grouped = [np.empty((0, 5))], [np.empty((0, 4))], [np.empty((0, 4))]
    for series, (t, value) in packed.items():
        day = np.floor_divide(t, DAY)
        n = len(day)
        if n and day[-1] - day[0] + 1 == n and (np.diff(day) > 0).all():
            stats.append(np.array([[series, n, n, day[0], day[-1]]], dtype=float))
            keep = value != 0  # NaN too: an empty answer
            v = value[keep]
            nonzero.append(np.column_stack([np.full(len(v), series), day[keep],
                                            np.nan_to_num(v), np.where(np.isnan(v), -1.0, 0.0)]))
        elif n:
            d, at = np.unique(day, return_inverse=True)
            grouped.append(np.column_stack([
                np.full(len(d), series), d, np.bincount(at, np.nan_to_num(value), len(d)),
                np.bincount(at, (~np.isnan(value)).astype(float), len(d))]))
    return np.vstack(stats), np.vstack(nonzero), np.vstack(grouped)


def _per_day(series: dict[int, int], whole: np.ndarray, nonzero: np.ndarray,
             grouped: np.ndarray) -> pd.DataFrame:
    """Every case's days laid end to end in one array (a case's first day at its offset):
    an unbroken series adds one answer to each day of its range, its non-zero answers and
    the other series' daily sums add where they fall."""
    def owner(ids: np.ndarray) -> np.ndarray:
        return np.array([series[int(i)] for i in ids], dtype=np.int64)

    spans = pd.DataFrame({
        "patient_id": np.concatenate([owner(whole[:, 0]), owner(grouped[:, 0])]),
        "lo": np.concatenate([whole[:, 3], grouped[:, 1]]).astype(np.int64),
        "hi": np.concatenate([whole[:, 4], grouped[:, 1]]).astype(np.int64),
    }).groupby("patient_id").agg(lo=("lo", "min"), hi=("hi", "max"))
    length = (spans["hi"] - spans["lo"] + 1).to_numpy()
    offset = dict(zip(spans.index, np.concatenate([[0], np.cumsum(length)[:-1]]) -
                      spans["lo"].to_numpy(), strict=True))

    def at(ids: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.array([offset[series[int(i)]] for i in ids], dtype=np.int64) + \
            day.astype(np.int64)

    n = int(length.sum())
    present = np.zeros(n + 1, dtype=np.int64)  # a difference array first
    answers = np.zeros(n + 1, dtype=np.int64)
    lo, hi = at(whole[:, 0], whole[:, 3]), at(whole[:, 0], whole[:, 4]) + 1
    np.add.at(present, lo, 1)
    np.add.at(present, hi, -1)
    np.add.at(answers, lo, 1)
    np.add.at(answers, hi, -1)
    present, answers = np.cumsum(present)[:n], np.cumsum(answers)[:n]
    score = np.zeros(n)
    where = at(nonzero[:, 0], nonzero[:, 1])
    np.add.at(score, where, nonzero[:, 2])
    np.add.at(answers, where, nonzero[:, 3].astype(np.int64))
    where = at(grouped[:, 0], grouped[:, 1])
    np.add.at(score, where, grouped[:, 2])
    np.add.at(answers, where, grouped[:, 3].astype(np.int64))
    np.add.at(present, where, 1)
    days = np.concatenate([np.arange(a, b + 1) for a, b in zip(spans["lo"], spans["hi"],
                                                                  strict=True)] or [[]])
    who = np.repeat(spans.index.to_numpy(), length)
    keep = present > 0
    return pd.DataFrame({"patient_id": who[keep], "t": days[keep].astype(np.int64) * DAY,
                         "score": score[keep], "answers": answers[keep]},
                        columns=DIARY_DAY_FIELDS)


def _id_list(ids) -> str:
    """Integers this module has just read, written into the SQL; "NULL" for none."""
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def _rows(cursor, sql: str, width: int) -> np.ndarray:
    """The rows as one float array (exact for these integers and times below 2**53)."""
    cursor.execute(sql)
    return np.array(cursor.fetchall(), dtype=float).reshape(-1, width)
