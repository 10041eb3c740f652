"""The one way tests drag on the timeline: real mouse events on the view's viewport.

Points are given in data coordinates of a track and mapped to pixels with
gui.timeline.widget.data_x_to_widget. QTest press/move/release on the viewport reach
pyqtgraph's drag handling offscreen (DESIGN.md). pyqtgraph catches exceptions raised in
an item's mouse handler and only prints them; here they go to sys.excepthook, where
pytest-qt's capture_exceptions sees them, so a broken handler fails the test.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import pyqtgraph.debug
from PySide6 import QtCore, QtGui
from PySide6.QtTest import QTest

from gui.timeline.widget import data_x_to_widget

LEFT = QtCore.Qt.MouseButton.LeftButton
NO_MODIFIER = QtCore.Qt.KeyboardModifier.NoModifier
# pyqtgraph drops mouse moves closer together than 1/mouseRateLimit s (10 ms).
STEP_MS = 15


@contextlib.contextmanager
def _pyqtgraph_errors_raise():
    original = pyqtgraph.debug.printExc

    def report(*_args, **_kwargs) -> None:
        sys.excepthook(*sys.exc_info())

    pyqtgraph.debug.printExc = report
    try:
        yield
    finally:
        pyqtgraph.debug.printExc = original


def point(timeline, key: str, t: float, y: float | None = None) -> QtCore.QPoint:
    """Viewport pixel of time t on track key (at height y, default mid-plot)."""
    if y is None:
        lo, hi = timeline.plot_for(key).vb.viewRange()[1]
        y = (lo + hi) / 2
    p = data_x_to_widget(timeline, key, t, y)
    viewport = timeline.view.viewport()
    # Off the (800×800 offscreen) screen Qt turns a move into a Leave, and a narrow
    # timeline's plots may be wider than its viewport: say so plainly, not by a miss.
    assert viewport.rect().contains(p), f"{p} is outside the visible timeline {viewport.rect()}"
    assert QtGui.QGuiApplication.screenAt(viewport.mapToGlobal(p)) is not None, \
        f"{p} is off screen: make the window fit the screen"
    return p


def hover(qtbot, timeline, key: str, t: float, y: float | None = None) -> QtCore.QPoint:
    p = point(timeline, key, t, y)
    QTest.mouseMove(timeline.view.viewport(), p)
    qtbot.wait(STEP_MS)
    return p


def drag(qtbot, timeline, key: str, t0: float, t1: float, *, y: float | None = None,
         modifier: QtCore.Qt.KeyboardModifier = NO_MODIFIER, steps: int = 6,
         hover_first: bool = True, before_release: Callable[[], None] | None = None) -> None:
    """Press at t0, move in steps, release at t1, all on track key; fail on any exception.

    hover_first=False presses without moving there first, as a reviewer does who
    changed mode (A) with the pointer already in place. before_release runs with the
    button still down, at t1 (to look at the preview, or to press a key mid-drag).
    """
    viewport = timeline.view.viewport()
    start, end = point(timeline, key, t0, y), point(timeline, key, t1, y)
    with _pyqtgraph_errors_raise(), qtbot.capture_exceptions() as errors:
        if hover_first:  # pyqtgraph picks the item that takes a drag from the last hover
            QTest.mouseMove(viewport, start)
            qtbot.wait(STEP_MS)
        QTest.mousePress(viewport, LEFT, modifier, start)
        qtbot.wait(STEP_MS)
        for i in range(1, steps + 1):
            f = i / steps
            QTest.mouseMove(viewport, QtCore.QPoint(round(start.x() + (end.x() - start.x()) * f),
                                                    round(start.y() + (end.y() - start.y()) * f)))
            qtbot.wait(STEP_MS)
        if before_release is not None:
            before_release()
        QTest.mouseRelease(viewport, LEFT, modifier, end)
        qtbot.wait(STEP_MS)
    assert not errors, errors


def click(qtbot, timeline, key: str, t: float, *, y: float | None = None,
          button: QtCore.Qt.MouseButton = LEFT) -> None:
    p = hover(qtbot, timeline, key, t, y)
    with _pyqtgraph_errors_raise(), qtbot.capture_exceptions() as errors:
        QTest.mouseClick(timeline.view.viewport(), button, NO_MODIFIER, p)
        qtbot.wait(STEP_MS)
    assert not errors, errors
