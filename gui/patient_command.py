"""An edit of a case's details as one undo step (Edit → Undo after Case → Patient details…).

Like the episode commands: applied once before it goes on the stack (a refused save never
becomes an undo step), then undo and redo each write the other side's values through
``data.patients.save_details`` with the version the last write left. A refusal on undo
(someone else changed the case meanwhile) is reported, never laid over their change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtGui
from sqlalchemy import Engine

from data.patients import PatientValueError, replaced, save_details
from db.patients import PatientError

Row = dict[str, Any]


class EditPatient(QtGui.QUndoCommand):
    def __init__(self, engine: Engine, row: Row, changes: Row, *, actor: Callable[[], str],
                 done: Callable[[Row], None], refused: Callable[[str], None]) -> None:
        super().__init__(f"Edit details of {row['pseudonym']}")
        self.engine, self.actor, self.done, self.refused = engine, actor, done, refused
        self.patient_id, self.version = int(row["id"]), int(row["version"])
        self.after = changes
        self.before = replaced(row, changes)
        self._applied = False

    def apply(self) -> Row:
        """Save now; raises PatientValueError/PatientError (shown by the dialog)."""
        new = self._write(self.after)
        self._applied = True
        return new

    def _write(self, values: Row, step: str | None = None) -> Row:
        # step ("undo", "redo") goes into the audit row (db.audit.stepped).
        new = save_details(self.engine, self.patient_id, self.version, actor=self.actor(),
                           step=step, **values)
        self.version = int(new["version"])
        return new

    def _step(self, values: Row, step: str) -> None:
        try:
            self.done(self._write(values, step))
        except (PatientValueError, PatientError) as exc:
            self.refused(str(exc))
        except Exception as exc:  # a database failure: the stored row stands
            from db.errors import user_message

            self.refused(user_message(exc))  # the unexpected logged with its traceback

    def redo(self) -> None:
        if self._applied:  # push() calls redo(); apply() already saved
            self._applied = False
            return
        self._step(self.after, "redo")

    def undo(self) -> None:
        self._step(self.before, "undo")
