"""The window says who is signed in, and greys out what their role cannot do, saying why."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from db.roles import READ_ONLY, REVIEWER
from tests.gui.conftest import open_case
from tests.gui.drag import drag
from tests.gui.test_annotation import episodes, fit_screen, show

WRITING = ("annotate", "delete_episode", "mark_reviewed", "import", "undo", "redo")
DAY = 86_400


def _signed_in(window) -> QtWidgets.QLabel:
    return window.statusBar().findChild(QtWidgets.QLabel, "signedIn")


def test_the_status_bar_names_the_login_and_everything_can_be_changed(qtbot, make_window,
                                                                      reviewer):
    window = make_window()
    fit_screen(window)
    open_case(qtbot, window, "NLRP12-02")
    role = "local file" if window.engine.dialect.name == "sqlite" else "owner"
    assert _signed_in(window).text() == f"{reviewer} · {role}"
    assert "recorded under this name" in _signed_in(window).toolTip()
    for name in ("annotate", "mark_reviewed", "import"):
        assert window.actions[name].isEnabled(), name
    assert window.episode_feature.kind_box.isEnabled()


@pytest.mark.pg_only
def test_a_read_only_login_sees_every_change_greyed_out_with_the_reason(
        qtbot, make_window, demo_engine, server_login):
    reader = server_login(demo_engine, READ_ONLY, "dr_viewer")
    window = make_window(reader)
    fit_screen(window)
    label = _signed_in(window)
    assert label.text() == "dr_viewer · read-only"
    why = ("Read-only: dr_viewer may view and export this database, not change it (ask "
           "whoever looks after the server for the reviewer role)")
    assert label.toolTip() == why
    open_case(qtbot, window, "NLRP12-02")  # opening a case enables the case's actions
    a = window.actions
    for name in WRITING:
        assert not a[name].isEnabled(), name
    assert a["annotate"].toolTip() == why
    assert a["export_pdf"].isEnabled() and a["episode_history"] is not None  # reading stays

    # A: no annotate mode, so a drag pans and draws nothing; the relapse's edge and body
    # do not move either (as a reviewer's would: tests/gui/test_annotation.py).
    before = episodes(demo_engine, window)
    [ep] = before
    show(qtbot, window, ep["onset"] - 30 * DAY, ep["onset"] + 50 * DAY)
    window.timeline.setFocus()
    qtbot.keyClick(window.timeline.view, QtCore.Qt.Key.Key_A)
    assert not window.timeline.episode_layer.annotating
    drag(qtbot, window.timeline, "cytokines", ep["onset"] - 20 * DAY, ep["onset"] - 10 * DAY)
    drag(qtbot, window.timeline, "cytokines", ep["onset"], ep["onset"] + 5 * DAY)
    drag(qtbot, window.timeline, "episodes", ep["onset"] + 10 * DAY, ep["onset"] + 20 * DAY)
    window.episode_feature.controller.select(ep["id"])
    assert episodes(demo_engine, window) == before

    props = window.episode_feature.properties
    assert props.row is not None and props.row["id"] == ep["id"]  # shown, not editable
    for widget in (props.kind, props.severity, props.certainty, props.onset, props.end,
                   props.ongoing, window.episode_feature.kind_box):
        assert not widget.isEnabled()
        assert widget.toolTip() == why
    assert props.note.isReadOnly()
    assert props.history_button.isEnabled()
    panel = window.suggestions.panel
    for widget in (panel.run, panel.accept, panel.reject):
        assert not widget.isEnabled()
    assert panel.reason.isReadOnly()
    assert "Annotate" not in props.placeholder.text()
    assert "Annotate" not in window.episode_feature.list_panel.empty.text()

    from gui.patient_install import open_patient_dialog

    dialog = open_patient_dialog(window)
    assert not dialog.save_button.isEnabled() and dialog.save_button.toolTip() == why
    assert dialog.diagnosis.isReadOnly() and not dialog.weights.add_button.isEnabled()
    dialog.reject()

    from gui.controls_install import open_controls_dialog

    controls = open_controls_dialog(window)
    controls.table.selectRow(0)  # a selection enables Edit and Retire for a reviewer
    for button in (controls.add_button, controls.edit_button, controls.retire_button,
                   controls.import_button):
        assert not button.isEnabled()
    controls.close()
    window.grab().save("/tmp/flarescope-read-only.png")


@pytest.mark.pg_only
def test_a_reviewer_login_can_annotate_and_is_named_in_the_status_bar(
        qtbot, make_window, demo_engine, server_login):
    window = make_window(server_login(demo_engine, REVIEWER, "dr_martin"))
    open_case(qtbot, window, "NLRP12-02")
    assert _signed_in(window).text() == "dr_martin · reviewer"
    for name in ("annotate", "mark_reviewed", "import"):
        assert window.actions[name].isEnabled(), name
    window.actions["mark_reviewed"].trigger()
    assert window.case.patient["reviewed_by"] == "dr_martin"


@pytest.mark.pg_only
def test_a_read_only_login_opens_suggestions_without_a_refusal(
        qtbot, make_window, demo_engine, server_login):
    reader = server_login(demo_engine, READ_ONLY, "dr_viewer")
    window = make_window(reader)
    fit_screen(window)
    open_case(qtbot, window, "NLRP12-02")
    told = []
    window.suggestions.controller.tell = lambda text, error=False: told.append(text)
    window.suggestions.dock.show()
    qtbot.waitUntil(lambda: window.suggestions.rows is not None)
    assert told == []  # it stored nothing, so the server refused nothing
    assert window.statusBar().currentMessage().startswith("Read-only:")
