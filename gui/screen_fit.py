"""Windows never larger than the screen they open on (a 1024×700 laptop included)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


def available(widget: QtWidgets.QWidget) -> QtCore.QSize:
    """The room for a window's contents on the screen it opens on (its parent's for a
    dialog not shown yet): the usable area without panels, less the window frame, which
    a dialog not shown yet does not have, so its parent's stands in."""
    parent = widget.parentWidget()
    owner = parent.window() if parent is not None else widget
    area = owner.screen().availableGeometry()
    frame, inner = owner.frameGeometry(), owner.geometry()
    return QtCore.QSize(area.width() - (frame.width() - inner.width()),
                        area.height() - (frame.height() - inner.height()))


def fit_to_screen(widget: QtWidgets.QWidget, width: int, height: int) -> None:
    """Resize to width × height, or to the screen's room where that is smaller; the
    widget's layout must then fit (a table or a scroll area inside takes the cut)."""
    room = available(widget)
    widget.resize(min(width, room.width()), min(height, room.height()))
