"""The window's first paint: what waits for it (the timeline, gui/main_window.py), and
when it happened, for benchmarks/bench_startup.py.

With FLARESCOPE_BENCH_READY=path set (report_paints), the window appends a line to that
file once the case list has been painted with its rows, and once each opened case has
been painted on the timeline: ``case_list WALL CPU`` and ``case WALL CPU PSEUDONYM``,
WALL in epoch seconds, CPU the process's own seconds (all threads; a busy machine
inflates it far less than wall time). Unset, as always outside a benchmark, nothing
is installed.
"""

from __future__ import annotations

import os
import time

from PySide6 import QtCore

ENV_VAR = "FLARESCOPE_BENCH_READY"


def report_paints(window) -> None:
    path = os.environ.get(ENV_VAR)
    if not path:
        return

    def write(line: str) -> None:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{line}\n")

    table = window.browser.table
    after_next_paint(table.viewport(), lambda: table.model().rowCount() > 0,
                      lambda: write(f"case_list {time.time():.6f} {time.process_time():.6f}"))

    def case_opened(case) -> None:
        stamp = lambda: write(f"case {time.time():.6f} {time.process_time():.6f} {case.pseudonym}")  # noqa: E731
        after_next_paint(window.timeline.view.viewport(), lambda: True, stamp)

    window.caseOpened.connect(case_opened)


def after_next_paint(widget, ready, action) -> None:
    """Run action once the event loop has finished the first paint of widget at which
    ready() holds (the paint itself, then the flush of that update)."""

    class Watch(QtCore.QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QtCore.QEvent.Type.Paint and ready():
                obj.removeEventFilter(self)
                # Dropped if the widget is deleted first (a window closed meanwhile).
                QtCore.QTimer.singleShot(0, obj, action)
                self.deleteLater()
            return False

    widget.installEventFilter(Watch(widget))
