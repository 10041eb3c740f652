"""Suggested relapses in the window: the dock lists them with their evidence, the timeline
draws them apart from the reviewer's episodes; accept, edit, reject with a reason, undo and
redo, driven with the mouse and keyboard; the database and the audit trail are the
witnesses."""

from __future__ import annotations

import json

from PySide6 import QtCore
from PySide6.QtTest import QTest
from sqlalchemy import select

from data.alignment import DAY
from db import suggestions as store
from db.episodes import get_episode
from db.models import AuditEvent
from tests.data.relapse_cases import write_cases
from tests.gui.conftest import LANE_Y, open_case
from tests.gui.drag import drag

HOUR = 3_600


def audit(engine, entity: str) -> list[dict]:
    t = AuditEvent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.entity == entity).order_by(t.c.id)).mappings()
        return [dict(r) | {"after": json.loads(r["after"] or "null")} for r in rows]


def open_dock(qtbot, window, pseudonym: str):
    case = open_case(qtbot, window, pseudonym)
    toggle = window.suggestions.dock.toggleViewAction()
    assert toggle.shortcut().toString() == "Ctrl+Shift+S"
    toggle.trigger()
    qtbot.waitUntil(lambda: window.suggestions.panel.table.rowCount() > 0, timeout=5000)
    return case


def click_row(qtbot, panel, row: int) -> None:
    table = panel.table
    rect = table.visualItemRect(table.item(row, 0))
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.wait(20)


def stored(engine, case) -> list[dict]:
    return store.load_suggestions(engine, case.id).to_dict("records")


def test_accept_edit_undo_redo_and_a_rerun_adds_nothing(qtbot, window, demo_engine,
                                                         reviewer):
    case = open_dock(qtbot, window, "NLRP12-01")
    panel, layer = window.suggestions.panel, window.suggestions.layer
    [suggestion] = stored(demo_engine, case)
    assert suggestion["state"] == "open" and suggestion["kind"] == "relapse"
    # Drawn apart from the reviewer's episodes: hatched boxes of its own layer.
    assert len(layer.items) == len(list(window.timeline.visible_plots()))
    assert panel.table.item(0, 2).text() == "relapse"
    click_row(qtbot, panel, 0)
    assert panel.evidence.count() >= 3
    assert panel.evidence.item(0).text().startswith("CRP ")
    assert window.timeline.highlight.ringed  # the visit's CRP and SAA, ringed
    assert not panel.reject.isEnabled()  # no reason typed yet

    QTest.mouseClick(panel.accept, QtCore.Qt.MouseButton.LeftButton)
    s = stored(demo_engine, case)[0]
    episode = get_episode(demo_engine, s["episode_id"])
    assert (s["state"], episode["origin"], episode["kind"], episode["author"]) == (
        "accepted", "rule", "relapse", reviewer)
    assert episode["onset"] == suggestion["onset"]
    assert window.actions["undo"].text() == "&Undo Accept suggested relapse"
    assert layer.items == []  # accepted: now a reviewer episode, drawn as one
    assert window.episode_feature.controller.selected_id == episode["id"]
    assert store.suggestion_of_episode(demo_engine, episode["id"])["criteria"][:2] == [
        "caps_relapse", "cluster_flare"]
    meta = window.episode_feature.properties.meta.text()
    assert "Suggested by CAPS relapse, CLUSTER flare" in meta and "(certain): CRP " in meta

    # Its edges are the reviewer's to edit, like any episode's.
    onset = episode["onset"]
    window.timeline.set_x_range(onset - 30 * DAY, onset + 60 * DAY)
    qtbot.wait(30)
    drag(qtbot, window.timeline, "episodes", onset, onset - 5 * DAY + 2 * HOUR, y=LANE_Y)
    assert get_episode(demo_engine, episode["id"])["onset"] == onset - 5 * DAY

    window.actions["undo"].trigger()  # the edit
    window.actions["undo"].trigger()  # the accept
    assert get_episode(demo_engine, episode["id"]) is None
    assert stored(demo_engine, case)[0]["state"] == "open"
    assert len(layer.items) > 0
    window.actions["redo"].trigger()
    assert get_episode(demo_engine, episode["id"])["onset"] == onset  # the same episode
    assert stored(demo_engine, case)[0]["state"] == "accepted"
    actions = [a["action"] for a in audit(demo_engine, "suggestion")]
    assert actions == ["create", "accept", "undo:reopen", "redo:accept"]

    QTest.mouseClick(panel.run, QtCore.Qt.MouseButton.LeftButton)
    assert len(stored(demo_engine, case)) == 1
    assert [a["action"] for a in audit(demo_engine, "suggestion")] == actions


def test_reject_with_a_reason_undo_and_redo(qtbot, window, demo_engine):
    case = open_dock(qtbot, window, "TRAPS-01")
    panel = window.suggestions.panel
    first = stored(demo_engine, case)[0]
    episodes_audited = len(audit(demo_engine, "episode"))
    click_row(qtbot, panel, 0)
    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "a single attack on treatment, not a relapse")
    assert panel.reject.isEnabled()
    QTest.mouseClick(panel.reject, QtCore.Qt.MouseButton.LeftButton)
    s = next(r for r in stored(demo_engine, case) if r["id"] == first["id"])
    assert (s["state"], s["reason"]) == ("rejected",
                                         "a single attack on treatment, not a relapse")
    assert audit(demo_engine, "suggestion")[-1]["after"]["reason"] == s["reason"]
    assert all(panel.table.item(r, 0).data(QtCore.Qt.ItemDataRole.UserRole) != s["id"]
               for r in range(panel.table.rowCount()))  # hidden from the list
    panel.show_decided.setChecked(True)
    assert any("rejected: a single attack" in panel.table.item(r, 5).text()
               for r in range(panel.table.rowCount()))
    window.actions["undo"].trigger()
    assert next(r for r in stored(demo_engine, case) if r["id"] == first["id"])["state"] == \
        "open"
    window.actions["redo"].trigger()
    assert next(r for r in stored(demo_engine, case) if r["id"] == first["id"])["state"] == \
        "rejected"
    assert len(audit(demo_engine, "episode")) == episodes_audited  # no episode written


def test_a_missing_physician_global_is_named_in_the_evidence(qtbot, window, demo_engine,
                                                            tmp_path):
    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    texts = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert texts == ["day +113", "day +246"]
    click_row(qtbot, panel, 1)
    assert panel.evidence.item(0).text() == "CRP 45 mg/L; physician global not recorded"
    assert panel.table.item(1, 3).text() == "uncertain"
    assert "1 matched" not in panel.agreement.text()
    assert "0 matched, 0 missed, 2 extra" in panel.agreement.text()


def test_a_reimport_that_changes_the_evidence_marks_the_suggestion(qtbot, window,
                                                                 demo_engine, tmp_path):
    from data.importing import import_file

    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    case = open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    click_row(qtbot, panel, 1)  # the September visit, no physician global
    qtbot.keyClicks(panel.reason, "CRP from a chest infection")
    qtbot.keyClick(panel.reason, QtCore.Qt.Key.Key_Return)
    late = tmp_path / "late_pga.csv"
    late.write_text("patient,date,code,value\nHOSP-01,2024-09-12T10:00,PGA,3\n",
                    encoding="utf-8")
    import_file(demo_engine, late)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.reload_case()
    rows = stored(demo_engine, case)
    september = next(r for r in rows if r["onset"] != rows[0]["onset"])
    assert (september["state"], september["changed"]) == ("rejected", 1)
    assert september["evidence"][0]["text"] == "CRP 45 mg/L, physician global 3 (moderate)"
    assert len(rows) == 2  # re-run on reload: nothing added
    panel.show_decided.setChecked(True)
    states = [panel.table.item(r, 5).text() for r in range(panel.table.rowCount())]
    assert "changed · rejected: CRP from a chest infection" in states


def test_after_accept_or_reject_the_keys_stay_in_the_list(qtbot, window, demo_engine,
                                                         tmp_path):
    """A reviewer goes through the suggestions by keyboard: after Accept or Reject the list
    keeps the keyboard, on the next suggestion (the focus went to the case filter, where
    the next key was typed)."""
    from PySide6 import QtWidgets

    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    first, second = (panel.table.item(r, 0).data(QtCore.Qt.ItemDataRole.UserRole)
                     for r in range(2))
    click_row(qtbot, panel, 0)
    QTest.mouseClick(panel.accept, QtCore.Qt.MouseButton.LeftButton)
    assert next(r for r in stored(demo_engine, window.case)
                if r["id"] == first)["state"] == "accepted"
    assert QtWidgets.QApplication.focusWidget() is panel.table
    assert panel.selected_id() == second
    QTest.keyClick(panel.table, QtCore.Qt.Key.Key_6)  # a timeline key, not a filter's text
    assert window.browser.filter.text() == ""

    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "no visit with a physician global")
    QTest.keyClick(panel.reason, QtCore.Qt.Key.Key_Return)
    assert next(r for r in stored(demo_engine, window.case)
                if r["id"] == second)["state"] == "rejected"
    assert QtWidgets.QApplication.focusWidget() is panel.table


def agreement_rows(panel) -> dict[str, list[str]]:
    table = panel.per_criterion
    return {table.item(r, 0).text(): [table.item(r, c).text()
                                      for c in range(1, table.columnCount())]
            for r in range(table.rowCount())}


def test_the_dock_shows_the_agreement_per_criterion_after_each_decision(qtbot, window,
                                                                        demo_engine,
                                                                        tmp_path):
    """The per-criterion table of `suggest` and the case PDF, in the dock: a suggestion
    accepted becomes the reviewer's episode, so the criteria it met match one; undone,
    they do not."""
    from data.suggest_report import PER_CRITERION_COLUMNS

    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    rows = agreement_rows(panel)
    assert panel.per_criterion.columnCount() == len(PER_CRITERION_COLUMNS) - 1  # no Role
    # suggested, matched, missed, extra, onset difference
    assert rows["CAPS relapse"] == ["2", "0", "0", "2", "–"]
    assert rows["CLUSTER flare"] == ["2", "0", "0", "2", "–"]
    assert rows["Subclinical inflammation"] == ["0", "0", "–", "0", "–"]
    click_row(qtbot, panel, 0)  # day +113: CAPS relapse, CLUSTER flare
    QTest.mouseClick(panel.accept, QtCore.Qt.MouseButton.LeftButton)
    rows = agreement_rows(panel)
    assert rows["CAPS relapse"] == ["2", "1", "0", "1", "same day"]
    assert rows["CLUSTER flare"] == ["2", "1", "0", "1", "same day"]
    assert "1 matched, 0 missed, 1 extra" in panel.agreement.text()
    window.actions["undo"].trigger()
    rows = agreement_rows(panel)
    assert rows["CAPS relapse"] == ["2", "0", "0", "2", "–"]
    assert rows["CLUSTER flare"] == ["2", "0", "0", "2", "–"]


def test_the_dock_shows_several_suggestions_beside_key_figures(qtbot, window, demo_engine,
                                                               tmp_path):
    """At 1400×900 with Key figures open too, the list shows three suggestions or more and
    the whole agreement table (stacked under Key figures, one row showed)."""
    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1400, 900)
    window.key_figures.dock.toggleViewAction().trigger()
    open_dock(qtbot, window, "HOSP-01")
    qtbot.wait(50)
    panel = window.suggestions.panel
    assert window.key_figures.dock in window.tabifiedDockWidgets(window.suggestions.dock)
    assert panel.table.isVisible()
    assert panel.table.viewport().height() // panel.table.rowHeight(0) >= 3
    table = panel.per_criterion
    last = table.rowCount() - 1
    assert table.rowViewportPosition(last) + table.rowHeight(last) <= \
        table.viewport().height()  # every criterion in sight, no scrolling
    # Either dock from the View menu comes to the front.
    window.key_figures.dock.toggleViewAction().trigger()  # closes it
    window.key_figures.dock.toggleViewAction().trigger()
    qtbot.wait(20)
    # (a tab behind is moved out of sight, not hidden)
    assert not window.key_figures.panel.visibleRegion().isEmpty()
    assert panel.visibleRegion().isEmpty()


def test_changed_evidence_stays_marked_until_the_reviewer_keeps_the_decision(
        qtbot, window, demo_engine, tmp_path):
    """A re-import adds a visit inside an accepted relapse: the suggestion is marked
    changed, and stays listed and marked through later runs and a reopened case (the mark
    was seen once, in the status bar, and the accepted row was hidden), until the
    reviewer keeps the decision; undo puts the mark back."""
    from data.importing import import_file

    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    case = open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    click_row(qtbot, panel, 0)  # May: accepted
    QTest.mouseClick(panel.accept, QtCore.Qt.MouseButton.LeftButton)
    may = stored(demo_engine, case)[0]
    assert may["state"] == "accepted" and panel.table.rowCount() == 1  # September only
    visit = tmp_path / "visit_0516.csv"
    visit.write_text("patient,date,code,value,unit,specimen\n"
                     "HOSP-01,2024-05-16T10:00,CRP,95,mg/L,serum\n"
                     "HOSP-01,2024-05-16T10:00,PGA,3,{score},\n", encoding="utf-8")
    import_file(demo_engine, visit)

    def listed() -> list[str]:
        return [panel.table.item(r, 5).text() for r in range(panel.table.rowCount())]

    for _ in range(2):  # the case reopened twice, the criteria run each time
        with qtbot.waitSignal(window.caseOpened, timeout=10_000):
            window.reload_case()
        qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
        assert listed() == ["changed · accepted", "open"]
        assert "1 decided suggestion with changed evidence to look at" in \
            window.statusBar().currentMessage()
    QTest.mouseClick(panel.run, QtCore.Qt.MouseButton.LeftButton)
    assert listed() == ["changed · accepted", "open"]
    assert panel.table.item(0, 5).toolTip() == \
        "<qt>The evidence changed since the decision: accepted</qt>"
    assert stored(demo_engine, case)[0]["changed"] == 1

    click_row(qtbot, panel, 0)
    assert panel.keep.isEnabled() and not panel.accept.isEnabled()
    QTest.mouseClick(panel.keep, QtCore.Qt.MouseButton.LeftButton)
    assert stored(demo_engine, case)[0]["changed"] == 0
    assert audit(demo_engine, "suggestion")[-1]["action"] == "keep"
    assert listed() == ["open"]
    window.actions["undo"].trigger()
    assert stored(demo_engine, case)[0]["changed"] == 1
    assert audit(demo_engine, "suggestion")[-1]["action"] == "undo:mark changed"
    assert listed() == ["changed · accepted", "open"]


def test_a_physician_global_without_a_marker_is_said_in_the_dock(qtbot, window,
                                                                  demo_engine, tmp_path):
    """A visit with a physician global of 3 and no blood drawn for weeks sets no
    suggestion: the dock says so rather than nothing."""
    from data.importing import import_file

    write_cases(demo_engine, tmp_path)
    visit = tmp_path / "pga_only.csv"
    visit.write_text("patient,date,code,value,unit,specimen\n"
                     "HOSP-01,2024-03-20T10:00,PGA,3,{score},\n", encoding="utf-8")
    import_file(demo_engine, visit)
    window.refresh_case_list()
    qtbot.wait(50)
    open_dock(qtbot, window, "HOSP-01")
    notes = window.suggestions.panel.notes
    assert notes.isVisible()
    assert ("day +70: physician global 3 (moderate); CRP and SAA not recorded within 7 days: "
            "no criterion met, both need the inflammatory marker") in notes.text()
