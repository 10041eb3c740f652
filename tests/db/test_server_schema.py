"""A server database's schema changes only by `db upgrade`: opening it never migrates it
nor fills it with the demo cohort, and a schema that is missing or old gets one line
naming the command. (A SQLite file upgrading itself on open: test_migrations.py.)"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from db.engine import SchemaNotReadyError, open_database
from db.schema_version import HEAD_REVISION
from main import main

pytestmark = pytest.mark.pg_only


@pytest.fixture
def empty_server(pg_server):
    url = pg_server.clone()
    yield url
    pg_server.drop(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_an_empty_server_database_is_refused_and_left_empty(empty_server, tmp_path, capsys):
    lab = tmp_path / "lab.csv"
    lab.write_text("patient,date,code,value,unit\nP-01,2024-01-05,CRP,12,mg/L\n")
    for command in (["cases"], ["import", str(lab)], ["audit", "verify"]):
        assert main(["--db", empty_server, *command]) == 1
        err = _one_line(capsys.readouterr().err)
        assert "no Flarescope tables yet" in err and "python main.py db upgrade" in err
    assert main(["--db", empty_server]) == 2  # the window does not open either
    err = _one_line(capsys.readouterr().err)
    assert "python main.py db upgrade" in err
    assert _tables(empty_server) == set()


def test_db_upgrade_creates_the_schema_and_no_demo_cohort(empty_server, capsys):
    assert main(["--db", empty_server, "db", "upgrade"]) == 0
    assert f"upgraded to {HEAD_REVISION}" in capsys.readouterr().out
    assert {"patient", "episode", "audit_event", "alembic_version"} <= _tables(empty_server)
    assert main(["--db", empty_server, "cases"]) == 0
    out, err = capsys.readouterr()
    assert "demo" not in err and "NLRP12" not in out
    assert main(["--db", empty_server, "db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_an_older_schema_is_refused_until_db_upgrade(empty_server, capsys, monkeypatch):
    from alembic import command

    from db.migrate import alembic_config

    engine = open_database(empty_server, migrate=False)
    command.upgrade(alembic_config(engine), "a2_audit_chain")
    engine.dispose()
    with pytest.raises(SchemaNotReadyError, match="older Flarescope schema .a2_audit_chain."):
        open_database(empty_server)
    monkeypatch.setenv("FLARESCOPE_DB", empty_server)
    assert main(["cases"]) == 1
    assert "python main.py db upgrade" in _one_line(capsys.readouterr().err)
    assert main(["db", "upgrade"]) == 0
    assert "schema a2_audit_chain upgraded to" in capsys.readouterr().out
    open_database(empty_server).dispose()


def test_the_refusal_never_shows_the_password(empty_server, capsys):
    with_password = empty_server.replace("flarescope@", "flarescope:s3cret@")
    assert main(["--db", with_password, "cases"]) == 1
    err = _one_line(capsys.readouterr().err)
    assert "s3cret" not in err and "db upgrade" in err


def test_a_failed_upgrade_leaves_the_server_database_as_it_was(empty_server, capsys,
                                                               monkeypatch):
    """Every migration step in one transaction: PostgreSQL undoes the tables made before
    the failing step, as SQLite does."""
    from alembic.operations import Operations

    create_table = Operations.create_table
    made = []

    def second_table_fails(self, name, *columns, **kw):
        if made:
            raise RuntimeError("disk went away")
        made.append(name)
        return create_table(self, name, *columns, **kw)

    monkeypatch.setattr(Operations, "create_table", second_table_fails)
    assert main(["--db", empty_server, "db", "upgrade"]) == 1
    err = _one_line(capsys.readouterr().err)
    assert "could not be brought up to date" in err and "nothing was changed" in err
    assert made and _tables(empty_server) == set()
    monkeypatch.undo()
    assert main(["--db", empty_server, "db", "upgrade"]) == 0
