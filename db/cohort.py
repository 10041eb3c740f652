"""Reads for the cohort view: many cases at once, only what it draws.

Opening fifty ten-year cases one by one reads every diary answer of each (44,000 rows a
case): the cohort reads its three measured series for all cases in one query, and the
diary already summed per 30-day block by the database (data/cohort.py says what a block
is; the sums are the same as data.aidai_periods gives for one case, tests check it).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Engine, case, func, select

from db.models import Episode, Medication, Observation, Patient, Series

# Block numbers below day 0 are negative; integer division truncates toward zero in both
# SQLite and PostgreSQL, so times are shifted by this many blocks before dividing.
_SHIFT_BLOCKS = 100_000


def cohort_rows(engine: Engine, patient_ids: Iterable[int], codes: list[str]) -> dict[str, pd.DataFrame]:
    """patients (id, pseudonym, diagnosis), medications, episodes and the observations of
    codes (patient_id, code, specimen, unit as categoricals; t, value, censor as -1/0/+1)
    of the cases, sorted by patient, code, specimen and time."""
    ids = [int(i) for i in patient_ids]
    p, m, e, s = Patient.__table__, Medication.__table__, Episode.__table__, Series.__table__
    with engine.connect() as conn:
        patients = pd.DataFrame(conn.execute(select(p.c.id, p.c.pseudonym, p.c.diagnosis).where(
            p.c.id.in_(ids)).order_by(p.c.id)).all(), columns=["id", "pseudonym", "diagnosis"])
        meds = conn.execute(select(m).where(m.c.patient_id.in_(ids)).order_by(
            m.c.patient_id, m.c.drug, m.c.start)).mappings().all()
        episodes = conn.execute(select(e).where(e.c.patient_id.in_(ids)).order_by(
            e.c.patient_id, e.c.onset, e.c.id)).mappings().all()
        series = pd.DataFrame(conn.execute(
            select(s.c.id, s.c.patient_id, s.c.code, s.c.specimen, s.c.unit)
            .where(s.c.patient_id.in_(ids), s.c.code.in_(codes))
            .order_by(s.c.patient_id, s.c.code, s.c.specimen)).all(),
            columns=["id", "patient_id", "code", "specimen", "unit"])
        numbers = _numbers(conn, [int(i) for i in series["id"]])
    medications = pd.DataFrame([dict(r) for r in meds], columns=[c.name for c in m.columns])
    for col in ("start", "end"):
        medications[col] = pd.to_datetime(medications[col])
    return {
        "patients": patients,
        "medications": medications,
        "episodes": pd.DataFrame([dict(r) for r in episodes], columns=[c.name for c in e.columns]),
        "observations": _observations(series, numbers),
    }


def _numbers(conn, series_ids: list[int]) -> np.ndarray:
    """(series_id, t, value, censor) rows of the series as one float array, read through
    the driver's own cursor: SQLAlchemy's Row objects cost ~10 µs a row, most of the
    read. The SQL holds integers only (series ids this module has just read)."""
    if not series_ids:
        return np.zeros((0, 4))
    sql = ("SELECT series_id, t, value, censor FROM observation WHERE series_id IN ("
           + ", ".join(str(int(i)) for i in series_ids) + ")")
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    # A NULL value arrives as None: NaN in the array (exact for times below 2**53).
    return np.array(rows, dtype=float).reshape(-1, 4)


def _observations(series: pd.DataFrame, numbers: np.ndarray) -> pd.DataFrame:
    """The numbers with their series' fields, in the series' order (patient, code,
    specimen), then by time."""
    ids = series["id"].to_numpy(dtype=np.int64)
    by_id = np.argsort(ids)
    row = by_id[np.searchsorted(ids[by_id], numbers[:, 0].astype(np.int64))] if ids.size \
        else np.zeros(0, dtype=np.int64)
    idx = np.lexsort((numbers[:, 1], row))
    row = row[idx]
    out = pd.DataFrame({
        "patient_id": series["patient_id"].to_numpy()[row],
        "t": numbers[idx, 1].astype(np.int64),
        "value": numbers[idx, 2],
        "censor": numbers[idx, 3],
    })
    for col in ("code", "specimen", "unit"):
        cat = pd.Categorical(series[col].fillna(""))
        out[col] = pd.Categorical.from_codes(cat.codes[row], categories=cat.categories)
    return out


def diary_blocks(engine: Engine, day0: dict[int, int], codes: list[str],
                 block_seconds: int) -> pd.DataFrame:
    """Per case and block of block_seconds from its day 0 (epoch seconds at midnight):
    the sum of the diary answers and how many answers there were."""
    if not day0:
        return pd.DataFrame(columns=["patient_id", "block", "score", "answers"])
    s, o = Series.__table__, Observation.__table__
    anchor = case({int(k): int(v) for k, v in day0.items()}, value=s.c.patient_id)
    block = (o.c.t - anchor + _SHIFT_BLOCKS * block_seconds) // block_seconds - _SHIFT_BLOCKS
    stmt = (select(s.c.patient_id, block.label("block"), func.sum(o.c.value),
                   func.count(o.c.value))
            .join(o, o.c.series_id == s.c.id)
            .where(s.c.patient_id.in_(list(day0)), s.c.code.in_(codes))
            .group_by(s.c.patient_id, "block"))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows],
                        columns=["patient_id", "block", "score", "answers"])


def recorded_diagnoses(engine: Engine) -> list[tuple[int, str]]:
    """(patient id, diagnosis as recorded) of every patient with one, by id: which texts
    name the same disease is data.diagnoses' to say."""
    p = Patient.__table__
    with engine.connect() as conn:
        return [(int(i), str(d)) for i, d in conn.execute(
            select(p.c.id, p.c.diagnosis).where(p.c.diagnosis.is_not(None))
            .order_by(p.c.id))]
