"""A reviewer login's window under the server's guards (a5_guards, db/roles.py): every
change the window makes, undo and redo included, goes through, under that login's name;
none is refused. Driven as a reviewer would, with a real second login."""

from __future__ import annotations

import pytest
from PySide6 import QtCore
from PySide6.QtTest import QTest

from db import suggestions as store
from db.audit import verify
from db.roles import REVIEWER
from tests.gui.test_suggestions import click_row, open_dock, stored

pytestmark = pytest.mark.pg_only

LEFT = QtCore.Qt.MouseButton.LeftButton


def test_a_reviewer_decides_suggestions_and_reviews_with_undo_and_redo(
        qtbot, make_window, demo_engine, server_login, monkeypatch):
    window = make_window(server_login(demo_engine, REVIEWER, "dr_window"))
    shown = []
    monkeypatch.setattr(window, "show_error", lambda *a: shown.append(a))
    window.suggestions.controller.tell = (
        lambda text, error=False: shown.append(text) if error else None)
    panel = window.suggestions.panel

    case = open_dock(qtbot, window, "NLRP12-01")
    click_row(qtbot, panel, 0)
    QTest.mouseClick(panel.accept, LEFT)
    window.actions["undo"].trigger()  # reopens it: this login's own decision
    window.actions["redo"].trigger()  # the same episode put back, its author kept
    [s] = stored(demo_engine, case)
    assert s["state"] == "accepted"

    case = open_dock(qtbot, window, "TRAPS-01")
    first = stored(demo_engine, case)[0]
    click_row(qtbot, panel, 0)
    panel.reason.setFocus()
    qtbot.keyClicks(panel.reason, "a single attack on treatment")
    QTest.mouseClick(panel.reject, LEFT)
    window.actions["undo"].trigger()
    assert store.get_suggestion(demo_engine, first["id"])["state"] == "open"
    window.actions["redo"].trigger()
    assert store.get_suggestion(demo_engine, first["id"])["state"] == "rejected"

    window.actions["mark_reviewed"].trigger()
    assert window.case.patient["reviewed_by"] == "dr_window"
    window.actions["undo"].trigger()
    window.actions["redo"].trigger()  # the review put back at its own time
    assert window.case.patient["reviewed_by"] == "dr_window"
    assert shown == []
    assert verify(demo_engine)[1] == []
