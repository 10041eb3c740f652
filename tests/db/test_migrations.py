
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


@pytest.mark.sqlite_only  # SQLite's PRAGMAs
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


def test_a2_audit_chain_upgrades_a_round_1_database(tmp_path):
    """Existing rows are chained in id order, values outside the vocabularies repaired with
    an audit row each, episode ids of deleted episodes stay retired, triggers installed."""
    from alembic import command
    from sqlalchemy import text

    from db.audit import verify
    from db.episodes import create_episode
    from db.migrate import alembic_config

    path = tmp_path / "round1.db"
    engine = open_database(str(path), migrate=False)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO patient (id, pseudonym) VALUES (1, 'P-01')"))
        conn.execute(text(
            "INSERT INTO episode (id, patient_id, kind, onset, note, author, created, updated,"
            " version, status, origin) VALUES (1, 1, 'relapse', 0, '', 'a', 0, 0, 1, "
            "'acepted', 'reviewer'), (2, 1, 'Flare', 0, '', 'a', 0, 0, 1, 'accepted', "
            "'reviewer')"))
        for eid in (1, 2, 7):  # episode 7 was created and deleted in round 1
            conn.execute(text("INSERT INTO audit_event (at, actor, entity, entity_id, "
                              "patient_id, action) VALUES (0, 'a', 'episode', :e, 1, "
                              "'create')"), {"e": eid})
    engine.dispose()

    engine = open_database(str(path))
    try:
        assert current_revision(engine) == HEAD_REVISION
        n, problems = verify(engine)
        assert (n, problems) == (5, [])  # 3 old rows chained + 2 repairs
        with engine.connect() as conn:
            stored = dict(conn.execute(text(
                "SELECT id, status || '/' || kind FROM episode")).all())
            repairs = conn.execute(text("SELECT entity_id, before, after FROM audit_event "
                                        "WHERE id > 3 ORDER BY id")).all()
        assert stored == {1: "suggested/relapse", 2: "accepted/flare"}
        assert [(r[0], r[1]) for r in repairs] == [(1, '{"status": "acepted"}'),
                                                    (2, '{"kind": "Flare"}')]
        assert create_episode(engine, 1, actor="a", kind="note", onset=0)["id"] == 8
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
        with engine.connect() as conn:
            fks = conn.exec_driver_sql("PRAGMA foreign_key_list(episode)").fetchall()
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(episode)")}
        assert [fk[2] for fk in fks] == ["patient"] and "ix_episode_patient" in indexes
    finally:
        engine.dispose()


def test_typed_values_source_goes_back_down_beside_a_file_of_its_old_name(tmp_path):
    """a15_guards renamed the typed values' source; a file named as the old one imported
    since then must not stop a downgrade (its name is unique)."""
    from alembic import command
    from sqlalchemy import text

    from db.migrate import alembic_config
    from db.migrations.versions.a13_guards import TYPED_SOURCE as WAS
    from db.typed_measures import TYPED_SOURCE

    engine = open_database(str(tmp_path / "f.db"))
    with engine.begin() as conn:
        for name in (WAS, TYPED_SOURCE):
            conn.execute(text("INSERT INTO source (name) VALUES (:n)"), {"n": name})
    command.downgrade(alembic_config(engine), "a14_guards")
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT name FROM source")).scalars()) == [
            WAS, TYPED_SOURCE]
    engine.dispose()
