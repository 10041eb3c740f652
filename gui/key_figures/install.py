"""Adds the Key figures dock to the main window, beside the timeline (View → Key figures,
Ctrl+Shift+K).

The main window imports this module by name and calls install(window).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from data.alignment import DAY
from gui.key_figures.panel import KeyFiguresPanel
from gui.timeline.highlight import SampleHighlight

DOCK_WIDTH = 300  # px: the figures' values wrap on two or three lines


class KeyFiguresFeature:
    """The panel, its dock and the rings it draws; ``window.key_figures``."""

    def __init__(self, window) -> None:
        self.window = window
        self.panel = KeyFiguresPanel()
        self.dock = QtWidgets.QDockWidget("Key figures", window)
        self.dock.setObjectName("keyFiguresDock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.highlight = SampleHighlight(window.timeline)
        self.case = None
        self._shown_for = None  # the case whose figures the panel holds

    def case_opened(self, case) -> None:
        self.case = case
        self.highlight.clear()
        self.refresh()

    def refresh(self, *_args, force: bool = False) -> None:
        """Compute the figures only when the dock is in sight: closed, it costs nothing."""
        if self.case is None or not self.dock.isVisible():
            return
        if self._shown_for is self.case and not force:
            return
        from data.key_figure_samples import case_figures

        fold = float(self.window.settings.get("figures/near_normal_fold"))
        self.panel.show_record(case_figures(self.case, near_normal_fold=fold))
        self._shown_for = self.case

    def figure_chosen(self, figure: dict) -> None:
        if figure["samples"]:
            self.highlight.show(figure["samples"])
        elif figure["day"] is not None and self.case is not None:
            # A figure without samples (a relapse onset): its day, in the current span.
            self.highlight.clear()
            self.highlight.bring_into_view([self.case.anchor.t + figure["day"] * DAY])
        else:
            self.highlight.clear()


def install(window) -> KeyFiguresFeature:
    feature = KeyFiguresFeature(window)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, feature.dock)
    window.resizeDocks([feature.dock], [DOCK_WIDTH], QtCore.Qt.Orientation.Horizontal)
    # Closed at first: open, it takes 300 px from the timeline, which a 1024 px screen
    # cannot spare. The window's saved state keeps it open once the reviewer opens it.
    feature.dock.hide()
    toggle = feature.dock.toggleViewAction()
    toggle.setShortcut("Ctrl+Shift+K")
    toggle.setToolTip("Show the key figures of the open case beside the timeline")
    window.menu("&View").addAction(toggle)
    window.caseOpened.connect(feature.case_opened)
    window.preferencesChanged.connect(lambda: feature.refresh(force=True))
    feature.dock.visibilityChanged.connect(feature.refresh)
    feature.panel.figureChosen.connect(feature.figure_chosen)
    window.key_figures = feature
    return feature
