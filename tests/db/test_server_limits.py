"""What a login may use up on a department server: temporary files, large objects, the
notification channel (second attacker review, item 4), a table held locked (item 5). Real logins on the throwaway
cluster; `db roles` run both as a superuser and as a database owner who is not one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

import main
from db.roles import READ_ONLY, REVIEWER, SESSION_LIMITS
from tests.backend import target

pytestmark = pytest.mark.pg_only


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_every_login_is_held_to_the_temp_file_limit_and_cannot_lift_it(demo_engine,
                                                                       server_login):
    assert main.main(["--db", target(demo_engine), "db", "roles"]) == 0
    for role in (REVIEWER, READ_ONLY):
        raw = server_login(demo_engine, role)
        assert _one(raw, "SHOW temp_file_limit") == SESSION_LIMITS["temp_file_limit"]
        with pytest.raises(DBAPIError) as refused, raw.connect() as conn:
            conn.execute(text("SET temp_file_limit = -1"))
        assert refused.value.orig.sqlstate == "42501"  # only a superuser changes it


def test_no_login_creates_large_objects(demo_engine, server_login, capsys):
    assert main.main(["--db", target(demo_engine), "db", "roles"]) == 0
    assert "a superuser must still run" not in capsys.readouterr().out
    raw = server_login(demo_engine, REVIEWER)
    for sql in ("SELECT lo_from_bytea(0, 'x')", "SELECT lo_create(0)", "SELECT lo_creat(-1)"):
        with pytest.raises(DBAPIError) as refused, raw.begin() as conn:
            conn.execute(text(sql))
        assert refused.value.orig.sqlstate == "42501"
    assert _one(demo_engine, "SELECT count(*) FROM pg_largeobject_metadata") == 0


def test_an_owner_who_is_no_superuser_is_given_the_superusers_commands(pg_server, server_login,
                                                                       capsys):
    """The owner (CREATEROLE, no superuser) can neither set a login's temp_file_limit nor
    revoke the large-object functions: `db roles` and `db grant` print the SQL for a
    superuser, which then leaves nothing to print."""
    owner = server_login(None, None, "dept_admin")
    url = pg_server.clone()
    try:
        pg_server.admin.execute(f'ALTER ROLE "{owner}" CREATEROLE')
        database = make_url(url).database
        pg_server.admin.execute(f'ALTER DATABASE "{database}" OWNER TO "{owner}"')
        as_owner = make_url(url).set(username=owner).render_as_string(hide_password=False)
        assert main.main(["--db", as_owner, "db", "upgrade"]) == 0
        reviewer = server_login(None, None)
        assert main.main(["--db", as_owner, "db", "grant", reviewer, "--reviewer"]) == 0
        out = capsys.readouterr().out
        assert "a superuser must still run, in this database (psql)" in out
        commands = [line.strip() for line in out.splitlines() if line.startswith("  ")]
        assert commands == [
            f"ALTER ROLE \"{reviewer}\" IN DATABASE \"{database}\" SET temp_file_limit = "
            "'2GB';",
            "REVOKE EXECUTE ON FUNCTION pg_catalog.lo_create(oid), pg_catalog.lo_creat("
            "integer), pg_catalog.lo_import(text), pg_catalog.lo_import(text, oid), "
            "pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_put(oid, bigint, bytea), "
            "pg_catalog.lowrite(integer, bytea) FROM PUBLIC;"]
        _as_superuser(url, commands)
        assert main.main(["--db", as_owner, "db", "roles"]) == 0
        assert "a superuser must still run" not in capsys.readouterr().out
    finally:
        pg_server.drop(url)


def _as_superuser(url: str, commands: list[str]) -> None:
    """What the DBA runs in psql, in that database."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in commands:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_a_table_locked_by_a_login_fails_a_read_in_one_line_not_a_hang(demo_engine,
                                                                       server_login):
    """LOCK TABLE … ACCESS EXCLUSIVE by a reviewer's psql held every reader for ever; the
    program's sessions give up after lock_timeout and say who holds it (item 5)."""
    assert main.main(["--db", target(demo_engine), "db", "roles"]) == 0
    raw = server_login(demo_engine, REVIEWER, "dr_locks")
    # A psql session of that login starts with the role's defaults; the program's own
    # sessions set theirs (db.engine).
    plain = create_engine(target(raw))
    try:
        assert (_one(plain, "SHOW lock_timeout"),
                _one(plain, "SHOW idle_in_transaction_session_timeout")) == ("5s", "5min")
    finally:
        plain.dispose()
    assert _one(demo_engine, "SHOW idle_in_transaction_session_timeout") == "5min"
    with raw.connect() as holder:
        holder.execute(text("LOCK TABLE episode IN ACCESS EXCLUSIVE MODE"))
        done = subprocess.run([sys.executable, "main.py", "--db", target(demo_engine), "cases"],
                              capture_output=True, text=True, timeout=120,
                              cwd=Path(main.__file__).parent)
        holder.rollback()
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "flarescope: the server is busy: a table is locked by dr_locks (episode); nothing "
        "was read or changed, try again (whoever looks after the server can end that "
        "session)")


def test_a_login_holding_the_write_lock_is_named_to_a_writer(demo_engine, server_login):
    """A psql session holding the write lock made every writer say only "another
    Flarescope is writing" (third attacker review); the writer names the login, as a
    reader held back does."""
    from psycopg.errors import LockNotAvailable

    from db.episodes import create_episode
    from db.errors import WRITING_MESSAGE, user_line
    from db.patients import patient_id

    raw = server_login(demo_engine, REVIEWER, "dr_holds_the_lock")
    pid = int(patient_id(demo_engine, "NLRP12-01"))
    with raw.connect() as holder:
        holder.execute(text("LOCK TABLE audit_event IN EXCLUSIVE MODE"))
        # The write lock is the driver's own statement (db.engine.take_write_lock).
        with pytest.raises(LockNotAvailable) as busy:
            create_episode(demo_engine, pid, actor="owner", kind="flare", onset=1_500_000_000)
        holder.rollback()
    assert user_line(busy.value) == WRITING_MESSAGE.format("dr_holds_the_lock")


def test_a_read_only_login_is_told_it_cannot_import_even_as_a_dry_run(demo_engine,
                                                                     server_login, tmp_path,
                                                                     capsys):
    """A read-only login's dry run was refused as "the server refused the change", though
    a dry run is to change nothing (third attacker review)."""
    reader = server_login(demo_engine, READ_ONLY)
    lab = tmp_path / "lab.csv"
    lab.write_text("patient,date,code,value,unit\nNLRP12-01,2026-01-05,CRP,3,mg/L\n")
    assert main.main(["--db", target(reader), "import", "--dry-run", str(lab)]) == 1
    assert capsys.readouterr().err == (
        "flarescope: a read-only login cannot import, even as a dry run (ask whoever looks "
        "after the server for the reviewer role); nothing was changed\n")
