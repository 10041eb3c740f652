"""Ex vivo cytokine secretion on a log axis, absolute or as fold over healthy controls."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from data.codes import CYTOKINES, PBMC_LPS, PBMC_SPONTANEOUS, SERUM
from data.controls import band
from gui.palette import ANALYTE_COLOURS, SPECIMEN_SYMBOLS
from gui.timeline import dose_readout, shapes
from gui.timeline.tracks.base import TimelineOptions, Track
from gui.timeline.tracks.points import add_points

SHORT_SPECIMEN = {"pbmc-spont": "spont.", "pbmc-lps": "LPS", "serum": "serum",
                  "": "unspecified"}
PBMC = {PBMC_SPONTANEOUS, PBMC_LPS}


def cytokines_title(specimens: set[str]) -> str:
    """The track's title says where the cytokines were measured, only when all agree."""
    if specimens and specimens <= PBMC:
        return "Cytokines, ex vivo PBMC"
    if specimens == {SERUM}:
        return "Cytokines, serum"
    return "Cytokines"


class CytokinesTrack(Track):
    key = "cytokines"
    title = "Cytokines"
    stretch = 4
    min_height = 64
    log_y = True

    @staticmethod
    def has_data(case) -> bool:
        return any(a.code in case.codes for a in CYTOKINES)

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        p.getAxis("left").setLogMode(True)
        band_lo, band_hi, unmatched = [], [], []
        drawn: set[str] = set()  # specimens
        mean_lines = 0
        for analyte in CYTOKINES:
            colour = ANALYTE_COLOURS[analyte.code]
            for specimen in case.specimens(analyte.code):
                # The fold column only when shown: assign() copies the series' frame.
                s = (case.fold if options.fold else case.series)(analyte.code, specimen)
                if s.empty:
                    continue
                mean = case.control_mean(analyte.code, specimen)
                if options.fold and mean is None:
                    # No fold without a control reference: say so instead of nothing.
                    unmatched.append(case.control_match(analyte.code, specimen).reason)
                    continue
                y = s["fold"].to_numpy() if options.fold else s["value"].to_numpy(dtype=float)
                unit = "× controls" if options.fold else analyte.unit
                name = f"{analyte.label} {SHORT_SPECIMEN.get(specimen, specimen)}"
                series = add_points(self, s, y, name=name, label=analyte.label, unit=unit,
                                    colour=colour, symbol=SPECIMEN_SYMBOLS.get(specimen, "d"),
                                    specimen=specimen, connect=True, readout_label=name,
                                    fold=options.fold)
                dose_readout.attach(case, series, options)
                self.series.append(series)
                drawn.add(specimen)
                ref = case.control(analyte.code, specimen)
                low_high = band(ref) if ref and mean else None
                if low_high:
                    band_lo.append(max(low_high[0] / mean, 0.05))
                    band_hi.append(low_high[1] / mean)
                    if not options.fold and mean > 0:
                        shapes.add(p, shapes.HLine(np.log10(mean), pg.mkPen(
                            colour, width=0.8, style=QtCore.Qt.PenStyle.DotLine)), z=5)
                        mean_lines += 1
        if options.fold:
            if band_lo:
                shapes.add(p, shapes.HBand(np.log10(min(band_lo)), np.log10(max(band_hi)),
                                           pg.mkBrush(0, 0, 0, 22)), z=-50)
            shapes.add(p, shapes.HLine(0.0, pg.mkPen(
                "#555555", width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
            p.setLabel("left", "× controls")
            if band_lo:
                self.add_legend_entry("▭", "#888888", "controls: mean ± 2 SD")
            if unmatched:
                self.add_legend_entry("✕", "#888888", "; ".join(unmatched) + " (not shown)")
        else:
            p.setLabel("left", "pg/mL")
            if mean_lines:
                self.add_legend_entry("┈", "#555555", "control means")
        self.title = cytokines_title(drawn)
        self.follow_y = (0.0,) if options.fold else ()  # log10(1×): the control line
