"""A pan paints the plots once (the stack under the case timeline, the overlay and the
cohort view): pyqtgraph moved the items to the new range only as the paint began, they
announced new bounds in mid-paint, and Qt painted everything a second time."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.alignment import DAY
from data.cohort import build_cohort
from gui.cohort.window import CohortWindow
from tests.data.insight_cases import make_case


class _Paints(QtCore.QObject):
    def __init__(self, widget: QtWidgets.QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_pan_paints_the_plots_once(qtbot):
    cases = []
    for i in range(8):
        case = make_case([(d, 9, "IL1B", 50 + i + d % 30) for d in range(-30, 400, 7)]
                         + [(d, 9, "CRP", 5 + d % 11) for d in range(-30, 400, 14)],
                         [(0, None, 100)])
        case.patient = {**case.patient, "id": i + 1, "pseudonym": f"P-{i + 1}"}
        cases.append(case)
    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(build_cohort(cases), "8 cases")
    view.show()
    qtbot.waitExposed(view)
    QtWidgets.QApplication.processEvents()
    paints = _Paints(view.stack.view.viewport())
    for start in (50, 60, 70, 80):
        paints.count = 0
        view.stack.set_x_range(start * DAY, (start + 90) * DAY)
        QtWidgets.QApplication.processEvents()
        QtWidgets.QApplication.processEvents()
        assert paints.count == 1
