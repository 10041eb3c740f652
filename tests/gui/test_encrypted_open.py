"""Opening an encrypted database from the window: the passphrase is typed into a password
box; a wrong one is one line (terminal and message box) and the file stays as it was."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

from gui.passphrase import PassphraseDialog, ask
from main import main

pytestmark = pytest.mark.sqlite_only  # SQLCipher is about SQLite files

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "Mittelmeerfieber 2026"


def _answer_when_shown(qtbot, text: str | None) -> list[PassphraseDialog]:
    seen: list[PassphraseDialog] = []

    def answer():
        dialog = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog):
            QtCore.QTimer.singleShot(20, answer)
            return
        seen.append(dialog)
        edit = dialog.findChild(QtWidgets.QLineEdit)
        if text is None:
            qtbot.keyClick(edit, QtCore.Qt.Key.Key_Escape)
            return
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, QtCore.Qt.Key.Key_Return)

    QtCore.QTimer.singleShot(20, answer)
    return seen


def test_the_password_box_hides_what_is_typed_and_returns_it(qtbot, tmp_path):
    seen = _answer_when_shown(qtbot, PASSPHRASE)
    assert ask(tmp_path / "cases.db") == PASSPHRASE
    [dialog] = seen
    assert dialog.textEchoMode() == QtWidgets.QLineEdit.EchoMode.Password
    assert dialog.labelText() == "cases.db is encrypted. Its passphrase:"


def test_cancelling_the_password_box_gives_no_passphrase(qtbot, tmp_path):
    _answer_when_shown(qtbot, None)
    assert ask(tmp_path / "cases.db") is None


SCRIPT = textwrap.dedent("""
    import json, sys
    from PySide6 import QtCore, QtWidgets
    import gui.app, main
    from gui.passphrase import PassphraseDialog

    gui.app.HEADLESS_PLATFORMS = ()  # as on a desktop: the password box is shown
    answers = json.loads(sys.argv[2])  # typed in turn; null: Cancel
    seen = {"asked": 0, "labels": []}

    def step():
        modal = QtWidgets.QApplication.activeModalWidget()
        if isinstance(modal, PassphraseDialog):
            seen["asked"] += 1
            seen["labels"].append(modal.labelText())
            answer = answers.pop(0)
            if answer is None:
                modal.reject()
            else:
                modal.setTextValue(answer)
                modal.accept()
        elif isinstance(modal, QtWidgets.QMessageBox):
            seen["box"] = modal.text()
            modal.accept()
            return
        windows = [w for w in QtWidgets.QApplication.topLevelWidgets()
                   if w.inherits("QMainWindow") and w.isVisible()]
        if windows and windows[0].case is not None:
            seen["case"] = windows[0].case.pseudonym
            windows[0].actions["quit"].trigger()
            return
        QtCore.QTimer.singleShot(50, step)

    app = QtWidgets.QApplication(sys.argv[:1])
    QtCore.QTimer.singleShot(50, step)
    code = main.main(["--db", sys.argv[1], "--case", "NLRP12-01"])
    print(json.dumps(seen))
    sys.exit(code)
""")


@pytest.fixture
def encrypted(tmp_path, _demo_template, capsys, monkeypatch) -> Path:
    db = tmp_path / "cohort.db"
    db.write_bytes(_demo_template.read_bytes())
    monkeypatch.setenv("FLARESCOPE_DB_KEY", PASSPHRASE)
    assert main(["--db", str(db), "db", "encrypt"]) == 0, capsys.readouterr()
    monkeypatch.delenv("FLARESCOPE_DB_KEY")
    return db


def _window(db: Path, *answers: str | None) -> tuple[subprocess.CompletedProcess, dict]:
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(db), json.dumps(answers)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def _stderr(result) -> list[str]:
    # (the offscreen plugin adds its own notes about size hints)
    return [x for x in result.stderr.splitlines() if "propagateSizeHints" not in x]


ASKED = "cohort.db is encrypted. Its passphrase:"
WRONG = "Familial Mediterranean fever"


def test_the_window_opens_an_encrypted_file_with_the_passphrase_typed(encrypted):
    result, seen = _window(encrypted, PASSPHRASE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert seen == {"asked": 1, "labels": [ASKED], "case": "NLRP12-01"}


def test_a_wrong_passphrase_in_the_window_is_asked_again_saying_so(encrypted):
    result, seen = _window(encrypted, WRONG, "", PASSPHRASE)  # "": Open on an empty box
    assert result.returncode == 0, result.stderr[-2000:]
    again = f"{ASKED}\n\nThat passphrase does not open it. Try again, or Cancel to quit."
    assert seen == {"asked": 3, "labels": [ASKED, again, again], "case": "NLRP12-01"}
    assert _stderr(result) == []


def test_cancel_after_a_wrong_passphrase_quits_with_one_line_and_changes_nothing(encrypted):
    before = hashlib.sha256(encrypted.read_bytes()).hexdigest()
    result, seen = _window(encrypted, WRONG, None)
    assert result.returncode == 1
    assert _stderr(result) == [
        f"flarescope: {encrypted}: opening cancelled; nothing was opened"]
    assert seen["asked"] == 2 and "box" not in seen  # no message box to close as well
    assert hashlib.sha256(encrypted.read_bytes()).hexdigest() == before


def _preferences_text(make_window, monkeypatch, engine=None) -> str:
    from gui.preferences import PreferencesDialog

    seen = []

    def look(dialog):
        dialog.grab()  # laid out as it is shown
        seen.append(dialog.database.text())
        return QtWidgets.QDialog.DialogCode.Rejected

    monkeypatch.setattr(PreferencesDialog, "exec", look)
    make_window(engine).actions["preferences"].trigger()
    return seen[0]


def test_preferences_say_the_database_is_encrypted(make_window, monkeypatch, encrypted):
    from db.engine import open_database

    monkeypatch.setenv("FLARESCOPE_DB_KEY", PASSPHRASE)
    engine = open_database(str(encrypted))
    try:
        text = _preferences_text(make_window, monkeypatch, engine)
    finally:
        engine.dispose()
    assert text == f"{encrypted}, encrypted (SQLCipher 4)"


def test_preferences_say_how_to_encrypt_a_plain_database(make_window, monkeypatch,
                                                         demo_engine):
    text = _preferences_text(make_window, monkeypatch)
    assert text == (f"{demo_engine.url.database}, not encrypted. To encrypt it, quit "
                    f"Flarescope and run `python main.py --db {demo_engine.url.database} db "
                    "encrypt`")
