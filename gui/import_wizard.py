"""File → Import…: choose a file, preview it as parsed, map unknown columns, choose the
specimen of cytokines the file names none for, choose the patient, confirm. Reading, checking and writing run off the GUI thread with a progress
bar; Cancel at any point writes nothing."""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets
from sqlalchemy import Engine

from data.codes import ANALYTES, PBMC_LPS, PBMC_SPONTANEOUS, SERUM, label
from data.importing import ImportCancelled, ImportFailed, ImportPlan, Options, build_plan
from data.importing.commit import CORRECTION_HINT, ImportResult, commit_plan
from data.importing.plan import (
    has_patient_column,
    open_specimen_columns,
    shape,
    unknown_names,
)
from data.importing.readers import Table, read_table
from data.importing.safe_text import printable
from data.importing.store import known_patients, remembered_mapping, remembered_specimens
from data.importing.synonyms import IGNORE, mapping_key
from data.patient_file import looks_like_patient_file
from gui.collector import GuiThreadCollector

log = logging.getLogger(__name__)

FILE_FILTER = "Tables (*.csv *.tsv *.txt *.xlsx);;All files (*)"
# A filled-in example of every kind of file (docs/IMPORT.md), shipped with the program.
TEMPLATES = Path(__file__).resolve().parents[1] / "resources" / "templates"
PREVIEW_ROWS = 20


class _Signals(QtCore.QObject):
    progress = QtCore.Signal(float, str)
    done = QtCore.Signal(object)
    failed = QtCore.Signal(object)


class _Task(QtCore.QRunnable):
    """Runs ``work(progress, cancelled)`` in the pool; reports through ``signals``."""

    def __init__(self, work: Callable, signals: _Signals, cancel: threading.Event) -> None:
        super().__init__()
        self.work, self.signals, self.cancel = work, signals, cancel

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.cancel.is_set)
        except Exception as exc:  # shown to the user; unexpected ones logged in full
            if not isinstance(exc, ImportFailed | ImportCancelled | OSError):
                log.exception("import step failed")
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class _Runner(QtCore.QObject):
    """One background step at a time, with its progress bar and cancel flag."""

    def __init__(self, bar: QtWidgets.QProgressBar, status: QtWidgets.QLabel,
                 parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.bar, self.status = bar, status
        self.cancel = threading.Event()
        self.busy = False
        self._generation = 0
        self._signals: _Signals | None = None
        # Never a collection on the import's thread (gui/collector.py), without a window
        # whose case loader turns it off too (a test).
        self.collector = GuiThreadCollector(self)

    def start(self, work: Callable, done: Callable, failed: Callable) -> None:
        # A step started again (Back, then Next) supersedes the one still running: only
        # the newest may report, or a stale check could be imported.
        self.cancel.set()
        self.cancel = threading.Event()
        self._generation += 1
        generation = self._generation
        signals = _Signals(self)
        signals.progress.connect(self._progress)
        signals.done.connect(lambda result: self._finish(generation, done, result))
        signals.failed.connect(lambda exc: self._finish(generation, failed, exc))
        self._signals = signals  # kept alive until the task reports
        self.busy = True
        self.bar.setRange(0, 0)
        self.bar.show()
        self.pool.start(_Task(work, signals, self.cancel))

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setRange(0, 100)
        self.bar.setValue(int(fraction * 100))
        self.status.setText(message)

    def _finish(self, generation: int, callback: Callable, payload: object) -> None:
        if generation != self._generation:
            return
        self.busy = False
        self.bar.hide()
        self.status.setText("")
        callback(payload)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


def _progress_widgets(layout: QtWidgets.QBoxLayout) -> tuple[QtWidgets.QProgressBar,
                                                             QtWidgets.QLabel]:
    bar = QtWidgets.QProgressBar()
    bar.hide()
    status = QtWidgets.QLabel()
    layout.addWidget(bar)
    layout.addWidget(status)
    return bar, status


class _FramePreview(QtCore.QAbstractTableModel):
    def __init__(self, frame, parent=None) -> None:
        super().__init__(parent)
        self.frame = frame

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self.frame.shape[1]

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        if role == QtCore.Qt.ItemDataRole.DisplayRole and index.isValid():
            return str(self.frame.iat[index.row(), index.column()])
        return None

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role != QtCore.Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == QtCore.Qt.Orientation.Horizontal:
            return str(self.frame.columns[section])
        return str(self.frame.index[section])  # the spreadsheet's row number


class FilePage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Choose a file")
        self.setSubTitle("A CSV or .xlsx file: lab values (long or wide), a diary, dosing "
                         "periods, administrations (one dose given per row) or patient "
                         "details.")
        self.path = QtWidgets.QLineEdit()
        self.path.setPlaceholderText("file to import")
        self.path.textChanged.connect(self.completeChanged)
        browse = QtWidgets.QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(row)
        # Opened in the system's file manager: copy a template, fill it in, import it.
        self.templates = QtWidgets.QLabel(
            f'Templates for each kind of file: <a href="{TEMPLATES.as_uri()}">the templates '
            "folder</a> (long, wide, dosing, administrations, patients, control references).")
        self.templates.setWordWrap(True)
        self.templates.setOpenExternalLinks(True)
        layout.addWidget(self.templates)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.bar, self.status = _progress_widgets(layout)
        self.runner = _Runner(self.bar, self.status, self)
        self.wiz = wizard
        self._read_path: str | None = None

    def _browse(self) -> None:
        name, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Import a file", "", FILE_FILTER)
        if name:
            self.path.setText(name)

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return Path(self.path.text().strip()).is_file() and not self.runner.busy

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        path = self.path.text().strip()
        if self._read_path == path and self.wiz.table is not None:
            return True
        if self.wiz.patient_file == path:  # QWizard.accept() validates the page again
            return True
        self.error.clear()
        self.runner.start(lambda progress, cancelled: read_table(path),
                          lambda table: self._read(path, table), self._failed)
        self.completeChanged.emit()
        return False

    def _read(self, path: str, table: Table) -> None:
        if looks_like_patient_file(table.header):
            self.wiz.patient_file = path  # open_import_wizard takes it from here
            self.wiz.accept()
            return
        self.wiz.table, self._read_path = table, path
        self.completeChanged.emit()
        self.wiz.next()

    def _failed(self, exc: Exception) -> None:
        self.wiz.table = None
        self.error.setText(_message(exc))
        self.completeChanged.emit()


class PreviewPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Preview")
        self.wiz = wizard
        self.info = QtWidgets.QLabel()
        self.info.setWordWrap(True)
        self.view = QtWidgets.QTableView()
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        table = self.wiz.table
        kind = {"long": "long (one value per row)", "wide": "wide (one column per analyte)",
                "dosing": "dosing periods",
                "administrations": "administrations (one dose given per row)"}[shape(table)]
        self.setSubTitle(f"The first rows of {table.file} as read; rows are numbered as in "
                         "a spreadsheet.")
        self.info.setText(f"{table.description}. Shape: {kind}. {len(table.data)} rows.")
        self.view.setModel(_FramePreview(table.head(PREVIEW_ROWS), self.view))
        self.view.resizeColumnsToContents()
        # Only the built-in table counts as known: remembered mappings are shown, editable.
        self.wiz.names_to_map = unknown_names(table, Options())


class MappingPage(QtWidgets.QWizardPage):
    """A code for every name the synonym table does not know; remembered for next time."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Map unrecognised columns")
        self.setSubTitle("Choose the code each column (or code name) stands for. Your "
                         "choices are remembered for the next file.")
        self.wiz = wizard
        self.form = QtWidgets.QFormLayout()
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.boxes: dict[str, QtWidgets.QComboBox] = {}

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        while self.form.rowCount():
            self.form.removeRow(0)
        self.boxes.clear()
        remembered = {mapping_key(k): v for k, v in self.wiz.remembered.items()}
        for name in self.wiz.names_to_map:
            box = QtWidgets.QComboBox()
            box.addItem("— choose —", None)
            for code in ANALYTES:
                box.addItem(f"{code} — {label(code)}", code)
            box.addItem("Leave this column out", IGNORE)
            chosen = remembered.get(mapping_key(name))
            if chosen is not None:
                box.setCurrentIndex(max(0, box.findData(chosen)))
            box.currentIndexChanged.connect(self.completeChanged)
            self.form.addRow(QtWidgets.QLabel(html.escape(printable(name))), box)
            self.boxes[name] = box

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return all(box.currentData() is not None for box in self.boxes.values())

    def choices(self) -> dict[str, str]:
        return {name: box.currentData() for name, box in self.boxes.items()
                if box.currentData() is not None}


class SpecimenPage(QtWidgets.QWizardPage):
    """The specimen of cytokine values the file names none for; remembered per column."""

    CHOICES = ((PBMC_SPONTANEOUS, "PBMC supernatant, spontaneous"),
               (PBMC_LPS, "PBMC supernatant, LPS-stimulated"), (SERUM, "serum"),
               ("", "unspecified (the file does not say)"))

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Specimen")
        self.setSubTitle("The file does not say in which specimen these cytokines were "
                         "measured. Choose it; your choice is remembered for these columns.")
        self.wiz = wizard
        self.columns = QtWidgets.QLabel()
        self.columns.setWordWrap(True)
        self.specimen = QtWidgets.QComboBox()
        self.specimen.addItem("— choose —", None)
        for code, text in self.CHOICES:
            self.specimen.addItem(text, code)
        self.specimen.currentIndexChanged.connect(self.completeChanged)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.columns)
        layout.addWidget(self.specimen)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        names = list(self.wiz.open_specimen_columns)
        self.columns.setText("Columns: " + ", ".join(printable(n) for n in names))
        remembered = {self.wiz.remembered_specimens.get(n) for n in names}
        if len(remembered) == 1 and None not in remembered and self.chosen() is None:
            self.specimen.setCurrentIndex(self.specimen.findData(remembered.pop()))

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.chosen() is not None

    def chosen(self) -> str | None:
        """A specimen code, '' for unspecified, None when nothing is chosen (yet)."""
        return self.specimen.currentData()


class PatientPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Patient")
        self.wiz = wizard
        self.info = QtWidgets.QLabel()
        self.info.setWordWrap(True)
        self.patient = QtWidgets.QComboBox()
        self.patient.setEditable(True)
        self.patient.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.patient.editTextChanged.connect(self.completeChanged)
        self.patient.editTextChanged.connect(self._explain)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.patient)
        self.note = QtWidgets.QLabel()
        layout.addWidget(self.note)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.known = known_patients(self.wiz.engine)
        in_file = has_patient_column(self.wiz.table)
        self.patient.setVisible(not in_file)
        self.note.setVisible(not in_file)
        if in_file:
            self.setSubTitle("The file names its patients in a patient column.")
            self.info.setText("Patients not yet in the database are created.")
            return
        self.setSubTitle("The file has no patient column: choose the patient, or type a new "
                         "pseudonym to create one.")
        self.info.setText("Pseudonym:")
        current = self.patient.currentText()
        self.patient.clear()
        self.patient.addItems(self.known)
        self.patient.setEditText(current)
        self._explain(current)

    def _explain(self, text: str) -> None:
        text = text.strip()
        self.note.setText("" if not text or text in self.known
                          else f"A new patient {text!r} will be created.")

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return has_patient_column(self.wiz.table) or bool(self.patient.currentText().strip())

    def chosen(self) -> str | None:
        if has_patient_column(self.wiz.table):
            return None
        return self.patient.currentText().strip() or None


class ConfirmPage(QtWidgets.QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.setTitle("Confirm")
        self.wiz = wizard
        self.text = QtWidgets.QPlainTextEdit()
        self.text.setReadOnly(True)
        self.corrections = QtWidgets.QCheckBox(
            "The file is the lab's &corrected report: replace stored values it gives "
            "differently (each replacement is kept in the audit trail)")
        self.corrections.setObjectName("corrections")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.corrections)
        self.bar, self.status = _progress_widgets(layout)
        self.runner = _Runner(self.bar, self.status, self)
        self.plan: ImportPlan | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.plan = None
        self.setSubTitle("Checking every row…")
        self.text.clear()
        options = self.wiz.options()
        table = self.wiz.table
        self.runner.start(lambda progress, cancelled: build_plan(
            table, options, progress=progress, cancelled=cancelled), self._checked, self._failed)
        self.completeChanged.emit()

    def _checked(self, plan: ImportPlan) -> None:
        self.plan = plan
        # Only measured values are corrected by a lab: a dosing file has nothing to replace.
        self.corrections.setVisible(len(plan.observations) > 0)
        known = set(known_patients(self.wiz.engine))
        lines = [f"{plan.file}: {plan.shape} file, {plan.description}.", ""]
        for name in plan.patients:
            lines.append(f"Patient {name}" + ("" if name in known else " (new: will be created)"))
        lines += ["", *plan.summary(), "", "Values already in the database are skipped."]
        self.text.setPlainText("\n".join(lines))
        self.setSubTitle("Everything checked. Press Import to write it all, in one go.")
        self.completeChanged.emit()

    def _failed(self, exc: Exception) -> None:
        self.plan = None
        if isinstance(exc, ImportCancelled):
            return
        self.setSubTitle("Nothing can be imported until these problems are fixed in the file "
                         "(or the columns mapped: go Back).")
        self.text.setPlainText(_message(exc))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.plan is not None and not self.runner.busy

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        if self.wiz.result_ is not None:
            return True
        plan, remember = self.plan, self.wiz.mapping_page.choices()
        corrections = self.corrections.isChecked()
        self.runner.start(lambda progress, cancelled: commit_plan(
            self.wiz.engine, plan, actor=self.wiz.actor, remember=remember,
            remember_specimen=True, corrections=corrections, progress=progress,
            cancelled=cancelled),
            self._written, self._not_written)
        self.completeChanged.emit()
        return False

    def _not_written(self, exc: Exception) -> None:
        """The checked plan stays: a file refused for values the lab corrected can be
        imported again as corrections without going back."""
        if isinstance(exc, ImportCancelled):
            self.completeChanged.emit()
            return
        text = _message(exc)
        if CORRECTION_HINT in text and not self.corrections.isChecked():
            self.setSubTitle("Stored values differ from this file's. If the lab corrected "
                             "them, tick the box below and press Import again.")
        else:
            self.setSubTitle("Nothing was imported.")
        self.text.setPlainText(text)
        self.completeChanged.emit()

    def _written(self, result: ImportResult) -> None:
        self.wiz.result_ = result
        self.text.setPlainText("\n".join(result.lines()))
        self.wiz.accept()


def _message(exc: BaseException) -> str:
    if isinstance(exc, ImportFailed):
        return exc.report()
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return printable(f"Unexpected error ({type(exc).__name__}: {exc})")


class ImportWizard(QtWidgets.QWizard):
    FILE, PREVIEW, MAPPING, SPECIMEN, PATIENT, CONFIRM = range(6)

    def __init__(self, engine: Engine, parent: QtWidgets.QWidget | None = None, *,
                 actor: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.engine = engine
        self.actor = actor  # the reviewer the audit trail names (Preferences)
        self.table: Table | None = None
        self.result_: ImportResult | None = None
        self.patient_file: str | None = None  # a file of patient details, handed over
        self.remembered = remembered_mapping(engine)
        self.remembered_specimens = remembered_specimens(engine)
        self.names_to_map: list[str] = []
        self.open_specimen_columns: dict[str, str] = {}
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.specimen_page = SpecimenPage(self)
        self.patient_page = PatientPage(self)
        self.confirm_page = ConfirmPage(self)
        self.setPage(self.FILE, self.file_page)
        self.setPage(self.PREVIEW, PreviewPage(self))
        self.setPage(self.MAPPING, self.mapping_page)
        self.setPage(self.SPECIMEN, self.specimen_page)
        self.setPage(self.PATIENT, self.patient_page)
        self.setPage(self.CONFIRM, self.confirm_page)
        self.setButtonText(QtWidgets.QWizard.WizardButton.FinishButton, "Import")
        self._closing = False
        self.resize(760, 560)

    def nextId(self) -> int:  # noqa: N802 - Qt API
        current = self.currentId()
        if current == self.PREVIEW and self.names_to_map:
            return self.MAPPING
        if current in (self.PREVIEW, self.MAPPING):
            # The mapping decides which columns are cytokines without a specimen.
            mapping = {**self.remembered, **self.mapping_page.choices()}
            self.open_specimen_columns = open_specimen_columns(self.table,
                                                               Options(mapping=mapping))
            return self.SPECIMEN if self.open_specimen_columns else self.PATIENT
        return super().nextId()

    def options(self) -> Options:
        mapping = {**self.remembered, **self.mapping_page.choices()}
        specimen = self.specimen_page.chosen() if self.open_specimen_columns else None
        return Options(patient=self.patient_page.chosen(), mapping=mapping,
                       specimen=specimen, column_specimens=self.remembered_specimens)

    def _runners(self) -> list[_Runner]:
        return [self.file_page.runner, self.confirm_page.runner]

    def reject(self) -> None:
        """Cancel: a running step is told to stop (and rolls back); close when it has."""
        busy = [r for r in self._runners() if r.busy]
        if not busy:
            super().reject()
            return
        self._closing = True
        for runner in busy:
            runner.cancel.set()
            runner.status.setText("Cancelling…")
        QtCore.QTimer.singleShot(50, self._close_when_idle)

    def _close_when_idle(self) -> None:
        if any(r.busy for r in self._runners()):
            QtCore.QTimer.singleShot(50, self._close_when_idle)
        elif self.result_ is None:
            super().reject()

    def done(self, code: int) -> None:
        for runner in self._runners():
            runner.wait()
        super().done(code)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == QtCore.Qt.Key.Key_Escape:
            self.reject()  # the same path as the Cancel button
            return
        super().keyPressEvent(event)


def open_import_wizard(parent: QtWidgets.QWidget | None, engine: Engine, *,
                       actor: str | None = None) -> bool:
    """File → Import…: run the wizard modally; True if something was imported."""
    wizard = ImportWizard(engine, parent, actor=actor)
    try:
        wizard.exec()
        if wizard.patient_file is not None:
            from db.identity import login
            from gui.patient_file_import import import_patient_file

            return import_patient_file(parent, engine, wizard.patient_file,
                                       actor=actor or login(engine))
        result = wizard.result_
        return result is not None and (result.observations_added + result.observations_corrected
                                       + result.medications_added + result.medications_closed
                                       + result.administrations_added
                                       + len(result.patients_created)) > 0
    finally:
        wizard.deleteLater()
