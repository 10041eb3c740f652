"""What every track shares: its plot, its series for the crosshair readout, its legend."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg

from data.alignment import DAY
from data.dose_context import DEFAULT_DOSE_TIME
from data.numbers import fmt_number
from gui.palette import Theme
from gui.timeline.dense import sorted_index
from gui.timeline.readout import unbreakable


@dataclass
class TimelineOptions:
    fold: bool = False  # cytokines as fold over the healthy-control mean
    per_kg: bool = False  # anakinra in mg/kg/day
    axis_mode: str = "calendar"
    dose_time: float = DEFAULT_DOSE_TIME  # usual anakinra time, seconds after midnight UTC


@dataclass
class Series:
    """One plotted series, kept for the readout: nearest measurement to the cursor."""

    label: str
    unit: str
    x: np.ndarray
    y: np.ndarray
    colour: str
    censor: np.ndarray | None = None
    # A format string, or a function (data.numbers.fmt_fold for folds); None: fmt_number
    # (never 1.44e+03).
    fmt: str | Callable[[float], str] | None = None
    value_names: tuple[str, ...] | None = None  # e.g. ("no", "yes") for diary items
    records: list[dict] | None = field(default=None, repr=False)
    # A daily value (a dose, a diary sum) holds for its own day only: the readout shows
    # it on that day and nothing elsewhere ("Anakinra 100 mg/d" read before day 0).
    daily: bool = False
    # A judgement made at a visit (the physician global) holds until the next one, as its
    # step line draws it: the readout gives the last value at or before the cursor, never
    # a later visit's that happens to be nearer.
    held: bool = False

    def visible_bounds(self, lo: float, hi: float, *,
                       positive: bool = False) -> tuple[float, float] | None:
        """Min and max of y over lo ≤ x ≤ hi: a binary search and one slice.

        positive: only values above zero count (a log axis; zero and negative values are
        drawn at its floor instead, see Track.floor).
        """
        a, b = sorted_index(self.x, [lo, hi])
        if b <= a:
            return None
        part = self.y[a:b]
        if positive:
            part = part[part > 0]
            if part.size == 0:
                return None
        if np.isnan(part).all():  # nothing recorded in view (nanmin would warn on stderr)
            return None
        return float(np.nanmin(part)), float(np.nanmax(part))

    def has_non_positive(self, lo: float, hi: float) -> bool:
        a, b = sorted_index(self.x, [lo, hi])
        return bool((self.y[a:b] <= 0).any())

    def nearest(self, t: float, lo: float, hi: float) -> int | None:
        """Index of the measurement nearest t within the visible range [lo, hi]; for a
        ``held`` series the one whose step is under t, wherever it began."""
        if self.x.size == 0:
            return None
        i = int(sorted_index(self.x, t))
        if self.held:
            j = i if i < self.x.size and self.x[i] <= t else i - 1
            return j if j >= 0 and not np.isnan(self.y[j]) and self.x[j] <= hi else None
        candidates = [j for j in (i - 1, i) if 0 <= j < self.x.size]
        j = min(candidates, key=lambda k: abs(self.x[k] - t))
        if self.daily and abs(self.x[j] - t) > DAY / 2:
            return None
        if np.isnan(self.y[j]):  # not recorded (a day without diary): nothing to read
            return None
        return j if lo <= self.x[j] <= hi else None

    def value_text(self, j: int) -> str:
        if self.value_names is not None:
            return self.value_names[int(self.y[j] > 0)]
        c = "" if self.censor is None else str(self.censor[j])
        y = float(self.y[j])
        value = (fmt_number(y) if self.fmt is None else self.fmt(y) if callable(self.fmt)
                 else self.fmt.format(y))
        return f"{c}{value}"


class Track:
    """A track owns one PlotItem; subclasses draw what they are given into it: a Case
    (the case timeline's tracks) or series aligned on an anchor by data/ (the episode
    overlay and the cohort view, gui/timeline/tracks/aligned.py)."""

    key = ""
    title = ""
    stretch = 1  # relative height
    # px of data area under the legend line, the least that still reads: a 1024×700
    # screen holds every track at these, without scrolling (tests/gui/test_small_screen.py)
    min_height = 40
    log_y = False
    shown_by_default = True  # False: listed in View → Tracks, shown once the reviewer asks
    # True: shown by default on screen only where every track still fits without scrolling
    # (the physician global beside a full case on a 1024×700 screen does not); View →
    # Tracks shows it anyway. The PDF always shows it (a page does not scroll).
    shown_when_room = False
    # True: the title line is shown even without a legend entry. A panel among like panels
    # (the overlay's, the cohort's) is named only there: untitled, eight read "pg/mL".
    always_titled = False
    # Tracks whose y range follows the visible data set this in draw(): the y values
    # (in plotted units) that must stay in view, such as a threshold line.
    follow_y: tuple[float, ...] | None = None

    def __init__(self, plot: pg.PlotItem, theme: Theme) -> None:
        self.plot = plot
        self.theme = theme
        self.series: list[Series] = []
        self.legend_entries: list[tuple[str, str, str]] = []
        # Log tracks: zero and negative values wait here (x, records, colour) until every
        # series is drawn, then go at the floor, half a decade under the lowest value.
        self.non_positive: list[tuple[np.ndarray, list[dict], str]] = []
        self.floor: float | None = None
        self.on_point_clicked: Callable[[dict], None] | None = None

    @staticmethod
    def has_data(case) -> bool:
        return True

    def visible_y_range(self, lo: float, hi: float) -> tuple[float, float] | None:
        """The y range the visible data need, in plotted units (log10 on log tracks).

        Computed from the sorted series with binary searches: pyqtgraph's own
        auto-range over visible data rescans every item per frame (~12 ms here with a
        million-point series), more than the rest of a frame together.
        """
        if self.follow_y is None:
            return None
        bounds = [b for s in self.series
                  if (b := s.visible_bounds(lo, hi, positive=self.log_y)) is not None]
        if self.log_y:
            bounds = [(np.log10(a), np.log10(b)) for a, b in bounds]
            if self.floor is not None and any(s.has_non_positive(lo, hi) for s in self.series):
                bounds.append((self.floor, self.floor))
        values = [v for b in bounds for v in b] + list(self.follow_y)
        if not values:
            return None
        return min(values), max(values)

    def draw(self, source, options: TimelineOptions) -> None:
        raise NotImplementedError

    def point_clicked(self, points) -> None:
        if self.on_point_clicked is not None and len(points):
            self.on_point_clicked(points[0].data())

    def render(self, source, options: TimelineOptions) -> None:
        """Clear, draw, then show the legend as the track's title line.

        A legend inside the plot always ends up over some data; a title row costs ~16 px
        and never hides a point.
        """
        self.series.clear()
        self.legend_entries: list[tuple[str, str, str]] = []
        self.non_positive.clear()
        self.floor = None
        self.draw(source, options)
        if self.non_positive:
            self._draw_at_floor()
        if self.legend_entries or (self.always_titled and self.title):
            # Entries break only between each other when a narrow window wraps the line.
            parts = [f"<b>{unbreakable(self.title)}</b>"] + [
                f"<span style='color:{colour}'>{symbol}</span>&nbsp;{unbreakable(text)}"
                for symbol, colour, text in self.legend_entries
            ]
            self.plot.setTitle("&nbsp;&nbsp; ".join(parts), size=f"{self.theme.font_pt}pt",
                               justify="left", color=self.theme.foreground)
        else:
            self.plot.setTitle(None)

    def _draw_at_floor(self) -> None:
        """Zero and negative values have no place on a log axis: a down-pointing marker at
        the floor shows they exist (their value is in the tooltip and the readout)."""
        from gui.timeline.tracks.points import tip

        positive = [float(np.nanmin(s.y[s.y > 0])) for s in self.series if (s.y > 0).any()]
        self.floor = float(np.log10(min(positive))) - 0.5 if positive else 0.0
        for x, records, colour in self.non_positive:
            scatter = pg.ScatterPlotItem(
                x=x, y=np.full(x.size, self.floor), data=records, symbol="t", size=9,
                pen=pg.mkPen(colour, width=1.3), brush=pg.mkBrush("#FFFFFF"),
                hoverable=True, tip=tip, hoverSize=12)
            scatter.sigClicked.connect(lambda _item, points, _ev: self.point_clicked(points))
            self.plot.addItem(scatter)
        self.add_legend_entry("▽", "#555555", "≤0, at the floor")

    def add_legend_entry(self, symbol: str, colour: str, text: str) -> None:
        self.legend_entries.append((symbol, colour, text))
