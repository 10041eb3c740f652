"""Adds the Results grid dock under the timeline (View → Results grid, Ctrl+Shift+R).

The main window imports this module by name and calls install(window).
"""

from __future__ import annotations

from PySide6 import QtCore

from gui.case_dock import CaseDock
from gui.results_grid.panel import ResultsGridPanel

GRID_HEIGHT = 220  # px: about eight days in sight; the tracks keep the rest


class ResultsGridFeature(CaseDock):
    """The panel and its dock; ``window.results_grid``."""

    def __init__(self, window) -> None:
        self.panel = ResultsGridPanel()
        super().__init__(window, self.panel, title="Results grid", name="resultsGridDock",
                         area=QtCore.Qt.DockWidgetArea.BottomDockWidgetArea,
                         shortcut="Ctrl+Shift+R",
                         tip="Every measurement of the open case by date and analyte")
        window.resizeDocks([self.dock], [GRID_HEIGHT], QtCore.Qt.Orientation.Vertical)

    def fill(self, case) -> None:
        from data.results_grid import results_grid

        self.panel.show_grid(results_grid(case), case.anchor)

    def cell_chosen(self, samples: list[dict]) -> None:
        timeline = self.window.timeline
        timeline.highlight.show(samples, centre=True)
        # The readout reads that day, as if the reviewer pointed at the sample.
        timeline.set_cursor(float(samples[0]["t"]))


def install(window) -> ResultsGridFeature:
    feature = ResultsGridFeature(window)
    feature.panel.cellChosen.connect(feature.cell_chosen)
    window.results_grid = feature
    return feature
