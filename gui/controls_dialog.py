"""Case → Control references…: view, add, edit and retire the lab's healthy-control references.

Every change is one new reference set written by ``data.controls.store_references``:
an edit retires the row and adds its successor, a retire only retires, nothing is
overwritten. The open case is reloaded afterwards so folds follow the new set; PDFs
already exported keep naming the set they used.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from data.codes import PBMC_LPS, PBMC_SPONTANEOUS, SERUM, SPECIMEN_LABELS, label, unit
from data.controls import REFERENCE_CODES, Reference, check, list_rows, set_text, store_references
from data.numbers import is_missing
from gui.screen_fit import fit_to_screen

log = logging.getLogger(__name__)

COLUMNS = (("code", "Analyte"), ("specimen", "Specimen"), ("unit", "Unit"), ("n", "n"),
           ("mean", "Mean"), ("sd", "SD"), ("range", "Range"), ("upper_normal", "Upper normal"),
           ("lab", "Lab"), ("assay", "Assay"), ("batch", "Batch"), ("date", "Date"),
           ("id", "#"), ("set", "Set"), ("status", "Status"))
SPECIMENS = (PBMC_SPONTANEOUS, PBMC_LPS, SERUM, "")
# Fields of the editor, in form order, with the label shown and the Reference field.
NUMBER_FIELDS = (("n", "n (controls):"), ("mean", "Mean:"), ("sd", "SD:"),
                 ("range_low", "Range low:"), ("range_high", "Range high:"),
                 ("upper_normal", "Upper normal:"))
TEXT_FIELDS = (("lab", "Lab:"), ("assay", "Assay/kit:"), ("batch", "Batch:"))
ID_ROLE = QtCore.Qt.ItemDataRole.UserRole
_DONE = {"add": "Added", "edit": "Edited", "retire": "Retired"}


class ReferenceEditor(QtWidgets.QDialog):
    """One reference's fields; OK is refused, with every reason shown, while it is bad."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, *,
                 ref: dict | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit control reference" if ref else "Add control reference")
        self.setObjectName("reference_editor")
        self.code = QtWidgets.QComboBox(objectName="code")
        for code in REFERENCE_CODES:
            self.code.addItem(f"{label(code)} ({code})", code)
        self.specimen = QtWidgets.QComboBox(objectName="specimen")
        for spec in SPECIMENS:
            self.specimen.addItem(SPECIMEN_LABELS[spec], spec)
        self.unit = QtWidgets.QLineEdit(objectName="unit")
        self.edits: dict[str, QtWidgets.QLineEdit] = {}
        form = QtWidgets.QFormLayout(self)
        form.addRow("Analyte:", self.code)
        form.addRow("Specimen:", self.specimen)
        form.addRow("Unit:", self.unit)
        for name, text in (*NUMBER_FIELDS, *TEXT_FIELDS, ("ref_date", "Date (YYYY-MM-DD):")):
            self.edits[name] = QtWidgets.QLineEdit(objectName=name)
            form.addRow(text, self.edits[name])
        self.problems = QtWidgets.QLabel(objectName="problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b00020")
        form.addRow(self.problems)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)
        self._fill(ref)
        self.code.currentIndexChanged.connect(self._default_unit)

    def _fill(self, ref: dict | None) -> None:
        if ref is None:
            self._default_unit()
            return
        self.code.setCurrentIndex(max(self.code.findData(ref["code"]), 0))
        self.specimen.setCurrentIndex(max(self.specimen.findData(ref.get("specimen") or ""), 0))
        # An edit replaces this analyte and specimen's reference; another one is an add.
        self.code.setEnabled(False)
        self.specimen.setEnabled(False)
        self.unit.setText(str(ref.get("unit") or ""))
        for name, edit in self.edits.items():
            v = ref.get(name)
            if is_missing(v):
                continue
            if name == "n":
                v = int(v)
            elif isinstance(v, float):
                v = f"{v:g}"
            edit.setText(str(v)[:10] if name == "ref_date" else str(v))

    def _default_unit(self) -> None:
        self.unit.setText(unit(self.code.currentData()))

    def reference(self) -> tuple[Reference | None, list[str]]:
        """The reference the fields describe, or every reason it cannot be stored."""
        problems: list[str] = []
        values: dict = {}
        for name, text in NUMBER_FIELDS:
            raw = self.edits[name].text().strip().replace(",", ".")
            try:
                values[name] = float(raw) if raw else None
            except ValueError:
                problems.append(f"{text.rstrip(':')}: not a number")
        raw_date = self.edits["ref_date"].text().strip()
        try:
            values["ref_date"] = dt.date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            problems.append("Date: write YYYY-MM-DD")
        if problems:
            return None, problems
        ref = Reference(code=self.code.currentData(), specimen=self.specimen.currentData(),
                        unit=self.unit.text().strip(), source="dialog",
                        **{n: self.edits[n].text().strip() for n, _ in TEXT_FIELDS}, **values)
        names = dict((*NUMBER_FIELDS, ("code", "Analyte:"), ("unit", "Unit:")))
        problems = [f"{names.get(f, f).rstrip(':')}: {reason}" for f, reason in check(ref)]
        if not ref.lab.strip():
            problems.append("Lab: whose healthy controls are these?")
        return (None, problems) if problems else (ref, [])

    def accept(self) -> None:
        ref, problems = self.reference()
        if problems:
            self.problems.setText("\n".join(problems))
            self.adjustSize()
            return
        self.result_reference = ref
        super().accept()


class ControlsDialog(QtWidgets.QDialog):
    """The references in force (and, on request, retired ones) with Add, Edit, Retire."""

    changed = QtCore.Signal(int)  # the new reference set's id
    conflict_dialog = None  # gui.conflict_dialog, while it asks

    def __init__(self, engine, actor: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Control references")
        self.setObjectName("controls_dialog")
        fit_to_screen(self, 1100, 420)  # every column on a wide screen; a 1024 px one scrolls them
        self.engine, self.actor = engine, actor
        self.editor: ReferenceEditor | None = None
        self.rows: dict[int, dict] = {}
        self.seen_set = 0  # the newest reference set when the list was last read
        self.set_label = QtWidgets.QLabel(objectName="set_label")
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), objectName="references")
        self.table.setHorizontalHeaderLabels([h for _, h in COLUMNS])
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.show_retired = QtWidgets.QCheckBox("Show retired references", objectName="retired")
        self.status = QtWidgets.QLabel(objectName="status")
        self.status.setWordWrap(True)
        self.add_button = QtWidgets.QPushButton("&Add…", objectName="add")
        self.edit_button = QtWidgets.QPushButton("&Edit…", objectName="edit")
        self.retire_button = QtWidgets.QPushButton("&Retire", objectName="retire")
        self.import_button = QtWidgets.QPushButton("&Import file…", objectName="import")
        close = QtWidgets.QPushButton("Close", objectName="close")
        buttons = QtWidgets.QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.retire_button, self.import_button):
            buttons.addWidget(b)
        buttons.addWidget(self.show_retired)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.set_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.retire_button.clicked.connect(self.retire)
        self.import_button.clicked.connect(lambda: self.import_file())
        close.clicked.connect(self.accept)
        self.show_retired.toggled.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.reload()

    # -- showing --------------------------------------------------------------------------
    def reload(self) -> None:
        from db.controls import history

        try:
            rows, sets = history(self.engine)
        except Exception as exc:  # a database error is told, not raised in a slot
            log.exception("reading control references failed")
            self.status.setText(f"Cannot read the control references: {exc}")
            return
        self.rows = {int(r["id"]): r for r in rows.to_dict("records")}
        current = sets.iloc[-1].to_dict() if len(sets) else None
        self.seen_set = 0 if current is None else int(current["id"])
        self.set_label.setText(f"In force: {set_text(current)}" + (
            "" if current is None else f" — {len(sets)} set(s) so far; retired references "
            "are kept, so an exported PDF's references can always be checked"))
        lines = list_rows(rows, retired=self.show_retired.isChecked())
        self.table.setRowCount(len(lines))
        grey = QtGui.QBrush(QtGui.QColor("#888888"))
        for i, line in enumerate(lines):
            for j, (key, _) in enumerate(COLUMNS):
                text = label(line[key]) if key == "code" else (
                    SPECIMEN_LABELS.get(line[key], line[key]) if key == "specimen" else line[key])
                item = QtWidgets.QTableWidgetItem(text)
                item.setData(ID_ROLE, int(line["id"]))
                if line["status"] != "in force":
                    item.setForeground(grey)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self._enable()

    def follow(self, actors: list[str]) -> None:
        """Reference sets saved by someone else while the dialog is open (gui.live_refresh):
        the list is read again, the selection kept, unless an edit is open (its save then
        shows the choice, _conflict)."""
        if self.conflict_dialog is not None or (self.editor is not None
                                                and self.editor.isVisible()):
            return
        before, chosen = self.seen_set, self.selected()
        self.reload()
        if self.seen_set == before:  # our own save, already shown
            return
        if chosen is not None:
            self.select_id(int(chosen["id"]))
        self.status.setText(f"Changed by {', '.join(actors)} meanwhile: shown now")

    def selected(self) -> dict | None:
        items = self.table.selectedItems()
        return self.rows.get(items[0].data(ID_ROLE)) if items else None

    def select_id(self, ref_id: int) -> bool:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).data(ID_ROLE) == ref_id:
                self.table.selectRow(i)
                return True
        return False

    def _enable(self) -> None:
        row = self.selected()
        in_force = row is not None and is_missing(row.get("retired_set_id"))
        self.edit_button.setEnabled(in_force)
        self.retire_button.setEnabled(in_force)

    # -- changing -------------------------------------------------------------------------
    def add(self) -> None:
        self._open_editor(None)

    def edit(self) -> None:
        row = self.selected()
        if row is not None and self.edit_button.isEnabled():
            self._open_editor(row)

    def _open_editor(self, row: dict | None) -> None:
        self.editor = ReferenceEditor(self, ref=row)
        # What "someone else changed it meanwhile" is measured from: the row's own set for
        # an edit, the list as read now for an add.
        seen = self.seen_set if row is None else int(row["set_id"])
        self.editor.accepted.connect(
            lambda: self._change(self.editor.result_reference, row, seen))
        self.editor.open()

    def retire(self) -> None:
        row = self.selected()
        if row is None or not self.retire_button.isEnabled():
            return
        self._change(None, row, int(row["set_id"]))

    def _change(self, ref: Reference | None, old: dict | None, seen: int) -> None:
        """Add ``ref``, replace ``old`` by it, or (ref None) retire ``old``: one new set.
        Refused because someone else changed that analyte and specimen since ``seen``: the
        conflict box, as for episodes and patient details."""
        code, specimen = (ref.code, ref.specimen) if ref is not None else (
            old["code"], old.get("specimen") or "")
        action = "retire" if ref is None else "add" if old is None else "edit"
        done = (f"{_DONE[action]} {label(code)} "
                f"({SPECIMEN_LABELS.get(specimen, specimen)})")
        retire = [] if old is None else [int(old["id"])]
        lab = ref.lab if ref is not None else old.get("lab") or ""
        self._write([] if ref is None else [ref], retire, action, lab, done,
                    refused=lambda: self._conflict(ref, old, seen, code, specimen))

    def _conflict(self, ref: Reference | None, old: dict | None, seen: int, code: str,
                  specimen: str) -> bool:
        """Say who changed this reference meanwhile and offer to apply mine on top of it;
        False when nobody did (the refusal stands as told)."""
        from data.conflicts import reference_changes, theirs_text
        from data.controls import reference_text, specimen_phrase, to_stored_unit
        from gui.conflict_dialog import ask

        try:
            theirs = reference_changes(self.engine, code, specimen, seen)
        except Exception:  # the database went away meanwhile: the status line says enough
            log.exception("reading who changed a control reference failed")
            return False
        if not theirs:
            return False
        mine = ["retired" if ref is None else "added" if old is None else "edited"]
        if old is not None:
            mine.append(f"· {'' if ref is None else 'from: '}{reference_text(old)}")
        if ref is not None:
            new = reference_text(to_stored_unit(ref).row())
            mine.append(f"· {new}" if old is None else f"· to: {new}")
        now = next((r for r in self.rows.values() if r["code"] == code
                    and (r.get("specimen") or "") == specimen
                    and is_missing(r.get("retired_set_id"))), None)
        # Mine on top of theirs: what is in force now is what mine replaces or retires.
        apply = None if ref is None and now is None else (
            lambda: self._change(ref, now, self.seen_set))
        ask(self, f"The {label(code)} reference ({specimen_phrase(specimen)})",
            theirs_text(theirs), "\n".join(mine), apply)
        return True

    def import_file(self, path: str | None = None) -> None:
        """A lab's reference file, all or nothing, as `flarescope controls import` does."""
        from data.importing import ImportFailed
        from data.importing.controls_file import read_reference_file

        if path is None:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Import control references", "",
                "Reference files (*.csv *.tsv *.txt *.xlsx);;All files (*)")
            if not path:
                return
        try:
            plan = read_reference_file(path)
        except ImportFailed as failed:
            self.status.setText(failed.report(cap=10))
            return
        except OSError as exc:
            self.status.setText(f"Cannot read {path}: {exc.strerror or exc}")
            return
        self._write(plan.references, [], "import", plan.lab, f"Imported {plan.file}",
                    supersede=True, source=plan.file)

    def _write(self, refs: list[Reference], retire: list[int], action: str, lab: str,
               done: str, *, supersede: bool = False, source: str = "dialog",
               refused: Callable[[], bool] | None = None) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from db.controls import ReferenceInForce, StaleReference
        from db.errors import user_line

        try:
            set_id = store_references(self.engine, refs, actor=self.actor, action=action,
                                      retire=retire, lab=lab, source=source,
                                      supersede=supersede)
        except (ValueError, StaleReference, ReferenceInForce) as exc:
            self.status.setText(f"Not saved: {exc}")
            self.reload()
            if not isinstance(exc, ValueError) and refused is not None and refused():
                self.status.setText("Not saved: someone else changed this reference "
                                    "(shown now). Keep theirs, or apply yours on top of it.")
            return
        except SQLAlchemyError as exc:
            line = user_line(exc)
            if line is None:
                log.exception("writing control references failed")
            self.status.setText(f"Not saved: {line}" if line else
                                "Not saved: the database refused the change "
                                f"({exc.__class__.__name__}); nothing was changed")
            return
        self.status.setText(f"{done}: reference set {set_id}" if set_id is not None
                            else f"{done}: nothing changed, the references in force say this")
        self.reload()
        if set_id is not None:
            self.changed.emit(set_id)
