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
