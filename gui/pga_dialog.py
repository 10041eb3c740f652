"""Case → Physician global assessment…: the score (0 absent to 4 severe) a physician gives
the case at a visit's date."""

from __future__ import annotations

import datetime as dt

from PySide6 import QtWidgets

from data.codes import PGA_LEVELS, pga_text
from gui.date_edit import DateEdit


class PgaDialog(QtWidgets.QDialog):
    def __init__(self, day: dt.date, current: dict[dt.date, float],
                 parent: QtWidgets.QWidget | None = None) -> None:
        """``day``: the date offered; ``current``: the case's assessments by date."""
        super().__init__(parent)
        self.setWindowTitle("Physician global assessment")
        self.current = current
        self.date = DateEdit()
        self.date.setObjectName("pgaDate")
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.date.setDate(day)
        self.score = QtWidgets.QComboBox()
        self.score.setObjectName("pgaScore")
        self.score.addItems([pga_text(i) for i in range(len(PGA_LEVELS))])
        self.was = QtWidgets.QLabel()
        self.was.setObjectName("pgaWas")
        form = QtWidgets.QFormLayout()
        form.addRow("&Date", self.date)
        form.addRow("&Score", self.score)
        form.addRow("", self.was)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.date.dateChanged.connect(lambda _d: self._show_current())
        self._show_current()
        self.score.setFocus()

    def chosen(self) -> tuple[dt.date, int]:
        return self.date.date().toPython(), self.score.currentIndex()

    def _show_current(self) -> None:
        day = self.date.date().toPython()
        old = self.current.get(day)
        self.was.setText("" if old is None else f"recorded that day: {pga_text(old)} "
                                                 "(OK replaces it)")
        if old is not None and 0 <= int(old) < len(PGA_LEVELS):
            self.score.setCurrentIndex(int(old))
