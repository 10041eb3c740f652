"""A reviewer login with raw SQL (psql) changes no more than the program would: the server
refuses another person's name, an edited measurement, dose or control mean, a reopened
decision, a forged audit row (the a5_guards migration and the column grants of
db/roles.py). Tested with real second logins on the throwaway cluster; the program's own
changes through the same login keep working."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

import main
from db import suggestions as store
from db.audit import (
    GENESIS,
    audited_transaction,
    db_now,
    lock_chain,
    record,
    row_hash,
    verify,
)
from db.controls import change_references, references
from db.episodes import (
    create_episode,
    delete_episode,
    mark_case_reviewed,
    restore_episode,
    update_episode,
)
from db.errors import DENIED_MESSAGE, UserFacingError, user_line
from db.identity import login
from db.models import AuditEvent
from db.patients import get_patient, patient_id, update_patient
from db.roles import REVIEWER
from tests.backend import target
from tests.db.test_suggestions_db import found

pytestmark = pytest.mark.pg_only


def _pid(engine) -> int:
    return int(patient_id(engine, "NLRP12-01"))


def _refused(engine, sql: str, **params) -> str:
    """Run raw SQL as that login; the one line the program shows for the refusal."""
    with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
        conn.execute(text(sql), params)
    line = user_line(refused.value)
    assert line is not None and "\n" not in line
    return line


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


NOW = "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"
PATIENTS = ("pseudonym;diagnosis;sex;birth_year;name;weight;weight_date\n"
            "NLRP12-01;NLRP12-AID, confirmed;;;;;\n"
            "FR-21;CAPS;M;1990;Jean Martin;70;02/02/2026\n")


def test_a_reviewer_cannot_write_another_persons_name(demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER, "dr_mallory")
    server_login(demo_engine, REVIEWER, "dr_martin")
    pid = _pid(raw)

    line = _refused(raw, f"UPDATE patient SET reviewed_by = 'dr_martin', reviewed_at = {NOW} "
                         "WHERE id = :pid", pid=pid)
    assert line == ("the server refused the change: a case is marked reviewed by the login "
                    "that reviews it (dr_mallory), at the server's time, or put back by an "
                    "undo of the login that withdrew it; nothing was changed")
    assert "refused" in _refused(raw, "UPDATE patient SET reviewed_by = 'dr_mallory', "
                                      "reviewed_at = 946684800 WHERE id = :pid", pid=pid)
    line = _refused(raw, "INSERT INTO episode (patient_id, kind, onset, note, author, created, "
                         f"updated, version, status, origin) VALUES (:pid, 'flare', 0, '', "
                         f"'dr_martin', {NOW}, {NOW}, 1, 'accepted', 'reviewer')", pid=pid)
    assert "an episode's author is the login that creates it (dr_mallory)" in line
    episode = create_episode(raw, pid, actor=login(raw), kind="flare", onset=1_500_000_000)
    # An episode's author, creation and case are no column a reviewer may update.
    assert _refused(raw, "UPDATE episode SET author = 'dr_martin' WHERE id = :e",
                    e=episode["id"]) == DENIED_MESSAGE
    line = _refused(raw, "INSERT INTO control_reference_set (lab, action, created_at, "
                         f"created_by) VALUES ('x', 'add', {NOW}, 'dr_martin')")
    assert "a control reference change names the login that makes it (dr_mallory)" in line
    assert _one(demo_engine, "SELECT count(*) FROM patient WHERE reviewed_by = 'dr_martin'") == 0
    assert _one(demo_engine, "SELECT count(*) FROM episode WHERE author = 'dr_martin'") == 0
    assert verify(demo_engine)[1] == []


def test_a_reviewer_cannot_edit_measurements_doses_or_control_means(demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER)
    pid = _pid(raw)
    crp = ("SELECT o.id FROM observation o JOIN series s ON s.id = o.series_id "
           "WHERE s.patient_id = :pid AND s.code = 'CRP' ORDER BY o.t LIMIT 1")
    oid = _one(raw, crp, pid=pid)
    value = _one(raw, "SELECT value FROM observation WHERE id = :o", o=oid)
    for sql in ("UPDATE observation SET value = value * 10 WHERE id = :o",
                "DELETE FROM observation WHERE id = :o"):
        assert "a measurement is not changed or deleted" in _refused(raw, sql, o=oid)
    assert _refused(raw, "UPDATE observation SET t = t + 86400 WHERE id = :o",
                    o=oid) == DENIED_MESSAGE
    assert _one(raw, "SELECT value FROM observation WHERE id = :o", o=oid) == value

    assert _refused(raw, "UPDATE medication SET dose = dose * 2") == DENIED_MESSAGE
    assert _refused(raw, "DELETE FROM medication") == DENIED_MESSAGE
    line = _refused(raw, "UPDATE medication SET \"end\" = start WHERE \"end\" IS NOT NULL")
    assert "a dose period that has ended is not changed" in line

    assert _refused(raw, "UPDATE control_reference SET mean = mean * 3") == DENIED_MESSAGE
    old_set = _one(raw, "SELECT min(id) FROM control_reference_set")
    line = _refused(raw, "UPDATE control_reference SET retired_set_id = :s "
                         "WHERE retired_set_id IS NULL", s=old_set)
    assert "only by a new set of references" in line
    line = _refused(raw, "INSERT INTO control_reference (set_id, code, specimen, unit, mean) "
                         "VALUES (:s, 'IL6', 'forged', 'pg/mL', 1)", s=old_set)
    assert "only by a new set of references" in line
    assert verify(demo_engine)[1] == []


def test_a_decided_suggestion_is_reopened_only_by_an_undo_of_its_decider(demo_engine,
                                                                        server_login):
    decider = server_login(demo_engine, REVIEWER, "dr_decides")
    other = server_login(demo_engine, REVIEWER, "dr_other")
    pid = _pid(decider)
    store.store_suggestions(decider, pid, [found()], actor=login(decider))
    [row] = store.load_suggestions(decider, pid).to_dict("records")
    rejected = store.reject_suggestion(decider, row["id"], row["version"],
                                       actor=login(decider), reason="not a relapse")
    for sql, why in (("UPDATE suggestion SET state = 'open', reason = NULL WHERE id = :s",
                      "a decided suggestion is reopened only by an undo of whoever decided it"),
                     ("UPDATE suggestion SET state = 'accepted' WHERE id = :s",
                      "a decided suggestion is reopened only by an undo of whoever decided it"),
                     ("DELETE FROM suggestion WHERE id = :s",
                      "a decided suggestion is not deleted")):
        assert why in _refused(other, sql, s=row["id"])
    with pytest.raises(DBAPIError) as refused:
        store.reopen_suggestion(other, row["id"], rejected["version"], actor=login(other))
    assert "reopened only by an undo" in user_line(refused.value)
    # The decider's undo, as the window does it.
    reopened, _ = store.reopen_suggestion(decider, row["id"], rejected["version"],
                                          actor=login(decider), step="undo")
    assert reopened["state"] == "open"
    accepted, episode = store.accept_suggestion(decider, row["id"], reopened["version"],
                                                actor=login(decider))
    back, deleted = store.reopen_suggestion(decider, row["id"], accepted["version"],
                                            actor=login(decider),
                                            episode_version=episode["version"], step="undo")
    assert back["state"] == "open" and deleted["id"] == episode["id"]
    assert verify(demo_engine)[1] == []


def test_a_forged_audit_row_is_refused_and_verify_stays_clean(demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER, "dr_forger")
    with raw.connect() as conn:
        newest = conn.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")
                              ).scalar() or GENESIS
    insert = ('INSERT INTO audit_event (at, actor, entity, entity_id, patient_id, action, '
              f'"before", "after", prev_hash, hash) VALUES ({NOW}, :actor, \'database\', '
              'NULL, NULL, \'note\', NULL, :after, :prev, :hash)')
    forged = dict(actor="dr_forger", after='{"x": 1}', prev=newest, hash="f" * 64)
    line = _refused(raw, insert, **forged)
    assert line == ("the server refused the change: an audit row follows the newest one and "
                    "carries its own hash: this one does not; nothing was changed")
    assert "follows the newest one" in _refused(raw, insert, **forged | {"prev": GENESIS})
    assert "before and after are JSON" in _refused(raw, insert, **forged | {"after": "{x"})
    assert verify(demo_engine)[1] == []

    # The program's own rows go through, whatever their text holds: the server encodes a
    # row as db.audit does, quotes, control characters and all.
    with audited_transaction(raw) as conn:
        values = record(conn, actor=login(conn), entity="import", entity_id=None,
                        patient_id=None, action='n"é\\😀\u2028\u00a0', before=None,
                        after={"note": 'a "quoted"\n\ttab\\ é 😀 \u0001 \u2028'})
    assert values["hash"] == row_hash(values["prev_hash"], values)
    assert verify(demo_engine)[1] == []


def test_what_the_window_does_still_works_for_a_reviewer(demo_engine, server_login, tmp_path,
                                                         capsys):
    """Every change the program makes, through a reviewer login, with the guards on."""
    first = server_login(demo_engine, REVIEWER, "dr_first")
    second = server_login(demo_engine, REVIEWER, "dr_second")
    pid = _pid(first)
    me = login(second)
    # An episode by one reviewer edited, deleted and put back (undo) by another: the
    # author stays the one who created it.
    episode = create_episode(first, pid, actor=login(first), kind="flare", onset=1_500_000_000)
    episode = update_episode(second, episode["id"], episode["version"], actor=me,
                             note="seen", severity="mild")
    deleted = delete_episode(second, episode["id"], episode["version"], actor=me)
    assert restore_episode(second, deleted, actor=me, step="undo")["author"] == "dr_first"
    # A review withdrawn by another and put back by their undo, under the first's name.
    review = mark_case_reviewed(first, pid, login(first), True, version=0)
    gone = mark_case_reviewed(second, pid, me, False, version=review["review_version"])
    back = mark_case_reviewed(second, pid, "dr_first", True, version=gone["review_version"],
                              at=review["reviewed_at"], actor=me, step="undo")
    assert back["reviewed_by"] == "dr_first"
    # Patient details and a typed weight.
    patient = get_patient(second, pid)
    update_patient(second, pid, patient["version"], actor=me, diagnosis="NLRP12-AID",
                   weights={"2024-01-02": 61.5})
    patient = get_patient(second, pid)
    update_patient(second, pid, patient["version"], actor=me, weights={"2024-01-02": None})
    # A control reference edited: the old row retired, its successor added, in a new set.
    with audited_transaction(second) as conn:
        old = references(conn).iloc[0].to_dict()
        row = {k: old[k] for k in ("code", "specimen", "unit")} | {"n": 20, "mean": 2.5,
                                                                   "sd": 0.5}
        assert change_references(conn, add=[row], retire=[int(old["id"])], lab="Lab",
                                 action="edit", actor=me) is not None
    # An import of a lab file, and of a patient file that updates a case and adds one.
    csv = tmp_path / "lab.csv"
    csv.write_text("patient,date,code,value,unit\nNLRP12-01,2026-01-05,CRP,3,mg/L\n")
    assert main.main(["--db", target(second), "import", str(csv)]) == 0, \
        capsys.readouterr().err
    doses = tmp_path / "given.csv"
    doses.write_text("patient,date,drug,dose\nNLRP12-01,2026-01-05T08:10,anakinra,100\n")
    assert main.main(["--db", target(second), "import", str(doses)]) == 0, \
        capsys.readouterr().err
    patients = tmp_path / "patients.csv"
    patients.write_text(PATIENTS, encoding="utf-8")
    assert main.main(["--db", target(second), "patients", "import", str(patients)]) == 0, \
        capsys.readouterr().err
    assert "1 patient created: FR-21" in capsys.readouterr().out
    assert verify(demo_engine)[1] == []


def test_a_reviewer_adds_nothing_without_its_audit_row(demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER, "dr_quiet")
    pid = _pid(raw)
    series = _one(raw, "SELECT id FROM series WHERE patient_id = :pid AND code = 'CRP'",
                  pid=pid)
    before = _one(demo_engine, "SELECT count(*) FROM observation")
    silent = [
        ("INSERT INTO observation (series_id, t, value, censor) VALUES (:s, 86400, 250, 0)",
         {"s": series}),
        ("INSERT INTO medication (patient_id, drug, dose, unit, start) VALUES "
         "(:pid, 'anakinra', 300, 'mg', DATE '2001-01-01')", {"pid": pid}),
        ("INSERT INTO patient (pseudonym, version, review_version) VALUES ('GHOST-1', 1, 0)",
         {}),
        (f"INSERT INTO control_reference_set (lab, action, created_at, created_by) VALUES "
         f"('x', 'add', {NOW}, 'dr_quiet')", {}),
        # a5_doses came after the list a5_guards made (a7_admin_audit)
        ("INSERT INTO administration (patient_id, drug, t, dose, unit) VALUES "
         "(:pid, 'anakinra', 86400, 300, 'mg')", {"pid": pid}),
    ]
    for sql, params in silent:
        assert _refused(raw, sql, **params).startswith(
            "the server refused the change: a change is saved together with an audit row "
            "about what it changed: this one has none (")
    assert _one(demo_engine, "SELECT count(*) FROM observation") == before
    assert _one(demo_engine, "SELECT count(*) FROM audit_due") == 0
    assert _one(demo_engine, "SELECT count(*) FROM audit_owed") == 0

    # With an audit row of its own (its login, the server's time) the change is not
    # silent: the trail says who added it.
    with audited_transaction(raw) as conn:
        conn.execute(text(silent[0][0]), silent[0][1])
        record(conn, actor=login(conn), entity="import", entity_id=None, patient_id=pid,
               action="import", before=None, after={"observations_added": 1})
    assert _one(demo_engine, "SELECT count(*) FROM observation") == before + 1
    assert verify(demo_engine)[1] == []


def _with_audit_row_about(engine, entity: str, entity_id: int | None, pid: int | None,
                          sql: str, **params) -> str:
    """Raw SQL and an audit row of the login's own in one transaction; the refusal."""
    with pytest.raises(DBAPIError) as refused, audited_transaction(engine) as conn:
        record(conn, actor=login(conn), entity=entity, entity_id=entity_id,
               patient_id=pid, action="update", before=None, after={"note": "x"})
        conn.execute(text(sql), params)
    line = user_line(refused.value)
    assert line is not None and "\n" not in line
    return line


def test_an_audit_row_accounts_only_for_the_row_it_names(demo_engine, server_login):
    """Any audit row of the transaction used to let every change in it through: an edit of
    a colleague's episode passed under a row about one's own (second attacker review)."""
    colleague = server_login(demo_engine, REVIEWER, "dr_colleague")
    raw = server_login(demo_engine, REVIEWER, "dr_silent")
    pid = _pid(raw)
    other_pid = int(patient_id(demo_engine, "CAPS-01"))
    theirs = create_episode(colleague, pid, actor=login(colleague), kind="flare",
                            onset=1_500_000_000)
    mine = create_episode(raw, pid, actor=login(raw), kind="flare", onset=1_600_000_000)
    line = _with_audit_row_about(
        raw, "episode", mine["id"], pid,
        "UPDATE episode SET note = 'not a flare', version = version + 1 WHERE id = :e",
        e=theirs["id"])
    assert line == ("the server refused the change: a change is saved together with an "
                    "audit row about what it changed: this one has none (episode "
                    f"#{theirs['id']}); nothing was changed")
    assert f"(episode #{theirs['id']})" in _with_audit_row_about(
        raw, "episode", mine["id"], pid, "DELETE FROM episode WHERE id = :e", e=theirs["id"])
    # A measurement added to one case under an import row naming another case.
    series = _one(raw, "SELECT id FROM series WHERE patient_id = :pid AND code = 'CRP'",
                  pid=pid)
    line = _with_audit_row_about(
        raw, "import", None, other_pid,
        "INSERT INTO observation (series_id, t, value, censor) VALUES (:s, 86400, 250, 0)",
        s=series)
    assert f"(observation of case #{pid})" in line
    # A colleague's case marked reviewed-changed under a row about another case.
    assert f"(patient of case #{pid})" in _with_audit_row_about(
        raw, "patient", other_pid, other_pid,
        "UPDATE patient SET diagnosis = 'none', version = version + 1 WHERE id = :p", p=pid)
    assert _one(demo_engine, "SELECT note FROM episode WHERE id = :e", e=theirs["id"]) == ""
    assert _one(demo_engine, "SELECT count(*) FROM observation WHERE series_id = :s AND "
                "t = 86400", s=series) == 0
    # Named rightly, the same changes go through: the trail says who made them.
    with audited_transaction(raw) as conn:
        record(conn, actor=login(conn), entity="episode", entity_id=theirs["id"],
               patient_id=pid, action="update", before=None, after={"note": "seen"})
        conn.execute(text("UPDATE episode SET note = 'seen', version = version + 1 "
                          "WHERE id = :e"), {"e": theirs["id"]})
    assert _one(demo_engine, "SELECT note FROM episode WHERE id = :e", e=theirs["id"]) == "seen"
    assert _one(demo_engine, "SELECT count(*) FROM audit_owed") == 0
    assert _one(demo_engine, "SELECT count(*) FROM audit_said") == 0


def test_an_audit_row_naming_someone_else_is_refused_in_one_line(demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER, "dr_claims")
    with pytest.raises(DBAPIError) as refused, audited_transaction(raw) as conn:
        record(conn, actor="dr_martin", entity="database", entity_id=None, patient_id=None,
               action="note", before=None, after=None)
    assert user_line(refused.value) == (
        "the server refused the change: an audit row names the login that writes it "
        "(dr_claims) and the server's time; nothing was changed")


def test_the_guards_come_and_go_with_their_migration(demo_engine):
    from alembic import command

    from db.migrate import alembic_config

    command.downgrade(alembic_config(demo_engine), "a4_suggest")
    found = {what for _rid, what in verify(demo_engine)[1]}
    assert "trigger episode_author_is_login is missing: a reviewer login could change what " \
           "only the program changes, unseen" in found
    assert _one(demo_engine, "SELECT to_regclass('audit_due')") is None
    command.upgrade(alembic_config(demo_engine), "head")
    assert verify(demo_engine)[1] == []


@contextmanager
def _temporary_tables_lent(engine, name: str):
    """As on a server whose roles were granted before `db roles` took them away: the
    guards must hold by their own search path alone."""
    with engine.begin() as conn:
        db = conn.execute(text("SELECT current_database()")).scalar()
    with engine.begin() as conn:
        conn.execute(text(f'GRANT TEMPORARY ON DATABASE "{db}" TO "{name}"'))
    try:
        yield
    finally:  # the login is dropped after the test, which its privileges would stop
        with engine.begin() as conn:
            conn.execute(text(f'REVOKE TEMPORARY ON DATABASE "{db}" FROM "{name}"'))


def test_a_temporary_table_cannot_stand_in_for_the_trail(demo_engine, server_login):
    """A session's temporary tables come first in its search path: one named audit_event
    (owned by the reviewer) must not make the guards take the reviewer for the owner, nor
    lend them a forged history."""
    raw = server_login(demo_engine, REVIEWER, "dr_shadow")
    server_login(demo_engine, REVIEWER, "dr_martin")
    pid = _pid(raw)
    with _temporary_tables_lent(demo_engine, "dr_shadow"):  # `db roles` takes them
        with pytest.raises(DBAPIError) as refused, raw.begin() as conn:
            conn.execute(text("CREATE TEMP TABLE audit_event (id int, hash text, entity text, "
                              "entity_id int, action text, actor text, \"after\" text)"))
            conn.execute(text(f"UPDATE patient SET reviewed_by = 'dr_martin', reviewed_at = {NOW} "
                              "WHERE id = :pid"), {"pid": pid})
        assert "marked reviewed by the login that reviews it" in user_line(refused.value)
        with pytest.raises(DBAPIError) as refused, raw.begin() as conn:
            conn.execute(text("CREATE TEMP TABLE audit_due (xid bigint)"))
            conn.execute(text("INSERT INTO medication (patient_id, drug, dose, unit, start) "
                              "VALUES (:pid, 'anakinra', 300, 'mg', DATE '2001-01-01')"),
                         {"pid": pid})
        assert "has none" in user_line(refused.value)
    assert _one(demo_engine, "SELECT count(*) FROM patient WHERE reviewed_by = 'dr_martin'") == 0


def test_a_reviewer_cannot_borrow_the_owners_rights_through_a_temporary_table(demo_engine,
                                                                            server_login):
    """The attack on 1c0e5cf: a temporary audit_due open to all, with a trigger of the
    reviewer's, which the owner's SECURITY DEFINER function would fill, running the
    trigger as the owner. The guards keep their own path; and no login of the database's
    roles makes temporary tables at all."""
    raw = server_login(demo_engine, REVIEWER, "dr_alice")
    pid = _pid(raw)
    owner = _one(demo_engine, "SELECT relowner::regrole::text FROM pg_class "
                              "WHERE oid = 'audit_event'::regclass")
    attempt = [
        "CREATE TEMP TABLE audit_due (xid bigint PRIMARY KEY)",
        "GRANT ALL ON pg_temp.audit_due TO PUBLIC",
        "CREATE FUNCTION pg_temp.escalate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"EXECUTE 'GRANT \"{owner}\" TO dr_alice'; RETURN NULL; END $$",
        "CREATE TRIGGER escalate AFTER INSERT ON pg_temp.audit_due FOR EACH ROW "
        "EXECUTE FUNCTION pg_temp.escalate()",
        "INSERT INTO medication (patient_id, drug, dose, unit, start) VALUES "
        "(:pid, 'anakinra', 300, 'mg', DATE '2001-01-01')",
    ]
    with pytest.raises(DBAPIError) as refused, raw.begin() as conn:
        for sql in attempt:
            conn.execute(text(sql), {"pid": pid})
    assert "temporary" in str(refused.value.orig)  # refused at its first step
    assert user_line(refused.value) == DENIED_MESSAGE
    assert not _one(demo_engine, "SELECT pg_has_role('dr_alice', :o, 'MEMBER')", o=owner)
    assert not _one(demo_engine, "SELECT has_database_privilege('dr_alice', "
                                 "current_database(), 'TEMPORARY')")
    assert _one(demo_engine, "SELECT has_database_privilege(current_database(), "
                             "'TEMPORARY')")  # the owner keeps them

    # And where a login may make them, the guards' own search path passes them by.
    with (_temporary_tables_lent(demo_engine, "dr_alice"),
          pytest.raises(DBAPIError) as refused, raw.begin() as conn):
        for sql in attempt:
            conn.execute(text(sql), {"pid": pid})
    assert "has none" in user_line(refused.value)
    assert not _one(demo_engine, "SELECT pg_has_role('dr_alice', :o, 'MEMBER')", o=owner)


def test_a_reviewer_does_not_choose_an_audit_rows_id(demo_engine, server_login):
    """A properly chained row under id 2147483647 would have been the newest for good: the
    sequence never reaches it, so every later audit row (which must follow the newest)
    and with it every change by a reviewer would be refused."""
    raw = server_login(demo_engine, REVIEWER, "dr_last")
    pid = _pid(raw)
    with pytest.raises(DBAPIError) as refused, audited_transaction(raw) as conn:
        lock_chain(conn)
        prev = conn.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")
                            ).scalar() or GENESIS
        values = dict(at=db_now(conn), actor=login(conn), entity="database", entity_id=None,
                      patient_id=None, action="note", before=None, after=None,
                      prev_hash=prev)
        values["hash"] = row_hash(prev, values)
        conn.execute(insert(AuditEvent).values(id=2_147_483_647, **values))
    assert user_line(refused.value) == DENIED_MESSAGE
    assert _one(demo_engine, "SELECT max(id) FROM audit_event") < 2_147_483_647
    create_episode(raw, pid, actor=login(raw), kind="flare", onset=1_500_000_000)
    assert verify(demo_engine)[1] == []



def test_every_function_of_the_schema_keeps_its_own_search_path(demo_engine):
    """pg_catalog first, the schema, the session's temporary schema last: no table or
    function of a login's own stands in for ours or for a built-in."""
    with demo_engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        paths = dict(conn.execute(text(
            "SELECT proname, array_to_string(proconfig, ';') FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace")).all())
    assert paths, "the guards' functions are there"
    assert {name: path for name, path in paths.items()
            if path != f"search_path=pg_catalog, {schema}, pg_temp"} == {}


def test_a_reviewer_cannot_reopen_or_reword_a_colleagues_decision(demo_engine, server_login):
    """An audit row naming oneself as the decider does not make one the decider (the
    attack on a5_guards); nor is a rejection's reason rewritten with its state kept."""
    decider = server_login(demo_engine, REVIEWER, "dr_decides")
    other = server_login(demo_engine, REVIEWER, "dr_other")
    pid = _pid(decider)
    store.store_suggestions(decider, pid, [found()], actor=login(decider))
    [row] = store.load_suggestions(decider, pid).to_dict("records")
    store.reject_suggestion(decider, row["id"], row["version"], actor=login(decider),
                            reason="not a relapse")
    with pytest.raises(DBAPIError) as refused, audited_transaction(other) as conn:
        record(conn, actor=login(conn), entity="suggestion", entity_id=row["id"],
               patient_id=pid, action="reject", before=None, after={"state": "rejected"})
        conn.execute(text("UPDATE suggestion SET state = 'open', reason = NULL, "
                          "version = version + 1 WHERE id = :s"), {"s": row["id"]})
    assert "reopened only by an undo of whoever decided it" in user_line(refused.value)
    line = _refused(other, "UPDATE suggestion SET reason = 'a relapse after all' "
                           "WHERE id = :s", s=row["id"])
    assert line == ("the server refused the change: a suggestion's reason and episode "
                    "change only with its decision; nothing was changed")
    [stored] = store.load_suggestions(decider, pid).to_dict("records")
    assert (stored["state"], stored["reason"]) == ("rejected", "not a relapse")
    assert verify(demo_engine)[1] == []


def test_a_reviewer_cannot_end_a_dose_before_it_starts_set_a_version_back_or_backdate(
        demo_engine, server_login):
    raw = server_login(demo_engine, REVIEWER, "dr_back")
    pid = _pid(raw)
    line = _refused(raw, "INSERT INTO medication (patient_id, drug, dose, unit, start, \"end\") "
                         "VALUES (:pid, 'anakinra', 100, 'mg', DATE '2020-01-01', "
                         "DATE '1900-01-01')", pid=pid)
    assert line == ("the server refused the change: a dose period ends on or after the day "
                    "it starts (1900-01-01 before 2020-01-01); nothing was changed")
    episode = create_episode(raw, pid, actor=login(raw), kind="flare", onset=1_500_000_000)
    review = mark_case_reviewed(raw, pid, login(raw), True, version=0)
    assert review["review_version"] == 1
    for sql in ("UPDATE episode SET version = 0 WHERE id = :e",
                "UPDATE episode SET version = version + 5 WHERE id = :e",
                "UPDATE patient SET review_version = 0 WHERE id = :pid",
                "UPDATE patient SET version = 0 WHERE id = :pid"):
        assert "a version only goes up, by one at each change" in _refused(
            raw, sql, e=episode["id"], pid=pid)
    line = _refused(raw, "INSERT INTO episode (patient_id, kind, onset, note, author, created, "
                         f"updated, version, status, origin) VALUES (:pid, 'flare', 0, '', "
                         f"'dr_back', 946684800, {NOW}, 1, 'accepted', 'reviewer')", pid=pid)
    assert "an episode is created at the server's time" in line
    assert _one(demo_engine, "SELECT version FROM episode WHERE id = :e", e=episode["id"]) == 1
    assert _one(demo_engine, "SELECT count(*) FROM episode WHERE created = 946684800") == 0
    assert verify(demo_engine)[1] == []


def test_a_reviewer_cannot_silence_verify_or_use_up_the_trails_ids(demo_engine, server_login):
    """verify compares the tables with the trail from the newest 'database' row (a reset)
    on: one such row by a reviewer made it report nothing. And two sessions of nextval()
    used up 32-bit ids in minutes, after which nobody could save (second attacker review)."""
    raw = server_login(demo_engine, REVIEWER, "dr_quiet2")
    with pytest.raises(DBAPIError) as refused, audited_transaction(raw) as conn:
        record(conn, actor=login(conn), entity="database", entity_id=None, patient_id=None,
               action="note", before=None, after=None)
    assert "only the database's owner records a change to the whole database" in \
        user_line(refused.value)
    assert _one(demo_engine, "SELECT data_type FROM information_schema.columns WHERE "
                "table_schema = current_schema() AND table_name = 'audit_event' "
                "AND column_name = 'id'") == "bigint"
    assert _one(demo_engine, "SELECT data_type FROM information_schema.sequences WHERE "
                "sequence_schema = current_schema() AND sequence_name = "
                "'audit_event_id_seq'") in ("bigint", None)


def _as_undo(engine, entity: str, entity_id: int, case: int, action: str, after: dict,
             sql: str, **params) -> str:
    """The attack on a5/a6_guards's undo exceptions: an audit row of one's own saying what
    is put back, then the raw write that puts it back; the refusal."""
    with pytest.raises(DBAPIError) as refused, audited_transaction(engine) as conn:
        record(conn, actor=login(conn), entity=entity, entity_id=entity_id,
               patient_id=case, action=action, before=None, after=after)
        conn.execute(text(sql), params)
    line = user_line(refused.value)
    assert line is not None and "\n" not in line
    return line


def test_an_undo_puts_back_only_what_the_server_saw(demo_engine, server_login):
    """A reviewer's own audit row no longer widens what an undo may write: no backdated
    episode or review, no deleted episode back under a colleague's name with other content
    (second attacker review); the program's undo still works."""
    colleague = server_login(demo_engine, REVIEWER, "dr_wrote")
    raw = server_login(demo_engine, REVIEWER, "dr_forges")
    pid = _pid(raw)
    me = login(raw)
    # A backdated new episode, its creation time first told by her own audit row.
    eid = _one(raw, "SELECT nextval(pg_get_serial_sequence('episode', 'id'))")
    line = _as_undo(raw, "episode", eid, pid, "create", {"created": 946684800},
                    "INSERT INTO episode (id, patient_id, kind, onset, note, author, created, "
                    f"updated, version, status, origin) VALUES (:e, :pid, 'flare', 0, '', "
                    f"'dr_forges', 946684800, {NOW}, 1, 'accepted', 'reviewer')",
                    e=eid, pid=pid)
    assert "an episode is created at the server's time" in line
    # A backdated review, its time first told by her own audit row.
    review = mark_case_reviewed(raw, pid, me, False, version=0)
    line = _as_undo(raw, "patient", pid, pid, "review",
                    {"reviewed_by": me, "reviewed_at": 946684800},
                    "UPDATE patient SET reviewed_by = :me, reviewed_at = 946684800, "
                    "review_version = review_version + 1 WHERE id = :pid", me=me, pid=pid)
    assert "a case is marked reviewed by the login that reviews it (dr_forges)" in line
    # A colleague's deleted episode back under the colleague's name, with other content.
    theirs = create_episode(colleague, pid, actor=login(colleague), kind="flare",
                            onset=1_500_000_000, note="mild, settled in two days")
    deleted = delete_episode(raw, theirs["id"], theirs["version"], actor=me)
    line = _as_undo(raw, "episode", theirs["id"], pid, "restore", {"author": "dr_wrote"},
                    "INSERT INTO episode (id, patient_id, kind, onset, note, author, created, "
                    f"updated, version, status, origin) VALUES (:e, :pid, 'flare', 0, "
                    f"'refused colchicine', 'dr_wrote', :created, {NOW}, :v, 'accepted', "
                    "'reviewer')", e=theirs["id"], pid=pid, created=theirs["created"],
                    v=theirs["version"] + 1)
    assert "an episode's author is the login that creates it (dr_forges)" in line
    assert _one(demo_engine, "SELECT count(*) FROM episode WHERE created = 946684800 "
                "OR author = 'dr_wrote'") == 0
    assert _one(demo_engine, "SELECT reviewed_at FROM patient WHERE id = :p", p=pid) is None
    # The program's undo: the deleted episode exactly as it was, a review the server saw.
    back = restore_episode(raw, deleted, actor=me, step="undo")
    assert (back["author"], back["note"], back["created"]) == (
        "dr_wrote", "mild, settled in two days", theirs["created"])
    given = mark_case_reviewed(colleague, pid, "dr_wrote", True,
                               version=review["review_version"])
    gone = mark_case_reviewed(raw, pid, me, False, version=given["review_version"])
    assert mark_case_reviewed(raw, pid, "dr_wrote", True, version=gone["review_version"],
                              at=given["reviewed_at"], actor=me,
                              step="undo")["reviewed_by"] == "dr_wrote"
    assert verify(demo_engine)[1] == []


def test_a_decided_suggestion_keeps_what_was_decided_about(demo_engine, server_login):
    """A colleague's rejection no longer moved to another onset (to be found again, open),
    its findings rewritten with the rejection standing, or deleted (second attacker
    review); a re-run of the criteria still updates it, marked changed."""
    decider = server_login(demo_engine, REVIEWER, "dr_rejects")
    other = server_login(demo_engine, REVIEWER, "dr_moves")
    pid = _pid(decider)
    store.store_suggestions(decider, pid, [found()], actor=login(decider))
    [row] = store.load_suggestions(decider, pid).to_dict("records")
    store.reject_suggestion(decider, row["id"], row["version"], actor=login(decider),
                            reason="infection, not a relapse")
    sid = row["id"]

    def refused(sql: str, **params) -> str:
        return _with_audit_row_about(other, "suggestion", sid, pid, sql, s=sid, **params)

    assert "a decided suggestion keeps its case and onset" in refused(
        "UPDATE suggestion SET onset = onset + 86400, version = version + 1 WHERE id = :s")
    for column, value in (("evidence", "'[]'"), ("criteria", "'[\"none\"]'"),
                          ('"end"', "onset + 86400"), ("kind", "'flare'")):
        assert "findings change only as a new run of the criteria" in refused(
            f"UPDATE suggestion SET {column} = {value}, version = version + 1 WHERE id = :s")
    assert "a decided suggestion is not deleted" in refused(
        "DELETE FROM suggestion WHERE id = :s")
    [stored] = store.load_suggestions(decider, pid).to_dict("records")
    assert (stored["onset"], stored["state"], stored["changed"]) == (row["onset"], "rejected", 0)
    assert stored["evidence"] == row["evidence"]
    # The criteria run again by the other reviewer: new evidence, marked changed, kept so.
    assert store.store_suggestions(other, pid, [found(text="CRP 80 mg/L")],
                                   actor=login(other))["changed"] == 1
    assert "stays marked changed until it is decided again" in refused(
        "UPDATE suggestion SET changed = 0, version = version + 1 WHERE id = :s")
    [stored] = store.load_suggestions(decider, pid).to_dict("records")
    assert (stored["state"], stored["changed"]) == ("rejected", 1)
    assert verify(demo_engine)[1] == []


def test_a_lab_correction_is_the_owners_on_a_server(demo_engine, server_login, tmp_path):
    from data.importing import import_file
    from tests.data.test_import_helpers import stored, value_of

    first, corrected = tmp_path / "crp.csv", tmp_path / "crp2.csv"
    first.write_text("patient,date,code,value,unit\nHOSP-40,2025-03-01,CRP,48,mg/L\n")
    corrected.write_text("patient,date,code,value,unit\nHOSP-40,2025-03-01,CRP,4.8,mg/L\n")
    import_file(demo_engine, first)
    raw = server_login(demo_engine, REVIEWER, "dr_mallory")
    # It was refused in the measurement guard's words, which do not say who may.
    with pytest.raises(UserFacingError) as refused:
        import_file(raw, corrected, corrections=True)
    assert user_line(refused.value) == ("only the database owner may replace stored "
                                        "measurements (import --corrections); nothing was "
                                        "changed")
    assert value_of(stored(demo_engine, "HOSP-40"), "2025-03-01 00:00", "CRP") == (48.0, "")
    assert import_file(demo_engine, corrected, corrections=True).observations_corrected == 1
    assert value_of(stored(demo_engine, "HOSP-40"), "2025-03-01 00:00", "CRP") == (4.8, "")


def test_a_change_that_leaves_its_version_as_it_was_is_refused(demo_engine, server_login):
    """A raw UPDATE that left the version as it was passed the stale-save check: a save
    based on the version read before went over it unseen (second attacker review)."""
    raw = server_login(demo_engine, REVIEWER, "dr_same")
    pid = _pid(raw)
    episode = create_episode(raw, pid, actor=login(raw), kind="flare", onset=1_500_000_000)
    review = mark_case_reviewed(raw, pid, login(raw), True, version=0)
    store.store_suggestions(raw, pid, [found()], actor=login(raw))
    [suggestion] = store.load_suggestions(raw, pid).to_dict("records")
    version = get_patient(raw, pid)["version"]
    quiet = [("UPDATE episode SET note = 'changed quietly' WHERE id = :e",
              f"(episode.version stays {episode['version']})"),
             ("UPDATE patient SET diagnosis = 'none' WHERE id = :p",
              f"(patient.version stays {version})"),
             ("UPDATE patient SET reviewed_by = NULL, reviewed_at = NULL WHERE id = :p",
              f"(patient.review_version stays {review['review_version']})"),
             ("UPDATE suggestion SET certainty = 'possible' WHERE id = :s",
              f"(suggestion.version stays {suggestion['version']})")]
    for sql, stays in quiet:
        line = _refused(raw, sql, e=episode["id"], p=pid, s=suggestion["id"])
        assert line == ("the server refused the change: a change moves its version on by one "
                        f"{stays}: a save based on the old one would go through unseen; "
                        "nothing was changed")
    # A case's identity is versioned with its details: changed alone, nobody would know.
    assert "a case's identity changes together with its details" in _refused(
        raw, "UPDATE patient_identity SET name = 'Someone Else' WHERE patient_id = :p", p=pid)
    # Nor in a transaction that moved only the review's version, audit rows and all.
    with pytest.raises(DBAPIError) as refused, audited_transaction(raw) as conn:
        for entity in ("patient", "patient_identity"):
            record(conn, actor=login(conn), entity=entity, entity_id=pid, patient_id=pid,
                   action="update", before=None, after={"name": "Someone Else"})
        conn.execute(text("UPDATE patient SET reviewed_by = NULL, reviewed_at = NULL, "
                          "review_version = review_version + 1 WHERE id = :p"), {"p": pid})
        conn.execute(text("UPDATE patient_identity SET name = 'Someone Else' "
                          "WHERE patient_id = :p"), {"p": pid})
    assert "a case's identity changes together with its details" in user_line(refused.value)
    # The program's saves move the versions on, and pass.
    update_episode(raw, episode["id"], episode["version"], actor=login(raw), note="seen")
    update_patient(raw, pid, version, actor=login(raw), name="Jeanne Martin")
    assert get_patient(demo_engine, pid)["name"] == "Jeanne Martin"
    assert verify(demo_engine)[1] == []


def test_a_reviewer_replaces_and_removes_a_score_she_typed_in(demo_engine, server_login):
    """On a server a reviewer could add a physician global but not replace or undo it (the
    measurement guard); now she may change her own typed value, and only her own."""
    from db.typed_measures import set_typed_value

    me = server_login(demo_engine, REVIEWER, "dr_scores")
    other = server_login(demo_engine, REVIEWER, "dr_else")
    pid = _pid(me)
    noon = 1_500_033_600
    score = dict(code="PGA", unit="{score}", t=noon)
    assert set_typed_value(me, pid, **score, value=3, actor=login(me)) is None
    assert set_typed_value(me, pid, **score, value=1, actor=login(me)) == 3
    for value in (None, 2):
        with pytest.raises(DBAPIError) as refused:
            set_typed_value(other, pid, **score, value=value, actor=login(other))
        assert "a measurement is not changed or deleted by a reviewer" in \
            user_line(refused.value)
    assert set_typed_value(me, pid, **score, value=None, actor=login(me), step="undo") == 1
    pga = ("SELECT count(*) FROM observation o JOIN series s ON s.id = o.series_id "
           "WHERE s.patient_id = :p AND s.code = 'PGA' AND o.t = :t")
    assert _one(demo_engine, pga, p=pid, t=noon) == 0
    # Typed again by the other reviewer: hers now, not the first's.
    set_typed_value(other, pid, **score, value=4, actor=login(other))
    with pytest.raises(DBAPIError):
        set_typed_value(me, pid, **score, value=None, actor=login(me))
    assert _one(demo_engine, pga, p=pid, t=noon) == 1
    assert verify(demo_engine)[1] == []


def test_an_imported_value_is_not_taken_for_one_typed_in(demo_engine, server_login, tmp_path):
    """A file named 'typed in Flarescope' put its values under the typed values' source,
    and the reviewer who imported it could then change or delete them (third attacker
    review): no file's name is that source now."""
    from data.importing import import_file
    from db.typed_measures import TYPED_SOURCE

    raw = server_login(demo_engine, REVIEWER, "dr_names_files")
    named = tmp_path / "typed in Flarescope"
    named.write_text("patient,date,code,value,unit\nHOSP-41,2025-03-01,CRP,48,mg/L\n")
    import_file(raw, named)
    pid = int(patient_id(demo_engine, "HOSP-41"))
    crp = ("SELECT o.id FROM observation o JOIN series s ON s.id = o.series_id "
           "WHERE s.patient_id = :p AND s.code = 'CRP'")
    obs = _one(demo_engine, crp, p=pid)
    for sql in ("UPDATE observation SET value = 4.8 WHERE id = :o",
                "DELETE FROM observation WHERE id = :o"):
        assert "a measurement is not changed or deleted by a reviewer" in \
            _with_audit_row_about(raw, "measurement", pid, pid, sql, o=obs)
    assert _one(demo_engine, "SELECT value FROM observation WHERE id = :o", o=obs) == 48.0
    assert "/" not in named.name and "/" in TYPED_SOURCE
    assert verify(demo_engine)[1] == []


def test_a_value_typed_before_the_upgrade_stays_its_typists(demo_engine, server_login,
                                                           monkeypatch):
    from alembic import command

    from db import typed_measures
    from db.migrate import alembic_config
    from db.migrations.versions.a13_guards import TYPED_SOURCE as WAS

    me = server_login(demo_engine, REVIEWER, "dr_typed_before")
    pid = _pid(me)
    score = dict(code="PGA", unit="{score}", t=1_500_033_600)
    command.downgrade(alembic_config(demo_engine), "a14_guards")
    with monkeypatch.context() as before:
        before.setattr(typed_measures, "TYPED_SOURCE", WAS)
        typed_measures.set_typed_value(me, pid, **score, value=3, actor=login(me))
    command.upgrade(alembic_config(demo_engine), "head")
    assert _one(demo_engine, "SELECT count(*) FROM source WHERE name = :n", n=WAS) == 0
    assert typed_measures.set_typed_value(me, pid, **score, value=1, actor=login(me)) == 3
    assert verify(demo_engine)[1] == []


def test_an_import_row_does_not_account_for_a_cases_details(demo_engine, server_login,
                                                            tmp_path):
    """With an import row of her own naming the case, a reviewer rewrote its details and
    name, the trail saying only "import" (third attacker review); an import of values
    still makes the cases it meets first."""
    from data.importing import import_file

    raw = server_login(demo_engine, REVIEWER, "dr_imports_names")
    pid = _pid(raw)

    def under_an_import_row(*statements: str, named: tuple[str, ...] = ()) -> str:
        with pytest.raises(DBAPIError) as refused, audited_transaction(raw) as conn:
            record(conn, actor=login(conn), entity="import", entity_id=None, patient_id=pid,
                   action="import", before=None, after={"cases": [pid]})
            for entity in named:
                record(conn, actor=login(conn), entity=entity, entity_id=pid, patient_id=pid,
                       action="update", before=None, after={"diagnosis": "none"})
            for sql in statements:
                conn.execute(text(sql), {"p": pid})
        return user_line(refused.value)

    details = "UPDATE patient SET diagnosis = 'none', version = version + 1 WHERE id = :p"
    assert f"this one has none (patient of case #{pid})" in under_an_import_row(details)
    assert f"this one has none (patient_identity of case #{pid})" in under_an_import_row(
        details, "UPDATE patient_identity SET name = 'Someone Else' WHERE patient_id = :p",
        named=("patient",))
    assert _one(demo_engine, "SELECT diagnosis FROM patient WHERE id = :p", p=pid) != "none"
    lab = tmp_path / "lab.csv"
    lab.write_text("patient,date,code,value,unit\nHOSP-42,2025-03-01,CRP,48,mg/L\n")
    assert import_file(raw, lab).patients_created == ["HOSP-42"]
    assert verify(demo_engine)[1] == []


def test_only_who_withdrew_or_deleted_puts_it_back(demo_engine, server_login):
    """A colleague's review withdrawn, or episode deleted, by one reviewer was put back
    under the colleague's name by another (third attacker review): an undo is of one's
    own step."""
    author = server_login(demo_engine, REVIEWER, "dr_author")
    remover = server_login(demo_engine, REVIEWER, "dr_remover")
    other = server_login(demo_engine, REVIEWER, "dr_puts_back")
    pid = _pid(author)
    theirs = create_episode(author, pid, actor=login(author), kind="flare",
                            onset=1_500_000_000, note="mild")
    deleted = delete_episode(remover, theirs["id"], theirs["version"], actor=login(remover))
    with pytest.raises(DBAPIError) as refused:
        restore_episode(other, deleted, actor=login(other), step="undo")
    assert "put back by an undo of the login that deleted it" in user_line(refused.value)
    given = mark_case_reviewed(author, pid, login(author), True, version=0)
    gone = mark_case_reviewed(remover, pid, login(remover), False,
                              version=given["review_version"])
    with pytest.raises(DBAPIError) as refused:
        mark_case_reviewed(other, pid, "dr_author", True, version=gone["review_version"],
                           at=given["reviewed_at"], actor=login(other), step="undo")
    assert "put back by an undo of the login that withdrew it" in user_line(refused.value)
    assert _one(demo_engine, "SELECT count(*) FROM episode WHERE id = :e", e=theirs["id"]) == 0
    assert _one(demo_engine, "SELECT reviewed_by FROM patient WHERE id = :p", p=pid) is None
    # Whoever withdrew or deleted it puts it back (the program's undo).
    assert restore_episode(remover, deleted, actor=login(remover),
                           step="undo")["author"] == "dr_author"
    assert mark_case_reviewed(remover, pid, "dr_author", True, version=gone["review_version"],
                              at=given["reviewed_at"], actor=login(remover),
                              step="undo")["reviewed_by"] == "dr_author"
    assert verify(demo_engine)[1] == []


def test_a_value_under_the_typed_source_owes_a_typed_values_audit_row(demo_engine,
                                                                     server_login):
    """With psql a reviewer inserted a value under the typed source with an import's audit
    row: taken for typed, hers to change, the trail calling it imported."""
    from db.typed_measures import TYPED_SOURCE, set_typed_value

    raw = server_login(demo_engine, REVIEWER, "dr_types_as_import")
    pid = _pid(raw)
    series = _one(raw, "SELECT id FROM series WHERE patient_id = :p AND code = 'CRP'", p=pid)
    set_typed_value(raw, pid, code="PGA", unit="{score}", t=1_500_033_600, value=2,
                    actor=login(raw))
    source = _one(raw, "SELECT id FROM source WHERE name = :n", n=TYPED_SOURCE)
    line = _with_audit_row_about(
        raw, "import", None, pid, "INSERT INTO observation (series_id, t, value, censor, "
        "source_id) VALUES (:s, 86400, 250, 0, :src)", s=series, src=source)
    assert f"this one has none (typed observation of case #{pid})" in line
    assert _one(demo_engine, "SELECT count(*) FROM observation WHERE series_id = :s AND "
                "t = 86400", s=series) == 0
    assert verify(demo_engine)[1] == []
