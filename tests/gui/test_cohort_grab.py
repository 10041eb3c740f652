"""A cohort window painted and then closed does not crash (clinician review: a segfault as
the window went, inside ~QGraphicsWidget).

Painted into a pixmap (grab, as a screenshot or a test takes it), the panels' legend rows
were resized while Qt deleted their plots; the row's resize hook asked the label for its
plot, and PySide wrapped the half-deleted plot anew and deleted it a second time
(gui/timeline/title_row.py). Deleted here as the program deletes them: the window by
Python, or with the main window it belongs to when the program quits.
"""

from __future__ import annotations

import gc

from PySide6 import QtCore
from PySide6.QtTest import QTest

from data.cohort import build_cohort
from gui.cohort.window import CohortWindow
from tests.gui.conftest import open_case
from tests.gui.test_cohort_crowd import _weekly_case


def test_a_cohort_window_painted_then_closed_ten_times_does_not_crash(qtbot):
    for i in range(10):
        n = 2 if i % 2 else 8  # coloured lines, then a grey crowd
        view = CohortWindow()
        qtbot.addWidget(view)
        view.show_cohort(build_cohort([_weekly_case(k) for k in range(n)]), f"{n} cases")
        view.show()
        qtbot.waitExposed(view)
        image = view.grab().toImage()
        assert image.width() > 0 and len(view.stack.tracks) >= 1
        view.close()
        del view  # Python's window: deleted here, with its plots
        gc.collect()


def test_closing_the_painted_cohort_window_then_quitting_does_not_crash(
        qtbot, demo_engine, settings):
    from gui.main_window import MainWindow

    w = MainWindow(demo_engine, settings)
    w.show()
    open_case(qtbot, w, "NLRP12-01")
    QTest.keyClick(w, QtCore.Qt.Key.Key_C, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.cohort.view is not None and w.cohort.view.isVisible())
    assert not w.cohort.view.grab().isNull()  # painted as it opens, the diary still summing
    w.cohort.view.close()
    w.loader.wait()
    w.close()
    w.deleteLater()  # as gui/app.py deletes the window when the program quits
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()
