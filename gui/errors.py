"""Unexpected errors in the GUI: written to a log file, shown as one line, never a traceback.

PySide6 prints an exception raised in a slot to stderr and carries on; a clinician sees
nothing (or, from a terminal, a traceback). Here it is logged with its traceback and
the reviewer is told in plain words, with the log's location.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6 import QtWidgets

from db.errors import one_line, user_line
from db.logfile import log_path, log_to_file

log = logging.getLogger("flarescope")


class ErrorReporter:
    """sys.excepthook for the GUI; one message box at a time."""

    def __init__(self, parent: QtWidgets.QWidget | None, path: Path) -> None:
        self.parent = parent
        self.path = path
        self._showing = False

    def __call__(self, kind, value, tb) -> None:
        line = user_line(value)
        if line is not None:  # a busy or damaged database, a failed write: no bug of ours
            log.warning("%s", line)
            title, text = "Flarescope", line[0].upper() + line[1:]
        else:
            log.error("unexpected error", exc_info=(kind, value, tb))
            title = "Unexpected error"
            text = (f"Something went wrong: {one_line(value)}\n\n"
                    f"Nothing you saved is lost. The details are in {self.path}.")
        if self._showing or QtWidgets.QApplication.instance() is None:
            return
        self._showing = True
        try:
            QtWidgets.QMessageBox.critical(self.parent, title, text)
        finally:
            self._showing = False


def install(parent: QtWidgets.QWidget | None = None) -> Path:
    path = log_path()
    try:
        log_to_file(path)  # main() has usually done it; kept for a window started alone
    except OSError as exc:  # a read-only home must not stop the program
        log.warning("cannot write the log file %s: %s", path, exc)
    sys.excepthook = ErrorReporter(parent, path)
    return path
