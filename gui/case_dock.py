"""A dock that shows something computed from the open case, only while it is in sight.

Closed at first (open, a dock takes room from the timeline that a 1024 px screen cannot
spare); the window's saved state keeps it open once the reviewer opens it. Its content
is computed when a case opens with the dock visible, or when the dock is opened.

Docks made ``tabbed`` in one area share its whole height as tabs: stacked, the
Suggestions dock under Key figures showed one suggestion at a time at 1400×900.
Opening one from the View menu brings its tab to the front.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

TABBED = "flarescopeTabbed"  # a dock property: shares its area's height as a tab


class CaseDock:
    """Subclasses build their widget and fill it in ``fill(case)``."""

    def __init__(self, window, widget: QtWidgets.QWidget, *, title: str, name: str,
                 area: QtCore.Qt.DockWidgetArea, shortcut: str, tip: str,
                 tabbed: bool = False) -> None:
        self.window = window
        self.case = None
        self._shown_for = None  # the case whose content the widget holds
        self.dock = QtWidgets.QDockWidget(title, window)
        self.dock.setObjectName(name)
        self.dock.setWidget(widget)
        self.dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(area, self.dock)
        if tabbed:
            self.dock.setProperty(TABBED, True)
            first = next((d for d in window.findChildren(QtWidgets.QDockWidget)
                          if d is not self.dock and d.property(TABBED)
                          and window.dockWidgetArea(d) == area), None)
            if first is not None:
                window.tabifyDockWidget(first, self.dock)
        self.dock.hide()
        toggle = self.dock.toggleViewAction()
        toggle.triggered.connect(lambda on: on and self.dock.raise_())
        toggle.setShortcut(shortcut)
        toggle.setToolTip(tip)
        window.menu("&View").addAction(toggle)
        window.caseOpened.connect(self.case_opened)
        window.caseClosed.connect(self.case_closed)
        self.dock.visibilityChanged.connect(lambda _visible: self.refresh())
        self._focus_keeper = _FocusKeeper(self)

    def follow_episodes(self) -> None:
        """For content read from the episodes (relapse onsets): recomputed when the
        reviewer or a colleague changes them, or, if closed, when next opened."""
        self.window.episode_feature.controller.episodesChanged.connect(
            self._episodes_changed)

    def _episodes_changed(self, _episodes) -> None:
        self._shown_for = None
        self.refresh()

    def case_opened(self, case) -> None:
        self.case = case
        self.window.timeline.highlight.clear()
        self.refresh()

    def case_closed(self) -> None:
        """Another case is being read: what was shown for this one stays until it
        comes, the case itself is let go."""
        self.case = self._shown_for = None

    def refresh(self, *, force: bool = False) -> None:
        if self.case is None or not self.dock.isVisible():
            return
        if self._shown_for is self.case and not force:
            return
        self.fill(self.case)
        self._shown_for = self.case

    def fill(self, case) -> None:
        raise NotImplementedError


class _FocusKeeper(QtCore.QObject):
    """A dock closed with the focus inside hands it to the next widget in the tab chain,
    the case filter, where the next timeline key ("6") would be typed. The timeline gets
    it instead, and the rings the panel put there go with it. A child of the dock, so the
    application's signal lets go of it with the window."""

    def __init__(self, owner: CaseDock) -> None:
        super().__init__(owner.dock)
        self.owner = owner
        QtWidgets.QApplication.instance().focusChanged.connect(self.moved)

    @QtCore.Slot(QtWidgets.QWidget, QtWidgets.QWidget)
    def moved(self, old: QtWidgets.QWidget | None, _new) -> None:
        dock = self.owner.dock
        if old is None or dock.isVisible() or not dock.isAncestorOf(old):
            return
        timeline = self.owner.window.timeline
        timeline.highlight.clear()
        timeline.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)
