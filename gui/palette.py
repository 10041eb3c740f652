"""The one palette: Okabe–Ito (colour-blind safe), plus the screen and print themes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtGui

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

ANALYTE_COLOURS = {
    "IL1B": OKABE_ITO["vermillion"],
    "IL1RA": OKABE_ITO["blue"],
    "IL6": OKABE_ITO["green"],
    "TNFA": OKABE_ITO["purple"],
    "CRP": OKABE_ITO["orange"],
    "SAA": OKABE_ITO["sky"],
    "ESR": OKABE_ITO["black"],
    "TEMP": OKABE_ITO["vermillion"],
}

# Marker shape per specimen: the same analyte colour, a different shape.
SPECIMEN_SYMBOLS = {"pbmc-spont": "o", "pbmc-lps": "t", "serum": "s", "": "d"}

GLYPHS = {"o": "●", "t": "▼", "s": "■", "d": "◆", "x": "✕"}

PHASE_COLOURS = {
    "before treatment": ("#9E9E9E", 28),
    "on anakinra": (OKABE_ITO["sky"], 34),
    "after stopping": (OKABE_ITO["orange"], 30),
    "no anakinra": ("#9E9E9E", 0),
}

def phase_bands(phases) -> list:
    """(phase, translucent colour) of each therapy phase the timeline shades; none for a
    case without anakinra, which has no treatment to set apart. The screen and the PDF's
    legend both read it, so the legend names exactly what is drawn."""
    out = []
    for ph in phases:
        colour, alpha = PHASE_COLOURS.get(ph.name, ("#999999", 20))
        if alpha:
            c = QtGui.QColor(colour)
            c.setAlpha(alpha)
            out.append((ph, c))
    return out


EPISODE_COLOURS = {
    "relapse": OKABE_ITO["vermillion"],
    "flare": OKABE_ITO["orange"],
    "remission": OKABE_ITO["green"],
    "adverse event": OKABE_ITO["purple"],
    "note": "#7F7F7F",
}

SYMPTOM_PRESENT = OKABE_ITO["vermillion"]


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    symptom_absent: str
    font_pt: int
    label_pt: int  # labels on bars (a drug's name and dose): no smaller than 8 pt printed


SCREEN = Theme("screen", "#FFFFFF", "#262626", "#ECECEC", 9, 8)
# The PDF draws the timeline at the page's own scale (gui/pdf/timeline_figure.py), so
# these sizes are the printed ones.
PRINT = Theme("print", "#FFFFFF", "#000000", "#F2F2F2", 8, 8)
THEMES = {"screen": SCREEN, "print": PRINT}


def flatten(colour: QtGui.QColor, background: QtGui.QColor) -> QtGui.QColor:
    """The opaque colour a translucent one shows on background.

    PDF/A-1 has no transparency (Qt then paints translucent colours at full strength),
    so the archival print blends them onto the page first.
    """
    a = colour.alphaF()
    return QtGui.QColor.fromRgbF(a * colour.redF() + (1 - a) * background.redF(),
                                 a * colour.greenF() + (1 - a) * background.greenF(),
                                 a * colour.blueF() + (1 - a) * background.blueF())
