"""Others' changes show within seconds, on both back-ends: another connection (another
Flarescope) changes an episode, a review, a patient's details; the window shows it without
F5, keeping the selection and the view, and never under an edit in progress."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from PySide6 import QtCore

from db.engine import open_database
from db.episodes import get_episode, mark_case_reviewed, update_episode
from db.patients import update_patient
from tests.backend import target
from tests.gui.conftest import open_case

SHOWN_WITHIN_MS = 5_000  # "within a few seconds"


@pytest.fixture
def colleague(demo_engine):
    """Another reviewer's Flarescope on the same database: an engine of its own."""
    other = open_database(target(demo_engine))
    yield other
    other.dispose()


def reviewed_cell(window, pseudonym: str) -> str:
    proxy = window.browser.proxy
    r = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == pseudonym)
    return proxy.index(r, 5).data()


def test_a_colleagues_episode_edit_shows_keeping_selection_and_view(qtbot, window, colleague,
                                                                    relapse_case):
    eid = relapse_case["id"]
    controller = window.episode_feature.controller
    controller.select(eid)
    lo, hi = window.timeline.x_range()
    update_episode(colleague, eid, 1, actor="Dr Colleague", severity="mild", note="seen")
    qtbot.waitUntil(lambda: window.case.episodes.iloc[0]["severity"] == "mild",
                    timeout=SHOWN_WITHIN_MS)
    panel = window.episode_feature.properties
    assert panel.note.toPlainText() == "seen" and panel.severity.currentData() == "mild"
    assert controller.selected_id == eid
    assert window.timeline.x_range() == pytest.approx((lo, hi))
    assert window.live_refresh.seen > 0


def test_a_review_by_another_process_shows_in_the_list_and_the_case(qtbot, window,
                                                                    demo_engine):
    case = open_case(qtbot, window, "TRAPS-01")
    script = textwrap.dedent("""
        import sys
        from db.engine import open_database
        from db.episodes import mark_case_reviewed
        engine = open_database(sys.argv[1])
        mark_case_reviewed(engine, int(sys.argv[2]), "Dr Elsewhere", True, version=0)
        engine.dispose()
    """)
    subprocess.run([sys.executable, "-c", script, target(demo_engine), str(case.id)],
                   check=True, timeout=60)
    qtbot.waitUntil(lambda: reviewed_cell(window, "TRAPS-01").startswith("Dr Elsewhere"),
                    timeout=SHOWN_WITHIN_MS)
    qtbot.waitUntil(lambda: window.actions["mark_reviewed"].isChecked(), timeout=1000)
    assert window.episode_feature.review_info.text().startswith("Reviewed by Dr Elsewhere")
    assert window.case.pseudonym == "TRAPS-01" and window.browser.current_id() == case.id


def test_a_colleagues_patient_details_reload_the_case(qtbot, window, colleague):
    case = open_case(qtbot, window, "CAPS-01")
    update_patient(colleague, case.id, 1, actor="Dr Colleague", diagnosis="CAPS, confirmed")
    qtbot.waitUntil(lambda: "CAPS, confirmed" in window.header.text(), timeout=SHOWN_WITHIN_MS)
    row = next(r for r in window.browser.model.rows if r.pseudonym == "CAPS-01")
    assert row.diagnosis == "CAPS, confirmed"


def test_a_note_being_typed_is_never_replaced_and_gets_the_choice(qtbot, window, colleague,
                                                                  demo_engine, relapse_case):
    eid = relapse_case["id"]
    window.episode_feature.controller.select(eid)
    note = window.episode_feature.properties.note
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClick(note, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(note, " Mine.")
    update_episode(colleague, eid, 1, actor="Dr Colleague", severity="mild")
    qtbot.wait(2500)  # a few looks: each finds an edit in progress
    assert note.toPlainText().endswith(" Mine.")
    assert window.case.episodes.iloc[0]["severity"] == relapse_case["severity"]
    qtbot.keyClick(note, QtCore.Qt.Key.Key_Return)  # saved on the old version: refused
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    qtbot.mouseClick(window.conflict_dialog.apply_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: get_episode(demo_engine, eid)["version"] == 3)
    ep = get_episode(demo_engine, eid)
    assert ep["note"].endswith(" Mine.") and ep["severity"] == "mild"


def test_nothing_changed_reads_nothing(qtbot, window, colleague, relapse_case, monkeypatch):
    import gui.live_refresh

    reads = []
    monkeypatch.setattr(gui.live_refresh, "changes_after",
                        lambda *a: reads.append(a) or [])
    qtbot.wait(2500)
    assert reads == []  # no wake-up without a commit
    mark_case_reviewed(colleague, window.case.id, "Dr Colleague", True, version=0)
    qtbot.waitUntil(lambda: bool(reads), timeout=SHOWN_WITHIN_MS)


def test_a_window_that_cannot_watch_still_opens_and_says_so(qtbot, make_window, monkeypatch):
    import gui.live_refresh

    def refused(_engine):
        raise OSError("connection refused")

    monkeypatch.setattr(gui.live_refresh, "Watch", refused)
    window = make_window()
    assert window.live_refresh is None
    assert "press F5" in window.statusBar().currentMessage()
    open_case(qtbot, window, "TRAPS-01")  # the window works on


def test_an_open_patient_details_dialog_follows_a_colleagues_save(qtbot, window, colleague):
    from tests.gui.test_patient_dialog import _open_dialog, _retype

    dialog = _open_dialog(qtbot, window, "CAPS-01")
    pid = window.case.id
    update_patient(colleague, pid, 1, actor="Dr Colleague", diagnosis="CAPS, confirmed",
                   weights={"2020-01-06": 41.5})
    qtbot.waitUntil(lambda: dialog.diagnosis.text() == "CAPS, confirmed",
                    timeout=SHOWN_WITHIN_MS)
    assert ("2020-01-06", "41.5") in dialog.weights.rows()
    assert dialog.notice.isVisible() and "Dr Colleague (" in dialog.notice.text()
    # Saving now builds on their version: no conflict, theirs kept, mine added.
    _retype(qtbot, dialog.genotype, "NLRP3 R260W")
    qtbot.mouseClick(dialog.save_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.patient_dialog is None)
    from db.patients import get_patient

    row = get_patient(colleague, pid)
    assert (row["diagnosis"], row["genotype"], row["version"]) == (
        "CAPS, confirmed", "NLRP3 R260W", 3)


def test_a_patient_details_dialog_being_edited_keeps_the_typing(qtbot, window, colleague):
    from tests.gui.test_patient_dialog import _open_dialog, _retype

    dialog = _open_dialog(qtbot, window, "CAPS-01")
    _retype(qtbot, dialog.diagnosis, "CAPS, doubtful")
    update_patient(colleague, window.case.id, 1, actor="Dr Colleague", genotype="NLRP3 x")
    qtbot.waitUntil(dialog.notice.isVisible, timeout=SHOWN_WITHIN_MS)
    assert "Your edits are kept here" in dialog.notice.text()
    assert dialog.diagnosis.text() == "CAPS, doubtful" and dialog.genotype.text() != "NLRP3 x"
    qtbot.mouseClick(dialog.save_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None)  # the choice, as before


def test_an_open_control_references_dialog_follows_a_colleagues_change(qtbot, window,
                                                                       colleague):
    from data.controls import Reference, store_references
    from gui.controls_install import open_controls_dialog

    open_case(qtbot, window, "CAPS-01")
    dialog = open_controls_dialog(window)
    assert "Lab B" not in [dialog.table.item(r, 8).text()
                           for r in range(dialog.table.rowCount())]
    store_references(colleague, [Reference(code="IL6", specimen="serum", unit="pg/mL", n=12,
                                            mean=2.5, sd=1.0, lab="Lab B", source="dialog")],
                     actor="Dr Colleague", action="add", lab="Lab B", supersede=True)
    qtbot.waitUntil(lambda: dialog.status.text() == "Changed by Dr Colleague meanwhile: "
                    "shown now", timeout=SHOWN_WITHIN_MS)
    assert "Lab B" in [dialog.table.item(r, 8).text() for r in range(dialog.table.rowCount())]


FLOOD = textwrap.dedent("""
    import sys
    from sqlalchemy import create_engine, text
    engine = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for i in range(10_000):  # each its own transaction: nothing folds them together
            conn.execute(text("NOTIFY flarescope_changes"))
    """)


@pytest.mark.pg_only
def test_a_flood_of_notifications_costs_a_few_reads_and_hides_no_change(
        qtbot, window, colleague, relapse_case, monkeypatch, server_login):
    """Any login may NOTIFY the channel (PostgreSQL cannot revoke it): 10,000 of them from a
    reviewer's psql are a hint to look, read at most once per MIN_LOOK_MS, and a real
    change made meanwhile still shows (second attacker review, item 4)."""
    import gui.live_refresh

    reads = []
    real = gui.live_refresh.changes_after
    monkeypatch.setattr(gui.live_refresh, "changes_after",
                        lambda *a, **k: reads.append(a) or real(*a, **k))
    raw = server_login(window.engine, "reviewer")
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, target(raw)])
    timer = QtCore.QElapsedTimer()
    timer.start()
    qtbot.waitUntil(lambda: flood.poll() is not None, timeout=60_000)
    assert flood.returncode == 0
    update_episode(colleague, relapse_case["id"], 1, actor="Dr Colleague", severity="mild")
    qtbot.waitUntil(lambda: window.case.episodes.iloc[0]["severity"] == "mild",
                    timeout=SHOWN_WITHIN_MS)
    elapsed_ms = timer.elapsed()
    assert 1 <= len(reads) <= elapsed_ms / gui.live_refresh.MIN_LOOK_MS + 2
