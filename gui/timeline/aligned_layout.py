"""The layout the episode overlay (gui/overlay/panel.py) and the cohort window
(gui/cohort/window.py) share: what the lines are, listed with their colours, beside the
aligned panels (gui/timeline/aligned_stack.py)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

LIST_WIDTH = 220  # px: "#10 relapse, day +1234 · 23 values" on two lines at most


def member_list(tooltip: str) -> QtWidgets.QListWidget:
    """The episodes or patients; long names wrap rather than scroll sideways."""
    members = QtWidgets.QListWidget()
    members.setWordWrap(True)
    members.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    members.setToolTip(tooltip)
    return members


def swatch(colour: str) -> QtGui.QIcon:
    """A list item's square of its line's colour."""
    pixmap = QtGui.QPixmap(12, 12)
    pixmap.fill(QtGui.QColor(colour))
    return QtGui.QIcon(pixmap)


def list_beside(members: QtWidgets.QListWidget, panels: QtWidgets.QWidget) -> QtWidgets.QSplitter:
    """The list at its width, the panels taking every pixel the window gains."""
    split = QtWidgets.QSplitter()
    split.addWidget(members)
    split.addWidget(panels)
    split.setStretchFactor(0, 0)
    split.setStretchFactor(1, 1)
    split.setCollapsible(1, False)
    split.setSizes([LIST_WIDTH, 4 * LIST_WIDTH])
    return split
