"""Bulk writes: duplicates counted not stored, remembered mappings, stored periods."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from db.writes import (
    changed_observations,
    insert_medications,
    insert_observations,
    insert_patient,
    medication_periods,
    read_import_mappings,
    save_import_mappings,
)


def test_insert_observations_counts_only_new_rows(engine):
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="W-01")
        rows = [(pid, 100, "CRP", 3.0, None, "mg/L", "serum", "a.csv"),
                (pid, 200, "CRP", 4.0, "<", "mg/L", "serum", "a.csv")]
        assert insert_observations(conn, rows) == 2
        again = [(pid, 100, "CRP", 9.0, None, "mg/L", "serum", "b.csv"),
                 (pid, 300, "CRP", 5.0, None, "mg/L", "serum", "b.csv")]
        assert insert_observations(conn, again) == 1
        assert insert_observations(conn, []) == 0
        # A value not given (NaN on its way through a frame) is NULL, new file or one again.
        blank = [(pid, 400, "CRP", None, None, "mg/L", "serum", "c.csv")]
        assert insert_observations(conn, blank) == 1
        blank += [(pid, 100, "CRP", 3.0, None, "mg/L", "serum", "c.csv"),
                  (pid, 500, "CRP", None, ">", "mg/L", "serum", "c.csv")]
        assert insert_observations(conn, blank) == 1
        assert conn.execute(text("SELECT t FROM observation WHERE value IS NULL ORDER BY t")
                            ).scalars().all() == [400, 500]


def test_import_mappings_are_saved_and_changed(engine):
    with engine.begin() as conn:
        assert read_import_mappings(conn) == {}
        save_import_mappings(conn, {"IL-1b sécrétion": "IL1B", "Notes": "-"})
    with engine.begin() as conn:
        save_import_mappings(conn, {"Notes": "IL6"})
        assert read_import_mappings(conn) == {"IL-1b sécrétion": "IL1B", "Notes": "IL6"}


def test_medication_periods_of_some_patients(engine):
    with engine.begin() as conn:
        a = insert_patient(conn, pseudonym="A")
        b = insert_patient(conn, pseudonym="B")
        insert_medications(conn, [
            dict(patient_id=a, drug="anakinra", atc="L04AC03", dose=100.0, unit="mg",
                 route="subcutaneous", start=dt.date(2026, 1, 1), end=None, source="x"),
            dict(patient_id=b, drug="colchicine", atc=None, dose=1.0, unit="mg",
                 route="oral", start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 9), source="x"),
        ])
        periods = medication_periods(conn, [a])
        assert medication_periods(conn, []) == []
    assert [{k: v for k, v in p.items() if k != "id"} for p in periods] == [
        dict(patient_id=a, drug="anakinra", dose=100.0, unit="mg", route="subcutaneous",
             start=dt.date(2026, 1, 1), end=None)]
    assert isinstance(periods[0]["id"], int)


def test_changed_observations_lists_only_rows_stored_with_another_value(engine):
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="W-01")
        assert changed_observations(conn, [(pid, 100, "CRP", 3.0, None, "mg/L", "serum",
                                            "a.csv")]) == []  # nothing stored yet
        insert_observations(conn, [(pid, 100, "CRP", 3.0, None, "mg/L", "serum", "a.csv"),
                                   (pid, 200, "CRP", 4.0, "<", "mg/L", "serum", "a.csv"),
                                   (pid, 100, "IL1B", 9.0, None, "pg/mL", "", "a.csv")])
        again = [(pid, 100, "CRP", 3.0, None, "mg/L", "serum", "b.csv"),  # identical
                 (pid, 200, "CRP", 4.0, None, "mg/L", "serum", "b.csv"),  # censor differs
                 (pid, 100, "IL1B", 9.5, None, "pg/mL", "", "b.csv"),  # value differs
                 (pid, 100, "IL1B", 1.0, None, "pg/mL", "pbmc-lps", "b.csv"),  # new series
                 (pid, 300, "CRP", 5.0, None, "mg/L", "serum", "b.csv")]  # new time
        assert changed_observations(conn, again) == [(1, 4.0, "<"), (2, 9.0, None)]


def test_rows_the_database_layer_refuses(engine):
    import pytest

    from db.writes import InvalidRowError

    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="W-01")
    good = (pid, 100, "CRP", 3.0, None, "mg/L", "serum", "a.csv")
    for bad in ((pid, 100, "CRP", float("inf"), None, "mg/L", "serum", "a.csv"),
                (pid, 100, "CRP", float("nan"), None, "mg/L", "serum", "a.csv"),
                (pid, 100.5, "CRP", 3.0, None, "mg/L", "serum", "a.csv"),
                (pid, "2026-01-01", "CRP", 3.0, None, "mg/L", "serum", "a.csv")):
        with pytest.raises(InvalidRowError, match="CRP"), engine.begin() as conn:
            insert_observations(conn, [good, bad])
    period = dict(patient_id=pid, drug="anakinra", dose=100.0, unit="mg",
                  start=dt.date(2026, 1, 10), end=dt.date(2026, 1, 20))
    for bad in ({"dose": float("inf")}, {"dose": -100.0}, {"end": dt.date(2026, 1, 9)},
                {"start": None}):
        with pytest.raises(InvalidRowError, match="anakinra"), engine.begin() as conn:
            insert_medications(conn, [period | bad])
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM observation").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM medication").scalar() == 0
