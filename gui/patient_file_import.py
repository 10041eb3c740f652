"""A patient file chosen in File → Import…: checked, shown, confirmed, then written.

The wizard reads measurements, diaries and doses; a file of patient details (pseudonym,
diagnosis, sex, birth year…) has no date or value to map, so the wizard hands it here.
Same checks and audit as `patients import`.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from sqlalchemy import Engine

from data.importing import ImportFailed
from data.patient_file import import_lines, read_patient_file
from db.errors import UserFacingError
from db.patients import PatientError, import_patients
from gui.plain_text import warn

TITLE = "Import patient details"


def import_patient_file(parent: QtWidgets.QWidget | None, engine: Engine, path: str, *,
                        actor: str) -> bool:
    """True if the file was written; every refusal is one message box, nothing written."""
    try:
        checked = read_patient_file(path, engine=engine)
        preview = import_patients(engine, checked.records, actor=actor, source=checked.file,
                                  dry_run=True)
    except ImportFailed as failed:
        warn(parent, TITLE, failed.report())
        return False
    except (PatientError, UserFacingError) as exc:
        warn(parent, TITLE, f"{exc}; nothing was imported")
        return False
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Question, TITLE,
                                f"{checked.file} is a file of patient details. Import it?",
                                parent=parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText("\n".join(import_lines(checked, preview, dry_run=True)[1:]))
    ok = box.addButton("&Import", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(ok)
    box.exec()
    if box.clickedButton() is not ok:
        return False
    try:
        import_patients(engine, checked.records, actor=actor, source=checked.file)
    except (PatientError, UserFacingError) as exc:
        warn(parent, TITLE, f"{exc}; nothing was imported")
        return False
    return True
