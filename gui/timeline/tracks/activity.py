"""Disease activity: daily AIDAI sum and the monthly score against its threshold."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from data.aidai_periods import aidai_periods
from data.alignment import DAY
from data.codes import AIDAI_ACTIVE_THRESHOLD, AIDAI_CODES
from gui.palette import OKABE_ITO
from gui.timeline import shapes
from gui.timeline.axis import RELATIVE
from gui.timeline.tracks.base import Series, TimelineOptions, Track


class ActivityTrack(Track):
    key = "activity"
    title = "Activity (AIDAI)"
    stretch = 2
    min_height = 36

    @staticmethod
    def has_data(case) -> bool:
        return any(code in case.codes for code in AIDAI_CODES)

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        daily = case.activity_score
        if daily.empty:
            return
        t = daily["t"].to_numpy(dtype=float)
        score = daily["score"].to_numpy(dtype=float)
        grey = pg.mkColor("#8C8C8C")
        fill = pg.mkColor("#8C8C8C")
        fill.setAlpha(110)
        daily_item = pg.PlotCurveItem(np.append(t, t[-1] + DAY), score, stepMode="center",
                                     connect="finite", fillLevel=0, brush=fill, pen=pg.mkPen(grey, width=0.8),
                                     name="daily sum")
        p.addItem(daily_item)

        # De-identified (relative axis): 30-day blocks from day 0; calendar month edges
        # would give day 0's date back.
        relative = options.axis_mode == RELATIVE
        periods = aidai_periods(case, relative=relative)
        period = "30-day" if relative else "month"
        mx = np.array([b.start for b in periods] + [periods[-1].end], dtype=float)
        my = np.array([b.score for b in periods], dtype=float)
        blue = OKABE_ITO["blue"]
        p.addItem(pg.PlotCurveItem(mx, my, stepMode="center", connect="finite", pen=pg.mkPen(blue, width=2),
                                  name=f"{period} score"))
        incomplete = np.array([not b.complete for b in periods])
        mid = (mx[:-1] + mx[1:]) / 2
        if incomplete.any():
            # A month with no diary at all has no score: its mark sits on the zero line.
            p.addItem(pg.ScatterPlotItem(mid[incomplete], np.nan_to_num(my[incomplete]),
                                         symbol="x", size=8,
                                         pen=pg.mkPen(OKABE_ITO["vermillion"], width=1.5),
                                         name=f"{period} with diary gaps"))
        shapes.add(p, shapes.HLine(AIDAI_ACTIVE_THRESHOLD, pg.mkPen(
            OKABE_ITO["vermillion"], width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
        self.add_legend_entry("▮", "#8C8C8C", "daily sum")
        # Short entries: on one line beside the case list on a 1024 px screen.
        self.add_legend_entry("━", blue, f"{period} score")
        if incomplete.any():
            self.add_legend_entry("✕", OKABE_ITO["vermillion"], "diary gaps")
        self.add_legend_entry("╌", OKABE_ITO["vermillion"],
                              f"active: {period} ≥ {AIDAI_ACTIVE_THRESHOLD}")
        p.setLabel("left", "score")
        self.series += [
            Series("AIDAI daily sum", "/12", t + DAY / 2, score, "#8C8C8C", fmt="{:.0f}",
                   daily=True),
            Series(f"AIDAI {period} sum", "", mid, my, blue, fmt="{:.0f}"),
        ]
        self.follow_y = (0.0, float(AIDAI_ACTIVE_THRESHOLD))
