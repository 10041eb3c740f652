"""A track's title row: its legend line, wrapping in a narrow window, as tall as its lines.

pyqtgraph's LabelItem fixes its size from its unwrapped text: the adjustments below
reach into its private size hints (``_sizeHint``), in this one place.
"""

from __future__ import annotations

import weakref

import pyqtgraph as pg
import shiboken6
from PySide6 import QtCore, QtGui


def title_height(label: pg.LabelItem) -> int:
    """The legend line's height as wrapped now (one or two lines of text)."""
    return int(label.item.boundingRect().height()) + 1


def let_shrink(plot: pg.PlotItem, heights_changed) -> None:
    """A track's legend line must not widen its plot past the window: in a narrow window
    it wraps onto a second line (between entries) instead of being cut. Its row is as
    tall as its lines (pyqtgraph fixes every title row at 30 px, two lines' worth: on a
    700 px screen five such rows cost the room of a track).

    LabelItem re-imposes its text width as minimum on every resize (updateMin), so the
    minimum is cleared after each of its own updates, and the text is given the label's
    width to wrap in.
    """
    label = plot.titleLabel
    label.item.document().setDocumentMargin(1)
    own_update = label.updateMin
    # Neither the plot nor the stack is held here: a reference from the label back to
    # them keeps the widget alive past the QApplication, and Python's exit then
    # segfaults (DESIGN.md, "Exit crash").
    changed = weakref.WeakMethod(heights_changed)
    # Nor asked of the label (label.parentItem()): while Qt deletes the plot it reparents
    # the label, which resizes it and calls this; PySide then wrapped the half-deleted
    # plot anew, as Python's own, and deleted it a second time when this returned (a
    # painted cohort window segfaulted as it was deleted, tests/gui/test_cohort_grab.py).
    owner_ref = weakref.ref(plot)

    natural: dict[str, float] = {}  # unwrapped width of the last text: layouts call often

    def natural_width() -> float:
        if label.text not in natural:
            doc = QtGui.QTextDocument()
            doc.setDocumentMargin(1)
            doc.setDefaultFont(label.item.font())
            doc.setHtml(label.item.toHtml())
            natural.clear()
            natural[label.text] = doc.idealWidth()
        return natural[label.text]

    def update_min() -> None:
        width = label.size().width()
        wanted = width if 0 < width < natural_width() + 4 else -1
        if label.item.textWidth() != wanted:  # a change repaints: only when needed
            label.item.setTextWidth(wanted)
            label.item.update()
        own_update()
        height = label._sizeHint[QtCore.Qt.SizeHint.MinimumSize][1]
        label._sizeHint[QtCore.Qt.SizeHint.MinimumSize] = (0, height)
        label._sizeHint[QtCore.Qt.SizeHint.PreferredSize] = (0, height)
        label.setMinimumWidth(0)
        owner = owner_ref()
        if owner is None or not shiboken6.isValid(owner):
            return  # the plot is being deleted: nothing left to lay out
        if label.isVisible():
            rows = title_height(label)
            if owner.layout.rowMinimumHeight(0) != rows or label.maximumHeight() != rows:
                label.setMaximumHeight(rows)
                owner.layout.setRowFixedHeight(0, rows)
                if (callback := changed()) is not None:
                    callback()

    label.updateMin = update_min
