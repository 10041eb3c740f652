"""Others' changes on screen within seconds: the case list and the open case follow what
another reviewer (another Flarescope, another process) saves.

db.changes.Watch says when to look: on PostgreSQL a notification arrives on its socket,
watched by a QSocketNotifier (nothing polled, nothing blocks); on SQLite PRAGMA
data_version is asked every POLL_MS. The audit rows since the last look then say what
may have changed, and only what differs from the screen is re-read: the case list (its
selection and scroll kept), the open case's episodes (selection and view range kept), its
review, or the whole case (details, imported values, control references), and an open
Patient details or Control references dialog (their ``follow``). Never under an
edit in progress (a drag, a note being typed): that is looked at again RETRY_MS later,
and a save based on the old version is then refused with the choice (gui.conflict_dialog).
"""

from __future__ import annotations

import logging

from PySide6 import QtCore, QtWidgets

from data.case_list import case_list_rows
from db.changes import Watch, changes_after, newest_change

log = logging.getLogger(__name__)

POLL_MS = 1000
RETRY_MS = 500
# At most one look per this long: any login may NOTIFY the channel (PostgreSQL cannot
# forbid it), and a flood of wake-ups must cost one query now and then, not one each.
MIN_LOOK_MS = 250
# Changes that reach every case, or a case's values rather than its episodes or review.
WHOLE_CASE = frozenset({"import", "database", "control_reference_set"})


class LiveRefresh(QtCore.QObject):
    """Attributes: ``watch`` (db.changes.Watch), ``seen`` (the newest audit row looked at)."""

    shown = QtCore.Signal(object)  # list[db.changes.Change] that changed the screen

    def __init__(self, window, poll_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.seen = newest_change(self.engine)
        self.watch = Watch(self.engine)
        self._pending = False
        self._retry = QtCore.QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self.look)
        self._since_look = QtCore.QElapsedTimer()
        self._next_look = QtCore.QTimer(self, singleShot=True)
        self._next_look.timeout.connect(self.look)
        fd = self.watch.fileno()
        self.notifier: QtCore.QSocketNotifier | None = None
        self.timer: QtCore.QTimer | None = None
        if fd is not None:
            self.notifier = QtCore.QSocketNotifier(fd, QtCore.QSocketNotifier.Type.Read, self)
            self.notifier.activated.connect(self._woken)
        else:
            self.timer = QtCore.QTimer(self, interval=poll_ms)
            self.timer.timeout.connect(self._woken)
            self.timer.start()

    def stop(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
        if self.timer is not None:
            self.timer.stop()
        self._retry.stop()
        self._next_look.stop()
        self.watch.close()

    def _woken(self, *_args) -> None:
        try:
            if self.watch.changed():
                self._pending = True
        except Exception:  # the server went away: the window works on, without updates
            log.warning("watching for others' changes stopped", exc_info=True)
            self.stop()
            self.window.statusBar().showMessage(
                "Others' changes are no longer shown as they happen: press F5 to re-read", 10_000)
            return
        if not self._pending or self._next_look.isActive():
            return
        waited = self._since_look.elapsed() if self._since_look.isValid() else MIN_LOOK_MS
        if waited < MIN_LOOK_MS:  # woken again soon after a look: once more, a little later
            self._next_look.start(MIN_LOOK_MS - waited)
        else:
            self.look()

    def look(self) -> None:
        """Re-read what others changed, unless the reviewer is in the middle of an edit."""
        if self._editing():
            self._retry.start()
            return
        self._pending = False
        self._since_look.start()
        try:
            changes = changes_after(self.engine, self.seen)
            if changes:
                self.seen = changes[-1].id
                if self._show(changes):
                    self.shown.emit(changes)
        except Exception:  # a failed read leaves the screen as it was; the next one retries
            log.warning("reading others' changes failed", exc_info=True)

    def _editing(self) -> bool:
        feature = getattr(self.window, "episode_feature", None)
        if feature is None:
            return False
        if feature.controller.layer.dragging or feature.properties.note.dirty():
            return True
        focus = QtWidgets.QApplication.focusWidget()
        # A date being typed is saved when the field is left: not replaced under the cursor.
        return isinstance(focus, QtWidgets.QDateEdit) and feature.properties.isAncestorOf(focus)

    def _show(self, changes) -> bool:
        window = self.window
        shown = window.browser.set_rows(case_list_rows(self.engine))
        sets = {c.actor for c in changes if c.entity == "control_reference_set"}
        controls = getattr(window, "controls_dialog", None)
        if sets and controls is not None and controls.isVisible():
            controls.follow(sorted(sets))
            shown = True
        case = window.case
        if case is None or not any(c.patient_id in (case.id, None) for c in changes):
            return shown
        from db.queries import load_episodes, patient_row

        stored = patient_row(self.engine, case.id)
        details = getattr(window, "patient_dialog", None)  # modal: always the open case's
        if details is not None and stored.get("version") != details.row.get("version"):
            details.follow()
        if stored.get("version") != case.patient.get("version") or any(
                c.entity in WHOLE_CASE for c in changes):
            window.reload_case()
            return True
        controller = window.episode_feature.controller
        if stored.get("review_version") != case.patient.get("review_version"):
            controller.show_review({k: v for k, v in stored.items() if k.startswith("review")})
            shown = True
        episodes = load_episodes(self.engine, case.id)
        if _versions(episodes) != _versions(case.episodes):
            controller.reload(controller.selected_id)
            shown = True
        return shown


def _versions(df) -> set[tuple[int, int]]:
    if df.empty:
        return set()
    return {(int(i), int(v)) for i, v in zip(df["id"], df["version"], strict=True)}


def install(window) -> LiveRefresh | None:
    try:
        live = LiveRefresh(window)
    except Exception:  # no connection of its own: the window works on, F5 re-reads
        log.warning("cannot watch for others' changes", exc_info=True)
        window.live_refresh = None
        window.statusBar().showMessage("Others' changes are not shown as they happen: press "
                                       "F5 to re-read", 10_000)
        return None
    window.live_refresh = live
    window.installEventFilter(_StopOnClose(live, window))
    return live


class _StopOnClose(QtCore.QObject):
    def __init__(self, live: LiveRefresh, parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.live = live

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Close:
            self.live.stop()
        return False
