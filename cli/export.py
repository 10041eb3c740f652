"""`flarescope export`: PDF case summaries from the command line, one case or all."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write the PDF case summary of one case (or --all)",
        description="Write PDF case summaries: timeline, key figures and tables.",
    )
    p.add_argument("case", nargs="?", metavar="CASE", help="pseudonym of the case")
    p.add_argument("--all", action="store_true", help="every case, one PDF each, into -o FOLDER")
    p.add_argument("-o", "--output", required=True, metavar="FILE_OR_FOLDER",
                   help="the PDF to write (a folder with --all)")
    p.add_argument("--deidentify", action="store_true",
                   help="no name, birth date, record number or calendar date: days from "
                        "anakinra start; the pseudonym only")
    p.add_argument("--include-notes", action="store_true",
                   help="with --deidentify: print the reviewers' free-text notes, with names, "
                        "record numbers and dates removed (left out otherwise)")
    p.add_argument("--paper", choices=("a4", "letter"), default="a4", help="default: a4")
    # Gone: the reviewer in the header is the database login, never a typed name. Still
    # parsed, so a script that passes it is told why rather than "unrecognized arguments".
    p.add_argument("--reviewer", metavar="NAME", help=argparse.SUPPRESS)
    p.add_argument("--near-normal", type=_fold, default=None, metavar="FOLD",
                   help="fold over the healthy-control mean at or below which IL-1β counts "
                        "as near-normal (default: 2)")
    p.add_argument("--dose-time", type=_clock, default=None, metavar="HH:MM",
                   help="usual anakinra time (UTC) for doses recorded as daily periods, "
                        "behind each sample's time since dose (default: 08:00)")
    p.set_defaults(run=run)


def _clock(text: str) -> float:
    from data.dose_context import parse_clock

    seconds = parse_clock(text)
    if seconds is None:
        raise argparse.ArgumentTypeError(f"a time of day such as 08:00, not {text!r}")
    return seconds


def _fold(text: str) -> float:
    try:
        fold = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(fold) or fold <= 0:
        raise argparse.ArgumentTypeError(f"a fold is a number above 0, not {text!r}")
    return fold


def run(args: argparse.Namespace) -> int:
    from cli.common import CommandError

    if bool(args.case) == bool(args.all):
        raise CommandError("name one CASE or give --all")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gui.app import paint_serially

    paint_serially()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        return _export(args)
    finally:
        _close_widgets(app)


def _export(args: argparse.Namespace) -> int:
    from cli.common import CommandError, find_patient_id, open_db
    from data.summary import NEAR_NORMAL_FOLD
    from db.identity import login
    from gui.pdf import export_all, export_case_pdf

    engine = open_db(args)
    reviewer = login(engine)  # who exports, as the window names them (gui/export_install.py)
    if args.reviewer is not None:
        engine.dispose()
        raise CommandError(f"--reviewer is no longer taken: the reviewer in the header is "
                           f"the database login ({reviewer}); nothing was written")
    out = Path(args.output).expanduser()
    fold = NEAR_NORMAL_FOLD if args.near_normal is None else args.near_normal
    options = {"include_notes": args.include_notes, "warn": _warn}
    if args.dose_time is not None:
        options["dose_time"] = args.dose_time
    try:
        if args.all:
            if out.exists() and not out.is_dir():
                raise CommandError(f"{out}: not a folder (--all writes one PDF per case)")
            written = export_all(engine, out, deidentify=args.deidentify, paper=args.paper,
                                 reviewer=reviewer, near_normal_fold=fold, **options)
        else:
            # "-o reports/" or an existing folder: the PDF goes in it, named as --all names it
            # (a trailing slash used to write a file called "reports", without .pdf).
            into_folder = out.is_dir() or args.output.endswith(("/", os.sep))
            folder = out if into_folder else out.parent
            # As Ctrl+E and --all do: the folder is made, so the two ways behave alike.
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(f"{folder}: cannot create the folder "
                                   f"({exc.strerror or exc})") from exc
            pid = find_patient_id(engine, args.case)
            written = [export_case_pdf(engine, out, patient_id=pid, into_folder=into_folder, deidentify=args.deidentify,
                                       paper=args.paper, reviewer=reviewer,
                                       near_normal_fold=fold, **options)]
    finally:
        engine.dispose()
    for path in written:
        print(path)
    return 0


def _warn(message: str) -> None:
    print(f"flarescope: {message}", file=sys.stderr)


def _close_widgets(app) -> None:
    """Delete every widget before returning: a live pyqtgraph widget at exit segfaults."""
    from PySide6 import QtCore

    for w in app.topLevelWidgets():
        w.close()
        w.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)
