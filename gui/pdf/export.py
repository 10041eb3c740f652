"""Public entry points: one case, or every case, to PDF files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from PySide6 import QtCore, QtGui
from sqlalchemy import Engine

from data.case import Case
from data.dose_context import DEFAULT_DOSE_TIME
from data.summary import NEAR_NORMAL_FOLD, Summary, build_summary, load_audit, load_case
from db.errors import UserFacingError
from db.files import replacing_file
from gui.pdf.layout import FigureOp, layout_document
from gui.pdf.style import Style
from gui.pdf.writer import PDF_A_DEFAULT, blank_dates, new_writer, paint_pages, paint_size

Progress = Callable[[int, int, str], None]


class ExportError(UserFacingError):
    """The PDF could not be written; the message is fit for the user."""


def export_case_pdf(source: Engine | Case, path: str | Path, *, patient_id: int | None = None,
                    deidentify: bool = False, paper: str = "a4", reviewer: str | None = None,
                    audit: pd.DataFrame | None = None, pdf_a: bool = PDF_A_DEFAULT,
                    figure: FigureOp | None = None,
                    near_normal_fold: float = NEAR_NORMAL_FOLD, include_notes: bool = False,
                    warn: Callable[[str], None] | None = None, into_folder: bool = False,
                    dose_time: float = DEFAULT_DOSE_TIME) -> Path:
    """Write one case summary to path (into the folder path, named as export_all names
    it, when into_folder) and return the file written.

    source is an engine (then patient_id names the case, and its identifying fields and
    audit trail are read) or an already loaded Case. figure replaces the timeline
    painter (tests use a stub). reviewer is named in the header (else the case's own
    reviewer); near_normal_fold is the threshold of "days to near-normal IL-1β";
    include_notes puts scrubbed reviewer notes into a de-identified summary; warn hears
    what the person exporting should know (a pseudonym that was not printed); dose_time
    is the usual anakinra time (Preferences) behind the time since dose of each sample.
    """
    case, summary = prepare_summary(source, patient_id=patient_id, deidentify=deidentify,
                                    reviewer=reviewer, audit=audit,
                                    near_normal_fold=near_normal_fold,
                                    include_notes=include_notes, dose_time=dose_time)
    _tell(warn, summary)
    if into_folder:
        path = file_for(Path(path) / "case.pdf", summary)
    return write_case_pdf(case, summary, path, paper=paper, pdf_a=pdf_a, figure=figure)


def _tell(warn: Callable[[str], None] | None, summary: Summary) -> None:
    for message in summary.warnings if warn is not None else ():
        warn(message)


def prepare_summary(source: Engine | Case, *, patient_id: int | None = None,
                    deidentify: bool = False, reviewer: str | None = None,
                    audit: pd.DataFrame | None = None,
                    near_normal_fold: float = NEAR_NORMAL_FOLD,
                    include_notes: bool = False,
                    dose_time: float = DEFAULT_DOSE_TIME) -> tuple[Case, Summary]:
    """The Qt-free half of an export: reads and computes, so it may run in a worker thread."""
    if isinstance(source, Case):
        case = source
    else:
        if patient_id is None:
            raise TypeError("patient_id is required when exporting from an engine")
        case = load_case(source, patient_id)
        if audit is None:
            audit = load_audit(source, case)
    return case, build_summary(case, deidentify=deidentify, reviewer=reviewer, audit=audit,
                               near_normal_fold=near_normal_fold, include_notes=include_notes,
                               dose_time=dose_time)


def write_case_pdf(case: Case, summary: Summary, path: str | Path, *, paper: str = "a4",
                   pdf_a: bool = PDF_A_DEFAULT, figure: FigureOp | None = None) -> Path:
    """The painting half: GUI thread only (the timeline is a widget)."""
    if summary.case is not None:  # de-identified: the timeline draws only safe values
        case = summary.case
    if figure is None:
        from gui.pdf.timeline_figure import paint_timeline

        def figure(p: QtGui.QPainter, rect: QtCore.QRectF) -> None:
            paint_timeline(p, rect, case, summary.deidentified, opaque=pdf_a)

    return write_summary_pdf(summary, path, paper=paper, pdf_a=pdf_a, figure=figure)


def write_summary_pdf(summary: Summary, path: str | Path, *, paper: str, pdf_a: bool,
                      figure: FigureOp) -> Path:
    path = Path(path)
    # Painted into memory, then written by db.files: a QPdfWriter writing a file itself
    # ignores a full disk and leaves a truncated PDF behind, reporting success.
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODeviceBase.OpenModeFlag.WriteOnly)
    writer = new_writer(buffer, paper=paper, title=summary.title, pdf_a=pdf_a)
    width, height = paint_size(writer)
    pages = layout_document(summary, Style(writer), width, height, figure)
    problem = paint_pages(writer, pages)
    del writer  # writes the trailer
    if problem:
        raise ExportError(f"{path}: {problem}")
    pdf = buffer.data().data()
    if summary.deidentified:
        pdf = blank_dates(pdf)
    # A patient summary is health data: readable by its owner only, like the database.
    with replacing_file(path, "wb", private=True) as f:
        f.write(pdf)
    return path


def file_for(target: Path, summary: Summary, used: set[str] | None = None) -> Path:
    """The file a summary goes to in a folder: named after the case as the summary names
    it, so a pseudonym too identifying for a de-identified title ("DUPONT Jean
    1975-11-02") is not left in its file name either; a de-identified one says so in its
    name, so it never replaces the identified PDF of the same case.

    used: the names (lower case) already given in this batch; a name taken (two
    pseudonyms differing only in case, on a file system that ignores case) gets the
    pseudonym's hash, then a number, and is added to it.
    """
    name = pdf_name(summary.pseudonym, deidentified=summary.deidentified)
    if used is not None:
        stem = name.removesuffix(".pdf")
        candidates = [name, f"{stem}-{_short_hash(summary.pseudonym)}.pdf",
                      *(f"{stem}-{_short_hash(summary.pseudonym)} ({n}).pdf"
                        for n in range(2, 10_000))]
        name = next(c for c in candidates if c.lower() not in used)
        used.add(name.lower())
    return target.with_name(name)


def pdf_name(label: str, *, deidentified: bool) -> str:
    """"LYON-07.pdf", "LYON-07 de-identified.pdf"."""
    return f"{safe_file_name(label)}{' de-identified' if deidentified else ''}.pdf"


def safe_file_name(pseudonym: str) -> str:
    """The pseudonym as a file name on any system. When that changed it ("A/B", "A:B" and
    "A_B" would all be "A_B"), a short hash of the pseudonym keeps the names apart, the
    same on every export, so no case's PDF replaces another's."""
    safe = re.sub(r"[^A-Za-z0-9._ -]+", "_", pseudonym)
    safe = re.sub(r"\s+", " ", safe).strip("._ ") or "case"
    if safe != pseudonym:
        safe = f"{safe}-{_short_hash(pseudonym)}"
    return safe


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def case_targets(engine: Engine, folder: str | Path) -> list[tuple[int, str, Path]]:
    """(patient id, pseudonym, PDF path) of every case, the folder created."""
    from db.queries import list_cases

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [(int(r.id), str(r.pseudonym),
             folder / pdf_name(str(r.pseudonym), deidentified=False))
            for r in list_cases(engine).itertuples(index=False)]


def export_all(engine: Engine, folder: str | Path, *, deidentify: bool = False,
               paper: str = "a4", reviewer: str | None = None,
               near_normal_fold: float = NEAR_NORMAL_FOLD,
               progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, include_notes: bool = False,
               warn: Callable[[str], None] | None = None,
               dose_time: float = DEFAULT_DOSE_TIME) -> list[Path]:
    """One PDF per case into folder, named by pseudonym; stops between cases on cancel.

    Each file is written atomically, so a cancel leaves whole files only.
    """
    targets = case_targets(engine, folder)
    written: list[Path] = []
    used: set[str] = set()
    n = len(targets)
    for i, (pid, pseudonym, target) in enumerate(targets):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(i, n, pseudonym)
        case, summary = prepare_summary(engine, patient_id=pid, deidentify=deidentify,
                                        reviewer=reviewer, near_normal_fold=near_normal_fold,
                                        include_notes=include_notes, dose_time=dose_time)
        _tell(warn, summary)
        written.append(write_case_pdf(case, summary, file_for(target, summary, used),
                                      paper=paper))
    if progress is not None and len(written) == n:
        progress(n, n, "")
    return written
