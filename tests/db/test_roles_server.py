"""On a server the database decides who may change what, and who a change is recorded as:
tested with real second logins on the throwaway cluster, as a department would set them
up (`db roles`, `db grant`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

import main
from data.importing.commit import READ_ONLY_REFUSED
from db.audit import verify
from db.engine import NO_ROLE_MESSAGE
from db.episodes import create_episode, mark_case_reviewed
from db.errors import DENIED_MESSAGE, is_denied
from db.identity import login
from db.models import AuditEvent, Episode
from db.patients import get_patient, patient_id
from db.roles import READ_ONLY, REVIEWER, access, members
from tests.backend import target

pytestmark = pytest.mark.pg_only

DAY = 86_400


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                conn.execute(select(func.count()).select_from(Episode)).scalar())


def _pid(engine) -> int:
    return int(patient_id(engine, "NLRP12-01"))


def test_each_login_is_told_what_it_may_do(demo_engine, server_login):
    reviewer = server_login(demo_engine, REVIEWER, "dr_martin")
    reader = server_login(demo_engine, READ_ONLY, "dr_viewer")
    a = access(reviewer)
    assert (a.login, a.can_write, a.role) == ("dr_martin", True, "reviewer")
    a = access(reader)
    assert (a.login, a.can_write, a.role) == ("dr_viewer", False, "read-only")
    assert access(demo_engine).role == "owner"  # the tests' superuser
    assert sorted(members(demo_engine)) == [("dr_martin", REVIEWER), ("dr_viewer", READ_ONLY)]


def test_a_read_only_login_reads_and_exports_but_the_server_refuses_its_changes(
        demo_engine, server_login, tmp_path, capsys):
    reader = server_login(demo_engine, READ_ONLY)
    pid = _pid(reader)
    before = _counts(demo_engine)
    assert get_patient(reader, pid)["pseudonym"] == "NLRP12-01"
    url = target(reader)
    assert main.main(["--db", url, "cases"]) == 0
    assert "NLRP12-01" in capsys.readouterr().out
    assert main.main(["--db", url, "export", "NLRP12-01", "-o", str(tmp_path / "r.pdf")]) == 0
    assert (tmp_path / "r.pdf").stat().st_size > 10_000

    for write in (lambda: create_episode(reader, pid, actor=login(reader), kind="relapse",
                                         onset=1_500_000_000),
                  lambda: mark_case_reviewed(reader, pid, login(reader), True, version=0)):
        # Refused at the write lock already, by the driver itself (no SQLAlchemy wrapper).
        with pytest.raises(Exception) as refused:  # noqa: B017 - is_denied says which
            write()
        assert is_denied(refused.value)
    capsys.readouterr()
    csv = tmp_path / "lab.csv"
    csv.write_text("patient,date,code,value,unit\nNLRP12-01,2026-01-05,CRP,3,mg/L\n")
    for argv, told in ((["import", str(csv)], READ_ONLY_REFUSED),
                       (["patients", "set", "NLRP12-01", "--diagnosis", "x"], DENIED_MESSAGE),
                       (["demo", "--reset", "--force"], DENIED_MESSAGE)):
        assert main.main(["--db", url, *argv]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"flarescope: {told}"]
    assert _counts(demo_engine) == before


def test_a_reviewer_login_annotates_under_its_own_name_and_nobody_elses(demo_engine,
                                                                       server_login):
    reviewer = server_login(demo_engine, REVIEWER, "dr_lefevre")
    pid = _pid(reviewer)
    row = create_episode(reviewer, pid, actor=login(reviewer), kind="flare",
                         onset=1_500_000_000)
    assert row["author"] == "dr_lefevre"
    review = mark_case_reviewed(reviewer, pid, login(reviewer), True, version=0)
    assert review["reviewed_by"] == "dr_lefevre"
    with demo_engine.connect() as conn:
        actors = conn.execute(select(AuditEvent.actor).order_by(AuditEvent.id.desc())
                              .limit(2)).scalars().all()
    assert actors == ["dr_lefevre", "dr_lefevre"]

    # A client that claims to be someone else is refused by the server itself.
    before = _counts(demo_engine)
    with pytest.raises(DBAPIError, match=r"author is the login that creates it \(dr_lefevre\)"):
        create_episode(reviewer, pid, actor="dr_martin", kind="flare", onset=1_500_000_000)
    assert _counts(demo_engine) == before
    # Nor can it wipe the department's cases: a demo reset is the owner's.
    with pytest.raises(DBAPIError) as refused:
        from data.demo import reset

        reset(reviewer, force=True)
    assert is_denied(refused.value)
    assert _counts(demo_engine) == before


def test_an_audit_time_from_the_clients_clock_is_refused(demo_engine, server_login,
                                                        monkeypatch):
    reviewer = server_login(demo_engine, REVIEWER)
    before = _counts(demo_engine)
    monkeypatch.setattr("db.audit.db_now", lambda conn: 946_684_800)  # a client's 2000-01-01
    monkeypatch.setattr("db.episodes.db_now", lambda conn: 946_684_800)
    with pytest.raises(DBAPIError, match="server's time"):
        create_episode(reviewer, _pid(reviewer), actor=login(reviewer), kind="flare",
                       onset=1_500_000_000)
    assert _counts(demo_engine) == before


def test_the_append_only_trail_holds_for_a_reviewer_granted_update_for_the_lock(
        demo_engine, server_login):
    reviewer = server_login(demo_engine, REVIEWER)
    for sql in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event",
                "TRUNCATE audit_event"):
        with pytest.raises(DBAPIError), reviewer.begin() as conn:
            conn.execute(text(sql))
    assert verify(demo_engine)[1] == []


def test_audit_verify_reports_the_identity_trigger_dropped(demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_event_from_server ON audit_event"))
    problems = [what for _rid, what in verify(demo_engine)[1]]
    assert "trigger audit_event_from_server is missing: the trail could be edited without " \
           "a trace" in problems


def test_db_grant_and_revoke_from_the_command_line(demo_engine, server_login, capsys):
    server_login(demo_engine, None, "dr_new")
    url = target(demo_engine)
    assert main.main(["--db", url, "db", "roles"]) == 0
    out = capsys.readouterr().out
    assert "no login has a role yet" in out
    assert main.main(["--db", url, "db", "grant", "dr_new", "--read-only"]) == 0
    assert "dr_new is now read-only" in capsys.readouterr().out
    assert main.main(["--db", url, "db", "grant", "dr_new", "--reviewer"]) == 0
    assert main.main(["--db", url, "db", "roles"]) == 0
    assert "dr_new\treviewer" in capsys.readouterr().out
    assert members(demo_engine) == [("dr_new", REVIEWER)]  # moved, not in both

    assert main.main(["--db", url, "db", "grant", "nobody_here", "--reviewer"]) == 1
    assert capsys.readouterr().err.strip() == (
        "flarescope: there is no login 'nobody_here' on this server: create it first "
        "(e.g. CREATE ROLE \"nobody_here\" LOGIN PASSWORD '…' in psql)")

    # A reviewer cannot hand out roles.
    reviewer_url = demo_engine.url.set(username="dr_new").render_as_string(hide_password=False)
    assert main.main(["--db", reviewer_url, "db", "grant", "dr_new", "--read-only"]) == 1
    assert capsys.readouterr().err.strip() == (
        "flarescope: dr_new may not create the roles here: run this as the database's owner "
        "with the CREATEROLE attribute, or as a superuser; nothing was changed")

    assert main.main(["--db", url, "db", "revoke", "dr_new"]) == 0
    assert members(demo_engine) == []
    # Without a role it can no longer connect: the database's CONNECT is the roles'.
    assert main.main(["--db", reviewer_url, "cases"]) == 1
    assert capsys.readouterr().err.strip().endswith(f": {NO_ROLE_MESSAGE}")


def test_db_upgrade_grants_the_roles_again(demo_engine, capsys):
    from db.roles import create_roles

    groups = create_roles(demo_engine)
    assert main.main(["--db", target(demo_engine), "db", "upgrade"]) == 0
    assert f"roles {groups[REVIEWER]}, {groups[READ_ONLY]} granted" in capsys.readouterr().out


def test_a_login_without_a_role_is_told_so_in_one_line(demo_engine, server_login, capsys):
    """Before `db roles` every login may connect but reads nothing: the same line."""
    name = server_login(demo_engine, None)
    url = demo_engine.url.set(username=name).render_as_string(hide_password=False)
    assert main.main(["--db", url, "cases"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("flarescope: ") and err.endswith(f": {NO_ROLE_MESSAGE}")
    assert "\n" not in err


def test_db_upgrade_by_a_reviewer_says_who_may_run_it(demo_engine, server_login, capsys):
    from alembic import command

    from db.migrate import alembic_config
    from db.schema_version import HEAD_REVISION

    reviewer = server_login(demo_engine, REVIEWER, "dr_upgrader")
    command.downgrade(alembic_config(demo_engine), "a4_suggest")
    owner = login(demo_engine)
    assert main.main(["--db", target(reviewer), "db", "upgrade"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        ": dr_upgrader may not change this database's schema: `python main.py db upgrade` "
        f"is run by its owner ({owner}) or a superuser; nothing was changed")
    assert "\n" not in err
    with demo_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            "a4_suggest"
    assert main.main(["--db", target(demo_engine), "db", "upgrade"]) == 0
    assert f"upgraded to {HEAD_REVISION}" in capsys.readouterr().out
