"""On a server, writers queue behind one write lock as on SQLite: an import waits for
another writer to finish, and gives up after db.engine.BUSY_TIMEOUT_S in one line."""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy.engine import make_url

import db.engine
from main import main
from tests.backend import target

pytestmark = pytest.mark.pg_only

LAB_FILE = "patient,date,code,value,unit,specimen\nNLRP12-01,2024-03-05,CRP,12,mg/L,serum\n"


@pytest.fixture
def lab(tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text(LAB_FILE, encoding="utf-8")
    return path


def _another_writer(engine) -> psycopg.Connection:
    """Another Flarescope in the middle of a write: it holds the write lock."""
    url = make_url(target(engine))
    other = psycopg.connect(host=url.query["host"], port=int(url.query["port"]),
                            user=url.username, dbname=url.database)
    other.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
    return other


def test_an_import_waits_for_another_writer_to_finish(demo_engine, lab, capsys):
    other = _another_writer(demo_engine)
    done = threading.Timer(0.5, other.rollback)
    done.start()
    try:
        assert main(["--db", target(demo_engine), "import", str(lab)]) == 0, \
            capsys.readouterr().err
    finally:
        done.join()
        other.close()
    assert "1 values added" in capsys.readouterr().out


def test_a_busy_server_waits_then_says_so_in_one_line(demo_engine, lab, capsys, monkeypatch):
    monkeypatch.setattr(db.engine, "LOCK_TIMEOUT_MS", 200)
    other = _another_writer(demo_engine)
    try:
        assert main(["--db", target(demo_engine), "import", str(lab)]) == 1
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "another Flarescope is writing" in err and "Traceback" not in err
