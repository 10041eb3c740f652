"""A one-page PDF of aligned panels: the episode overlay of a case, or a cohort.

The panels are painted by the screen's own stack (gui/timeline/aligned_stack.py) in the
print theme, as the case summary paints its timeline; above them, the title, the
definition of day 0 and of the median, and the list of what the lines are.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from data.aligned import Panel
from db.files import replacing_file
from gui.pdf.export import ExportError
from gui.pdf.layout import Flow
from gui.pdf.style import MM, Style
from gui.pdf.writer import PDF_A_DEFAULT, blank_dates, new_writer, paint_pages, paint_size


def paint_panels(painter: QtGui.QPainter, target: QtCore.QRectF, panels: tuple[Panel, ...],
                 axis_label: str, *, opaque: bool = False, band: bool = False,
                 window: tuple[int, int] | None = None) -> None:
    """The panels at the page's own scale (one widget pixel, one device unit); window
    (an overlay's first and last day): the axis spans it, as on screen."""
    from gui.pdf.timeline_figure import (
        _quiet_offscreen,
        _searchable_text,
        dispose,
        flatten_alpha,
    )
    from gui.timeline.aligned_stack import AlignedStack

    app = QtWidgets.QApplication.instance()
    before = set(app.topLevelWidgets()) if app else set()
    with _searchable_text():
        widget = AlignedStack(theme="print", band=band)
        try:
            widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            widget.resize(round(target.width()), round(target.height()))
            widget.set_panels(panels, axis_label, window=window)
            with _quiet_offscreen():
                widget.show()
            QtWidgets.QApplication.processEvents()
            extra = widget.height() - widget.view.viewport().height()
            if extra > 0:  # only the plots print, not the readout under them
                widget.resize(round(target.width()), round(target.height()) + extra)
                QtWidgets.QApplication.processEvents()
            if opaque:
                flatten_alpha(widget.view.scene(), QtGui.QColor(widget.theme.background))
            widget.render_vector(painter, target, opaque=opaque)
        finally:
            leftovers = set(app.topLevelWidgets()) - before if app else set()
            dispose([widget, *leftovers])


def write_aligned_pdf(path: str | Path, *, title: str, about: list[str], items: list[str],
                      panels: tuple[Panel, ...], axis_label: str, paper: str = "a4",
                      pdf_a: bool = PDF_A_DEFAULT, band: bool = False,
                      window: tuple[int, int] | None = None) -> Path:
    """One page: title, the lines of about (definitions), items (episodes or patients,
    wrapped into one paragraph), then the panels filling the rest (over the whole window
    of days when one is given)."""
    path = Path(path)
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODeviceBase.OpenModeFlag.WriteOnly)
    writer = new_writer(buffer, paper=paper, title=title, pdf_a=pdf_a)
    width, height = paint_size(writer)
    style = Style(writer)
    flow = Flow(width, height, style)
    flow.y += flow.text(style.title, title, 0, 0, width) + 2 * MM
    for line in about:
        flow.y += flow.text(style.small, line, 0, flow.y, width, style.colours.muted) + 1 * MM
    if items:
        flow.y += flow.text(style.body, " · ".join(items), 0, flow.y + 1 * MM, width) + 3 * MM
    rect = QtCore.QRectF(0, flow.y, width, flow.bottom - flow.y)
    flow.add(lambda p: paint_panels(p, rect, panels, axis_label, opaque=pdf_a, band=band,
                                    window=window))
    problem = paint_pages(writer, flow.pages[:1])
    del writer  # writes the trailer
    if problem:
        raise ExportError(f"{path}: {problem}")
    with replacing_file(path, "wb", private=True) as f:
        f.write(blank_dates(buffer.data().data()))
    return path
