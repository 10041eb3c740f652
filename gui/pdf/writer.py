"""The PDF file itself: page set-up, metadata, and an atomic write under the final name."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PySide6 import QtCore, QtGui

from gui.pdf.style import DPI

PAPERS = {"a4": QtGui.QPageSize.PageSizeId.A4, "letter": QtGui.QPageSize.PageSizeId.Letter}
MARGINS_MM = QtCore.QMarginsF(15, 14, 15, 12)

# PDF/A-1b for archiving. It has no transparency, and Qt honours that by painting every
# translucent colour at full strength: the timeline is flattened onto white first
# (timeline_figure.flatten_alpha), and a test compares it with a transparent render.
PDF_A_DEFAULT = True


def new_writer(path: Path, *, paper: str, title: str, pdf_a: bool = PDF_A_DEFAULT,
               creator: str = "Flarescope") -> QtGui.QPdfWriter:
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; use one of {', '.join(PAPERS)}")
    writer = QtGui.QPdfWriter(str(path))
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


def paint_size(writer: QtGui.QPdfWriter) -> tuple[float, float]:
    """The printable area in device units, unrounded."""
    r = writer.pageLayout().paintRect(QtGui.QPageLayout.Unit.Point)
    return r.width() * DPI / 72, r.height() * DPI / 72


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary file beside final, renamed onto it only once complete.

    os.replace is atomic within one folder: a reader (or a crash) sees the old file
    or the whole new one, never half a PDF.
    """
    final = Path(final)
    fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp makes the file private; the PDF gets the permissions of any new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# Qt stamps the creation time into the Info dictionary and the XMP packet, both written
# uncompressed. Blanking them with spaces of the same length keeps every byte offset of
# the cross-reference table valid: whitespace is legal between dictionary entries and
# between XML attributes.
_INFO_DATE = re.compile(rb"/(?:CreationDate|ModDate) \(D:[0-9Z+\-']*\)")
_XMP_DATE = re.compile(rb'xmp:(?:CreateDate|ModifyDate|MetadataDate)="[^"]*"')


def blank_dates(path: Path) -> int:
    """Remove the creation and modification times Qt writes; returns how many."""
    data = Path(path).read_bytes()
    count = 0

    def spaces(m: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return b" " * len(m.group(0))

    head = _XMP_DATE.sub(spaces, _INFO_DATE.sub(spaces, data[:16384]))
    Path(path).write_bytes(head + data[16384:])
    return count
