"""The bulk read of a case's numbers: ADBC for a SQLite file, SQLAlchemy otherwise, the
same frame either way."""

import math

import pandas as pd

from db import queries


def test_the_adbc_read_and_the_sqlalchemy_read_give_the_same_frame(demo_engine, monkeypatch):
    pid = int(queries.list_cases(demo_engine).set_index("pseudonym").loc["NLRP12-02", "id"])
    fast = queries.load_observations(demo_engine, pid)
    monkeypatch.setattr(queries, "sqlite_path", lambda _engine: None)
    plain = queries.load_observations(demo_engine, pid)
    assert len(fast) > 10_000
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["t"].dtype == "int64" and fast["value"].dtype == "float64"


def test_a_value_stored_as_null_reads_as_nan(engine):
    from db.writes import insert_observations, insert_patient

    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="NULL-01", diagnosis="CAPS")
        insert_observations(conn, [
            (pid, 1_700_000_000, "CRP", 12.5, None, "mg/L", "serum", "lab"),
            (pid, 1_700_086_400, "CRP", 7.0, "<", "mg/L", "serum", "lab"),
        ])
        conn.exec_driver_sql("UPDATE observation SET value = NULL WHERE t = 1700086400")
    df = queries.load_observations(engine, pid)
    assert df["value"].iloc[0] == 12.5 and math.isnan(df["value"].iloc[1])
    assert list(df["censor"]) == ["", "<"]
