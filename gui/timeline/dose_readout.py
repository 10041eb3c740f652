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

    __slots__ = ("anchor", "ctx", "k")

    def __init__(self, ctx: DoseContext, k: int, anchor: Anchor) -> None:
        self.ctx, self.k, self.anchor = ctx, k, anchor

    def __str__(self) -> str:
        return sample_text(self.ctx, self.k, self.anchor)

    def without_day(self) -> str:
        """For the readout, which names the sample's day as it does every value's."""
        return sample_text(self.ctx, self.k, self.anchor, with_day=False)


def attach(case, series: Series, options: TimelineOptions) -> None:
    """Give each sample's record its dose context (``record["dose"]``, read with str())."""
    if not series.records:
        return
    ctx = dose_context(case, series.x, dose_time=options.dose_time)
    anchor = case.anchor
    for k, record in enumerate(series.records):
        record[KEY] = Note(ctx, k, anchor)


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
