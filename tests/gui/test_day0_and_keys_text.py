"""Reviewer findings: Ctrl+D's text on a case without anakinra, and the shortcut help."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest
from sqlalchemy import text

from tests.gui.conftest import click_case


def _without_anakinra(engine, pseudonym: str) -> None:
    with engine.begin() as conn:
        # Bound by SQLAlchemy: the PostgreSQL pass runs this too, where '?' is no placeholder.
        conn.execute(text("DELETE FROM medication WHERE patient_id = (SELECT id FROM "
                          "patient WHERE pseudonym = :p)"), {"p": pseudonym})


def test_ctrl_d_says_day_0_is_the_first_record_without_anakinra(qtbot, make_window,
                                                               demo_engine):
    _without_anakinra(demo_engine, "TRAPS-01")
    w = make_window()
    click_case(qtbot, w, "TRAPS-01")
    action = w.actions["relative_axis"]
    # What the status bar shows while the pointer is on the menu item or "Day N" button.
    tip = action.statusTip()
    assert "first record" in tip and "anakinra dose" not in tip, tip
    assert "first record" in action.text() and "first record" in action.toolTip()
    target = QtWidgets.QApplication.focusWidget() or w
    QTest.keyClick(target, QtCore.Qt.Key.Key_D, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert action.isChecked()
    message = w.statusBar().currentMessage()
    assert "first record" in message and "anakinra dose" not in message, message


def test_the_shortcut_help_lists_each_actions_keys_as_typed(qtbot, make_window):
    w = make_window()
    rows = dict(w.actions.shortcut_rows(w))
    assert rows["1 year"] == "1, then 2"  # was "1 2", a garbled key list
    assert rows["Zoom in"] == "+ or ="
    assert rows["Redo"] == "Ctrl+Shift+Z or Ctrl+Y"
    assert rows["1 month"] == "1" and rows["Whole case"] == "Home"
    # The tooltip of a toolbar button names its keys the same way.
    assert w.actions["months_12"].toolTip().endswith("(1, then 2)")
