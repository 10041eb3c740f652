from PySide6 import QtCore

from tests.gui.conftest import open_case


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
