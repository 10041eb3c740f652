"""The cohort window: IL-1β fold, TNF-α fold, CRP and monthly AIDAI of several cases as small
multiples aligned at day 0, the patients listed beside (those not alignable too).

It shows a data.cohort.Cohort; the feature (gui/cohort/install.py) loads it and opens a
case when a line is clicked (``caseChosen``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

from gui.timeline.aligned_layout import list_beside, member_list, swatch
from gui.timeline.aligned_stack import AlignedStack
from gui.timeline.tracks.aligned import member_colour

if TYPE_CHECKING:
    from data.cohort import Cohort

HINT = ("One line per patient, day 0 at their first anakinra dose; △ first relapse; black: "
        "median, blue: interquartile range. Hover a line to name the patient; click it to "
        "open the case on that day.")
AXIS = "Days from anakinra start"


class CohortWindow(QtWidgets.QWidget):
    caseChosen = QtCore.Signal(int, float)  # noqa: N815  patient id, epoch time of the day
    exportRequested = QtCore.Signal()  # noqa: N815

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.setObjectName("cohortWindow")
        self.setWindowTitle("Cohort")
        # A window of its own closes with Esc, as a dialog does (clinician review).
        close = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key.Key_Escape), self)
        close.activated.connect(self.close)
        self.cohort: Cohort | None = None
        self.described = ""
        self.about = QtWidgets.QLabel()
        self.about.setWordWrap(True)
        self.export_button = QtWidgets.QPushButton("Export PDF…")
        self.export_button.setToolTip("This cohort view as a one-page PDF")
        self.export_button.clicked.connect(self.exportRequested)
        self.patients = member_list("Choose a patient to draw their lines over the others")
        self.patients.currentItemChanged.connect(self._patient_chosen)
        self.stack = AlignedStack(hint=HINT, band=True)
        self.stack.lineClicked.connect(self.caseChosen)
        self.stack.lineHovered.connect(self._hovered)
        # Said in words where no case could be aligned: empty axes would read as "no values".
        self.nothing = QtWidgets.QLabel()
        self.nothing.setObjectName("cohortNothingAligned")
        self.nothing.setWordWrap(True)
        self.nothing.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.nothing.setMargin(24)
        font = self.nothing.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.nothing.setFont(font)
        self.pages = QtWidgets.QStackedWidget()
        self.pages.addWidget(self.stack)
        self.pages.addWidget(self.nothing)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.about, 1)
        top.addWidget(self.export_button, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        split = list_beside(self.patients, self.pages)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.resize(1200, 820)

    def show_cohort(self, cohort: Cohort, described: str) -> None:
        self.cohort = cohort
        self.described = described
        n = len(cohort.members)
        self.setWindowTitle(f"Cohort · {described}")
        self._describe()
        self.patients.blockSignals(True)
        self.patients.clear()
        for i, m in enumerate(cohort.members):
            relapse = "no relapse" if m.first_relapse is None else \
                f"first relapse day {int(m.first_relapse // 1):+d}"
            item = QtWidgets.QListWidgetItem(f"{m.pseudonym} · {relapse}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, m.patient_id)
            item.setIcon(swatch(member_colour(i, n)))  # grey in a crowd
            self.patients.addItem(item)
        for pseudonym, why in cohort.not_alignable:
            item = QtWidgets.QListWidgetItem(f"{pseudonym}: not alignable ({why})")
            item.setForeground(QtGui.QColor("#8A3B00"))
            item.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            self.patients.addItem(item)
        self.patients.blockSignals(False)
        self.export_button.setEnabled(bool(n or cohort.not_alignable))
        self._draw()

    def _draw(self, *, keep_range: bool = False) -> None:
        message = self.cohort.nothing_aligned()
        self.nothing.setText(message or "")
        self.pages.setCurrentWidget(self.nothing if message else self.stack)
        self.stack.set_panels(() if message else self.cohort.panels, AXIS,
                              keep_range=keep_range)

    def _describe(self) -> None:
        cohort = self.cohort
        notes = [note for p in cohort.panels for note in p.notes]
        self.about.setText(f"<b>{self.described}</b>: {len(cohort.members)} aligned, "
                           f"{len(cohort.not_alignable)} not alignable. {cohort.definition}"
                           + (" Not drawn: " + "; ".join(notes) + "." if notes else ""))

    def update_panels(self, cohort: Cohort) -> None:
        """The same cohort with a panel filled in: the view stays where it is."""
        self.cohort = cohort
        self._describe()  # "summing the diaries…" no longer
        self._draw(keep_range=True)
        self._patient_chosen(self.patients.currentItem(), None)

    def _patient_chosen(self, item, _previous) -> None:
        pid = None if item is None else item.data(QtCore.Qt.ItemDataRole.UserRole)
        for track in self.stack.tracks.values():
            track.highlight(next((ln for ln in track.panel.lines if ln.member == pid), None))

    def _hovered(self, line) -> None:
        # The tooltip names the patient under the mouse; the readout gives the values.
        self.stack.view.setToolTip("" if line is None else line.name)
