"""The audit trail holds: ids from the database, append-only rows, a hash chain that
`audit verify` checks, and no write path that takes what it is given on trust."""

from __future__ import annotations

import json
import multiprocessing
import re
import sqlite3

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.audit import AuditError, record, verify
from db.episodes import (
    EpisodeError,
    StaleEpisodeError,
    create_episode,
    delete_episode,
    restore_episode,
    update_episode,
)
from db.models import AuditEvent, Episode
from main import main
from tests.backend import target
from tests.db.test_episodes_db import count

DAY = 86_400
T0 = 1_700_000_000 // DAY * DAY


# -- 12.7: ids assigned by the database -----------------------------------------------------
def _create_many(db: str, pid: int, n: int, start, out) -> None:
    from db.engine import open_database

    engine = open_database(db)
    failures = []
    start.wait()
    for i in range(n):
        try:
            row = create_episode(engine, pid, actor="writer", kind="note", onset=T0 + i)
            # An edit reads before it writes: without the write lock taken up front, the
            # other process committing in between makes SQLite refuse the write.
            update_episode(engine, row["id"], 1, actor="writer", note="seen")
        except Exception as exc:  # counted, and the first kinds reported
            failures.append(f"{type(exc).__name__}: {exc}"[:200])
    engine.dispose()
    out.put(failures)


def test_two_processes_creating_episodes_at_once_never_fail(engine, pid, db_path):
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    n = 100
    procs = [ctx.Process(target=_create_many, args=(str(db_path), pid, n, start, out))
             for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    failures = [f for _ in procs for f in out.get(timeout=240)]
    for p in procs:
        p.join(timeout=60)
    assert failures == []
    with engine.connect() as conn:
        ids = set(conn.execute(select(Episode.id)).scalars())
        a = AuditEvent.__table__
        audited = set(conn.execute(select(a.c.entity_id).where(
            a.c.entity == "episode", a.c.action == "create")).scalars())
    assert len(ids) == 2 * n and ids == audited  # every episode has its audit row
    assert verify(engine) == (4 * n, [])  # and the two writers never forked the chain


# -- 12.8: append-only, chained, verified ---------------------------------------------------
def test_the_database_refuses_to_change_or_delete_an_audit_row(engine, pid):
    create_episode(engine, pid, actor="alice", kind="relapse", onset=T0)
    for sql in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), \
                engine.begin() as conn:
            conn.execute(text(sql))
    assert count(engine, AuditEvent) == 1


def test_each_row_is_chained_to_the_one_before(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0)
    update_episode(engine, row["id"], 1, actor="bob", severity="mild")
    t = AuditEvent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.prev_hash, t.c.hash).order_by(t.c.id)).all()
    assert rows[0].prev_hash == "0" * 64
    assert rows[1].prev_hash == rows[0].hash and len(set(r.hash for r in rows)) == 2


def _tamper(db_path, *statements: str, cover_tracks: bool = True) -> None:
    """What someone with the file and the sqlite3 shell (or the server's owner with psql)
    can do: triggers put back after, unless cover_tracks is False."""
    if not str(db_path).startswith("postgresql"):
        con = sqlite3.connect(db_path)
        dropped = ("audit_event_no_update", "audit_event_no_delete")
        triggers = con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND "
                               "name IN (?, ?)", dropped).fetchall()
        for name in dropped:
            con.execute(f"DROP TRIGGER {name}")
        for sql in statements:
            con.execute(sql)
        if cover_tracks:
            for (sql,) in triggers:
                con.execute(sql)
        con.commit()
        con.close()
        return
    from sqlalchemy import create_engine

    owner = create_engine(db_path)
    with owner.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
        for sql in statements:
            conn.exec_driver_sql(sql)
        if cover_tracks:
            conn.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER USER")
        else:
            for name in ("audit_event_no_change", "audit_event_no_truncate"):
                conn.exec_driver_sql(f"DROP TRIGGER {name} ON audit_event")
    owner.dispose()


def test_audit_verify_finds_dropped_triggers_and_a_trail_wiped_under_live_episodes(
        engine, pid, db_path, capsys):
    """The chain alone cannot see its newest rows deleted, nor the whole trail."""
    create_episode(engine, pid, actor="alice", kind="relapse", onset=T0, end=T0 + DAY)
    _tamper(db_path, "DELETE FROM audit_event", cover_tracks=False)
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"trigger audit_event_no_\w+ is missing", out)
    assert "has no audit row: its history was deleted" in out


@pytest.fixture
def trail(engine, pid):
    """Four audit rows: create, two updates, delete."""
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0, end=T0 + DAY)
    update_episode(engine, row["id"], 1, actor="bob", severity="mild")
    update_episode(engine, row["id"], 2, actor="bob", note="fevers")
    delete_episode(engine, row["id"], 3, actor="alice")
    return engine


def test_audit_verify_says_the_chain_is_intact(trail, db_path, capsys):
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    assert capsys.readouterr().out.strip() == "audit verify: 4 rows, chain intact"


def test_audit_verify_finds_an_edited_row(trail, db_path, capsys):
    _tamper(db_path, "UPDATE audit_event SET actor = 'carol' WHERE id = 2")
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("audit verify: row 2: content does not match its hash")
    assert len(out) == 2 and "1 problem" in out[-1]


def test_audit_verify_finds_a_deleted_row(trail, db_path, capsys):
    _tamper(db_path, "DELETE FROM audit_event WHERE id = 2")
    assert main(["--db", str(db_path), "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "row 3: chain broken: row 2 deleted" in out


def test_audit_verify_finds_a_rewritten_row_whose_hash_was_recomputed(trail, db_path):
    from db.audit import HASHED, row_hash

    with trail.connect() as conn:
        row = dict(conn.execute(select(AuditEvent.__table__).where(
            AuditEvent.__table__.c.id == 2)).mappings().one())
    row["actor"] = "carol"
    digest = row_hash(row["prev_hash"], {k: row[k] for k in HASHED})
    _tamper(db_path, f"UPDATE audit_event SET actor = 'carol', hash = '{digest}' WHERE id = 2")
    n, problems = verify(trail)
    assert n == 4 and [p[0] for p in problems] == [3]


def test_audit_rows_cannot_be_backdated_nor_anonymous(engine, pid):
    with engine.begin() as conn:
        with pytest.raises(TypeError):
            record(conn, actor="alice", entity="episode", entity_id=1, patient_id=pid,
                   action="create", before=None, after=None, at=0)
        for actor in ("", "   ", None, "x" * 121, "alice\x1b[2J"):
            with pytest.raises(AuditError):
                record(conn, actor=actor, entity="episode", entity_id=1, patient_id=pid,
                       action="create", before=None, after=None)
        with pytest.raises(AuditError):
            record(conn, actor="alice", entity="spaceship", entity_id=1, patient_id=pid,
                   action="create", before=None, after=None)
    with pytest.raises(EpisodeError, match="who"):
        create_episode(engine, pid, actor=" ", kind="relapse", onset=T0)
    assert count(engine, AuditEvent) == 0 and count(engine, Episode) == 0


# -- 12.8: restore takes only what was deleted ----------------------------------------------
@pytest.fixture
def deleted(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="flare", onset=T0, end=T0 + DAY)
    return delete_episode(engine, row["id"], 1, actor="alice")


@pytest.mark.parametrize("forged, reason", [
    ({"kind": "party"}, "not the episode that was deleted"),
    ({"end": T0 - DAY}, "not the episode that was deleted"),
    ({"author": "mallory"}, "not the episode that was deleted"),
    ({"id": 999}, "never deleted"),
    ({"id": None}, "Only a deleted episode"),
])
def test_restore_refuses_anything_but_the_deleted_episode(engine, deleted, forged, reason):
    audit_rows = count(engine, AuditEvent)
    with pytest.raises(EpisodeError, match=reason):
        restore_episode(engine, deleted | forged, actor="alice")
    assert count(engine, Episode) == 0 and count(engine, AuditEvent) == audit_rows


def test_restore_of_a_live_episode_is_refused(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="flare", onset=T0)
    with pytest.raises(StaleEpisodeError, match="exists"):
        restore_episode(engine, row, actor="alice")


# -- 11.11: status and origin from their vocabularies ----------------------------------------
@pytest.mark.parametrize("field, value", [("status", "acepted"), ("origin", "robot"),
                                          ("status", None)])
def test_status_and_origin_are_validated(engine, pid, field, value):
    with pytest.raises(EpisodeError, match=field):
        create_episode(engine, pid, actor="a", kind="relapse", onset=T0, **{field: value})
    row = create_episode(engine, pid, actor="a", kind="relapse", onset=T0)
    with pytest.raises(EpisodeError, match=field):
        update_episode(engine, row["id"], 1, actor="a", **{field: value})
    assert count(engine, Episode) == 1 and count(engine, AuditEvent) == 1


def test_the_database_itself_refuses_a_status_outside_the_vocabulary(engine, pid):
    row = create_episode(engine, pid, actor="a", kind="relapse", onset=T0)
    with pytest.raises(IntegrityError, match="ck_episode_status"), engine.begin() as conn:
        conn.execute(text("UPDATE episode SET status = 'Accepted' WHERE id = :id"),
                     {"id": row["id"]})


# -- 12.8: demo --reset --force keeps and continues the trail --------------------------------
def test_a_forced_demo_reset_is_recorded_and_keeps_the_trail(demo_engine, capsys):
    from db.queries import list_cases

    db = target(demo_engine)
    cases = list_cases(demo_engine)
    pid = int(cases["id"].iloc[0])
    create_episode(demo_engine, pid, actor="dr.martin", kind="flare", onset=T0)
    before = count(demo_engine, AuditEvent)
    old_ids = set(cases["id"])

    assert main(["--db", db, "demo", "--reset"]) == 1  # dr.martin's work is there
    capsys.readouterr()
    assert main(["--db", db, "demo", "--reset", "--force"]) == 0
    assert "the audit trail is kept" in capsys.readouterr().out
    t = AuditEvent.__table__
    with demo_engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).mappings().all()
    assert len(rows) > before
    assert any(r["actor"] == "dr.martin" for r in rows)  # the old history stays
    [reset] = [r for r in rows if r["action"] == "reset"]
    assert reset["entity"] == "database" and reset["actor"]
    assert json.loads(reset["before"])["episode"] == 2
    assert verify(demo_engine) == (len(rows), [])
    # New cases never carry an old case's id (its audit rows would show up under them).
    assert not set(list_cases(demo_engine)["id"]) & old_ids
    # The work the forced reset deleted no longer blocks the next plain reset.
    capsys.readouterr()
    assert main(["--db", db, "demo", "--reset"]) == 0, capsys.readouterr().err


def test_the_hash_covers_the_documented_canonical_json():
    import hashlib

    from db.audit import GENESIS, HASHED, row_hash

    values = dict(at=1_700_000_000, actor='Dr "Zoë"\\x', entity="episode", entity_id=None,
                  patient_id=3, action="update", before='{"note": "a\\nb"}', after=None)
    canonical = json.dumps([GENESIS, *(values[k] for k in HASHED)], ensure_ascii=False,
                           separators=(",", ":"))
    assert row_hash(GENESIS, values) == hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize("edit", [
    # SQLite stores any type in any column; PostgreSQL refuses these two outright.
    pytest.param("UPDATE audit_event SET at = 'yesterday' WHERE id = 2",
                 marks=pytest.mark.sqlite_only),
    pytest.param("UPDATE audit_event SET actor = X'616c696365' WHERE id = 2",  # a blob
                 marks=pytest.mark.sqlite_only),
    "UPDATE audit_event SET entity_id = NULL WHERE id = 2",
])
def test_audit_verify_finds_edits_of_any_type(trail, db_path, edit):
    _tamper(db_path, edit)
    assert [p[0] for p in verify(trail)[1]] == [2]


def test_odd_characters_in_a_row_do_not_look_like_an_edit(engine, pid):
    row = create_episode(engine, pid, actor="Dr Zoë «Ω» 😀", kind="relapse", onset=T0,
                         note='tab\there, "quoted", back\\slash, \x01 \u2028 \x7f')
    update_episode(engine, row["id"], 1, actor="Dr Zoë «Ω» 😀", note="\n")
    assert verify(engine) == (2, [])


def test_audit_verify_reports_every_row_it_cannot_vouch_for_and_checks_the_rest(
        trail, db_path, capsys):
    """A bad row (edited, or written outside Flarescope with a hash of its own making)
    does not stop the walk: each is named, and the rows after it are still checked."""
    _tamper(db_path, "UPDATE audit_event SET actor = 'carol' WHERE id = 2")
    _tamper(db_path, "UPDATE audit_event SET entity_id = 99 WHERE id = 3")
    n, problems = verify(trail)
    # (row 0: the episode row 3 was about now has no audit row, which is true as well)
    assert n == 4 and [p[0] for p in problems if p[0]] == [2, 3]
    assert main(["--db", target(trail), "audit", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0:2] for line in out[:2]] == [["audit verify", " row 2"],
                                                          ["audit verify", " row 3"]]
    assert out[0].endswith("edited after it was written, or written outside Flarescope")
    assert out[-1].startswith(f"audit verify: 4 rows, {len(problems)} problem(s)")


@pytest.mark.sqlite_only
def test_audit_verify_on_a_locked_or_foreign_file_says_so_and_not_damaged(trail, db_path,
                                                                           capsys, tmp_path):
    """Another program holding the file, or a file that is no database, is not damage:
    verify said "damaged, restore it from a backup" of a sound file (attacker review)."""
    trail.dispose()
    holder = sqlite3.connect(db_path, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = main(["--db", str(db_path), "audit", "verify"])
        out, err = capsys.readouterr()
        assert code == 1 and "damaged" not in out + err and "backup" not in out + err
        assert "busy" in out + err or "locked" in out + err, out + err
    finally:
        holder.rollback()
        holder.close()
    assert main(["--db", str(db_path), "audit", "verify"]) == 0
    assert capsys.readouterr().out.strip() == "audit verify: 4 rows, chain intact"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 64)
    code = main(["--db", str(pdf), "audit", "verify"])
    out, err = capsys.readouterr()
    assert code != 0 and "damaged" not in out + err and "Traceback" not in out + err, out + err
