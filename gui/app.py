"""Starting the GUI: QApplication, the database, the demo cohort on first run, the window."""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc")


def paint_serially() -> None:
    """Qt's raster engine paints every fill or line run of 96 spans or more on its own
    thread pool and waits for it: fifty patients' lines made hundreds of hand-offs a
    frame, and on a machine other programs keep busy each waited for a core (a cohort
    frame 15 ms of wall time for 8 ms of CPU, benchmarks/bench_aligned.py). Serial, a
    frame costs its CPU time. Qt reads the switch once, when it first paints: call this
    before the QApplication."""
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def run_gui(db: str | None = None, *, case: str | None = None, version: str = "") -> int:
    from PySide6 import QtCore, QtWidgets

    from gui.settings import APPLICATION, ORGANISATION

    paint_serially()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Flarescope")
    app.setApplicationVersion(version)

    from db import cipher
    from db.cases import case_count
    from db.engine import is_default_database, open_database
    from db.errors import user_message

    # An encrypted file's passphrase is asked for in a password box, unless nobody can
    # answer it (no screen for a person): then FLARESCOPE_DB_KEY or the keyring, or one line.
    if app.platformName() not in HEADLESS_PLATFORMS:
        from gui.passphrase import ask

        cipher.set_prompt(ask, retry=True)
    try:
        engine = open_database(db)
        # data.demo (numpy, the ORM) only on a first run, and only in the default database:
        # one chosen with --db or FLARESCOPE_DB is for real cases and starts empty.
        if is_default_database(db) and not case_count(engine):
            from data.demo import ensure_demo

            ensure_demo(engine)
    except Exception as exc:  # before the window's error hook: told here, in one line
        message = user_message(exc)
        # The terminal first: a modal box blocks until closed, and with no screen for a
        # person (offscreen, minimal) nobody can close it and the command hangs silently.
        print(f"flarescope: {message}", file=sys.stderr, flush=True)
        if cipher.cancelled(exc):  # the reviewer chose to quit: no box to close as well
            return 1
        if app.platformName() not in HEADLESS_PLATFORMS:
            QtWidgets.QMessageBox.critical(None, "Flarescope", message)
        return 2
    from gui import errors, first_paint
    from gui.main_window import MainWindow

    # The window paints its case list first; the timeline, pandas and pyqtgraph follow
    # once it is on screen (MainWindow.build_timeline).
    window = MainWindow(engine, defer_timeline=True, freeze_startup=True)
    errors.install(window)
    first_paint.report_paints(window)
    window.show()
    if case and not window.browser.select_pseudonym(case):
        window.show_error("No such case", f"There is no case {case!r} in this database.")
    code = app.exec()
    window.loader.wait()
    # A pyqtgraph widget alive at interpreter exit segfaults (DESIGN.md): delete first.
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)
    engine.dispose()
    return code
