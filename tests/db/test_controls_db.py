"""The versioned control reference tables: the a2_controls migration and its guarantees."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, insert
from sqlalchemy.exc import IntegrityError

from db.audit import db_now
from db.controls import history, references
from db.engine import open_database
from db.migrate import alembic_config
from db.models import ControlReference


def test_rows_of_an_older_database_become_set_1_of_lab_demo(tmp_path):
    path = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{path}")
    command.upgrade(alembic_config(old), "0001")
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO control_reference (code, specimen, unit, mean, sd, n, source) "
            "VALUES ('IL1B', 'pbmc-spont', 'pg/mL', 12, 5, 20, 'demo healthy controls')")
    old.dispose()
    engine = open_database(str(path))
    try:
        rows, sets = history(engine)
        assert list(sets[["id", "lab", "action"]].itertuples(index=False, name=None)) == [
            (1, "demo", "migrated")]
        assert rows[["code", "mean", "set_id", "lab"]].values.tolist() == [
            ["IL1B", 12.0, 1, "demo"]]
        assert rows["retired_set_id"].isna().all()
    finally:
        engine.dispose()


def test_only_one_reference_in_force_per_code_and_specimen(engine):
    rows = [dict(set_id=1, code="IL1B", specimen="serum", unit="pg/mL", mean=m) for m in (1, 2)]
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO control_reference_set (id, lab, action, created_at, "
                             "created_by) VALUES (1, 'x', 'add', 0, 't')")
        conn.execute(insert(ControlReference), rows[:1])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(ControlReference), rows[1:])
    with engine.begin() as conn:  # a retired row no longer counts
        conn.exec_driver_sql("UPDATE control_reference SET retired_set_id = 1")
        conn.execute(insert(ControlReference), rows[1:])
        assert references(conn)["mean"].tolist() == [2.0]


def test_a_reference_set_is_dated_by_the_database_clock(engine, monkeypatch):
    """As its audit row is: a reviewer's machine with a wrong clock must not date it."""
    import time

    from db.audit import audited_transaction
    from db.controls import change_references

    monkeypatch.setattr(time, "time", lambda: 0.0)  # the machine's clock says 1970
    with audited_transaction(engine) as conn:
        set_id = change_references(conn, add=[dict(code="IL6", specimen="serum", unit="pg/mL",
                                                   mean=3.0)],
                                   lab="lab A", action="edit", actor="alice")
        now = db_now(conn)
    _rows, sets = history(engine)
    created = int(sets.set_index("id").loc[set_id, "created_at"])
    assert abs(created - now) <= 1 and created > 1_700_000_000
