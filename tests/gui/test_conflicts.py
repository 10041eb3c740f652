"""Someone else saved first: the refused reviewer sees their change (who, what, when, from
the audit trail) and chooses to keep it or to apply their own on top, as a new audited
change. Nothing is overwritten without that click."""

from __future__ import annotations

from PySide6 import QtCore

from data.alignment import DAY
from db.episodes import delete_episode, get_episode, mark_case_reviewed, update_episode
from db.queries import patient_row
from tests.gui.conftest import LANE_Y, not_shown_yet, open_case
from tests.gui.drag import drag
from tests.gui.test_annotation import audit

LEFT = QtCore.Qt.MouseButton.LeftButton


def conflict(qtbot, window):
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    box = window.conflict_dialog
    qtbot.waitExposed(box)
    return box


def test_a_refused_drag_shows_theirs_and_applies_mine_on_top(qtbot, window, demo_engine,
                                                             relapse_case, reviewer):
    onset, eid = relapse_case["onset"], relapse_case["id"]
    not_shown_yet(window)
    update_episode(demo_engine, eid, 1, actor="Dr Colleague", severity="mild")
    drag(qtbot, window.timeline, "episodes", onset, onset - 10 * DAY, y=LANE_Y)
    assert get_episode(demo_engine, eid)["onset"] == onset  # refused
    box = conflict(qtbot, window)
    told = box.informativeText()
    assert "Dr Colleague (" in told and "UTC): changed" in told and "severity: moderate → mild" in told
    assert "onset:" in told.split("Your change")[1]  # what the drag tried
    assert window.case.episodes.iloc[0]["severity"] == "mild"  # theirs is on screen

    qtbot.mouseClick(box.apply_button, LEFT)
    qtbot.waitUntil(lambda: get_episode(demo_engine, eid)["version"] == 3)
    ep = get_episode(demo_engine, eid)
    # Mine on top of theirs: the onset moved, their severity kept.
    assert (ep["onset"], ep["severity"], ep["version"]) == (onset - 10 * DAY, "mild", 3)
    trail = audit(demo_engine, eid)[-2:]
    assert [(a["actor"], a["after"]) for a in trail] == [
        ("Dr Colleague", {"severity": "mild", "version": 2}),
        (reviewer, {"onset": onset - 10 * DAY, "version": 3})]
    assert window.case.episodes.iloc[0]["onset"] == onset - 10 * DAY
    assert window.actions["undo"].isEnabled()  # a new change, undoable as any other


def test_keep_theirs_leaves_their_change_and_writes_nothing(qtbot, window, demo_engine,
                                                            relapse_case):
    eid = relapse_case["id"]
    not_shown_yet(window)
    update_episode(demo_engine, eid, 1, actor="Dr Colleague", note="seen at clinic")
    window.episode_feature.controller.select(eid)
    panel = window.episode_feature.properties
    panel.kind.setFocus()
    qtbot.keyClicks(panel.kind, "f")  # flare
    box = conflict(qtbot, window)
    assert "on anakinra. → seen at clinic" in box.informativeText()
    assert "kind: relapse → flare" in box.informativeText()
    n = len(audit(demo_engine))
    qtbot.keyClick(box, QtCore.Qt.Key.Key_Escape)  # Escape keeps theirs
    qtbot.waitUntil(lambda: window.conflict_dialog is None)
    ep = get_episode(demo_engine, eid)
    assert (ep["kind"], ep["note"], ep["version"]) == ("relapse", "seen at clinic", 2)
    assert len(audit(demo_engine)) == n
    assert panel.note.toPlainText() == "seen at clinic" and panel.kind.currentData() == "relapse"


def test_an_episode_deleted_meanwhile_offers_nothing_to_apply(qtbot, window, demo_engine,
                                                              relapse_case):
    onset, eid = relapse_case["onset"], relapse_case["id"]
    not_shown_yet(window)
    delete_episode(demo_engine, eid, 1, actor="Dr Colleague")
    drag(qtbot, window.timeline, "episodes", onset, onset - 10 * DAY, y=LANE_Y)
    box = conflict(qtbot, window)
    assert box.apply_button is None
    assert "UTC): deleted<br>· kind: relapse" in box.informativeText()
    qtbot.mouseClick(box.keep_button, LEFT)
    assert get_episode(demo_engine, eid) is None and window.case.episodes.empty


def test_a_refused_review_shows_who_reviewed_and_can_be_applied_on_top(qtbot, window,
                                                                       demo_engine, reviewer):
    case = open_case(qtbot, window, "TRAPS-01")
    not_shown_yet(window)
    mark_case_reviewed(demo_engine, case.id, "Dr Colleague", True, version=0)
    window.actions["mark_reviewed"].trigger()  # this window still shows it unreviewed
    box = conflict(qtbot, window)
    assert "The review of TRAPS-01" in box.text()
    assert "UTC): marked reviewed" in box.informativeText()
    assert "mark the case reviewed" in box.informativeText()
    assert window.actions["mark_reviewed"].isChecked()  # theirs shown
    assert window.episode_feature.review_info.text().startswith("Reviewed by Dr Colleague")
    qtbot.mouseClick(box.apply_button, LEFT)
    qtbot.waitUntil(lambda: patient_row(demo_engine, case.id)["review_version"] == 2)
    p = patient_row(demo_engine, case.id)
    assert (p["reviewed_by"], p["review_version"]) == (reviewer, 2)
    assert window.episode_feature.review_info.text().startswith(f"Reviewed by {reviewer}")



def test_undo_never_sets_back_a_colleagues_later_change_shown_meanwhile(
        qtbot, window, demo_engine, relapse_case):
    onset, eid = relapse_case["onset"], relapse_case["id"]
    drag(qtbot, window.timeline, "episodes", onset, onset - 10 * DAY, y=LANE_Y)
    assert get_episode(demo_engine, eid)["onset"] == onset - 10 * DAY
    # A colleague moves the onset again; the window shows it (gui.live_refresh).
    update_episode(demo_engine, eid, 2, actor="Dr Colleague", onset=onset - 5 * DAY)
    qtbot.waitUntil(lambda: window.case.episodes.iloc[0]["version"] == 3, timeout=5000)
    window.actions["undo"].trigger()  # would put my old onset back over theirs
    ep = get_episode(demo_engine, eid)
    assert (ep["onset"], ep["version"]) == (onset - 5 * DAY, 3)
    assert "changed by someone else since" in window.statusBar().currentMessage()


def test_undoing_my_review_never_withdraws_a_colleagues_review_shown_since(
        qtbot, window, demo_engine):
    case = open_case(qtbot, window, "TRAPS-01")
    window.actions["mark_reviewed"].trigger()
    mark_case_reviewed(demo_engine, case.id, "Dr Colleague", True, version=1)
    qtbot.waitUntil(lambda: window.case.patient["review_version"] == 2, timeout=5000)
    window.actions["undo"].trigger()
    assert patient_row(demo_engine, case.id)["reviewed_by"] == "Dr Colleague"
    assert "changed by someone else since" in window.statusBar().currentMessage()


def test_undoing_my_new_episode_never_deletes_a_colleagues_edit_shown_since(
        qtbot, window, demo_engine):
    from tests.gui.test_annotation import annotate_in, episodes

    day0 = annotate_in(qtbot, window)
    drag(qtbot, window.timeline, "cytokines", day0 + 100 * DAY, day0 + 110 * DAY)
    [ep] = episodes(demo_engine, window)
    update_episode(demo_engine, ep["id"], 1, actor="Dr Colleague", note="confirmed by CRP")
    qtbot.waitUntil(lambda: window.episode_feature.controller.row(ep["id"])["version"] == 2,
                    timeout=5000)
    window.actions["undo"].trigger()  # would delete the episode and their note with it
    kept = get_episode(demo_engine, ep["id"])
    assert kept is not None and kept["note"] == "confirmed by CRP"
    assert "changed by someone else since" in window.statusBar().currentMessage()


def test_redoing_my_delete_never_deletes_a_colleagues_edit_shown_since(
        qtbot, window, demo_engine, relapse_case):
    eid = relapse_case["id"]
    window.episode_feature.controller.select(eid)
    window.actions["delete_episode"].trigger()
    window.actions["undo"].trigger()  # back, at a new version
    back = get_episode(demo_engine, eid)
    update_episode(demo_engine, eid, back["version"], actor="Dr Colleague",
                   severity="severe")
    qtbot.waitUntil(lambda: window.episode_feature.controller.row(eid)["severity"] == "severe",
                    timeout=5000)
    window.actions["redo"].trigger()  # would delete their severity unseen
    kept = get_episode(demo_engine, eid)
    assert kept is not None and kept["severity"] == "severe"
    assert "changed by someone else since" in window.statusBar().currentMessage()
