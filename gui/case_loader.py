"""Loads a case off the GUI thread so the window never freezes while a case opens.

data.case and db.queries (pandas, pyarrow) are imported by the first load, on the
loader's thread: the window shows its case list before they are needed (gui/app.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6 import QtCore
from sqlalchemy import Engine

from db.errors import user_line
from gui.collector import GuiThreadCollector

if TYPE_CHECKING:
    from data.case import Case

log = logging.getLogger(__name__)

CLOSE_WAIT_MS = 30_000  # a closing window waits this long for a case being read
LET_GO_POLL_MS = 100  # then looks this often whether that read has ended


class _Signals(QtCore.QObject):
    done = QtCore.Signal(int, object)
    failed = QtCore.Signal(int, str)


class _LoadTask(QtCore.QRunnable):
    def __init__(self, engine: Engine, case_id: int, request: int, signals: _Signals) -> None:
        super().__init__()
        self.engine, self.case_id, self.request, self.signals = engine, case_id, request, signals

    def run(self) -> None:
        try:
            from data.case import Case
            from db.queries import load_case

            case = Case.from_frames(load_case(self.engine, self.case_id))
            _ = case.activity_score  # derived once here, not on the GUI thread
            self.signals.done.emit(self.request, case)
        except Exception as exc:  # reported to the user as one line, logged in full
            log.exception("loading case %s failed", self.case_id)
            # a server's refusal or its busy line as the one line it is
            self.signals.failed.emit(self.request, user_line(exc) or f"{type(exc).__name__}: {exc}")


class CaseLoader(QtCore.QObject):
    """Only the newest request is delivered: clicking through the list never shows a stale case."""

    loaded = QtCore.Signal(object)  # Case
    failed = QtCore.Signal(str)

    def __init__(self, engine: Engine, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._done)
        self._signals.failed.connect(self._failed)
        self._request = 0
        self._closed = False
        self._let_go: QtCore.QTimer | None = None
        self.collector = GuiThreadCollector(self)  # never a collection on the loader's thread

    def load(self, case_id: int) -> None:
        if self._closed:  # the window is gone: no thread of ours reads after it
            return
        self._request += 1
        self.pool.clear()  # requests not started yet: only the newest would be shown
        self.pool.start(_LoadTask(self.engine, case_id, self._request, self._signals))

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)

    def close(self) -> None:
        """No more loads; wait for the one under way. Python's automatic collection is
        back once no loader is left, and never while a loader's thread still runs: a
        server slow to answer can hold a read past CLOSE_WAIT_MS, and a collection on that
        thread would finalise the closed window's Qt objects there."""
        self._closed = True
        self.pool.clear()
        if self.wait(CLOSE_WAIT_MS):
            self.collector.stop()
        elif self._let_go is None:
            self._let_go = QtCore.QTimer(self, interval=LET_GO_POLL_MS)
            self._let_go.timeout.connect(self._let_go_when_done)
            self._let_go.start()

    def _let_go_when_done(self) -> None:
        if self.wait(0):
            self._let_go.stop()
            self.collector.stop()

    def _done(self, request: int, case: Case) -> None:
        if request == self._request and not self._closed:
            self.loaded.emit(case)

    def _failed(self, request: int, message: str) -> None:
        if request == self._request and not self._closed:
            self.failed.emit(message)
