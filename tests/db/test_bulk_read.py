"""The bulk read of a case's numbers."""

import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from db import queries


@pytest.mark.sqlite_only  # SQLite's WAL file and POSIX locks
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


def _stored_rows(engine, pid):
    """What the database holds, read plainly row by row: the oracle for the bulk read."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT s.code, o.t, o.value, COALESCE(o.censor, 0), COALESCE(src.name, '') "
            "FROM observation o JOIN series s ON s.id = o.series_id "
            "LEFT JOIN source src ON src.id = o.source_id WHERE s.patient_id = :pid "
            "ORDER BY o.series_id, o.t"), {"pid": pid}).all()


def _read_rows(frame):
    sign = {"": 0, "<": -1, ">": 1}
    return [(c, t, None if math.isnan(v) else v, sign[s], src) for c, t, v, s, src in zip(
        frame["code"].astype(str), frame["t"], frame["value"], frame["censor"].astype(str),
        frame["source"].astype(str), strict=True)]


def _case_of_every_kind(engine, pid_name="KINDS-01"):
    """Hand-written values: censored both ways, a gap (NULL), times before 1970 and far
    ahead, values that need all 17 digits, several sources and none."""
    from db.writes import insert_observations, insert_patient

    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym=pid_name, diagnosis="CAPS")
        insert_observations(conn, [
            (pid, -86_400 * 365 * 30, "CRP", 0.1 + 0.2, None, "mg/L", "serum", "lab-a.csv"),
            (pid, 0, "CRP", 5.0, "<", "mg/L", "serum", "lab-a.csv"),
            (pid, 1_700_000_000, "CRP", 1 / 3, None, "mg/L", "serum", "lab-b.csv"),
            (pid, 1_700_000_060, "CRP", 250.0, ">", "mg/L", "serum", None),
            (pid, 1_700_000_120, "CRP", -36.87, None, "mg/L", "serum", "lab-b.csv"),
            (pid, 253_402_300_799, "CRP", 1e-300, None, "mg/L", "serum", "lab-a.csv"),
            (pid, 1_700_000_000, "IL1B", 2.2250738585072014e-308, "<", "pg/mL", "serum", None),
            (pid, 1_700_000_100, "IL1B", 1.7976931348623157e308, None, "pg/mL", "serum", None),
        ])
        conn.exec_driver_sql("UPDATE observation SET value = NULL WHERE t = 1700000060")
    return pid


def test_every_kind_of_value_reads_back_exactly_as_stored(engine):
    pid = _case_of_every_kind(engine)
    frame = queries.load_observations(engine, pid)
    assert _read_rows(frame) == [tuple(r) for r in _stored_rows(engine, pid)]
    assert list(frame["censor"].astype(str)) == ["", "<", "", ">", "", "", "<", ""]


def test_times_beyond_the_packed_range_read_unpacked_and_the_same(engine):
    pid = _case_of_every_kind(engine)
    with engine.begin() as conn:  # written by hand: year ~40,000, beyond the packing
        conn.exec_driver_sql("UPDATE observation SET t = 1200000000000 WHERE t = 253402300799")
    frame = queries.load_observations(engine, pid)
    assert frame["t"].iloc[-3] == 1_200_000_000_000
    assert _read_rows(frame) == [tuple(r) for r in _stored_rows(engine, pid)]


def test_a_censor_flag_that_is_none_of_the_three_is_refused(engine):
    pid = _case_of_every_kind(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE observation SET censor = 2 WHERE t = 0")
    with pytest.raises(ValueError):
        queries.load_observations(engine, pid)


def test_a_long_series_reads_the_same_across_chunks_whatever_its_decimals(engine):
    """Over 65,536 rows (one chunk): thousandths travel as text, a chunk holding a value
    with more decimals (1/3) or a gap is read row by row; all come back as stored."""
    from db.writes import insert_observations, insert_patient

    n = 150_000
    t = 1_600_000_000 + np.arange(n, dtype=np.int64) * 60
    value = np.round(36.5 + (np.arange(n) % 97) / 100, 2)
    value[70_000] = 1 / 3  # the second chunk: row by row
    value[140_000] = -273.125  # three decimals: still thousandths
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="LONG-01", diagnosis="CAPS")
        insert_observations(conn, [(pid, int(a), "TEMP", float(b), None, "Cel", "device",
                                    "thermometer.csv") for a, b in zip(t, value, strict=True)])
        conn.execute(text("UPDATE observation SET value = NULL WHERE t = :t"),
                     {"t": int(t[100_000])})
    frame = queries.load_observations(engine, pid)
    assert np.array_equal(frame["t"].to_numpy(), t)
    value[100_000] = np.nan
    assert np.array_equal(frame["value"].to_numpy(), value, equal_nan=True)
    assert _read_rows(frame) == [tuple(r) for r in _stored_rows(engine, pid)]


def test_a_write_between_chunks_does_not_mix_two_states_of_the_case(engine, monkeypatch):
    """Chunks are separate statements: they must all read one snapshot."""
    from db import dense
    from db.writes import insert_observations, insert_patient

    monkeypatch.setattr(dense, "DENSE_ROWS", 10**9)  # its rows, not packed chunks
    n = 70_000  # two chunks
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="MOVING-01", diagnosis="CAPS")
        insert_observations(conn, [(pid, 1_600_000_000 + 60 * i, "TEMP", 37.0, None, "Cel",
                                    "device", "") for i in range(n)])
    name = "_sqlite_chunk" if engine.dialect.name == "sqlite" else "_postgresql_chunk"
    chunk = getattr(queries, name)
    writes = []

    def chunk_then_write(cursor, where):
        out = chunk(cursor, where)
        if not writes:  # another program changes every value once the first chunk is read
            with engine.begin() as other:
                writes.append(other.exec_driver_sql("UPDATE observation SET value = 39.0"))
        return out

    monkeypatch.setattr(queries, name, chunk_then_write)
    values = set(queries.load_observations(engine, pid)["value"])
    assert writes and values == {37.0}


@pytest.mark.sqlite_only
def test_a_write_between_packed_chunks_does_not_mix_two_states_of_the_case(engine, monkeypatch):
    """A dense series read from its packed chunks (db/dense.py) reads one snapshot too:
    the write takes the chunks away for later reads, not from this one."""
    from db import dense
    from db.writes import insert_observations, insert_patient

    n = 70_000  # two chunks
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="MOVING-01", diagnosis="CAPS")
        insert_observations(conn, [(pid, 1_600_000_000 + 60 * i, "TEMP", 37.0, None, "Cel",
                                    "device", "") for i in range(n)])
    chunks, writes = dense.chunks, []

    def chunks_then_write(conn, series):
        for chunk in chunks(conn, series):
            yield chunk
            if not writes:
                with engine.begin() as other:
                    writes.append(other.exec_driver_sql("UPDATE observation SET value = 39.0"))

    monkeypatch.setattr(dense, "chunks", chunks_then_write)
    values = set(queries.load_observations(engine, pid)["value"])
    assert writes and values == {37.0}
    monkeypatch.setattr(dense, "chunks", chunks)
    assert set(queries.load_observations(engine, pid)["value"]) == {39.0}  # from its rows


def test_a_chunk_the_server_gives_out_of_order_is_asked_again_with_the_order_spelt_out():
    """PostgreSQL's aggregate takes an ordered subquery's rows in their order; should a
    chunk ever come otherwise, it is read again with the order inside the aggregate."""
    measured = 1 << queries._SOURCE_BITS  # censor flag "measured", source 0

    def chunk(times):
        rows = np.array([(t << queries.T_SHIFT | measured, t / 10) for t in times],
                        dtype=queries._BYTES_ROW)
        return rows.tobytes(), len(times)

    asked = []

    class Server:
        def execute(self, sql, params):
            asked.append(sql)
            self.row = chunk([1, 2, 3] if "bytea ORDER BY t)" in sql else [3, 1, 2])
            return self

        def fetchone(self):
            return self.row

    packed, value = queries._postgresql_chunk(Server(), dict(series=1, after=0, limit=10))

    assert len(asked) == 2
    assert list(packed >> queries.T_SHIFT) == [1, 2, 3] and list(value) == [0.1, 0.2, 0.3]
