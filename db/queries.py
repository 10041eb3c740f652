"""Reads that feed the views: SQLAlchemy Core in, pandas DataFrames out. No ORM objects leave."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from db.engine import sqlite_path
from db.models import ControlReference, Episode, Medication, Observation, Patient, PatientIdentity

OBS_FIELDS = ["t", "code", "value", "censor", "unit", "specimen", "source"]


@dataclass(frozen=True)
class CaseFrames:
    """Everything stored about one case, as plain DataFrames."""

    patient: dict
    observations: pd.DataFrame
    medications: pd.DataFrame
    episodes: pd.DataFrame
    controls: pd.DataFrame


def list_cases(engine: Engine) -> pd.DataFrame:
    p, o, e = Patient.__table__, Observation.__table__, Episode.__table__
    span = (
        select(o.c.patient_id, func.min(o.c.t).label("first_t"), func.max(o.c.t).label("last_t"))
        .group_by(o.c.patient_id)
        .subquery()
    )
    n_ep = (
        select(e.c.patient_id, func.count().label("episodes"))
        .group_by(e.c.patient_id)
        .subquery()
    )
    stmt = (
        select(
            p.c.id, p.c.pseudonym, p.c.diagnosis, span.c.first_t, span.c.last_t,
            func.coalesce(n_ep.c.episodes, 0).label("episodes"),
            p.c.reviewed_by, p.c.reviewed_at,
        )
        .select_from(p.outerjoin(span, span.c.patient_id == p.c.id).outerjoin(n_ep, n_ep.c.patient_id == p.c.id))
        .order_by(p.c.pseudonym)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    cols = ["id", "pseudonym", "diagnosis", "first_t", "last_t", "episodes", "reviewed_by", "reviewed_at"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("first", "last"):
        df[c] = pd.to_datetime(df[f"{c}_t"], unit="s", utc=True)
    return df


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
    """One case's observations sorted by (code, t)."""
    path = sqlite_path(engine)
    if path is not None and path != ":memory:":
        return _load_observations_arrow(path, patient_id, codes)
    o = Observation.__table__
    stmt = select(*(o.c[f] for f in OBS_FIELDS)).where(o.c.patient_id == patient_id)
    if codes:
        stmt = stmt.where(o.c.code.in_(codes))
    stmt = stmt.order_by(o.c.code, o.c.t)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).all(), columns=OBS_FIELDS)
    return _normalise_observations(df)


def _load_observations_arrow(path: str, patient_id: int, codes: list[str] | None) -> pd.DataFrame:
    # SQLite through ADBC into Arrow is ~3x faster than a sqlite3 fetchall for a
    # million rows (DESIGN.md). COALESCE keeps each column one type, which the
    # driver's per-batch type inference needs.
    import adbc_driver_sqlite.dbapi as adbc

    where = "patient_id = ?"
    params: list[object] = [patient_id]
    if codes:
        where += f" AND code IN ({', '.join('?' for _ in codes)})"
        params.extend(codes)
    sql = (
        "SELECT t, code, CAST(value AS REAL) AS value, COALESCE(censor, '') AS censor, "
        "unit, specimen, COALESCE(source, '') AS source "
        f"FROM observation WHERE {where} ORDER BY code, t"
    )
    uri = f"file:{path}?mode=ro"
    with adbc.connect(uri) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        table = cur.fetch_arrow_table()
    if table.num_rows == 0:
        return _normalise_observations(pd.DataFrame(columns=OBS_FIELDS))
    return _normalise_observations(table.to_pandas())


def _normalise_observations(df: pd.DataFrame) -> pd.DataFrame:
    df["t"] = df["t"].astype("int64")
    df["value"] = df["value"].astype("float64")
    for c in ("code", "censor", "unit", "specimen", "source"):
        df[c] = df[c].fillna("").astype("category")
    return df.reset_index(drop=True)


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


def load_episodes(engine: Engine, patient_id: int) -> pd.DataFrame:
    e = Episode.__table__
    stmt = select(e).where(e.c.patient_id == patient_id).order_by(e.c.onset, e.c.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in e.columns])


def load_controls(engine: Engine) -> pd.DataFrame:
    c = ControlReference.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(c)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[col.name for col in c.columns])


def load_case(engine: Engine, patient_id: int, *, identifying: bool = False) -> CaseFrames:
    return CaseFrames(
        patient=patient_row(engine, patient_id, identifying=identifying),
        observations=load_observations(engine, patient_id),
        medications=load_medications(engine, patient_id),
        episodes=load_episodes(engine, patient_id),
        controls=load_controls(engine),
    )
