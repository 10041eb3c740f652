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
    qtbot.wait(500)  # a case asked for meanwhile would be on screen by now
    assert w.case.pseudonym == "CAPS-01"  # '12' hid its row: that opened NLRP12-01
    assert w.timeline.x_range() == pytest.approx(before)
    assert not w.actions["annotate"].isChecked()


def _question_mark_in_the_filter_box(qtbot, make_window, monkeypatch):
    """The window, and the rows the shortcut help was given."""
    shown = []
    monkeypatch.setattr("gui.dialogs.show_shortcuts", lambda *a: shown.append(a))
    w = make_window()
    w.browser.filter.setFocus()
    qtbot.waitUntil(lambda: w.browser.filter.hasFocus())
    # NoModifier: the offscreen platform has no keyboard map turning Shift+/ into "?".
    _key(w, QtCore.Qt.Key.Key_Question)
    return w, shown[0][1] if shown else None


def test_question_mark_shows_the_shortcuts_even_from_the_filter_box(qtbot, make_window,
                                                                     monkeypatch):
    w, shown = _question_mark_in_the_filter_box(qtbot, make_window, monkeypatch)
    assert shown and w.browser.filter.text() == ""
    assert w.browser.proxy.rowCount() == 4  # the list was not filtered by "?"


def test_the_shortcut_help_lists_the_dock_keys_too(qtbot, make_window, monkeypatch):
    # Key figures and Results grid are dock toggles, not registry actions: the help
    # lacked Ctrl+Shift+K and Ctrl+Shift+R (clinician review).
    _, shown = _question_mark_in_the_filter_box(qtbot, make_window, monkeypatch)
    rows = dict((keys, text) for text, keys in shown)
    assert rows["Ctrl+Shift+K"] == "Key figures" and rows["Ctrl+Shift+R"] == "Results grid"
    assert rows["Ctrl+D"].startswith("Days from anakinra start")
    texts = [text for text, _ in shown]
    assert len(texts) == len(set(texts))  # each action once


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


def _sized(qtbot, make_window, width, height):
    w = make_window()
    w.resize(width, height)
    qtbot.waitUntil(lambda: w.size() == QtCore.QSize(width, height))
    click_case(qtbot, w, "NLRP12-01")
    qtbot.wait(100)
    return w


def _inside(widget, window) -> bool:
    rect = QtCore.QRect(widget.mapTo(window, QtCore.QPoint(0, 0)), widget.size())
    return widget.isVisible() and window.rect().contains(rect)


def _case_columns_fit(w) -> list[str]:
    table = w.browser.table
    shown = [c for c in range(table.model().columnCount()) if not table.isColumnHidden(c)]
    assert not table.horizontalScrollBar().isVisible()
    for c in shown:
        assert table.columnViewportPosition(c) + table.columnWidth(c) <= \
            table.viewport().width() + 1, table.model().headerData(c, QtCore.Qt.Orientation.Horizontal)
    # ... and fill it: no blank strip at the right when the stretching column gave way.
    assert table.columnViewportPosition(shown[-1]) + table.columnWidth(shown[-1]) >= \
        table.viewport().width() - 2
    return [table.model().headerData(c, QtCore.Qt.Orientation.Horizontal) for c in shown]


def _legends_fit(w) -> None:
    for key, plot in w.timeline.visible_plots():
        label = plot.titleLabel
        if not label.isVisible():
            continue
        item = label.item.boundingRect()
        assert item.width() <= label.size().width() + 1, key  # wrapped, never cut off
        assert item.height() <= label.size().height() + 8, key


def test_everything_essential_is_on_screen_at_1024_by_700(qtbot, make_window):
    w = _sized(qtbot, make_window, 1024, 700)
    t = w.timeline
    # The dates: the time axis stays under the tracks even when they scroll.
    assert _inside(t.axis_view, w)
    assert any("20" in text for _r, text in _drawn(t.bottom_axis()))
    # The toolbar keeps the kind of the next episode in view, not behind its » menu.
    kind = w.episode_feature.kind_box
    assert _inside(kind, w) and kind.geometry().right() <= w.toolbar.width()
    assert _case_columns_fit(w)[-3:] == ["Last", "Ep.", "Reviewed"]
    _legends_fit(w)
    from tests.gui.test_timeline import _hover
    _hover(qtbot, t, "cytokines", w.case.anchor.t + 30 * DAY)
    # The readout lists every series within its fixed height.
    assert t.readout.heightForWidth(t.readout.width()) <= t.readout.contentsRect().height()
    w.grab().save(str(__import__("pathlib").Path(__import__("tempfile").gettempdir())
                      / "flarescope-1024x700.png"))


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1200)])
def test_the_case_list_shows_last_episodes_and_reviewed(qtbot, make_window, size):
    w = _sized(qtbot, make_window, *size)
    columns = _case_columns_fit(w)
    assert {"Case", "Diagnosis", "Last", "Ep.", "Reviewed"} <= set(columns)
    _legends_fit(w)


def _drawn(axis):
    from tests.gui.test_timeline import _drawn_labels

    return _drawn_labels(axis)


def test_the_first_run_says_how_to_open_a_case(qtbot, make_window):
    w = make_window()
    assert w.case is None
    assert "Choose a case in the list" in w.timeline.readout.text()
