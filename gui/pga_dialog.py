"""Case → Physician global assessment…: the score (0 absent to 4 severe) a physician gives
the case at a visit's date.

No score is chosen at first and OK waits for one: with 0 (absent) offered, a reviewer
tabbing through recorded "absent" without choosing it. A digit 0–4 picks a score."""

from __future__ import annotations

import datetime as dt

from PySide6 import QtCore, QtWidgets

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
        self.score.setPlaceholderText("choose 0–4")
        self.score.setCurrentIndex(-1)
        self._from_record = False  # the score shown is the date's recorded one
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
        self.ok = buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("pgaOk")
        self.score.currentIndexChanged.connect(self._chosen)
        # Chosen by the reviewer: a click, an arrow key, or a digit.
        self.score.activated.connect(lambda _i: setattr(self, "_from_record", False))
        self.score.installEventFilter(self)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.date.dateChanged.connect(lambda _d: self._show_current())
        self._show_current()
        self._chosen(self.score.currentIndex())
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
            self._from_record = True
        elif self._from_record:  # another date's record is no choice for this one
            self.score.setCurrentIndex(-1)
            self._from_record = False

    def _chosen(self, index: int) -> None:
        self.ok.setEnabled(index >= 0)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """A digit 0–4 picks that score. (The list's own search matched "2" then "4"
        typed within a second as "24", and kept 2.)"""
        if watched is self.score and event.type() == QtCore.QEvent.Type.KeyPress:
            text = event.text()
            if len(text) == 1 and text.isdigit() and int(text) < len(PGA_LEVELS):
                self.score.setCurrentIndex(int(text))
                self._from_record = False
                return True
        return super().eventFilter(watched, event)
