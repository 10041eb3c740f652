"""Edit → Preferences…: the options a reviewer sets (gui/settings.py declares them)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.settings import Settings


class PreferencesDialog(QtWidgets.QDialog):
    def __init__(self, settings: Settings, login: str,
                 parent: QtWidgets.QWidget | None = None, *,
                 database: str | None = None) -> None:
        """login: who changes are recorded as (db.identity), shown, not a setting;
        database: where the data are and whether they are encrypted (db.cipher)."""
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(420)
        self.settings = settings
        self.reviewer = QtWidgets.QLabel(login)
        self.reviewer.setObjectName("login")
        self.reviewer.setToolTip("Recorded as the author of episodes, reviews and audit rows: "
                                 "your login to the database server, or to this computer for "
                                 "a file on it; never a name typed here")
        self.near_normal = QtWidgets.QDoubleSpinBox()
        self.near_normal.setRange(1.0, 20.0)
        self.near_normal.setSingleStep(0.5)
        self.near_normal.setDecimals(1)
        self.near_normal.setSuffix(" × controls")
        self.near_normal.setValue(float(settings.get("figures/near_normal_fold")))
        self.near_normal.setToolTip("IL-1β counted as near-normal at or below this fold over "
                                    "the healthy-control mean (case summary key figure)")
        self.dose_time = QtWidgets.QTimeEdit(QtCore.QTime(0, 0).addSecs(int(settings.dose_time)))
        self.dose_time.setDisplayFormat("HH:mm")
        self.dose_time.setToolTip("Anakinra recorded as periods of a daily dose is taken to be "
                                  "given at this time (UTC) each day, for the time since the "
                                  "last dose of each sample; recorded times are used as they are")
        form = QtWidgets.QFormLayout(self)
        form.addRow("Changes recorded as:", self.reviewer)
        form.addRow("Near-normal IL-1β:", self.near_normal)
        form.addRow("Usual anakinra time:", self.dose_time)
        if database is not None:  # where the data are and whether they are encrypted
            self.database = QtWidgets.QLabel(database)
            self.database.setWordWrap(True)
            self.database.setTextInteractionFlags(
                QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow("Database:", self.database)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self.settings.set("figures/near_normal_fold", self.near_normal.value())
        self.settings.set("dosing/usual_time", self.dose_time.time().toString("HH:mm"))
        self.settings.sync()
        super().accept()
