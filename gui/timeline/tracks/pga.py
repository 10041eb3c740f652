"""The physician global assessment (PGA, 0 absent to 4 severe) as a step: each
assessment holds until the next visit's, the way a reviewer reads a judgement made at a
visit; each visit is a point with its value in the readout."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from data.codes import PGA, PGA_LEVELS, pga_text
from gui.palette import OKABE_ITO
from gui.timeline.tracks.base import TimelineOptions, Track
from gui.timeline.tracks.points import add_points

COLOUR = OKABE_ITO["black"]


class PgaTrack(Track):
    key = "pga"
    title = "Physician global"
    stretch = 1
    # Five labelled steps, "0 (absent)" to "4 (severe)", apart: at 40 px they overlapped.
    min_height = 56
    # Shown when the case has scores, where every track still fits: beside a full case
    # (symptoms, activity, treatment, cytokines, markers, temperature) a 1024×700 screen
    # has no 70 px to spare (tests/gui/test_small_screen.py), and View → Tracks shows it.
    shown_when_room = True

    @staticmethod
    def has_data(case) -> bool:
        return PGA in case.codes

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        s = case.series(PGA)
        y = s["value"].to_numpy(dtype=float)
        x = s["t"].to_numpy(dtype=float)
        if len(x):
            # Held to the case's end: the last assessment stands until another is made.
            end = max(float(case.time_range[1]), float(x[-1]))
            p.addItem(pg.PlotDataItem(np.append(x, end), y, stepMode="center",
                                      pen=pg.mkPen(COLOUR, width=1), connect="finite"))
        series = add_points(self, s, y, name="PGA (0–4)", label="Physician global",
                            unit="", colour=COLOUR, symbol="d")
        series.fmt = pga_text  # the readout says "3 (moderate)"
        series.held = True  # ... the score the step shows, not the next visit's
        self.series.append(series)
        axis = p.getAxis("left")
        axis.setTicks([[(float(i), pga_text(i)) for i in range(len(PGA_LEVELS))]])
        p.setYRange(-0.3, len(PGA_LEVELS) - 0.7, padding=0)
        self.follow_y = None
