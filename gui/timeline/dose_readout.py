"""The dose context of hovered samples: attached to each point's record, read by the
readout, the tooltip and the point's window (issue 14, item 1).

The numbers come from data.dose_context, for all of a series' samples at once.
"""

from __future__ import annotations

from data.alignment import Anchor
from data.dose_context import DoseContext, dose_context, sample_text
from gui.palette import OKABE_ITO
from gui.timeline.readout import ReadoutLine
from gui.timeline.tracks.base import Series, TimelineOptions

KEY = "dose"  # the record's field, and the readout line's track
LABEL = "Sampled"


class Note:
    """One sample's dose context, written out only when read ("≈20 h after 100 mg, day
    +143"): the text of every sample of a ten-year case would cost the opening ~0.1 s."""

    __slots__ = ("context", "k")

    def __init__(self, context: SeriesContext, k: int) -> None:
        self.context, self.k = context, k

    def __str__(self) -> str:
        return sample_text(self.context.ctx, self.k, self.context.anchor)

    def without_day(self) -> str:
        """For the readout, which names the sample's day as it does every value's."""
        return sample_text(self.context.ctx, self.k, self.context.anchor, with_day=False)


class SeriesContext:
    """The dose context of a series' samples, computed when a note is first read: most
    samples are never hovered, and computing it for every series cost the opening of a
    case a few ms."""

    def __init__(self, case, x, dose_time: float) -> None:
        self._args: tuple | None = (case, x, dose_time)
        self._ctx: DoseContext | None = None
        self._anchor: Anchor | None = None

    def _compute(self) -> None:
        if self._args is not None:
            case, x, dose_time = self._args
            self._ctx, self._anchor, self._args = (dose_context(case, x, dose_time=dose_time),
                                                   case.anchor, None)

    @property
    def ctx(self) -> DoseContext:
        self._compute()
        return self._ctx

    @property
    def anchor(self) -> Anchor:
        self._compute()
        return self._anchor


def attach(case, series: Series, options: TimelineOptions) -> None:
    """Give each sample's record its dose context (``record["dose"]``, read with str())."""
    if not series.records:
        return
    context = SeriesContext(case, series.x, options.dose_time)
    for k, record in enumerate(series.records):
        record[KEY] = Note(context, k)


def readout_line(tracks, t: float, lo: float, hi: float, when) -> list[ReadoutLine]:
    """The dose context of the sample nearest the cursor, once: every cytokine of one draw
    shares it, and repeating it per series would fill the readout.

    when(sample time): the sample's day as the readout gives every value's ("" on the
    cursor's day): the context of a draw days away otherwise read as the cursor's.
    """
    best: tuple[float, float, Note] | None = None
    for track in tracks:
        for s in track.series:
            if not s.records or KEY not in s.records[0]:
                continue
            j = s.nearest(t, lo, hi)
            if j is not None and (best is None or abs(s.x[j] - t) < best[0]):
                best = (abs(float(s.x[j]) - t), float(s.x[j]), s.records[j][KEY])
    if best is None:
        return []
    return [ReadoutLine(LABEL, best[2].without_day(), "", when(best[1]), OKABE_ITO["blue"],
                        KEY)]
