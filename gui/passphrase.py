"""Asking for an encrypted database's passphrase in a password box (db/cipher.py finds the
key; this is only asked when neither FLARESCOPE_DB_KEY nor the OS keyring has it)."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

WRONG = "That passphrase does not open it. Try again, or Cancel to quit."


class PassphraseDialog(QtWidgets.QInputDialog):
    def __init__(self, path: Path, parent: QtWidgets.QWidget | None = None, *,
                 wrong: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Encrypted database")
        self.setInputMode(QtWidgets.QInputDialog.InputMode.TextInput)
        self.setTextEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.setLabelText(f"{path.name} is encrypted. Its passphrase:"
                          + (f"\n\n{WRONG}" if wrong else ""))
        self.setToolTip(str(path))
        self.setOkButtonText("Open")


def ask(path: Path, wrong: bool = False) -> str | None:
    """The passphrase typed, or None if the reviewer cancelled; ``wrong``: the one typed
    before did not open the file (db.cipher asks again)."""
    dialog = PassphraseDialog(path, wrong=wrong)
    try:
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()
    finally:
        dialog.deleteLater()
