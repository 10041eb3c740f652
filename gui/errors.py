"""Unexpected errors in the GUI: written to a log file, shown as one line, never a traceback.

PySide6 prints an exception raised in a slot to stderr and carries on; a clinician sees
nothing (or, from a terminal, a traceback). Here it is logged with its traceback and
the reviewer is told in plain words, with the log's location.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from PySide6 import QtWidgets

log = logging.getLogger("flarescope")
LOG_ENV = "FLARESCOPE_LOG"


def log_path() -> Path:
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    from platformdirs import user_log_dir

    return Path(user_log_dir("Flarescope", appauthor=False)) / "flarescope.log"


def log_to_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


class ErrorReporter:
    """sys.excepthook for the GUI; one message box at a time."""

    def __init__(self, parent: QtWidgets.QWidget | None, path: Path) -> None:
        self.parent = parent
        self.path = path
        self._showing = False

    def __call__(self, kind, value, tb) -> None:
        log.error("unexpected error", exc_info=(kind, value, tb))
        if self._showing or QtWidgets.QApplication.instance() is None:
            return
        self._showing = True
        try:
            QtWidgets.QMessageBox.critical(
                self.parent, "Unexpected error",
                f"Something went wrong: {kind.__name__}: {value}\n\n"
                f"Nothing you saved is lost. The details are in {self.path}.")
        finally:
            self._showing = False


def install(parent: QtWidgets.QWidget | None = None) -> Path:
    path = log_path()
    try:
        log_to_file(path)
    except OSError as exc:  # a read-only home must not stop the program
        log.warning("cannot write the log file %s: %s", path, exc)
    sys.excepthook = ErrorReporter(parent, path)
    return path
