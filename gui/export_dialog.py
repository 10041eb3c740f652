"""File → Export PDF… and File → Export all…: the options dialog and the batch runner.

The batch keeps the window responsive: each case is read and its figures computed in a
worker thread (Qt-free), and only the painting, which needs the timeline widget, runs
on the GUI thread, one case per event-loop turn. A cancel is honoured between cases;
files are written atomically, so it never leaves half a PDF.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtWidgets
from sqlalchemy import Engine

from data.dose_context import DEFAULT_DOSE_TIME
from data.summary import (
    NEAR_NORMAL_FOLD,
    deidentified_label,
    load_audit,
    load_case,
    scrubbed_notes,
)
from db.errors import one_line, user_line
from gui.collector import GuiThreadCollector
from gui.pdf.export import (
    case_targets,
    export_case_pdf,
    file_for,
    pdf_name,
    prepare_summary,
    write_case_pdf,
)

log = logging.getLogger(__name__)

_last_folder: Path | None = None  # where the previous export went, for this session


@dataclass(frozen=True)
class ExportOptions:
    path: Path
    deidentify: bool
    paper: str
    include_notes: bool = False


class ExportDialog(QtWidgets.QDialog):
    """De-identify, paper size, and the target file (or folder for every case)."""

    def __init__(self, parent: QtWidgets.QWidget | None, target: Path, *,
                 folder: bool = False, notes: list[str] | None = None,
                 deidentified_name: str | None = None) -> None:
        """deidentified_name: the file name proposed once De-identify is ticked (the
        identified and the de-identified PDF of a case must not replace each other)."""
        super().__init__(parent)
        self.folder = folder
        self._names = (target.name, deidentified_name or target.name)
        self._confirmed: Path | None = None  # the file the file dialog asked about
        self.setWindowTitle("Export all cases as PDF" if folder else "Export PDF case summary")
        self.deidentify = QtWidgets.QCheckBox("De-identify: pseudonym only, days from "
                                              "anakinra start, no calendar dates")
        self.paper = QtWidgets.QComboBox()
        self.paper.addItem("A4", "a4")
        self.paper.addItem("US Letter", "letter")
        self.path = QtWidgets.QLineEdit(str(target))
        choose = QtWidgets.QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form = QtWidgets.QFormLayout()
        form.addRow("Folder:" if folder else "File:", row)
        form.addRow("Paper:", self.paper)
        form.addRow("", self.deidentify)
        # De-identified, notes are left out unless the reviewer includes them after
        # reading them as they would print: scrubbed of names, numbers and dates.
        self.include_notes = QtWidgets.QCheckBox("Include the reviewers' notes as shown "
                                                 "below (names, numbers, dates removed)")
        self.notes_preview = QtWidgets.QPlainTextEdit("\n\n".join(notes or []))
        self.notes_preview.setObjectName("scrubbedNotes")
        self.notes_preview.setReadOnly(True)
        self.notes_preview.setMaximumHeight(120)
        form.addRow("", self.include_notes)
        form.addRow("Notes:", self.notes_preview)
        for w in (self.include_notes, self.notes_preview):
            w.setVisible(False)
        if notes:
            self.deidentify.toggled.connect(self.include_notes.setVisible)
            self.deidentify.toggled.connect(self.notes_preview.setVisible)
        if not folder:
            self.deidentify.toggled.connect(self._propose_name)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _propose_name(self, deidentify: bool) -> None:
        """Swap the proposed file name with the mode, unless the reviewer typed another."""
        path = Path(self.path.text().strip())
        if path.name == self._names[not deidentify]:
            self.path.setText(str(path.with_name(self._names[deidentify])))

    def accept(self) -> None:
        path = self.options().path
        if not self.folder and path.exists() and path != self._confirmed \
                and not may_replace(self, f"{path.name} already exists in {path.parent}.\n"
                                          "Replace it?"):
            return
        super().accept()

    def _choose(self) -> None:
        # A file dialog given a folder that does not exist opens in the program's folder.
        proposed = Path(self.path.text().strip() or Path.home()).expanduser()
        if self.folder:
            chosen = QtWidgets.QFileDialog.getExistingDirectory(self, "Export into folder",
                                                                str(_existing(proposed)))
        else:
            start = _existing(proposed.parent) / proposed.name
            chosen, _ = QtWidgets.QFileDialog.getSaveFileName(
                self, "Export PDF", str(start), "PDF files (*.pdf)")
            # The file dialog has asked before replacing it: Export does not ask again.
            self._confirmed = Path(chosen) if chosen else None
        if chosen:
            self.path.setText(chosen)

    def options(self) -> ExportOptions:
        path = Path(self.path.text().strip()).expanduser()
        if not self.folder and path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        deidentify = self.deidentify.isChecked()
        return ExportOptions(path, deidentify, str(self.paper.currentData()),
                             deidentify and self.include_notes.isChecked())


def may_replace(parent: QtWidgets.QWidget | None, question: str) -> bool:
    """Ask before PDFs replace existing files; No (the default, and Escape) keeps them."""
    no, yes = QtWidgets.QMessageBox.StandardButton.No, QtWidgets.QMessageBox.StandardButton.Yes
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Replace files?",
                                question, yes | no, parent)
    box.setObjectName("confirmReplace")
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    return box.exec() == yes


def save_pdf_as(parent: QtWidgets.QWidget | None, title: str, name: str) -> Path | None:
    """Ask where to write a one-page PDF (the overlay's, the cohort's), starting where
    Export PDF starts: the last export's folder, else Documents. The folder chosen is
    remembered for the next export. None if the reviewer cancels."""
    # Given a bare name, the file dialog opened in the program's folder.
    chosen, _ = QtWidgets.QFileDialog.getSaveFileName(
        parent, title, str(_default_folder() / name), "PDF files (*.pdf)")
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    _remember(path.parent)
    return path


def _default_folder() -> Path:
    """The last export's folder, else Documents, else home: always one that exists (a
    new account may have no Documents folder yet)."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    docs = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    return _existing(Path(docs)) if docs else Path.home()


def _existing(folder: Path) -> Path:
    """folder, or its nearest ancestor that exists."""
    return next((f for f in (folder, *folder.parents) if f.is_dir()), Path.home())


def _remember(folder: Path) -> None:
    global _last_folder
    _last_folder = folder


def _error(parent: QtWidgets.QWidget | None, title: str, exc: BaseException) -> None:
    message = user_line(exc)
    if message is None:
        log.error("PDF export failed", exc_info=exc)
        message = one_line(exc)
    else:
        log.warning("PDF export failed: %s", message)
    QtWidgets.QMessageBox.warning(parent, title, message)


def export_current_case(parent: QtWidgets.QWidget | None, engine: Engine, case, *,
                        reviewer: str | None = None,
                        near_normal_fold: float = NEAR_NORMAL_FOLD,
                        dose_time: float = DEFAULT_DOSE_TIME) -> Path | None:
    """Ask for options and write the open case's summary; returns the file, None if not.

    reviewer (the settings' reviewer) is named in the header; near_normal_fold is the
    threshold setting of "days to near-normal IL-1β"; dose_time the usual anakinra time.
    """
    try:
        full = load_case(engine, case.id)  # with the identifying fields the scrubber needs
        audit = load_audit(engine, full)
        notes = scrubbed_notes(full, audit)
        hidden = pdf_name(deidentified_label(full, audit), deidentified=True)
    except Exception as exc:
        _error(parent, "Export PDF", exc)
        return None
    dialog = ExportDialog(parent, _default_folder() / pdf_name(case.pseudonym,
                                                               deidentified=False),
                          notes=notes, deidentified_name=hidden)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return None
    opts = dialog.options()
    QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
    try:
        # A folder typed in that does not exist yet is made, as Export all does.
        opts.path.parent.mkdir(parents=True, exist_ok=True)
        # Read again by id: the open Case carries no identifying fields, and the
        # de-identified export needs them to scrub free-text notes.
        path = export_case_pdf(engine, opts.path, patient_id=case.id,
                               deidentify=opts.deidentify, paper=opts.paper,
                               reviewer=reviewer, near_normal_fold=near_normal_fold,
                               include_notes=opts.include_notes, dose_time=dose_time)
    except Exception as exc:
        _error(parent, "Export PDF", exc)
        return None
    finally:
        QtWidgets.QApplication.restoreOverrideCursor()
    _remember(path.parent)
    return path


def export_all_cases(parent: QtWidgets.QWidget | None, engine: Engine, *,
                     reviewer: str | None = None,
                     near_normal_fold: float = NEAR_NORMAL_FOLD,
                     dose_time: float = DEFAULT_DOSE_TIME) -> int:
    """Ask for a folder and options, export every case with progress; returns files written.

    reviewer, near_normal_fold and dose_time as for export_current_case.
    """
    dialog = ExportDialog(parent, _default_folder(), folder=True)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return 0
    opts = dialog.options()
    try:
        targets = case_targets(engine, opts.path)
    except OSError as exc:
        _error(parent, "Export all", exc)
        return 0
    # The names the cases' PDFs will most likely get (a de-identified summary may name a
    # case "case N" instead, and a clash in the batch adds a hash).
    names = [pdf_name(pseudonym, deidentified=opts.deidentify) for _, pseudonym, _ in targets]
    existing = [name for name in names if (opts.path / name).exists()]
    if existing and not may_replace(parent, f"{len(existing)} of the PDFs already exist in "
                                            f"{opts.path} ({', '.join(existing[:3])}"
                                            f"{', …' if len(existing) > 3 else ''}).\n"
                                            "Replace them?"):
        return 0
    runner = BatchExport(parent, engine, targets, opts, reviewer=reviewer,
                         near_normal_fold=near_normal_fold, dose_time=dose_time)
    count = runner.run()
    if runner.error is not None:
        _error(parent, "Export all", runner.error)
    _remember(opts.path)
    return count


class BatchExport(QtCore.QObject):
    """Every case to PDF with a cancellable progress dialog, in a local event loop."""

    def __init__(self, parent: QtWidgets.QWidget | None, engine: Engine,
                 targets: list[tuple[int, str, Path]], opts: ExportOptions, *,
                 reviewer: str | None = None,
                 near_normal_fold: float = NEAR_NORMAL_FOLD,
                 dose_time: float = DEFAULT_DOSE_TIME) -> None:
        super().__init__(parent)
        self.engine, self.targets, self.opts = engine, targets, opts
        self.reviewer, self.near_normal_fold = reviewer, near_normal_fold
        self.dose_time = dose_time
        self.written: list[Path] = []
        self._used: set[str] = set()  # file names given in this batch (file_for)
        self.error: BaseException | None = None
        self._next = 0
        self._pending: Future | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-export")
        # Never a collection on the export's thread (gui/collector.py), without a window
        # whose case loader turns it off too (a test).
        self._collector = GuiThreadCollector(self)
        self._loop = QtCore.QEventLoop()
        self.progress = QtWidgets.QProgressDialog("Exporting case summaries…", "Cancel", 0,
                                                  len(targets), parent)
        self.progress.setWindowTitle("Export all")
        self.progress.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(15)
        self._timer.timeout.connect(self._step)

    def run(self) -> int:
        self.progress.setValue(0)
        self._timer.start()
        self._loop.exec()
        return len(self.written)

    def _step(self) -> None:
        if self.progress.wasCanceled() or self._next >= len(self.targets):
            self._finish()
            return
        pid, pseudonym, path = self.targets[self._next]
        if self._pending is None:
            self.progress.setLabelText(f"Exporting {pseudonym} "
                                       f"({self._next + 1} of {len(self.targets)})…")
            self._pending = self._pool.submit(prepare_summary, self.engine, patient_id=pid,
                                              deidentify=self.opts.deidentify,
                                              reviewer=self.reviewer,
                                              near_normal_fold=self.near_normal_fold,
                                              dose_time=self.dose_time)
            return
        if not self._pending.done():
            return
        try:
            case, summary = self._pending.result()
            target = file_for(path, summary, self._used)
            self.written.append(write_case_pdf(case, summary, target,
                                               paper=self.opts.paper))
        except Exception as exc:
            self.error = exc
            self._finish()
            return
        self._pending = None
        self._next += 1
        self.progress.setValue(self._next)

    def _finish(self) -> None:
        self._timer.stop()
        if self._pending is not None:
            self._pending.cancel()  # a case still being read is dropped, nothing written
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._collector.stop()
        self.progress.close()
        self.progress.deleteLater()
        self._loop.quit()
