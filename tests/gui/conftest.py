"""Window factory: one MainWindow per test on a copy of the demo database, closed after."""

from __future__ import annotations

import pytest


@pytest.fixture
def settings(tmp_path):
    from PySide6 import QtCore

    from gui.settings import Settings

    return Settings(QtCore.QSettings(str(tmp_path / "flarescope.ini"),
                                     QtCore.QSettings.Format.IniFormat))


@pytest.fixture
def collections():
    """The thread of every collection Python runs, with thresholds low enough that
    reading a case, an import or a batch of PDFs on a worker thread passes them many
    times over (gui/collector.py: they must all run on the GUI thread)."""
    import gc
    import threading

    threads: list[int] = []

    def record(phase, _info):
        if phase == "start":
            threads.append(threading.get_ident())

    threshold = gc.get_threshold()
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(record)
    yield threads
    gc.callbacks.remove(record)
    gc.set_threshold(*threshold)


@pytest.fixture
def make_window(qtbot, demo_engine, settings):
    from gui.main_window import MainWindow

    windows = []

    def factory(engine=None, settings_=None, *, defer_timeline=False):
        w = MainWindow(engine or demo_engine, settings_ or settings,
                       defer_timeline=defer_timeline)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        return w

    yield factory
    for w in windows:
        w.loader.wait()
        w.close()


def open_case(qtbot, window, pseudonym: str):
    """Select a case in the browser and wait until the timeline shows it."""
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        assert window.browser.select_pseudonym(pseudonym)
    assert window.case.pseudonym == pseudonym
    return window.case


def click_case(qtbot, window, pseudonym: str):
    """Open a case as a reviewer does: a mouse click on its row in the case list."""
    from PySide6 import QtCore
    from PySide6.QtTest import QTest

    proxy = window.browser.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == pseudonym)
    rect = window.browser.table.visualRect(proxy.index(row, 0))
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        QTest.mouseClick(window.browser.table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=rect.center())
    assert window.case.pseudonym == pseudonym
    return window.case


# The timeline's annotation tests (test_annotation, test_conflicts, …): a reviewer's window
# on screen, and the demo case whose relapse is in view.
LANE_Y = 0.5  # the episode bars' row on the episodes lane


def show(qtbot, window, lo: float, hi: float) -> None:
    window.timeline.set_x_range(lo, hi)
    qtbot.wait(30)  # linked plots and item transforms follow on the next pass


@pytest.fixture
def window(qtbot, make_window, reviewer):
    w = make_window()
    fit_screen(w)
    return w


def fit_screen(w) -> None:
    # Mouse events past the edge of the (1920×1200 offscreen) screen are lost: keep the
    # window on it, at a laptop-like size.
    w.resize(1400, 900)
    w.move(0, 0)
    w.activateWindow()


@pytest.fixture
def relapse_case(qtbot, window):
    """NLRP12-02 with its one demo relapse in view; returns the episode row."""
    from data.alignment import DAY

    open_case(qtbot, window, "NLRP12-02")
    row = window.case.episodes.iloc[0].to_dict()
    show(qtbot, window, row["onset"] - 30 * DAY, row["onset"] + 50 * DAY)
    return row


def not_shown_yet(window) -> None:
    """Others' changes no longer show by themselves (gui.live_refresh): what a window has
    on screen in the second before a colleague's save reaches it, for a test of the save
    that follows (refused as stale)."""
    window.live_refresh.stop()
