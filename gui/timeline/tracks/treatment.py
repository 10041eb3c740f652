"""Anakinra as a daily-dose step line (mg/day or mg/kg/day); other drugs as labelled bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from data.alignment import DAY
from data.codes import ANAKINRA
from data.numbers import fmt_number
from gui.palette import OKABE_ITO
from gui.timeline.ticks import linear_ticks, value_label
from gui.timeline.tracks.base import Series, TimelineOptions, Track

BAR_COLOURS = [OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["green"], OKABE_ITO["sky"]]


class TreatmentTrack(Track):
    key = "treatment"
    title = "Treatment"
    stretch = 2
    min_height = 40

    @staticmethod
    def has_data(case) -> bool:
        given = case.administrations
        return not case.medications.empty or (given is not None and not given.empty)

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        per_kg = options.per_kg and not case.series("WEIGHT").empty
        unit = "mg/kg/d" if per_kg else "mg/d"
        daily = case.daily_dose(ANAKINRA, per_kg=per_kg)
        top = 1.0
        if len(daily):
            t = daily["t"].to_numpy(dtype=float)
            dose = daily["dose"].to_numpy(dtype=float)
            colour = OKABE_ITO["blue"]
            brush = pg.mkColor(colour)
            brush.setAlpha(60)
            p.addItem(pg.PlotCurveItem(np.append(t, t[-1] + DAY), dose, stepMode="center",
                                      connect="finite", fillLevel=0, brush=brush, pen=pg.mkPen(colour, width=1.5),
                                      name=f"anakinra ({unit})"))
            missed = dose == 0
            if missed.any():
                p.addItem(pg.ScatterPlotItem(t[missed] + DAY / 2, np.zeros(missed.sum()),
                                             symbol="x", size=7,
                                             pen=pg.mkPen(OKABE_ITO["vermillion"], width=1.5)))
            top = float(np.nanmax(dose)) or 1.0
            self.add_legend_entry("▬", colour, f"anakinra {unit}")
            if missed.any():
                self.add_legend_entry("✕", OKABE_ITO["vermillion"], "missed doses")
            self.series.append(Series("Anakinra", unit, t + DAY / 2, dose, colour,
                                      fmt="{:.3g}" if per_kg else "{:.0f}", daily=True))
        else:
            # The title row says why there is no dose line (it was a bare 0–1 mg/d axis).
            self.add_legend_entry("", self.theme.foreground, "no anakinra recorded")
        given = case.administrations
        others = [d for d in dict.fromkeys([*case.medications["drug"].unique(), *(
            given["drug"].unique() if given is not None and len(given) else [])])
            if str(d).lower() != ANAKINRA]
        lane = top * 0.3
        # Drug lanes sit above the anakinra dose; without one they fill the track.
        first = top * 1.12 if len(daily) else lane / 2
        font = QtGui.QFont()
        font.setPointSize(self.theme.label_pt)
        for i, drug in enumerate(sorted(others)):
            y = first + i * lane
            colour = BAR_COLOURS[i % len(BAR_COLOURS)]
            for _, row in case.drug_periods(drug).iterrows():
                start = row["start"].timestamp()
                # An ongoing period (no end) runs to the case's last record; iterrows
                # may hand its NaT over as a float NaN, which np.isnat refused.
                end = (case.time_range[1] if pd.isna(row["end"])
                       else row["end"].timestamp()) + DAY
                # A pale bar with the label on it: a label above a bar gets clipped
                # when the track is short.
                pale = pg.mkColor(colour)
                pale.setAlpha(90)
                p.addItem(pg.PlotCurveItem([start, end], [y, y],
                                          pen=pg.mkPen(pale, width=14,
                                                       cap=QtCore.Qt.PenCapStyle.FlatCap)))
                per_day = row["unit"] if str(row["unit"]).endswith("/d") else f"{row['unit']}/d"
                dose = f"{fmt_number(row['dose'])} {per_day}" if row["dose"] == row["dose"] else ""
                label = pg.TextItem(f"{drug} {dose}", color=self.theme.foreground,
                                    anchor=(0, 0.5))
                label.setFont(font)
                label.setPos(start, y)
                p.addItem(label)
            doses = case.recorded_doses(drug)
            if doses is not None:  # each dose given, a tick on the drug's lane
                t = doses["t"].to_numpy(dtype=float)
                p.addItem(pg.ScatterPlotItem(t, np.full(t.size, y), symbol="|", size=12,
                                             pen=pg.mkPen(colour, width=1.5)))
                if case.drug_periods(drug).empty:  # no bar carries the drug's name
                    label = pg.TextItem(f"{drug}, doses given", color=self.theme.foreground,
                                        anchor=(0, 1.1))
                    label.setFont(font)
                    label.setPos(t[0], y)
                    p.addItem(label)
        n_lanes = len(others)
        p.setYRange(0, first + n_lanes * lane + (0.1 * top if len(daily) else -lane / 2),
                    padding=0)
        p.getAxis("left").setTicks(None)
        p.setLabel("left", unit if len(daily) else "")
        # Only dose ticks: lanes above the dose range carry their own labels.
        ticks = [(v, value_label(v)) for v in linear_ticks(0, top, 4)] if len(daily) else []
        p.getAxis("left").setTicks([ticks, []])  # 0 50, not 47.5
