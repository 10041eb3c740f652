"""The choice after a refused save: someone else changed the record since you read it.

The screen already shows their version (reloaded); the box says who changed what and when
(from the audit trail, data.conflicts) and what your change was, and offers "Keep theirs"
(the default, also Escape) or "Apply mine on top" (your change saved again, against their
version, as a new audited change). Nothing is overwritten without that click.

Window-modal and non-blocking (``open``): the window keeps refreshing behind it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

KEEP, APPLY = "Keep theirs", "Apply mine on top"


class ConflictDialog(QtWidgets.QMessageBox):
    """Attributes ``keep_button`` and ``apply_button`` (None when there is nothing to
    apply mine to, e.g. the record was deleted)."""

    def __init__(self, parent: QtWidgets.QWidget, what: str, theirs: str, mine: str | None,
                 apply: Callable[[], None] | None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setIcon(QtWidgets.QMessageBox.Icon.Warning)
        self.setWindowTitle("Changed by someone else")
        self.setText(f"<b>{_html(what)} was changed by someone else after you read it.</b> "
                     "Your change was not saved; the screen shows theirs.")
        mine_part = f"<p><b>Your change</b><br>{_html(mine)}</p>" if mine else ""
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setInformativeText(f"<p><b>Their change</b><br>{_html(theirs)}</p>{mine_part}")
        role = QtWidgets.QMessageBox.ButtonRole
        self.keep_button = self.addButton(KEEP, role.RejectRole)
        self.apply_button = None
        if apply is not None:
            self.apply_button = self.addButton(APPLY, role.AcceptRole)
            self.apply_button.setToolTip("Save your change again over their version; it is "
                                         "recorded as a new change in the audit trail")
            # Once the box has closed: applying may close its parent (a saved dialog).
            self.apply_button.clicked.connect(lambda: QtCore.QTimer.singleShot(0, apply))
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.keep_button)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)


def _html(text: str) -> str:
    """Plain text (a note may hold '<5') shown as typed, one line per line."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))


def ask(parent: QtWidgets.QWidget, what: str, theirs: str, mine: str | None,
        apply: Callable[[], None] | None) -> ConflictDialog:
    """Show the choice (window-modal, returns at once); ``apply`` runs on "Apply mine"."""
    box = ConflictDialog(parent, what, theirs, mine, apply)
    parent.conflict_dialog = box
    box.finished.connect(lambda _r: setattr(parent, "conflict_dialog", None)
                         if getattr(parent, "conflict_dialog", None) is box else None)
    box.open()
    return box
