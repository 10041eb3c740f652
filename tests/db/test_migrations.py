
import pytest
from sqlalchemy import inspect

from db.engine import DatabaseOpenError, current_revision, open_database
from db.migrate import script_head
from db.schema_version import HEAD_REVISION


def test_head_constant_matches_alembic_scripts():
    assert script_head() == HEAD_REVISION


def test_empty_file_is_brought_to_head(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    engine = open_database(str(path))
    assert current_revision(engine) == HEAD_REVISION
    tables = set(inspect(engine).get_table_names())
    assert {"patient", "observation", "medication", "control_reference", "episode",
            "audit_event", "patient_identity"} <= tables


def test_sqlite_pragmas(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, just some text " * 50)
    with pytest.raises(DatabaseOpenError, match="not a database"):
        open_database(str(path))


def test_bad_url():
    with pytest.raises(DatabaseOpenError):
        open_database("nosuchdialect://host/db")


def test_a_case_opens_from_a_folder_with_hash_and_question_mark(tmp_path):
    from data.demo import generate
    from db.queries import list_cases, load_case

    folder = tmp_path / "dr #1? cases"
    engine = open_database(str(folder / "f.db"))
    generate(engine)
    pid = int(list_cases(engine)["id"].iloc[0])
    assert len(load_case(engine, pid).observations) > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dr #1? cases"]  # no stray file


def test_a_round_1_database_gets_patient_versions(tmp_path):
    from alembic import command

    from db.migrate import alembic_config

    path = tmp_path / "round1.db"
    engine = open_database(str(path), migrate=False)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO patient (pseudonym, diagnosis) VALUES ('OLD-1', 'FCAS2')")
    engine.dispose()
    engine = open_database(str(path))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pseudonym, diagnosis, version FROM patient").all() \
            == [("OLD-1", "FCAS2", 1)]
    engine.dispose()
