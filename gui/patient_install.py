"""Adds Case → Patient details… to the main window (installed by name, see INSTALLERS)."""

from __future__ import annotations

from PySide6 import QtCore

from gui.access import changes_data
from gui.actions import ActionSpec, add_case_action
from gui.patient_command import EditPatient
from gui.patient_dialog import PatientDialog

SPEC = ActionSpec("patient_details", "Patient &details…", "Ctrl+Shift+P",
                  "Diagnosis, sex, birth year, genotype, weights and identifying fields of this "
                  "case")


def install(window) -> None:
    add_case_action(window, SPEC, lambda: open_patient_dialog(window))


def open_patient_dialog(window) -> PatientDialog | None:
    """Open the dialog on the open case's stored details; the window refreshes on save."""
    from db.patients import get_patient

    if window.case is None:
        return None
    pid = window.case.id
    try:
        row = get_patient(window.engine, pid)
    except Exception as exc:
        window.show_error("Cannot read the patient details", str(exc))
        return None

    def saved(new_row: dict) -> None:
        window.refresh_case_list()
        window.reload_case()
        window.statusBar().showMessage(f"Saved the details of {new_row['pseudonym']}", 5000)

    def save(changes: dict) -> dict:
        # On the row the form shows now: after "Apply mine on top" that is their version.
        command = EditPatient(window.engine, dialog.row, changes,
                              actor=lambda: window.access.login, done=saved,
                              refused=lambda msg: window.show_error("Patient details not changed",
                                                                    msg))
        new_row = command.apply()
        window.undo_stack.push(command)
        return new_row

    def theirs(seen: dict) -> tuple[str, dict]:
        from data.conflicts import DETAILS, changes_since, theirs_text

        text = theirs_text(changes_since(window.engine, DETAILS, pid, int(seen["version"])))
        return text, get_patient(window.engine, pid)

    dialog = PatientDialog(row, save, parent=window, theirs=theirs)
    changes_data(window.access, dialog.save_button, dialog.sex, *dialog.edits.values(),
                 dialog.weights.table, dialog.weights.add_button, dialog.weights.remove_button)
    dialog.saved.connect(saved)
    dialog.finished.connect(lambda _result: setattr(window, "patient_dialog", None))
    dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    window.patient_dialog = dialog
    return dialog
