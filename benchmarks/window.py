"""The main window as benchmarks open it: settings in a folder of their own, a case shown."""

from __future__ import annotations

from pathlib import Path


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
