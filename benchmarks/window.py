"""The main window as benchmarks open it: settings in a folder of their own, a case shown."""

from __future__ import annotations

from pathlib import Path


def application():
    """The QApplication as the program makes it (gui.app.run_gui): Qt's serial painting
    switched on before it, so a benchmark's figures describe the program as it runs (with
    Qt's paint thread pool, a busy machine's wall time doubled a frame's CPU time)."""
    from gui.app import paint_serially

    paint_serially()
    from PySide6 import QtWidgets

    return QtWidgets.QApplication.instance() or QtWidgets.QApplication([])


def window_on_case(app, engine, folder: Path, pseudonym: str):
    """A shown 1400×900 MainWindow once `pseudonym` is open in it."""
    from PySide6 import QtCore

    from gui.main_window import MainWindow
    from gui.settings import Settings

    settings = Settings(QtCore.QSettings(str(folder / "s.ini"), QtCore.QSettings.Format.IniFormat))
    window = MainWindow(engine, settings)
    window.resize(1400, 900)
    window.show()
    window.browser.select_pseudonym(pseudonym)
    while window.case is None:
        app.processEvents()
    return window


def close_window(app, window) -> None:
    """Close and delete the window as the app does at exit: the events its closing posts
    (layout requests of the tracks' legends) are handled before it is deleted. Deleting
    it with them pending crashed the process in PySide6's handling of a Python override
    (exit 139 after panning; found by bench_memory)."""
    from PySide6 import QtCore

    window.close()
    app.processEvents()
    window.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)
