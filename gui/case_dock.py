"""A dock that shows something computed from the open case, only while it is in sight.

Closed at first (open, a dock takes room from the timeline that a 1024 px screen cannot
spare); the window's saved state keeps it open once the reviewer opens it. Its content
is computed when a case opens with the dock visible, or when the dock is opened.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class CaseDock:
    """Subclasses build their widget and fill it in ``fill(case)``."""

    def __init__(self, window, widget: QtWidgets.QWidget, *, title: str, name: str,
                 area: QtCore.Qt.DockWidgetArea, shortcut: str, tip: str) -> None:
        self.window = window
        self.case = None
        self._shown_for = None  # the case whose content the widget holds
        self.dock = QtWidgets.QDockWidget(title, window)
        self.dock.setObjectName(name)
        self.dock.setWidget(widget)
        self.dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(area, self.dock)
        self.dock.hide()
        toggle = self.dock.toggleViewAction()
        toggle.setShortcut(shortcut)
        toggle.setToolTip(tip)
        window.menu("&View").addAction(toggle)
        window.caseOpened.connect(self.case_opened)
        self.dock.visibilityChanged.connect(lambda _visible: self.refresh())

    def case_opened(self, case) -> None:
        self.case = case
        self.window.timeline.highlight.clear()
        self.refresh()

    def refresh(self, *, force: bool = False) -> None:
        if self.case is None or not self.dock.isVisible():
            return
        if self._shown_for is self.case and not force:
            return
        self.fill(self.case)
        self._shown_for = self.case

    def fill(self, case) -> None:
        raise NotImplementedError
