"""What someone else changed since a version, in the audit trail's words."""

from __future__ import annotations

from data.conflicts import DETAILS, EPISODE, REVIEW, changes_since, mine_text, theirs_text
from db.episodes import create_episode, delete_episode, mark_case_reviewed, update_episode
from db.patients import update_patient
from db.writes import insert_patient

T0 = 1_700_000_000 // 86_400 * 86_400


def _case(engine) -> int:
    with engine.begin() as conn:
        return insert_patient(conn, pseudonym="HOP-01")


def test_only_the_changes_after_the_version_read_are_told(engine):
    pid = _case(engine)
    eid = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0)["id"]
    update_episode(engine, eid, 1, actor="alice", severity="mild")
    update_episode(engine, eid, 2, actor="bob", severity="severe", note="ICU")
    [change] = changes_since(engine, EPISODE, eid, 2)
    assert (change.actor, change.action) == ("bob", "update")
    assert change.lines == ("note: — → ICU", "severity: mild → severe")
    assert change.text().startswith("bob (") and "UTC): changed\n· note: — → ICU" in change.text()
    assert len(changes_since(engine, EPISODE, eid, 1)) == 2
    delete_episode(engine, eid, 3, actor="carol")
    assert [c.action for c in changes_since(engine, EPISODE, eid, 3)] == ["delete"]


def test_review_and_details_are_told_apart(engine):
    pid = _case(engine)
    mark_case_reviewed(engine, pid, "bob", True, version=0)
    update_patient(engine, pid, 1, actor="carol", diagnosis="FCAS2", record_number="IPP-1")
    assert [c.actor for c in changes_since(engine, REVIEW, pid, 0)] == ["bob"]
    details = changes_since(engine, DETAILS, pid, 1)
    assert [c.lines for c in details] == [("diagnosis: — → FCAS2", "record number: — → IPP-1")]
    assert changes_since(engine, DETAILS, pid, 2) == []


def test_a_change_without_an_audit_row_is_still_told():
    assert "outside Flarescope" in theirs_text([])
    assert mine_text("episode", {"kind": "relapse"}, {"kind": "flare"}) == "kind: relapse → flare"
