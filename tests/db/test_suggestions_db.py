"""Stored suggestions: a run of the criteria stored once, never duplicated; accept and
reject write the suggestion, the episode and the audit rows together; changed evidence is
marked; stale versions are refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db import suggestions as store
from db.episodes import get_episode
from db.models import AuditEvent

DAY = 86_400
ONSET = 1_714_608_000  # 2024-05-02


def found(onset=ONSET, end=ONSET + 56 * DAY, text="CRP 62 mg/L, physician global 2 (mild)",
          kind="relapse"):
    return dict(kind=kind, onset=onset, end=end, criteria=["caps_relapse", "cluster_flare"],
                certainty="certain", fingerprint=str(abs(hash((onset, end, text)))),
                evidence=[{"text": text, "samples": [{"code": "CRP", "specimen": "serum",
                                                       "t": onset + 36_000}]}])


def audit(engine, entity="suggestion"):
    t = AuditEvent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.entity == entity).order_by(t.c.id)).mappings()
        return [dict(r) | {"before": json.loads(r["before"] or "null"),
                           "after": json.loads(r["after"] or "null")} for r in rows]


def only(engine, pid):
    [row] = store.load_suggestions(engine, pid).to_dict("records")
    return row


def test_a_run_is_stored_once_and_a_rerun_adds_nothing(engine, pid):
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A") == dict(
        added=1, changed=0, unchanged=0, withdrawn=0)
    row = only(engine, pid)
    assert (row["state"], row["changed"], row["criteria"]) == ("open", 0,
                                                              ["caps_relapse", "cluster_flare"])
    assert row["evidence"][0]["samples"][0]["code"] == "CRP"
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A")["unchanged"] == 1
    assert [a["action"] for a in audit(engine)] == ["create"]


def test_accept_makes_a_reviewer_episode_and_a_rerun_adds_nothing(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    s, ep = store.accept_suggestion(engine, row["id"], row["version"], actor="Dr B")
    assert (s["state"], s["episode_id"]) == ("accepted", ep["id"])
    stored = get_episode(engine, ep["id"])
    assert (stored["kind"], stored["onset"], stored["end"], stored["origin"], stored["status"]
            ) == ("relapse", ONSET, ONSET + 56 * DAY, "rule", "accepted")
    assert store.suggestion_of_episode(engine, ep["id"])["criteria"] == [
        "caps_relapse", "cluster_flare"]
    assert [a["action"] for a in audit(engine, "episode")] == ["create"]
    assert audit(engine)[-1]["after"]["state"] == "accepted"
    # The criteria run again (the reviewer moved the episode's onset meanwhile or not):
    # the accepted suggestion is found again, not added twice.
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A")["added"] == 0
    assert store.store_suggestions(engine, pid, [found(onset=ONSET + 3 * DAY)],
                                   actor="Dr A")["added"] == 0
    assert len(store.load_suggestions(engine, pid)) == 1


def test_reject_needs_a_reason_and_keeps_it(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    with pytest.raises(store.SuggestionError, match="Say why"):
        store.reject_suggestion(engine, row["id"], row["version"], actor="Dr B", reason="  ")
    s = store.reject_suggestion(engine, row["id"], row["version"], actor="Dr B",
                                reason="CRP from a chest infection")
    assert (s["state"], s["reason"]) == ("rejected", "CRP from a chest infection")
    assert audit(engine)[-1]["after"]["reason"] == "CRP from a chest infection"
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A")["added"] == 0
    with pytest.raises(store.SuggestionError, match="already rejected"):
        store.accept_suggestion(engine, row["id"], s["version"], actor="Dr B")


def test_undo_of_accept_deletes_the_episode_and_redo_puts_the_same_one_back(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    s, ep = store.accept_suggestion(engine, row["id"], row["version"], actor="Dr B")
    s, deleted = store.reopen_suggestion(engine, s["id"], s["version"], actor="Dr B",
                                         episode_version=ep["version"], step="undo")
    assert s["state"] == "open" and get_episode(engine, ep["id"]) is None
    s, again = store.accept_suggestion(engine, s["id"], s["version"], actor="Dr B",
                                       step="redo", restore=deleted)
    assert again["id"] == ep["id"] and s["episode_id"] == ep["id"]
    assert [a["action"] for a in audit(engine, "episode")] == ["create", "undo:delete",
                                                               "redo:restore"]
    assert [a["action"] for a in audit(engine)][-2:] == ["undo:reopen", "redo:accept"]


def test_changed_evidence_is_marked_and_a_decision_kept(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    store.reject_suggestion(engine, row["id"], row["version"], actor="Dr B", reason="no")
    counts = store.store_suggestions(engine, pid, [found(text="CRP 62 mg/L, physician global "
                                                             "3 (moderate)")], actor="Dr A")
    assert counts["changed"] == 1
    row = only(engine, pid)
    assert (row["state"], row["changed"]) == ("rejected", 1)
    assert "3 (moderate)" in row["evidence"][0]["text"]
    assert audit(engine)[-1]["action"] == "evidence changed"
    # Later runs finding the same evidence keep the mark: only the reviewer lifts it.
    changed = [found(text="CRP 62 mg/L, physician global 3 (moderate)")]
    assert store.store_suggestions(engine, pid, changed, actor="Dr A")["unchanged"] == 1
    assert only(engine, pid)["changed"] == 1
    kept = store.keep_decision(engine, row["id"], row["version"], actor="Dr B")
    assert (kept["state"], kept["changed"]) == ("rejected", 0)
    assert audit(engine)[-1]["action"] == "keep"
    with pytest.raises(store.SuggestionError, match="not marked changed"):
        store.keep_decision(engine, row["id"], kept["version"], actor="Dr B")
    assert store.store_suggestions(engine, pid, changed, actor="Dr A")["unchanged"] == 1
    assert only(engine, pid)["changed"] == 0


def test_an_open_suggestion_has_no_decision_to_keep(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    with pytest.raises(store.SuggestionError, match="no decision to keep"):
        store.keep_decision(engine, row["id"], row["version"], actor="Dr B")


def test_an_open_suggestion_the_criteria_no_longer_find_is_withdrawn(engine, pid):
    store.store_suggestions(engine, pid, [found(), found(onset=ONSET + 200 * DAY, end=None)],
                            actor="Dr A")
    counts = store.store_suggestions(engine, pid, [found()], actor="Dr A")
    assert counts == dict(added=0, changed=0, unchanged=1, withdrawn=1)
    assert audit(engine)[-1]["action"] == "withdraw"


def test_a_stale_version_is_refused(engine, pid):
    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    store.reject_suggestion(engine, row["id"], row["version"], actor="Dr B", reason="no")
    with pytest.raises(store.StaleSuggestionError, match="changed meanwhile"):
        store.reopen_suggestion(engine, row["id"], row["version"], actor="Dr C")


def test_a_suggestion_row_written_by_hand_with_bad_json_is_left_out(engine, pid):
    from sqlalchemy import update

    from db.models import Suggestion

    store.store_suggestions(engine, pid, [found(), found(onset=ONSET + 200 * DAY)],
                            actor="Dr A")
    t = Suggestion.__table__
    first = int(store.load_suggestions(engine, pid)["id"].iloc[0])
    with engine.begin() as conn:  # as a server login could with psql
        conn.execute(update(t).where(t.c.id == first).values(criteria="not json"))
    rows = store.load_suggestions(engine, pid)
    assert list(rows["onset"]) == [ONSET + 200 * DAY]  # the case still opens


def test_findings_rewritten_by_hand_are_put_back_by_the_next_run(engine, pid):
    """Evidence rewritten outside the criteria under the same fingerprint stayed through
    every later run, which compared fingerprints only (attacker review)."""
    from sqlalchemy import update

    from db.models import Suggestion

    store.store_suggestions(engine, pid, [found()], actor="Dr A")
    row = only(engine, pid)
    store.reject_suggestion(engine, row["id"], row["version"], reason="not a flare",
                            actor="Dr A")
    forged = json.dumps([{"text": "CRP 2 mg/L, physician global 0 (absent)", "samples": []}])
    t = Suggestion.__table__
    with engine.begin() as conn:  # as a server login could with psql
        conn.execute(update(t).where(t.c.id == row["id"]).values(evidence=forged))
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A")["changed"] == 1
    row = only(engine, pid)
    assert row["evidence"][0]["text"] == "CRP 62 mg/L, physician global 2 (mild)"
    assert (row["state"], row["changed"]) == ("rejected", 1)
    assert store.store_suggestions(engine, pid, [found()], actor="Dr A")["unchanged"] == 1


@pytest.mark.pg_only
def test_on_a_server_the_decider_keeps_the_decision_a_colleague_cannot(demo_engine,
                                                                        server_login):
    """The server lets a decided suggestion's changed mark go only with a decision, taken
    only by whoever decided it (a11_guards): keeping is deciding again."""
    from db.identity import login
    from db.patients import patient_id
    from db.roles import REVIEWER

    decider = server_login(demo_engine, REVIEWER, "dr_keeps")
    other = server_login(demo_engine, REVIEWER, "dr_colleague")
    pid = int(patient_id(demo_engine, "NLRP12-01"))
    store.store_suggestions(decider, pid, [found()], actor=login(decider))
    row = only(decider, pid)
    store.reject_suggestion(decider, row["id"], row["version"], actor=login(decider),
                            reason="infection")
    store.store_suggestions(other, pid, [found(text="CRP 80 mg/L")], actor=login(other))
    row = only(decider, pid)
    assert (row["state"], row["changed"]) == ("rejected", 1)
    with pytest.raises(store.SuggestionError, match="Only dr_keeps, who rejected it"):
        store.keep_decision(other, row["id"], row["version"], actor=login(other))
    kept = store.keep_decision(decider, row["id"], row["version"], actor=login(decider))
    assert (kept["state"], kept["changed"], kept["reason"]) == ("rejected", 0, "infection")
    assert [a["action"] for a in audit(demo_engine)][-1] == "keep"
    back = store.keep_decision(decider, row["id"], kept["version"], actor=login(decider),
                               keep=False, step="undo")
    assert (back["state"], back["changed"]) == ("rejected", 1)
    from db.audit import verify
    assert verify(demo_engine)[1] == []
