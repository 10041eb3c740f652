"""Stimulation index: LPS-stimulated ÷ spontaneous secretion, same analyte, same day.

Hidden until the reviewer shows it (View → Tracks): most reviews read the cytokines
themselves, and the index repeats what two of their series say.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from data.codes import CYTOKINES, PBMC_LPS, PBMC_SPONTANEOUS
from data.stimulation import SPECIMEN, UNIT, stimulation_index, stimulation_indices
from gui.palette import ANALYTE_COLOURS
from gui.timeline import dose_readout, shapes
from gui.timeline.tracks.base import TimelineOptions, Track
from gui.timeline.tracks.points import add_points


class StimulationTrack(Track):
    key = "stimulation"
    title = "Stimulation index (LPS ÷ spontaneous)"
    stretch = 2
    min_height = 80
    log_y = True
    shown_by_default = False

    @staticmethod
    def has_data(case) -> bool:
        # Both specimens of one cytokine first: pairing the days costs ~5 ms a case.
        return any({PBMC_LPS, PBMC_SPONTANEOUS} <= set(case.specimens(a.code))
                   for a in CYTOKINES) and len(stimulation_indices(case)) > 0

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        p.getAxis("left").setLogMode(True)
        for analyte in CYTOKINES:
            si = stimulation_index(case, analyte.code)
            si = si[np.isfinite(si["value"].to_numpy(dtype=float))]  # <5 ÷ <5: no point
            if si.empty:
                continue
            rows = si.assign(unit=UNIT, specimen=SPECIMEN, source="LPS ÷ spontaneous")
            colour = ANALYTE_COLOURS[analyte.code]
            series = add_points(self, rows, rows["value"].to_numpy(dtype=float),
                                name=f"{analyte.label} LPS ÷ spont.", label=analyte.label,
                                unit="× spont.", colour=colour, symbol="d", specimen=SPECIMEN,
                                connect=True, readout_label=f"{analyte.label} LPS ÷ spont.")
            dose_readout.attach(case, series, options)
            self.series.append(series)
        shapes.add(p, shapes.HLine(0.0, pg.mkPen(
            "#555555", width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
        self.add_legend_entry("╌", "#555555", "1× (no response to LPS)")
        p.setLabel("left", "LPS ÷ spont.")
        self.follow_y = (0.0,)
