"""Closing a side panel gives the keyboard back to the timeline: closed with the focus
inside it, Qt moved the focus to the case filter, and the next timeline key ("6": six
months) was typed there, emptying the case list (found by the clinician review)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from data.alignment import DAY
from tests.gui.conftest import click_case

CTRL_SHIFT = QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier


@pytest.mark.parametrize("feature", ["key_figures", "results_grid"])
def test_a_closed_panel_leaves_the_keys_to_the_timeline(qtbot, make_window, feature):
    w = make_window()
    click_case(qtbot, w, "NLRP12-02")
    dock = getattr(w, feature).dock
    toggle = dock.toggleViewAction()
    key = QtCore.Qt.Key(toggle.shortcut()[0].key())
    QTest.keyClick(w, key, CTRL_SHIFT)
    assert dock.isVisible()
    dock.widget().setFocus(QtCore.Qt.FocusReason.MouseFocusReason)  # as a click inside does
    focus = QtWidgets.QApplication.focusWidget()
    assert focus is not None and dock.isAncestorOf(focus)
    QTest.keyClick(focus, key, CTRL_SHIFT)
    assert not dock.isVisible()
    focus = QtWidgets.QApplication.focusWidget()
    assert not isinstance(focus, QtWidgets.QLineEdit)
    QTest.keyClick(focus or w, QtCore.Qt.Key.Key_6)
    assert w.browser.filter.text() == ""
    lo, hi = w.timeline.x_range()
    assert 170 <= (hi - lo) / DAY <= 190  # six months
    # Rings put on the timeline by the panel go with it.
    assert getattr(w.timeline.highlight, "ringed", []) == []
