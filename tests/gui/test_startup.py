"""Start-up: the window paints its case list before the heavy modules are imported, and
what the reviewer asked for meanwhile (the remembered case, --case, keys) still happens."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

from tests.backend import target
from tests.gui.conftest import open_case

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("pandas", "pyarrow", "pyqtgraph", "sqlalchemy.orm")

SCRIPT = textwrap.dedent("""
    import json, sys
    from PySide6 import QtCore, QtWidgets
    import main

    HEAVY = sys.argv[2].split(",")
    seen = {}

    class FirstListPaint(QtCore.QObject):
        def eventFilter(self, obj, event):
            if ("heavy" not in seen and event.type() == QtCore.QEvent.Type.Paint
                    and isinstance(obj.parent(), QtWidgets.QTableView)
                    and obj.parent().model().rowCount()):
                seen["heavy"] = [m for m in HEAVY if m in sys.modules]
            return False

    def quit_when_open():
        windows = [w for w in QtWidgets.QApplication.topLevelWidgets()
                   if w.inherits("QMainWindow")]
        if windows and windows[0].case is not None:
            seen["case"] = windows[0].case.pseudonym
            windows[0].actions["quit"].trigger()
        else:
            QtCore.QTimer.singleShot(50, quit_when_open)

    app = QtWidgets.QApplication(sys.argv[:1])
    watch = FirstListPaint()
    app.installEventFilter(watch)
    QtCore.QTimer.singleShot(50, quit_when_open)
    code = main.main(["--db", sys.argv[1], "--case", "NLRP12-01"])
    print(json.dumps(seen))
    sys.exit(code)
""")


def test_the_case_list_is_painted_before_pandas_and_pyqtgraph_are_imported(demo_engine):
    result = subprocess.run([sys.executable, "-c", SCRIPT, target(demo_engine), ",".join(HEAVY)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"heavy": [], "case": "NLRP12-01"}


def test_a_case_chosen_before_the_timeline_exists_opens_once_it_does(qtbot, make_window):
    w = make_window(defer_timeline=True)  # shown, not yet painted: no event has run
    assert w.browser.model.rowCount() == 4  # the list is there before the timeline
    assert not hasattr(w.timeline, "case")
    assert w.browser.select_pseudonym("CAPS-01")  # as `--case CAPS-01` does
    qtbot.waitUntil(lambda: w.case is not None, timeout=10_000)
    assert w.case.pseudonym == "CAPS-01"
    assert w.timeline.case is w.case


def test_after_a_restart_the_remembered_case_opens_and_keys_reach_it(qtbot, make_window):
    w = make_window(defer_timeline=True)
    qtbot.waitUntil(lambda: hasattr(w.timeline, "case"), timeout=10_000)
    open_case(qtbot, w, "TRAPS-01")
    w.close()
    w2 = make_window(defer_timeline=True)
    qtbot.waitUntil(lambda: w2.case is not None, timeout=10_000)
    assert w2.case.pseudonym == "TRAPS-01"
    w2.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
    assert w2.timeline.isAncestorOf(QtWidgets.QApplication.focusWidget())
    lo, hi = w2.timeline.x_range()
    from PySide6.QtTest import QTest

    QTest.keyClick(QtWidgets.QApplication.focusWidget(), QtCore.Qt.Key.Key_Plus)
    zlo, zhi = w2.timeline.x_range()
    assert zhi - zlo == pytest.approx((hi - lo) / 2, rel=1e-3)


def test_on_a_first_run_the_keys_go_to_the_case_list_not_the_filter(qtbot, make_window):
    """No remembered case: the Down key chooses the first case (clinician review: the
    window started with the cursor in the filter box, where keys filtered the list)."""
    w = make_window(defer_timeline=True)
    qtbot.waitUntil(lambda: hasattr(w.timeline, "case"), timeout=10_000)
    w.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None)
    assert QtWidgets.QApplication.focusWidget() is w.browser.table
    from PySide6.QtTest import QTest

    QTest.keyClick(w.browser.table, QtCore.Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.case is not None, timeout=10_000)
    assert w.browser.filter.text() == ""
