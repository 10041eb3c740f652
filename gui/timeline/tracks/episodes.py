"""Therapy phases and reviewer episodes as labelled bars on a thin lane."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui

from gui.palette import PHASE_COLOURS
from gui.timeline.tracks.base import TimelineOptions, Track

SHORT_LAST = 0.2  # of the record's span: a last phase shorter than this is labelled at its end


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
        phases = case.phases()
        span = (phases[-1].end - phases[0].start) if phases else 0
        for i, ph in enumerate(phases):
            colour, _ = PHASE_COLOURS.get(ph.name, ("#999999", 20))
            # Darker than its band: sky blue text on the sky blue band was barely legible.
            ink = QtGui.QColor(colour).darker(170) if ph.name != "before treatment" else "#555"
            # A short last phase ("after stopping" a few weeks before the record ends)
            # ends its label at its end: started at its start the label ran off the plot.
            at_end = i == len(phases) - 1 and i > 0 and ph.end - ph.start < SHORT_LAST * span
            text = pg.TextItem(ph.name, color=ink, anchor=(1, 0.5) if at_end else (0, 0.5))
            text.setFont(font)
            text.setPos(ph.end if at_end else ph.start, 1.5)
            p.addItem(text)
        # Episode bars are drawn by the episode layer, which the widget owns, so that
        # the same items can be dragged; this track provides the lane.
