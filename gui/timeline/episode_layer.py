"""Reviewer episodes drawn on the timeline: a labelled bar on the episodes lane and a
faint band across every other track."""

from __future__ import annotations

import pandas as pd
import pyqtgraph as pg
from PySide6 import QtCore

from gui.palette import EPISODE_COLOURS

DAY = 86_400


class EpisodeLayer(QtCore.QObject):
    """Read-only episode drawing; annotation tools build on it."""

    def __init__(self, timeline) -> None:
        super().__init__(timeline)
        self.timeline = timeline
        self.episodes = pd.DataFrame()
        self._items: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []

    def set_episodes(self, episodes: pd.DataFrame) -> None:
        self.episodes = episodes
        self.redraw()

    def redraw(self) -> None:
        for plot, item in self._items:
            plot.removeItem(item)
        self._items.clear()
        lane = self.timeline.plot_for("episodes")
        case_end = self.timeline.case.time_range[1] if self.timeline.case is not None else None
        for row in self.episodes.itertuples(index=False):
            end = row.end if row.end == row.end and row.end is not None else case_end
            colour = pg.mkColor(EPISODE_COLOURS.get(row.kind, "#777777"))
            for _key, plot in self.timeline.visible_plots():
                fill = pg.mkColor(colour)
                fill.setAlpha(150 if plot is lane else 22)
                region = pg.LinearRegionItem((row.onset, end), movable=False,
                                             brush=pg.mkBrush(fill), pen=pg.mkPen(None))
                if plot is lane:
                    region.setSpan(0.05, 0.48)
                region.setZValue(-20)
                plot.addItem(region)
                self._items.append((plot, region))
                if plot is lane:
                    text = pg.TextItem(row.kind, color="#000000", anchor=(0, 0.5))
                    text.setPos(row.onset, 0.27 * 2)
                    plot.addItem(text)
                    self._items.append((plot, text))
