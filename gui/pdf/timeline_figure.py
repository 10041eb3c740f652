"""The case timeline painted into a rectangle of a PDF page, by the screen's own widget.

The widget is sized so one of its pixels is one device unit of the page (1/96 inch):
its fonts print at their point size, and pyqtgraph's automatic downsampling keeps
about one point per printed pixel column, which is what keeps a 10-year case small.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from PySide6 import QtCore, QtGui, QtWidgets

from gui.palette import flatten


def paint_timeline(painter: QtGui.QPainter, target: QtCore.QRectF, case: object,
                   relative: bool, *, opaque: bool = False) -> None:
    """Render the case's whole course into target (device units of the painter).

    opaque: blend every translucent colour onto the white page first, for PDF/A-1,
    which has no transparency (Qt would paint those colours at full strength).
    """
    from gui.timeline.widget import TimelineWidget

    app = QtWidgets.QApplication.instance()
    before = set(app.topLevelWidgets()) if app else set()
    widget = TimelineWidget(theme="print")
    try:
        # Laid out without reaching a screen: layouts only settle on a shown widget.
        widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        # No screen paint: only the layout has to settle, and painting the plots there
        # would cost as much as printing them.
        widget.setUpdatesEnabled(False)
        widget.set_case(case)
        widget.set_axis_mode("relative" if relative else "calendar")
        # At the page's own scale, never drawn larger and scaled down: that printed the
        # 8 pt of the print theme at 6.4 pt. Legends too long for the width wrap.
        width, height = round(target.width()), round(target.height())
        widget.resize(width, height)
        with _quiet_offscreen():
            widget.show()
        QtWidgets.QApplication.processEvents()
        # Only the plots are printed, not the readout under them: give the plots the
        # target's aspect, or the render keeps their aspect and leaves a blank band.
        extra = widget.height() - widget.view.viewport().height()
        if extra > 0:
            widget.resize(width, height + extra)
            QtWidgets.QApplication.processEvents()
        widget.fit()
        widget.setUpdatesEnabled(True)
        for_print(widget)
        # render_vector itself switches caching off and the diary strips are vectors.
        if opaque:
            flatten_alpha(widget.view.scene(), QtGui.QColor(widget.theme.background))
        widget.render_vector(painter, target, opaque=opaque)
    finally:
        # pyqtgraph gives each ViewBox parentless context menus: top-level widgets that
        # would outlive the timeline (and crash the interpreter at exit) unless deleted.
        leftovers = set(app.topLevelWidgets()) - before if app else set()
        dispose([widget, *leftovers])


# Normal ranges in print: a hatch in the analyte's colour, above the episode shading
# (z -20) and the phase shading (z -100), below the data (z 0). A pale fill in the
# analyte's colour matched the "on anakinra" shading (SAA is sky blue) and vanished
# under an episode.
NORMAL_RANGE_Z = -10
NORMAL_RANGE_HATCH = QtCore.Qt.BrushStyle.BDiagPattern


def for_print(widget) -> None:
    """What differs on paper: bands that must stay distinguishable without transparency."""
    from gui.timeline import shapes

    plot = widget.plot_for("markers") if "markers" in widget.tracks else None
    if plot is None:
        return
    for item in plot.items:
        if isinstance(item, shapes.HBand):
            colour = QtGui.QColor(item.brush.color())
            colour.setAlpha(255)
            item.brush = QtGui.QBrush(colour, NORMAL_RANGE_HATCH)
            item.setZValue(NORMAL_RANGE_Z)
            item.update()


@contextlib.contextmanager
def _quiet_offscreen() -> Iterator[None]:
    """Drop the offscreen plugin's warning that a hidden window has no size hints.

    It is printed on every export from the command line and says nothing useful.
    """
    def handler(mode, context, message) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = QtCore.qInstallMessageHandler(handler)
    try:
        yield
    finally:
        QtCore.qInstallMessageHandler(previous)


def dispose(widgets: list[QtWidgets.QWidget]) -> None:
    """Close and delete now: a pyqtgraph widget alive at interpreter exit segfaults.

    deleteLater, not an immediate delete: some menus are children of others, and a
    deferred delete of an already deleted child is dropped instead of freed twice.
    """
    import shiboken6

    for w in widgets:
        if shiboken6.isValid(w):
            w.close()
            w.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)


_OPTS_KEYS = ("pen", "brush", "fillBrush", "symbolPen", "symbolBrush")


def flatten_alpha(scene: QtWidgets.QGraphicsScene, background: QtGui.QColor) -> None:
    """Replace translucent pens and brushes by the opaque colour they show on background.

    Covers where pyqtgraph items keep them: a pen/brush attribute (regions, bands), an
    opts dict (curves, fills), or the QAbstractGraphicsShapeItem accessors.
    """
    for item in scene.items():
        for name in ("pen", "brush"):
            value = getattr(item, name, None)
            if isinstance(value, QtGui.QPen | QtGui.QBrush):
                flat = _flat(value, background)
                if flat is not None:
                    setattr(item, name, flat)
        opts = getattr(item, "opts", None)
        if isinstance(opts, dict):
            for key in _OPTS_KEYS:
                value = opts.get(key)
                if isinstance(value, QtGui.QPen | QtGui.QBrush):
                    flat = _flat(value, background)
                    if flat is not None:
                        opts[key] = flat
        if isinstance(item, QtWidgets.QAbstractGraphicsShapeItem):
            flat_brush = _flat(item.brush(), background)
            if flat_brush is not None:
                item.setBrush(flat_brush)
            flat_pen = _flat(item.pen(), background)
            if flat_pen is not None:
                item.setPen(flat_pen)
        item.update()


def _flat(value: QtGui.QPen | QtGui.QBrush, background: QtGui.QColor):
    c = value.color()
    a = c.alphaF()
    if a >= 1.0 or (isinstance(value, QtGui.QBrush) and value.style() ==
                    QtCore.Qt.BrushStyle.NoBrush):
        return None
    if isinstance(value, QtGui.QPen) and value.style() == QtCore.Qt.PenStyle.NoPen:
        return None
    mixed = flatten(c, background)
    out = QtGui.QPen(value) if isinstance(value, QtGui.QPen) else QtGui.QBrush(value)
    out.setColor(mixed)
    return out
