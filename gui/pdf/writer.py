"""The PDF itself: page set-up and metadata."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6 import QtCore, QtGui

from gui.pdf.style import DPI

PAPERS = {"a4": QtGui.QPageSize.PageSizeId.A4, "letter": QtGui.QPageSize.PageSizeId.Letter}
MARGINS_MM = QtCore.QMarginsF(15, 14, 15, 12)

# PDF/A-1b for archiving. It has no transparency, and Qt honours that by painting every
# translucent colour at full strength: the timeline is flattened onto white first
# (timeline_figure.flatten_alpha), and a test compares it with a transparent render.
PDF_A_DEFAULT = True


def new_writer(device: QtCore.QIODevice, *, paper: str, title: str,
               pdf_a: bool = PDF_A_DEFAULT, creator: str = "Flarescope") -> QtGui.QPdfWriter:
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; use one of {', '.join(PAPERS)}")
    writer = QtGui.QPdfWriter(device)
    if pdf_a:
        writer.setPdfVersion(QtGui.QPagedPaintDevice.PdfVersion.PdfVersion_A1b)
    writer.setResolution(DPI)
    layout = QtGui.QPageLayout(QtGui.QPageSize(PAPERS[paper]),
                               QtGui.QPageLayout.Orientation.Portrait, MARGINS_MM,
                               QtGui.QPageLayout.Unit.Millimeter)
    writer.setPageLayout(layout)
    writer.setTitle(title)
    writer.setCreator(creator)
    return writer


def paint_pages(writer: QtGui.QPdfWriter, pages: list[list[Callable[[QtGui.QPainter], None]]]
                ) -> str | None:
    """Replay each page's paint operations into writer, a new page between them; what went
    wrong, or None. Delete the writer afterwards: that writes the trailer."""
    painter = QtGui.QPainter()
    if not painter.begin(writer):
        return "cannot write a PDF there"
    try:
        for i, ops in enumerate(pages):
            if i:
                writer.newPage()
            for op in ops:
                op(painter)
    finally:
        ok = painter.end()
    return None if ok else "writing the PDF failed"


def paint_size(writer: QtGui.QPdfWriter) -> tuple[float, float]:
    """The printable area in device units, unrounded."""
    r = writer.pageLayout().paintRect(QtGui.QPageLayout.Unit.Point)
    return r.width() * DPI / 72, r.height() * DPI / 72


# Qt stamps the creation time into the Info dictionary and the XMP packet, both written
# uncompressed. Blanking them with spaces of the same length keeps every byte offset of
# the cross-reference table valid: whitespace is legal between dictionary entries and
# between XML attributes.
_INFO_DATE = re.compile(rb"/(?:CreationDate|ModDate) \(D:[0-9Z+\-']*\)")
_XMP_DATE = re.compile(rb'xmp:(?:CreateDate|ModifyDate|MetadataDate)="[^"]*"')


def blank_dates(pdf: bytes) -> bytes:
    """The PDF without the creation and modification times Qt writes."""
    head = _XMP_DATE.sub(_spaces, _INFO_DATE.sub(_spaces, pdf[:16384]))
    return head + pdf[16384:]


def _spaces(m: re.Match[bytes]) -> bytes:
    return b" " * len(m.group(0))
