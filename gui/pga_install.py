"""Adds Case → Physician global assessment… (Ctrl+Shift+G): the physician's score of the
case (0 absent to 4 severe) at a date, written as a measurement (code PGA) with its
audit row, one undo step (installed by name, see INSTALLERS). The relapse criteria need
it; the timeline draws it as its own track."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui

from data.codes import PGA, pga_text
from gui.access import changes_data
from gui.actions import ActionSpec, add_case_action
from gui.pga_dialog import PgaDialog

log = logging.getLogger(__name__)

SPEC = ActionSpec("physician_global", "Physician &global assessment…", "Ctrl+Shift+G",
                  "The physician's global assessment of this case at a date: 0 absent, "
                  "1 minimal, 2 mild, 3 moderate, 4 severe")
UNIT = "{score}"
VISIT_HOUR = 12  # a score typed for a date is placed at its midday: one a day, never a day off


class RecordPga(QtGui.QUndoCommand):
    """One score at one date. Written once before it goes on the stack (a refused write
    never becomes an undo step); undo puts back what was there, redo the score again."""

    def __init__(self, engine, patient_id: int, t: int, score: int, *,
                 actor: Callable[[], str], done: Callable[[], None],
                 refused: Callable[[str], None]) -> None:
        super().__init__(f"Physician global {pga_text(score)}")
        self.engine, self.patient_id, self.t, self.score = engine, patient_id, t, score
        self.actor, self.done, self.refused = actor, done, refused
        self.before: float | None = None
        self._applied = False

    def _write(self, value: float | None, step: str | None) -> float | None:
        from db.typed_measures import set_typed_value

        return set_typed_value(self.engine, self.patient_id, code=PGA, unit=UNIT, t=self.t,
                               value=value, actor=self.actor(), step=step)

    def apply(self) -> None:
        self.before = self._write(float(self.score), None)
        self._applied = True
        self.done()

    def _step(self, value: float | None, step: str) -> None:
        try:
            self._write(value, step)
        except Exception as exc:  # the server's refusal, a full disk: the stored row stands
            log.exception("physician global %s failed", step)
            from db.errors import user_message

            self.refused(user_message(exc))
        else:
            self.done()

    def redo(self) -> None:
        if self._applied:  # push() calls redo(); apply() already wrote it
            self._applied = False
            return
        self._step(float(self.score), "redo")

    def undo(self) -> None:
        self._step(self.before, "undo")


def _at_midday(day: dt.date) -> int:
    return calendar.timegm(day.timetuple()) + VISIT_HOUR * 3600


def install(window) -> None:
    changes_data(window.access, add_case_action(window, SPEC, lambda: open_pga_dialog(window)))


def _offered_day(window) -> dt.date:
    return dt.datetime.fromtimestamp(window.timeline.cursor_day(), dt.UTC).date()


def open_pga_dialog(window, *, exec_dialog: bool = True) -> PgaDialog | None:
    case = window.case
    if case is None:
        return None
    s = case.series(PGA)
    current = {dt.datetime.fromtimestamp(float(t), dt.UTC).date(): float(v)
               for t, v in zip(s["t"].tolist(), s["value"].tolist(), strict=True)}
    dialog = PgaDialog(_offered_day(window), current, parent=window)
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)

    def record() -> None:
        day, score = dialog.chosen()
        same_day = [t for t in s["t"].tolist()
                    if dt.datetime.fromtimestamp(float(t), dt.UTC).date() == day]
        t = int(same_day[0]) if same_day else _at_midday(day)  # replaces that day's score

        def done() -> None:
            window.reload_case()
            window.statusBar().showMessage(
                f"Physician global {pga_text(score)} on {day.isoformat()}", 5000)

        command = RecordPga(window.engine, case.id, t, score,
                            actor=lambda: window.access.login, done=done,
                            refused=lambda msg: window.show_error(
                                "Physician global not changed", msg))
        try:
            command.apply()
        except Exception as exc:
            log.exception("recording a physician global failed")
            from db.errors import user_message

            window.show_error("Physician global not recorded", user_message(exc))
            return
        window.undo_stack.push(command)
        # What was entered is seen: the track is shown (the reviewer may hide it again).
        from gui.timeline.tracks.pga import PgaTrack  # pyqtgraph: after the first paint

        if not window.timeline.shown(PgaTrack.key):
            window.timeline.set_track_visible(PgaTrack.key, True)

    dialog.accepted.connect(record)
    if exec_dialog:
        dialog.open()
    return dialog
