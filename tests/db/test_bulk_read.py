"""The bulk read of a case's numbers."""

import math
import os
import subprocess
import sys

import pandas as pd

from db import queries


def test_reading_a_case_keeps_other_processes_from_deleting_our_journal(demo_engine):
    """A second SQLite library in the process (ADBC's, once) dropped our file locks when
    it closed: a `cases` run in another process then deleted the WAL the window was
    writing into, and every later change was lost at the next crash."""
    path = demo_engine.url.database
    pid = int(queries.list_cases(demo_engine).set_index("pseudonym").loc["NLRP12-02", "id"])
    with demo_engine.connect() as held:  # the window's connection stays open
        held.exec_driver_sql("SELECT count(*) FROM patient").all()
        frame = queries.load_observations(demo_engine, pid)
        assert len(frame) > 10_000
        other = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                 "c.execute('SELECT count(*) FROM patient').fetchall(); c.close()")
        subprocess.run([sys.executable, "-c", other, path], check=True)
        assert os.path.exists(path + "-wal"), "another process deleted our journal"


def test_the_frame_has_numbers_of_fixed_types(demo_engine):
    pid = int(queries.list_cases(demo_engine).set_index("pseudonym").loc["NLRP12-02", "id"])
    frame = queries.load_observations(demo_engine, pid)
    assert frame["t"].dtype == "int64" and frame["value"].dtype == "float64"
    assert not pd.isna(frame["code"]).any()
    crp = frame[frame["code"] == "CRP"]
    assert crp["t"].is_monotonic_increasing and len(crp) > 10


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
