"""Shared by the import tests: the fixture files, a database dump, values read back.

(No tests here; pytest collects the module and finds none.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from db.queries import list_cases, load_medications, load_observations

FILES = Path(__file__).resolve().parent / "import_files"


def dump(engine) -> list[str]:
    """Every row of every table (the schema too on SQLite): equal dumps mean an untouched
    database."""
    if engine.dialect.name == "sqlite":
        con = sqlite3.connect(engine.url.database)
        try:
            return list(con.iterdump())
        finally:
            con.close()
    from sqlalchemy import select

    from db.models import Base

    with engine.connect() as conn:
        return [f"{table.name} {tuple(row)}" for table in Base.metadata.sorted_tables
                for row in conn.execute(select(table).order_by(*table.columns))]


def patient_id(engine, pseudonym: str) -> int | None:
    cases = list_cases(engine)
    hit = cases.loc[cases["pseudonym"] == pseudonym, "id"]
    return int(hit.iloc[0]) if len(hit) else None


def stored(engine, pseudonym: str) -> pd.DataFrame:
    """A patient's values as plain columns: time (ISO, UTC), code, specimen, value, censor."""
    obs = load_observations(engine, patient_id(engine, pseudonym))
    out = pd.DataFrame({
        "time": pd.to_datetime(obs["t"], unit="s").dt.strftime("%Y-%m-%d %H:%M"),
        "code": obs["code"].astype(str),
        "specimen": obs["specimen"].astype(str),
        "value": obs["value"].astype(float),
        "unit": obs["unit"].astype(str),
        "censor": [c if c in ("<", ">") else "" for c in obs["censor"].astype(object)],
    })
    return out.sort_values(["time", "code", "specimen"]).reset_index(drop=True)


def value_of(frame: pd.DataFrame, time: str, code: str, specimen: str | None = None) -> tuple:
    """(value, censor) of the one stored value at ``time`` (YYYY-MM-DD HH:MM)."""
    hit = frame[(frame["time"] == time) & (frame["code"] == code)]
    if specimen is not None:
        hit = hit[hit["specimen"] == specimen]
    assert len(hit) == 1, f"{code} {specimen} at {time}: {len(hit)} values\n{frame}"
    return float(hit["value"].iloc[0]), hit["censor"].iloc[0]


def medications(engine, pseudonym: str) -> list[tuple]:
    meds = load_medications(engine, patient_id(engine, pseudonym))
    return [(r.drug, r.atc, r.dose, r.unit, r.route, r.start.date().isoformat(),
             None if pd.isna(r.end) else r.end.date().isoformat())
            for r in meds.sort_values(["start", "drug"]).itertuples()]
