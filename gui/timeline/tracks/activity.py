"""Disease activity: daily AIDAI sum and the monthly score against its threshold."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from data.alignment import DAY
from data.case import epochs
from data.codes import AIDAI_ACTIVE_THRESHOLD, AIDAI_CODES
from gui.palette import OKABE_ITO
from gui.timeline import shapes
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
        daily_item = pg.PlotDataItem(np.append(t, t[-1] + DAY), score, stepMode="center",
                                     fillLevel=0, brush=fill, pen=pg.mkPen(grey, width=0.8),
                                     name="daily sum")
        p.addItem(daily_item)

        monthly = case.monthly_aidai()
        starts = monthly["month"].dt.start_time
        ends = monthly["month"].dt.end_time
        mx = np.append(epochs(starts), epochs(ends)[-1] + 1)
        my = monthly["score"].to_numpy(dtype=float)
        blue = OKABE_ITO["blue"]
        p.addItem(pg.PlotDataItem(mx, my, stepMode="center", pen=pg.mkPen(blue, width=2),
                                  name="monthly score"))
        incomplete = ~monthly["complete"].to_numpy()
        mid = (mx[:-1] + mx[1:]) / 2
        if incomplete.any():
            # A month with no diary at all has no score: its mark sits on the zero line.
            p.addItem(pg.ScatterPlotItem(mid[incomplete], np.nan_to_num(my[incomplete]),
                                         symbol="x", size=8,
                                         pen=pg.mkPen(OKABE_ITO["vermillion"], width=1.5),
                                         name="month with missing diary days"))
        shapes.add(p, shapes.HLine(AIDAI_ACTIVE_THRESHOLD, pg.mkPen(
            OKABE_ITO["vermillion"], width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
        self.add_legend_entry("▮", "#8C8C8C", "daily sum")
        # Short entries: on one line beside the case list on a 1024 px screen.
        self.add_legend_entry("━", blue, "month score")
        if incomplete.any():
            self.add_legend_entry("✕", OKABE_ITO["vermillion"], "diary gaps")
        self.add_legend_entry("╌", OKABE_ITO["vermillion"],
                              f"active: month ≥ {AIDAI_ACTIVE_THRESHOLD}")
        p.setLabel("left", "score")
        self.series += [
            Series("AIDAI daily sum", "/12", t + DAY / 2, score, "#8C8C8C", fmt="{:.0f}",
                   daily=True),
            Series("AIDAI monthly", "", mid, my, blue, fmt="{:.0f}"),
        ]
        self.follow_y = (0.0, float(AIDAI_ACTIVE_THRESHOLD))
