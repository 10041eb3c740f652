"""Rings around chosen samples on the timeline (the measurements behind a key figure),
with the view moved so that all of them are in sight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from data.alignment import DAY
from data.codes import label

MARGIN_DAYS = 14  # around samples brought into view


@dataclass(frozen=True)
class Ringed:
    """A sample found on a track: where its ring is drawn."""

    track: str
    t: float
    y: float  # in the track's plotted units (log10 on a log track)


class SampleHighlight:
    """Draws and clears the rings; one per timeline."""

    def __init__(self, timeline) -> None:
        self.timeline = timeline
        self.items: list[tuple[pg.PlotItem, pg.ScatterPlotItem]] = []
        self.ringed: list[Ringed] = []

    def clear(self) -> None:
        for plot, item in self.items:
            if item.scene() is not None:  # a redraw may have removed it already
                plot.removeItem(item)
        self.items.clear()
        self.ringed = []

    def show(self, samples: list[dict], *, centre: bool = False) -> list[Ringed]:
        """Ring each sample ({code, specimen, t}) where a track draws it; bring them into
        view (centre: in the middle of the view), the first one's track scrolled into
        sight. Samples on a hidden track are not
        ringed."""
        self.clear()
        found = [r for s in samples if (r := self._find(s)) is not None]
        by_track: dict[str, list[Ringed]] = {}
        for r in found:
            by_track.setdefault(r.track, []).append(r)
        for key, rings in by_track.items():
            plot = self.timeline.plot_for(key)
            item = pg.ScatterPlotItem(x=[r.t for r in rings], y=[r.y for r in rings],
                                      symbol="o", size=20, pen=pg.mkPen("#000000", width=2.5),
                                      brush=pg.mkBrush(None))
            item.setZValue(200)
            plot.addItem(item)
            self.items.append((plot, item))
        self.ringed = found
        if found:  # a track scrolled out of sight (a short window) is brought back
            self.timeline.scroll_to_track(found[0].track)
        times = [float(s["t"]) for s in samples]
        if times and centre:
            lo, hi = self.timeline.x_range()
            mid = (min(times) + max(times)) / 2
            self.timeline.set_x_range(mid - (hi - lo) / 2, mid + (hi - lo) / 2)
        elif times:
            self.bring_into_view(times)
        return found

    def _find(self, sample: dict) -> Ringed | None:
        analyte = label(sample["code"])
        specimen = sample["specimen"]
        for key, track in self.timeline.tracks.items():
            for s in track.series:
                if not s.records or s.records[0]["analyte"] != analyte or \
                        s.records[0]["specimen"] != specimen:
                    continue
                j = int(np.searchsorted(s.x, sample["t"]))
                if j < s.x.size and s.x[j] == sample["t"]:
                    y = float(s.y[j])
                    if track.log_y:
                        y = float(np.log10(y)) if y > 0 else (track.floor or 0.0)
                    return Ringed(key, float(s.x[j]), y)
        return None

    def bring_into_view(self, times: list[float]) -> None:
        """Keep the view if every time is in it; else the smallest range around them,
        never narrower than the current one."""
        lo, hi = self.timeline.x_range()
        first, last = min(times), max(times)
        if lo <= first and last <= hi:
            return
        span = max(hi - lo, last - first + 2 * MARGIN_DAYS * DAY)
        centre = (first + last) / 2
        self.timeline.set_x_range(centre - span / 2, centre + span / 2)

