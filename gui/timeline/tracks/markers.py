"""Inflammatory markers (CRP, SAA, ESR) with their normal ranges shaded."""

from __future__ import annotations

import math

import pyqtgraph as pg

from data.codes import MARKERS
from gui.palette import ANALYTE_COLOURS, SPECIMEN_SYMBOLS
from gui.timeline import dose_readout, shapes
from gui.timeline.tracks.base import TimelineOptions, Track
from gui.timeline.tracks.points import add_points


class MarkersTrack(Track):
    key = "markers"
    title = "Inflammatory markers"
    stretch = 3
    min_height = 40
    log_y = True  # CRP spans 0.5–200 mg/L: on a linear axis the normal range is a sliver

    @staticmethod
    def has_data(case) -> bool:
        return any(a.code in case.codes for a in MARKERS)

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        p.getAxis("left").setLogMode(True)
        bands = 0
        for analyte in MARKERS:
            colour = ANALYTE_COLOURS[analyte.code]
            for specimen in case.specimens(analyte.code):
                s = case.series(analyte.code, specimen)
                y = s["value"].to_numpy(dtype=float)
                series = add_points(
                    self, s, y, name=f"{analyte.label} ({analyte.unit})", label=analyte.label,
                    unit=analyte.unit, colour=colour, specimen=specimen,
                    symbol=SPECIMEN_SYMBOLS.get(specimen, "s"), connect=True)
                dose_readout.attach(case, series, options)
                self.series.append(series)
                ref = case.control(analyte.code, specimen)
                upper = None if ref is None else ref.get("upper_normal")
                if upper and upper == upper and upper > 0:
                    c = pg.mkColor(colour)
                    c.setAlpha(40)
                    shapes.add(p, shapes.HBand(math.log10(0.1), math.log10(upper),
                                               pg.mkBrush(c)), z=-50)
                    bands += 1
        p.setLabel("left", "mg/L")
        if bands:
            self.add_legend_entry("▭", "#888888", "normal range")
        self.follow_y = ()
