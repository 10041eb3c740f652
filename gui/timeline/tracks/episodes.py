"""Therapy phases and reviewer episodes as labelled bars on a thin lane."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui

from gui.palette import PHASE_COLOURS
from gui.timeline.tracks.base import TimelineOptions, Track


class EpisodesTrack(Track):
    key = "episodes"
    title = "Episodes and phases"
    stretch = 0  # fixed height

    def draw(self, case, options: TimelineOptions) -> None:
        p = self.plot
        p.setYRange(0, 2, padding=0)
        p.getAxis("left").setTicks([[(0.5, "Episodes"), (1.5, "Phase")]])
        font = QtGui.QFont()
        font.setPointSize(self.theme.font_pt)
        for ph in case.phases():
            colour, _ = PHASE_COLOURS.get(ph.name, ("#999999", 20))
            # Darker than its band: sky blue text on the sky blue band was barely legible.
            ink = QtGui.QColor(colour).darker(170) if ph.name != "before treatment" else "#555"
            text = pg.TextItem(ph.name, color=ink, anchor=(0, 0.5))
            text.setFont(font)
            text.setPos(ph.start, 1.5)
            p.addItem(text)
        # Episode bars are drawn by the episode layer, which the widget owns, so that
        # the same items can be dragged; this track provides the lane.
