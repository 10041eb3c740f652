"""Databases that are not ours, newer, damaged, half-migrated or busy; files kept private."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from db.engine import DatabaseDamagedError, DatabaseOpenError, open_database
from db.models import Patient
from tests.backend import another_writer, target

LAB_FILE = "patient,date,code,value,unit,specimen\nNLRP12-01,2024-03-05,CRP,12,mg/L,serum\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    con.execute("INSERT INTO invoices VALUES (1, 99.5)")
    con.commit()
    con.close()
    before = _digest(path)
    with pytest.raises(DatabaseOpenError, match="not a Flarescope database"):
        open_database(str(path))
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]  # no -wal, -shm
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    con.close()


def test_the_cli_refuses_it_in_one_line_without_adding_the_demo(tmp_path, capsys):
    import main

    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (t TEXT)")
    con.commit()
    con.close()
    before = _digest(path)
    assert main.main(["--db", str(path), "cases"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a Flarescope database" in err
    assert _digest(path) == before


def test_a_database_from_a_newer_flarescope_gives_one_line(tmp_path, capsys):
    import main

    path = tmp_path / "newer.db"
    open_database(str(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9001'")
    con.commit()
    con.close()
    with pytest.raises(DatabaseOpenError, match="made by a newer version of Flarescope"):
        open_database(str(path))
    assert main.main(["--db", str(path), "cases"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer version of Flarescope" in err
    assert "Traceback" not in err


def test_a_failed_migration_leaves_no_table_behind(tmp_path, monkeypatch):
    from alembic.operations import Operations

    create_table = Operations.create_table
    made = []

    def second_table_fails(self, name, *columns, **kw):
        if made:
            raise RuntimeError("disk went away")
        made.append(name)
        return create_table(self, name, *columns, **kw)

    monkeypatch.setattr(Operations, "create_table", second_table_fails)
    path = tmp_path / "new.db"
    with pytest.raises(DatabaseOpenError, match="could not be brought up to date"):
        open_database(str(path))
    assert made  # the first table was created, then the step failed
    con = sqlite3.connect(path)
    assert con.execute("SELECT name FROM sqlite_master").fetchall() == []
    con.close()
    monkeypatch.undo()
    open_database(str(path)).dispose()  # and it migrates fine once the fault is gone


def _overwrite(path: Path, page_of, offset: int, data: bytes) -> None:
    """Write data at offset into the page (numbered from 1) that page_of(connection) names."""
    con = sqlite3.connect(path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    page = page_of(con)
    con.close()
    with open(path, "r+b") as f:
        f.seek(page_size * (page - 1) + offset)
        f.write(data)


def _damage_a_page_in_the_middle(path: Path) -> None:
    _overwrite(path, lambda con: con.execute("PRAGMA page_count").fetchone()[0] // 2 + 1, 0,
               b"\xa5" * 64)


def test_writes_to_a_damaged_file_are_refused(_demo_template, tmp_path, capsys):
    import main

    path = tmp_path / "damaged.db"
    shutil.copy(_demo_template, path)
    _damage_a_page_in_the_middle(path)
    lab = tmp_path / "lab.csv"
    lab.write_text(LAB_FILE, encoding="utf-8")
    before = _digest(path)
    assert main.main(["--db", str(path), "import", str(lab)]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "nothing was written" in err and "Traceback" not in err
    # Every connection is closed: a committed import would have been checkpointed in.
    assert _digest(path) == before


def test_a_damaged_file_is_refused_at_commit_and_nothing_is_written(_demo_template, tmp_path):
    path = tmp_path / "damaged.db"
    shutil.copy(_demo_template, path)
    _damage_a_page_in_the_middle(path)
    engine = open_database(str(path))
    with pytest.raises(DatabaseDamagedError, match="is damaged"), engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="NEW-01"))
    engine.dispose()
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM patient WHERE pseudonym='NEW-01'").fetchone()[0] == 0
    con.close()


@pytest.mark.sqlite_only  # SQLite's quick_check of the file
def test_a_sound_file_is_checked_once_and_written(demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="NEW-01"))
    with demo_engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="NEW-02"))


@pytest.fixture
def lab(tmp_path) -> Path:
    path = tmp_path / "lab.csv"
    path.write_text(LAB_FILE, encoding="utf-8")
    return path


def test_an_import_waits_for_another_writer_to_finish(demo_engine, lab, capsys):
    import threading

    import main

    other = another_writer(demo_engine)
    done = threading.Timer(0.5, other.rollback)
    done.start()
    try:
        assert main.main(["--db", target(demo_engine), "import", str(lab)]) == 0, \
            capsys.readouterr().err
    finally:
        done.join()
        other.close()
    assert "1 values added" in capsys.readouterr().out


def test_a_busy_database_waits_then_says_so_in_one_line(demo_engine, lab, capsys,
                                                        monkeypatch):
    import db.engine
    import main

    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_S", 0.2)
    other = another_writer(demo_engine)
    try:
        assert main.main(["--db", target(demo_engine), "import", str(lab)]) == 1
    finally:
        other.rollback()
        other.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "is writing to it" in err and "Traceback" not in err


def test_new_database_files_and_folders_are_private(tmp_path):
    folder = tmp_path / "new" / "data"
    engine = open_database(str(folder / "flarescope.db"))
    with engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="P-01"))
        names = {p.name for p in folder.iterdir()}
        assert {"flarescope.db", "flarescope.db-wal", "flarescope.db-shm"} <= names
        for name in names:
            assert _mode(folder / name) == 0o600, name
    engine.dispose()
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700


def test_the_log_file_and_its_folder_are_private(tmp_path, monkeypatch):
    import logging

    import main
    from db.logfile import PrivateLogHandler

    path = tmp_path / "state" / "log" / "flarescope.log"
    monkeypatch.setenv("FLARESCOPE_LOG", str(path))
    try:
        assert main.main(["--db", str(tmp_path / "new.db"), "cases"]) == 0
        assert "migrating" in path.read_text(encoding="utf-8")
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    finally:
        for h in [h for h in logging.getLogger().handlers if isinstance(h, PrivateLogHandler)]:
            logging.getLogger().removeHandler(h)
            h.close()


def test_a_database_error_never_carries_the_patients_data(engine, tmp_path):
    from db.errors import user_message

    with engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="DUPONT Jean 1975-11-02"))
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="DUPONT Jean 1975-11-02"))
    assert "DUPONT" not in str(caught.value)
    message = user_message(caught.value)
    assert "DUPONT" not in message and "\n" not in message
    assert "unique constraint" in message.lower()  # SQLite's words or PostgreSQL's


def test_a_server_password_never_reaches_the_message():
    with pytest.raises(DatabaseOpenError) as caught:
        open_database("postgresql+nosuchdriver://reviewer:s3cret@/flarescope")
    assert "s3cret" not in str(caught.value) and "reviewer" in str(caught.value)
    with pytest.raises(DatabaseOpenError) as caught:
        open_database("postgresql+psycopg://reviewer:s3cret@/flarescope?host=/nonexistent")
    assert "s3cret" not in str(caught.value)


def test_a_damaged_page_met_while_reading_is_told_as_damage_not_unexpected():
    """A damaged page can be read before the first-write check runs (an import reads
    the patients first): it was 'unexpected error (DatabaseError …)'."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    from db.errors import user_message

    exc = DatabaseError("SELECT …", {}, sqlite3.DatabaseError("database disk image is malformed"))
    line = user_message(exc)
    assert line.startswith("the database file is damaged (database disk image is malformed)")
    assert "unexpected" not in line and ".recover" in line


def test_a_control_reference_import_waits_for_another_writer_too(demo_engine, tmp_path,
                                                                  capsys):
    """It gave up at once (0.8 s) where every other write waits."""
    import threading

    import main

    refs = tmp_path / "refs.csv"
    refs.write_text("analyte,specimen,unit,n,mean,SD,lab\n"
                    "IL1B,PBMC spontaneous,pg/mL,12,9.5,4,Lab X\n", encoding="utf-8")
    other = another_writer(demo_engine)
    done = threading.Timer(1.5, other.rollback)
    done.start()
    try:
        assert main.main(["--db", target(demo_engine), "controls", "import", str(refs)]) == 0, \
            capsys.readouterr().err
    finally:
        done.join()
        other.close()
    assert "wrote reference set" in capsys.readouterr().out


def _damage_the_patient_table(path: Path) -> None:
    # The reviewer's damage: four bytes of the patient table's root page header, which
    # reads as "no such patient" rather than as an error.
    _overwrite(path, lambda con: con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'patient'").fetchone()[0],
        8, b"\xde\xad\xbe\xef")


@pytest.mark.parametrize("command", [["patients", "show", "NLRP12-02"],
                                     ["summary", "NLRP12-02"],
                                     ["audit", "verify"]])
def test_a_damaged_file_is_named_damaged_not_an_unexpected_error(_demo_template, tmp_path,
                                                                   capsys, command):
    import main

    path = tmp_path / "damaged.db"
    shutil.copy(_demo_template, path)
    _damage_the_patient_table(path)
    before = _digest(path)
    assert main.main(["--db", str(path), *command]) == 1
    captured = capsys.readouterr()
    said = captured.err + captured.out
    assert "damaged" in said and "unexpected error" not in said and "Traceback" not in said
    assert "chain intact" not in said
    assert _digest(path) == before


def test_a_crash_of_the_interpreter_leaves_its_stacks_in_crash_log(tmp_path):
    """A segfault (in Qt, say) says nothing on a desktop: crash.log beside the log has
    where every thread was."""
    import os
    import subprocess
    import sys

    log = tmp_path / "log" / "flarescope.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    env["FLARESCOPE_LOG"] = str(log)
    crash = ("from db.logfile import log_to_file\n"
             "log_to_file()\n"
             "def reading_a_case():\n"
             "    import ctypes\n"
             "    ctypes.string_at(0)\n"
             "reading_a_case()\n")
    result = subprocess.run([sys.executable, "-c", crash], cwd=Path(__file__).parents[2],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    text = (log.parent / "crash.log").read_text(encoding="utf-8")
    assert "Segmentation fault" in text
    assert "reading_a_case" in text
    assert _mode(log.parent / "crash.log") == 0o600
