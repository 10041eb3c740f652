"""Adds the Key figures dock to the main window, beside the timeline (View → Key figures,
Ctrl+Shift+K).

The main window imports this module by name and calls install(window).
"""

from __future__ import annotations

from PySide6 import QtCore

from data.alignment import DAY
from gui.case_dock import CaseDock
from gui.key_figures.panel import KeyFiguresPanel

DOCK_WIDTH = 300  # px: the figures' values wrap on two or three lines


class KeyFiguresFeature(CaseDock):
    """The panel and its dock; ``window.key_figures``. Rings go on the timeline's
    highlight."""

    def __init__(self, window) -> None:
        self.panel = KeyFiguresPanel()
        super().__init__(window, self.panel, title="Key figures", name="keyFiguresDock",
                         area=QtCore.Qt.DockWidgetArea.RightDockWidgetArea, tabbed=True,
                         shortcut="Ctrl+Shift+K",
                         tip="Show the key figures of the open case beside the timeline")
        self.highlight = window.timeline.highlight
        window.resizeDocks([self.dock], [DOCK_WIDTH], QtCore.Qt.Orientation.Horizontal)

    def fill(self, case) -> None:
        from data.key_figure_samples import case_figures

        fold = float(self.window.settings.get("figures/near_normal_fold"))
        self.panel.show_record(case_figures(case, near_normal_fold=fold))

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
    feature.follow_episodes()
    window.preferencesChanged.connect(lambda: feature.refresh(force=True))
    feature.panel.figureChosen.connect(feature.figure_chosen)
    window.key_figures = feature
    return feature
