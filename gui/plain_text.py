"""Text from files and logins shown as written. Qt renders any string that looks like HTML
as rich text in a tooltip or a message box: a pseudonym "<h1>…</h1>" became a heading, a
diagnosis's <a href> a link, an <img src> made Qt load a local file (attacker review)."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets


def tip(text: str | None) -> str | None:
    """A tooltip showing ``text`` as written; rich text only to escape it, which also lets
    Qt wrap a long tooltip instead of drawing one line across the screen."""
    if not text:
        return text
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def warn(parent: QtWidgets.QWidget | None, title: str, text: str, *,
         icon: QtWidgets.QMessageBox.Icon = QtWidgets.QMessageBox.Icon.Warning) -> None:
    """QMessageBox.warning, with ``text`` never read as HTML."""
    box = QtWidgets.QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.exec()
