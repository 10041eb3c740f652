"""Episode writes: the row and its audit row together, optimistic locking, restore."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from db.episodes import (
    EpisodeError,
    StaleEpisodeError,
    create_episode,
    delete_episode,
    episode_history,
    get_episode,
    mark_case_reviewed,
    restore_episode,
    update_episode,
)
from db.models import AuditEvent, Episode
from db.queries import load_episodes, patient_row

DAY = 86_400
T0 = 1_700_000_000 // DAY * DAY


def audit_rows(engine) -> list[dict]:
    t = AuditEvent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).mappings().all()
    return [dict(r) | {"before": json.loads(r["before"] or "null"),
                       "after": json.loads(r["after"] or "null")} for r in rows]


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_writes_the_episode_and_its_audit_row(engine, pid):
    before = int(time.time())
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0, end=T0 + 5 * DAY,
                         severity="moderate", certainty="probable", note="fevers")
    stored = get_episode(engine, row["id"])
    assert stored == row
    assert (stored["author"], stored["version"]) == ("alice", 1)
    assert before <= stored["created"] <= time.time() + 1
    [audit] = audit_rows(engine)
    assert (audit["actor"], audit["action"], audit["entity"]) == ("alice", "create", "episode")
    assert (audit["entity_id"], audit["patient_id"]) == (row["id"], pid)
    assert audit["at"] == stored["created"]  # one clock for the change and its audit row
    assert audit["before"] is None and audit["after"]["onset"] == T0


def test_float_times_are_stored_as_integers(engine, pid):
    row = create_episode(engine, pid, actor="a", kind="note", onset=T0 + 0.4, end=T0 + DAY + 0.6)
    assert (row["onset"], row["end"]) == (T0, T0 + DAY + 1)
    row = update_episode(engine, row["id"], 1, actor="a", onset=T0 + 10.2)
    assert isinstance(row["onset"], int) and row["onset"] == T0 + 10


def test_update_audits_only_what_changed_and_bumps_the_version(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0, end=T0 + 5 * DAY)
    new = update_episode(engine, row["id"], 1, actor="bob", onset=T0 - 2 * DAY, end=T0 + 5 * DAY)
    assert (new["onset"], new["end"], new["version"]) == (T0 - 2 * DAY, T0 + 5 * DAY, 2)
    assert new["author"] == "alice"  # the author stays; the audit names who changed it
    audit = audit_rows(engine)[-1]
    assert (audit["action"], audit["actor"]) == ("update", "bob")
    assert audit["before"] == {"onset": T0, "version": 1}
    assert audit["after"] == {"onset": T0 - 2 * DAY, "version": 2}


def test_an_update_that_changes_nothing_writes_nothing(engine, pid):
    row = create_episode(engine, pid, actor="a", kind="relapse", onset=T0)
    assert update_episode(engine, row["id"], 1, actor="a", kind="relapse") == row
    assert count(engine, AuditEvent) == 1


def test_a_stale_update_is_refused_and_changes_nothing(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0, end=T0 + DAY)
    update_episode(engine, row["id"], 1, actor="bob", severity="severe")
    with pytest.raises(StaleEpisodeError, match="changed meanwhile"):
        update_episode(engine, row["id"], 1, actor="alice", onset=T0 - DAY)
    assert get_episode(engine, row["id"])["onset"] == T0
    assert count(engine, AuditEvent) == 2
    with pytest.raises(StaleEpisodeError):
        delete_episode(engine, row["id"], 1, actor="alice")
    assert get_episode(engine, row["id"]) is not None


def test_end_before_onset_and_unknown_values_are_refused(engine, pid):
    with pytest.raises(EpisodeError, match="before its onset"):
        create_episode(engine, pid, actor="a", kind="relapse", onset=T0, end=T0 - DAY)
    row = create_episode(engine, pid, actor="a", kind="relapse", onset=T0, end=T0 + DAY)
    with pytest.raises(EpisodeError, match="before its onset"):
        update_episode(engine, row["id"], 1, actor="a", onset=T0 + 2 * DAY)
    with pytest.raises(EpisodeError, match="kind"):
        update_episode(engine, row["id"], 1, actor="a", kind="party")
    with pytest.raises(EpisodeError, match="author"):
        update_episode(engine, row["id"], 1, actor="a", author="mallory")
    assert get_episode(engine, row["id"])["version"] == 1
    assert count(engine, AuditEvent) == 1


def test_delete_then_restore_brings_back_the_same_id_and_fields(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="flare", onset=T0, end=None,
                         note="ongoing")
    deleted = delete_episode(engine, row["id"], 1, actor="bob")
    assert get_episode(engine, row["id"]) is None
    assert load_episodes(engine, pid).empty
    back = restore_episode(engine, deleted, actor="bob")
    assert back["id"] == row["id"]
    assert {k: back[k] for k in ("kind", "onset", "end", "note", "author", "created")} == \
        {k: row[k] for k in ("kind", "onset", "end", "note", "author", "created")}
    assert back["version"] == 2  # an editor holding version 1 must not write over it
    with pytest.raises(StaleEpisodeError):
        update_episode(engine, row["id"], 1, actor="alice", note="x")
    assert [a["action"] for a in audit_rows(engine)] == ["create", "delete", "restore"]
    assert audit_rows(engine)[1]["before"]["note"] == "ongoing"


def test_restoring_an_episode_that_exists_again_is_refused(engine, pid):
    row = create_episode(engine, pid, actor="a", kind="flare", onset=T0)
    deleted = delete_episode(engine, row["id"], 1, actor="a")
    restore_episode(engine, deleted, actor="a")
    with pytest.raises(StaleEpisodeError, match="cannot be restored"):
        restore_episode(engine, deleted, actor="a")


def test_ids_are_never_reused_after_a_delete(engine, pid):
    # Undoing the newest creation deletes the highest id; the next creation must not
    # inherit that id's audit trail.
    first = create_episode(engine, pid, actor="a", kind="relapse", onset=T0)
    delete_episode(engine, first["id"], 1, actor="a")
    second = create_episode(engine, pid, actor="a", kind="relapse", onset=T0)
    assert second["id"] != first["id"]
    assert list(episode_history(engine, second["id"])["action"]) == ["create"]


def test_history_lists_the_changes_oldest_first(engine, pid):
    row = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0)
    update_episode(engine, row["id"], 1, actor="bob", severity="mild")
    h = episode_history(engine, row["id"])
    assert list(h["action"]) == ["create", "update"]
    assert list(h["actor"]) == ["alice", "bob"]
    assert h.iloc[1]["before"] == {"severity": None, "version": 1}
    assert h.iloc[1]["after"] == {"severity": "mild", "version": 2}


def test_mark_case_reviewed_and_withdraw(engine, pid):
    mark_case_reviewed(engine, pid, "alice", True, version=0)
    p = patient_row(engine, pid)
    assert p["reviewed_by"] == "alice" and p["reviewed_at"] > T0 and p["review_version"] == 1
    at = p["reviewed_at"]
    mark_case_reviewed(engine, pid, "bob", False, version=1)
    p = patient_row(engine, pid)
    assert p["reviewed_by"] is None and p["reviewed_at"] is None
    # An undo puts back the earlier review, and the audit names who undid.
    mark_case_reviewed(engine, pid, "alice", True, version=2, at=at, actor="bob")
    assert patient_row(engine, pid)["reviewed_at"] == at
    actions = [(a["entity"], a["action"], a["actor"]) for a in audit_rows(engine)]
    assert actions == [("patient", "review", "alice"), ("patient", "unreview", "bob"),
                       ("patient", "review", "bob")]
    assert audit_rows(engine)[1]["before"]["reviewed_by"] == "alice"
    with pytest.raises(EpisodeError):
        mark_case_reviewed(engine, 999, "alice", True, version=0)


def test_episodes_survive_reopening_the_database(db_path, pid, engine):
    from db.engine import open_database

    row = create_episode(engine, pid, actor="a", kind="remission", onset=T0, end=T0 + DAY)
    engine.dispose()
    again = open_database(str(db_path))
    try:
        assert count(again, Episode) == 1
        assert load_episodes(again, pid).iloc[0]["kind"] == row["kind"]
    finally:
        again.dispose()


def test_a_stale_review_is_refused_across_two_engines_on_one_file(db_path, engine, pid):
    from db.engine import open_database
    from db.episodes import StaleReviewError

    colleague = open_database(str(db_path))
    try:
        seen = patient_row(engine, pid)["review_version"]  # both read the unreviewed case
        mark_case_reviewed(colleague, pid, "bob", True, version=seen)
        with pytest.raises(StaleReviewError, match="reviewed by bob"):
            mark_case_reviewed(engine, pid, "alice", True, version=seen)
        with pytest.raises(StaleReviewError):  # nor can a stale withdrawal erase bob's review
            mark_case_reviewed(engine, pid, "alice", False, version=seen)
    finally:
        colleague.dispose()
    p = patient_row(engine, pid)
    assert (p["reviewed_by"], p["review_version"]) == ("bob", seen + 1)
    assert [a["actor"] for a in audit_rows(engine)] == ["bob"]


def test_an_undo_cannot_put_back_a_review_that_never_happened(engine, pid):
    with pytest.raises(EpisodeError, match="No review by mallory"):
        mark_case_reviewed(engine, pid, "mallory", True, version=0, at=T0, actor="alice")
    assert patient_row(engine, pid)["reviewed_by"] is None


def test_a_review_written_by_a_redo_can_be_put_back_by_a_later_undo(engine, pid,
                                                                     monkeypatch):
    # Mark reviewed, undo, redo (a new review time), withdraw, undo the withdrawal: the
    # review to put back is the redo's, audited as "redo:review".
    import db.episodes

    after = mark_case_reviewed(engine, pid, "alice", True, version=0)
    after = mark_case_reviewed(engine, pid, "alice", False, version=after["review_version"],
                               step="undo")
    clock = db.episodes.db_now
    monkeypatch.setattr(db.episodes, "db_now", lambda conn: clock(conn) + 60)  # a minute on
    redone = mark_case_reviewed(engine, pid, "alice", True,
                                version=after["review_version"], step="redo")
    monkeypatch.undo()
    after = mark_case_reviewed(engine, pid, "alice", False,
                               version=redone["review_version"])
    mark_case_reviewed(engine, pid, "alice", True, version=after["review_version"],
                       at=redone["reviewed_at"], actor="alice", step="undo")
    assert patient_row(engine, pid)["reviewed_by"] == "alice"
    assert [a["action"] for a in audit_rows(engine)] == [
        "review", "undo:unreview", "redo:review", "unreview", "undo:review"]
