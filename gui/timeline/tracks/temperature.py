"""Body temperature: a diary value per day or a dense home-device series (≈1 M points)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

from data.codes import FEVER_CELSIUS
from gui.palette import OKABE_ITO
from gui.timeline import shapes
from gui.timeline.dense import DenseCurve, MinMaxPyramid
from gui.timeline.tracks.base import Series, TimelineOptions, Track


class TemperatureTrack(Track):
    key = "temperature"
    title = "Body temperature"
    stretch = 2
    min_height = 36

    @staticmethod
    def has_data(case) -> bool:
        return "TEMP" in case.codes

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        s = case.series("TEMP")
        # The case's own arrays (int64 times), never copied: see gui/timeline/dense.py.
        x = s["t"].to_numpy()
        y = s["value"].to_numpy(dtype=float)
        colour = OKABE_ITO["vermillion"]
        p.addItem(DenseCurve(MinMaxPyramid(x, y), pen=pg.mkPen(colour, width=1)))
        shapes.add(p, shapes.HLine(FEVER_CELSIUS, pg.mkPen(
            "#555555", width=1, style=QtCore.Qt.PenStyle.DashLine)), z=5)
        p.setLabel("left", "°C")
        self.add_legend_entry("━", colour, "body temperature")
        self.add_legend_entry("╌", "#555555", "fever ≥ 38 °C")
        self.series.append(Series("Temperature", "°C", x, y, colour, fmt="{:.1f}"))
        self.follow_y = (36.5, FEVER_CELSIUS)
