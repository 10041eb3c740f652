import pytest
from PySide6 import QtCore, QtWidgets

from data.alignment import DAY
from tests.gui.conftest import click_case, open_case


def test_filter_list_and_open_case(qtbot, make_window):
    w = make_window()
    assert w.browser.proxy.rowCount() == 4
    qtbot.keyClicks(w.browser.filter, "nlrp12")
    assert w.browser.proxy.rowCount() == 2
    names = {w.browser.proxy.index(r, 0).data() for r in range(2)}
    assert names == {"NLRP12-01", "NLRP12-02"}
    # Enter opens the first match, as a reviewer typing a pseudonym expects.
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        qtbot.keyClick(w.browser.filter, QtCore.Qt.Key.Key_Return)
    assert w.case.pseudonym == "NLRP12-01"
    assert "NLRP12-01" in w.header.text()
    assert {"symptoms", "treatment", "cytokines", "markers"} <= set(w.timeline.tracks)


def test_clicking_a_row_opens_the_case(qtbot, make_window):
    w = make_window()
    proxy = w.browser.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "CAPS-01")
    rect = w.browser.table.visualRect(proxy.index(row, 0))
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        qtbot.mouseClick(w.browser.table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=rect.center())
    assert w.case.pseudonym == "CAPS-01"


def test_last_case_and_geometry_are_remembered(qtbot, make_window, settings):
    w = make_window()
    open_case(qtbot, w, "TRAPS-01")
    w.resize(1300, 820)
    qtbot.waitUntil(lambda: w.size() == QtCore.QSize(1300, 820))
    w.close()
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.case is not None, timeout=10_000)
    assert w2.case.pseudonym == "TRAPS-01"
    assert w2.size() == QtCore.QSize(1300, 820)  # not the 1440×900 default


def test_window_stays_responsive_while_a_case_loads(qtbot, make_window):
    # Loading runs on a worker thread: right after the request the GUI thread is free
    # and the case arrives later through the event loop.
    w = make_window()
    w.open_case(1)
    assert w.case is None
    qtbot.waitUntil(lambda: w.case is not None, timeout=10_000)


def _key(w, key, modifier=QtCore.Qt.KeyboardModifier.NoModifier):
    """A key press where the keyboard focus is, as a reviewer types it."""
    from PySide6.QtTest import QTest

    target = QtWidgets.QApplication.focusWidget() or w
    QTest.keyClick(target, key, modifier)


def test_timeline_keys_work_after_clicking_a_case(qtbot, make_window):
    w = make_window()
    click_case(qtbot, w, "NLRP12-01")
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
    lo, hi = w.timeline.x_range()
    _key(w, QtCore.Qt.Key.Key_Plus)
    zlo, zhi = w.timeline.x_range()
    assert zhi - zlo == pytest.approx((hi - lo) / 2, rel=1e-3)
    _key(w, QtCore.Qt.Key.Key_Right)
    assert w.timeline.x_range()[0] == pytest.approx(zlo + 0.1 * (zhi - zlo), rel=1e-6)
    _key(w, QtCore.Qt.Key.Key_Left, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert w.timeline.x_range()[0] == pytest.approx(zlo - 0.4 * (zhi - zlo), rel=1e-6)
    _key(w, QtCore.Qt.Key.Key_Minus)
    mlo, mhi = w.timeline.x_range()
    assert mhi - mlo == pytest.approx(zhi - zlo, rel=1e-3) or mhi - mlo > zhi - zlo
    _key(w, QtCore.Qt.Key.Key_3)
    lo3, hi3 = w.timeline.x_range()
    assert (hi3 - lo3) / DAY == pytest.approx(91.3, abs=0.5)
    _key(w, QtCore.Qt.Key.Key_1)
    _key(w, QtCore.Qt.Key.Key_2)
    lo12, hi12 = w.timeline.x_range()
    assert (hi12 - lo12) / DAY == pytest.approx(365.25, abs=0.5)
    _key(w, QtCore.Qt.Key.Key_A)
    assert w.actions["annotate"].isChecked()
    _key(w, QtCore.Qt.Key.Key_Escape)
    assert not w.actions["annotate"].isChecked()
    # Up and down do not switch to another patient behind the reviewer's back.
    _key(w, QtCore.Qt.Key.Key_Down)
    qtbot.wait(50)
    assert w.case.pseudonym == "NLRP12-01"
    assert w.browser.current_id() == w.case.id


def test_keys_act_on_the_timeline_from_the_case_list_too(qtbot, make_window):
    # Keyboard users browse the list with ↑/↓: the timeline keys still reach the timeline.
    w = make_window()
    open_case(qtbot, w, "CAPS-01")
    w.browser.table.setFocus()
    qtbot.waitUntil(lambda: w.browser.table.hasFocus())
    lo, hi = w.timeline.x_range()
    _key(w, QtCore.Qt.Key.Key_Plus)
    zlo, zhi = w.timeline.x_range()
    assert zhi - zlo == pytest.approx((hi - lo) / 2, rel=1e-3)
    _key(w, QtCore.Qt.Key.Key_6)
    lo6, hi6 = w.timeline.x_range()
    assert (hi6 - lo6) / DAY == pytest.approx(182.6, abs=0.5)


def test_typing_in_the_filter_box_types_and_never_moves_the_timeline(qtbot, make_window):
    w = make_window()
    open_case(qtbot, w, "CAPS-01")
    before = w.timeline.x_range()
    w.browser.filter.setFocus()
    qtbot.waitUntil(lambda: w.browser.filter.hasFocus())
    for key in (QtCore.Qt.Key.Key_1, QtCore.Qt.Key.Key_2, QtCore.Qt.Key.Key_A):
        _key(w, key)
    assert w.browser.filter.text() == "12a"
    assert w.timeline.x_range() == pytest.approx(before)
    assert not w.actions["annotate"].isChecked()


def test_question_mark_shows_the_shortcuts_even_from_the_filter_box(qtbot, make_window,
                                                                     monkeypatch):
    shown = []
    monkeypatch.setattr("gui.dialogs.show_shortcuts", lambda *a: shown.append(a))
    w = make_window()
    w.browser.filter.setFocus()
    qtbot.waitUntil(lambda: w.browser.filter.hasFocus())
    # NoModifier: the offscreen platform has no keyboard map turning Shift+/ into "?".
    _key(w, QtCore.Qt.Key.Key_Question)
    assert shown and w.browser.filter.text() == ""
    assert w.browser.proxy.rowCount() == 4  # the list was not filtered by "?"


def test_after_a_restart_keys_reach_the_timeline_not_the_filter(qtbot, make_window):
    w = make_window()
    open_case(qtbot, w, "TRAPS-01")
    w.close()
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.case is not None, timeout=10_000)
    w2.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
    assert not w2.browser.filter.hasFocus()
    lo, hi = w2.timeline.x_range()
    _key(w2, QtCore.Qt.Key.Key_Plus)
    zlo, zhi = w2.timeline.x_range()
    assert zhi - zlo == pytest.approx((hi - lo) / 2, rel=1e-3)
