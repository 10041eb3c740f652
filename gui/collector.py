"""Python's cycle collector on the GUI thread only, from a timer, while a case loader runs.

Left to itself the collector runs in whichever thread allocates past its threshold, and the
case loader's thread (gui/case_loader.py) allocates the most. A collection there finalises
whatever cyclic garbage the GUI thread left behind, Qt objects among it (a closed track's
scatter, whose click slot reaches the track that holds its plot), and Qt must delete those
on their own thread: a crash now and then, in the loader, while it reads a case. pyqtgraph's
own GarbageCollector (pyqtgraph/util/garbage_collector.py) gives the same reason and does
the same; ours lets go when the window does (never while a loader's thread still runs),
so a test's or a command's other work keeps Python's automatic collection. The import
wizard's and Export all's worker threads hold one too, for a wizard or an export without
a window (a test).
"""

from __future__ import annotations

import gc

from PySide6 import QtCore

INTERVAL_MS = 500
_active = 0  # collectors alive: automatic collection is back on once none is
_automatic_before = True


class GuiThreadCollector(QtCore.QObject):
    """Automatic collection off for the life of this object; the timer collects what
    the thresholds ask for, generation by generation, as Python itself would."""

    def __init__(self, parent: QtCore.QObject) -> None:
        super().__init__(parent)
        global _active, _automatic_before
        if _active == 0:
            _automatic_before = gc.isenabled()
            gc.disable()
        _active += 1
        self._timer = QtCore.QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()
        # A window deleted without being closed lets go too; the slot holds no reference
        # to this object, which is gone by then.
        stopped = [False]
        self._stopped_flag = stopped
        self.destroyed.connect(lambda *_: _let_go(stopped))

    def stop(self) -> None:
        self._timer.stop()
        _let_go(self._stopped_flag)


def collect_due() -> None:
    """Collect the generations whose thresholds are passed (pyqtgraph's check)."""
    threshold = gc.get_threshold()
    count = gc.get_count()
    if count[0] > threshold[0]:
        generation = 0
        if count[1] > threshold[1]:
            generation = 2 if count[2] > threshold[2] else 1
        gc.collect(generation)


def _let_go(stopped: list[bool]) -> None:
    global _active
    if stopped[0]:
        return
    stopped[0] = True
    _active -= 1
    if _active == 0 and _automatic_before:
        gc.enable()


_frozen = False


def freeze_startup() -> None:
    """Leave what exists now out of every later collection (gc.freeze), once a process:
    the modules, the window and the first case, ~140,000 objects that live as long as the
    program. A full collection scanned them all each time, ~75 ms on the GUI thread (a
    dropped frame while panning); without them ~1 ms. Called before the first case is
    drawn, so its plot items stay collectable should they ever hold each other in a
    cycle. A frozen object that becomes garbage is still freed by its reference count."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
