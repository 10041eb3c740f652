"""Who is signed in, shown in the status bar, and what their role cannot do, greyed out.

The window asks db.roles once what the login may do. The server refuses a change the
login may not make in any case (db/roles.py); greying it out here only spares the
reviewer the refusal, and says why where they look: the control's tooltip and the
status bar's sign-in label.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from db.roles import Access


def show_who(window: QtWidgets.QMainWindow, access: Access) -> QtWidgets.QLabel:
    """A permanent label at the status bar's right: the login and its role."""
    label = QtWidgets.QLabel(access.label)
    label.setObjectName("signedIn")
    label.setContentsMargins(6, 0, 6, 0)
    if access.can_write:
        label.setToolTip(f"Signed in as {access.login}: your episodes, notes, reviews and "
                         "edits are recorded under this name (the database login, or your "
                         "computer login for a file on this computer)")
    else:
        label.setToolTip(access.why_not)
        label.setStyleSheet("color:#8A4B00")
    window.statusBar().addPermanentWidget(label)
    return label


def changes_data(access: Access, *controls: QtGui.QAction | QtWidgets.QWidget) -> None:
    """Mark controls that change the database: for a login that may not, each stays
    disabled whatever enables it later (a case opening, a selection), and its tooltip
    says why. For a login that may, nothing happens."""
    if access.can_write:
        return
    for control in controls:
        if isinstance(control, QtGui.QAction):
            _hold_action(control, access.why_not)
        elif isinstance(control, QtWidgets.QPlainTextEdit | QtWidgets.QLineEdit):
            control.setReadOnly(True)  # still selectable and scrollable: it is read
            control.setToolTip(access.why_not)
        elif isinstance(control, QtWidgets.QAbstractItemView):
            control.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        else:
            _hold_widget(control, access.why_not)


def _hold_action(action: QtGui.QAction, why: str) -> None:
    def hold() -> None:
        if action.isEnabled():
            action.setEnabled(False)
        if action.toolTip() != why:
            action.setToolTip(why)
            action.setStatusTip(why)

    action.changed.connect(hold)
    hold()


class _StayDisabled(QtCore.QObject):
    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.EnabledChange and obj.isEnabled():
            obj.setEnabled(False)
        return False


def _hold_widget(widget: QtWidgets.QWidget, why: str) -> None:
    widget.setEnabled(False)
    widget.setToolTip(why)
    guard = _StayDisabled(widget)
    widget.installEventFilter(guard)
