"""Case → Patient details…: edit a case's details, identifying fields and weight history.

The dialog shows the row it was given and hands the changed fields to ``save``
(``data.patients.save_details`` with the version read; weights as the dates changed); a
refusal (a bad value, an identifying pseudonym) is shown in the dialog, which stays open
with what the reviewer typed. Someone else's newer save is shown with the choice
(gui.conflict_dialog): keep theirs (the form then shows it) or apply mine on top.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtWidgets

from data.numbers import fmt_number
from data.patients import SEX_TEXT, PatientValueError, flagged, weight_edits
from db.patients import PatientError, StalePatientError
from gui.weight_table import WeightTable

log = logging.getLogger(__name__)

Save = Callable[[dict[str, Any]], dict[str, Any]]
# Given the row the form was filled from: what others changed since (text) and the row now.
Theirs = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]
_TEXT_FIELDS = ("pseudonym", "diagnosis", "birth_year", "onset_age", "genotype", "name",
                "birth_date", "record_number")


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return fmt_number(value)
    return str(value)


class PatientDialog(QtWidgets.QDialog):
    """Attributes: one QLineEdit per text field (``pseudonym``, ``diagnosis``, ``birth_year``,
    ``genotype``, ``name``, ``birth_date``, ``record_number``), ``sex`` (QComboBox),
    ``weights`` (WeightTable), ``error`` (the refusal, hidden until there is one),
    ``save_button``."""

    saved = QtCore.Signal(dict)
    conflict_dialog = None  # gui.conflict_dialog, while it asks

    def __init__(self, row: dict[str, Any], save: Save, *,
                 parent: QtWidgets.QWidget | None = None, theirs: Theirs | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientDialog")
        self.setWindowTitle(f"Patient details: {row['pseudonym']}")
        self.row, self._save, self._theirs = row, save, theirs
        self.edits: dict[str, QtWidgets.QLineEdit] = {}

        details = QtWidgets.QFormLayout()
        self._line(details, "pseudonym", "&Pseudonym", "a code that does not identify the patient")
        self._line(details, "diagnosis", "&Diagnosis", "e.g. NLRP12-associated autoinflammatory "
                   "disorder")
        self.sex = QtWidgets.QComboBox()
        self.sex.setObjectName("sex")
        self.sex.addItem("not recorded", None)
        for letter, text in SEX_TEXT.items():
            self.sex.addItem(f"{letter} ({text})", letter)
        self.sex.setCurrentIndex(max(0, self.sex.findData(row.get("sex"))))
        details.addRow("Se&x", self.sex)  # Alt+S saves
        self._line(details, "birth_year", "Birth &year", "e.g. 1990")
        self._line(details, "onset_age", "Age at &onset", "years, e.g. 4 or 0.5")
        self._line(details, "genotype", "&Genotype", "e.g. NLRP12 c.910C>T")
        weights_box = QtWidgets.QGroupBox("Weights (convert doses per kg; the last one before a "
                                          "day is carried forward)")
        self.weights = WeightTable(row.get("weights") or {})
        QtWidgets.QVBoxLayout(weights_box).addWidget(self.weights)

        identity_box = QtWidgets.QGroupBox("Identifying (kept apart; never in a de-identified "
                                           "export)")
        identity = QtWidgets.QFormLayout(identity_box)
        self._line(identity, "name", "&Name", "")
        self._line(identity, "birth_date", "&Birth date", "YYYY-MM-DD or DD/MM/YYYY")
        self._line(identity, "record_number", "&Record number", "")

        self.flag = QtWidgets.QLabel()
        self.flag.setWordWrap(True)
        self.flag.setStyleSheet("color:#8A4B00")
        self.error = QtWidgets.QLabel()
        self.error.setObjectName("patientError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#B00020")
        self.error.hide()
        self.notice = QtWidgets.QLabel()  # a colleague's save while the dialog is open
        self.notice.setObjectName("patientNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Save
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)

        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(details)
        layout.addWidget(weights_box)
        layout.addWidget(identity_box)
        layout.addWidget(self.flag)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._show_flag()
        self.resize(520, self.sizeHint().height())

    def _line(self, form: QtWidgets.QFormLayout, field: str, label: str, hint: str) -> None:
        edit = QtWidgets.QLineEdit(_as_text(self.row.get(field)))
        edit.setObjectName(field)
        edit.setPlaceholderText(hint or "not recorded")
        self.edits[field] = edit
        setattr(self, field, edit)
        form.addRow(label, edit)

    def _show_flag(self) -> None:
        reason = flagged(self.row)
        self.flag.setText(f"⚠ {reason}" if reason else "")
        self.flag.setVisible(bool(reason))

    def _refused(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def changes(self) -> dict[str, Any]:
        """The fields whose text differs from what was loaded ('' clears a field), and the
        weights added, corrected or removed; raises PatientValueError for a bad weight row."""
        out: dict[str, Any] = {}
        for field in _TEXT_FIELDS:
            text = self.edits[field].text().strip()
            if text != _as_text(self.row.get(field)):
                out[field] = text
        if self.sex.currentData() != self.row.get("sex"):
            out["sex"] = self.sex.currentData()
        weights = weight_edits(self.row.get("weights") or {}, self.weights.rows())
        if weights:
            out["weights"] = weights
        return out

    def try_save(self) -> None:
        try:
            changes = self.changes()
        except PatientValueError as exc:
            self._refused(str(exc))
            return
        if not changes:
            self.accept()
            return
        self._save_changes(changes)

    def _save_changes(self, changes: dict[str, Any]) -> None:
        try:
            row = self._save(changes)
        except StalePatientError as exc:
            if self._theirs is None:
                self._refused(str(exc))
            else:
                self._conflict(changes)
            return
        except (PatientValueError, PatientError) as exc:
            self._refused(str(exc))
            return
        except Exception as exc:  # a database failure: the old row stands, said in one line
            from db.errors import user_message

            self._refused(f"Not saved: {user_message(exc)}")
            return
        self.row = row
        self.saved.emit(row)
        self.accept()

    # -- someone else saved first -------------------------------------------------------------
    def follow(self) -> None:
        """A colleague saved these details while the dialog is open (gui.live_refresh): an
        untouched form shows theirs at once; one being edited keeps what was typed and says
        so, and its save then shows both with the choice."""
        if self._theirs is None or self.conflict_dialog is not None:
            return
        try:
            theirs, now = self._theirs(self.row)
        except Exception:  # the database went away: the save will tell
            log.warning("reading a colleague's change of the patient details failed",
                        exc_info=True)
            return
        if now.get("version") == self.row.get("version"):
            return
        try:
            edited = bool(self.changes())
        except PatientValueError:  # a weight row being typed is an edit too
            edited = True
        if edited:
            self.notice.setText(f"Changed by someone else meanwhile:\n{theirs}\nYour edits are "
                                "kept here; saving shows both and lets you choose.")
        else:
            self.row = now
            self._fill(now)
            self.notice.setText(f"Updated with a change by someone else:\n{theirs}")
        self.notice.show()

    def _conflict(self, changes: dict[str, Any]) -> None:
        """Their save stands: say who changed what and when, then keep theirs (the form
        shows it) or save these changes again on top of it."""
        from data.conflicts import mine_text
        from gui.conflict_dialog import ask

        mine_before = {k: self.row.get(k) for k in changes if k != "weights"}
        if "weights" in changes:
            stored = self.row.get("weights") or {}
            mine_before["weights"] = {d: stored.get(d) for d in changes["weights"]}
        mine = mine_text("patient", mine_before, changes)
        try:
            theirs, now = self._theirs(self.row)
        except Exception as exc:  # the database went away meanwhile
            log.exception("reading the stored patient details failed")
            self._refused(f"Not saved: someone else changed these details, and they could "
                          f"not be read again ({exc.__class__.__name__}; details in the log)")
            return
        self.row = now
        self._fill(now)
        self._refused("Not saved: someone else changed these details (shown now). Keep "
                      "theirs, or apply yours on top of them.")
        ask(self, f"The details of {now['pseudonym']}", theirs, mine,
            lambda: self._save_changes(changes))

    def _fill(self, row: dict[str, Any]) -> None:
        for field, edit in self.edits.items():
            edit.setText(_as_text(row.get(field)))
        self.sex.setCurrentIndex(max(0, self.sex.findData(row.get("sex"))))
        self.weights.set_weights(row.get("weights") or {})
        self._show_flag()
