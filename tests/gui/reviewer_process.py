"""Another reviewer's Flarescope in a process of its own, for test_two_processes: a real
MainWindow (offscreen) on the database given (as its login: the server's, or LOGNAME for
a file), driven by lines on stdin, answering on stdout in JSON.
Usage: python -m tests.gui.reviewer_process DB PSEUDONYM FOLDER
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _until(app, done, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the window never got there")
        app.processEvents()
        time.sleep(0.01)


def main(db: str, pseudonym: str, folder: str) -> int:
    from PySide6 import QtCore, QtWidgets
    from PySide6.QtTest import QTest

    app = QtWidgets.QApplication([])
    from db.engine import open_database
    from gui.main_window import MainWindow
    from gui.settings import Settings

    settings = Settings(QtCore.QSettings(str(Path(folder) / "second-reviewer.ini"),
                                         QtCore.QSettings.Format.IniFormat))
    engine = open_database(db)
    window = MainWindow(engine, settings)
    window.setGeometry(960, 0, 960, 1000)
    window.show()
    window.activateWindow()
    window.browser.select_pseudonym(pseudonym)
    _until(app, lambda: window.case is not None)
    eid = int(window.case.episodes.iloc[0]["id"])
    window.episode_feature.controller.select(eid)
    note = window.episode_feature.properties.note
    note.setFocus()
    _until(app, note.hasFocus)
    QTest.keyClick(note, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(note, " Rash on day 3.")
    print(json.dumps({"typing": note.toPlainText()}), flush=True)

    sys.stdin.readline()  # the other reviewer has saved: now press Enter
    QTest.keyClick(note, QtCore.Qt.Key.Key_Return)
    _until(app, lambda: window.conflict_dialog is not None)
    box = window.conflict_dialog
    print(json.dumps({"title": box.text(), "told": box.informativeText(),
                      "onset_shown": int(window.case.episodes.iloc[0]["onset"])}), flush=True)

    sys.stdin.readline()  # apply mine on top
    QTest.mouseClick(box.apply_button, QtCore.Qt.MouseButton.LeftButton)
    _until(app, lambda: int(window.case.episodes.iloc[0]["version"]) == 3)
    print(json.dumps({"note": window.case.episodes.iloc[0]["note"]}), flush=True)
    window.close()
    app.processEvents()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
