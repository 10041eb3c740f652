"""The print theme of the case summary: fonts, greys and page geometry, in device units."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtGui

from gui.palette import OKABE_ITO, PRINT

# The page is laid out at the screen's reference resolution so the timeline widget's
# fonts (resolved against the paint device) print at their point size. Coordinates are
# floats, so nothing is lost: Qt writes them to the PDF as they are.
DPI = 96
MM = DPI / 25.4
FAMILY = "DejaVu Sans"  # installed with Qt's usual dependencies; embedded as a subset


@dataclass(frozen=True)
class Colours:
    text: QtGui.QColor
    muted: QtGui.QColor
    rule: QtGui.QColor
    zebra: QtGui.QColor
    accent: QtGui.QColor


def _font(pt: float, bold: bool = False) -> QtGui.QFont:
    f = QtGui.QFont(FAMILY)
    f.setPointSizeF(pt)
    f.setBold(bold)
    # Kerning and hinting would make measured and printed widths disagree; ligatures
    # ("fi" as one glyph) would make "identified" unsearchable in the PDF's text.
    f.setKerning(False)
    f.setHintingPreference(QtGui.QFont.HintingPreference.PreferNoHinting)
    f.setFeature(QtGui.QFont.Tag("liga"), 0)
    return f


class Style:
    """Fonts and their metrics on the PDF device, built once per document."""

    def __init__(self, device: QtGui.QPaintDevice) -> None:
        self.title = _font(15, bold=True)
        self.h2 = _font(11, bold=True)
        self.body = _font(8.5)
        self.body_bold = _font(8.5, bold=True)
        # Nothing a reader must read is under 8 pt: definitions, notes and table cells.
        self.small = _font(8)
        self.cell = _font(8)
        self.cell_bold = _font(8, bold=True)
        self.colours = Colours(
            text=QtGui.QColor(PRINT.foreground),
            muted=QtGui.QColor("#3F3F3F"),  # grey, yet dark enough to read at 8 pt
            rule=QtGui.QColor("#9A9A9A"),
            zebra=QtGui.QColor("#F2F2F2"),
            accent=QtGui.QColor(OKABE_ITO["blue"]),
        )
        self._device = device
        self._metrics: dict[int, QtGui.QFontMetricsF] = {}

    def fm(self, font: QtGui.QFont) -> QtGui.QFontMetricsF:
        key = id(font)
        if key not in self._metrics:
            self._metrics[key] = QtGui.QFontMetricsF(font, self._device)
        return self._metrics[key]
