"""Episode overlay: one case's analytes around each of its episodes, on one relative axis.

The anchor is each relapse onset, each change of the anakinra dose, anakinra start, or
each stop of anakinra (the first day of each interruption and the day after the last dose);
day 0 of each episode is its anchor's calendar day (data.alignment, as every "day N").
Each analyte gets a panel with one line per episode over the window (default −28 to
+56 days, whole days, inclusive) and their median day by day (data.aligned.spread).
The screen, its PDF page and the tests take the values from ``episode_overlay``.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.aligned import Line, Panel, line_in_window, spread
from data.alignment import (
    ANAKINRA_START,
    ANAKINRA_STOP,
    DOSE_CHANGE,
    RELAPSE_ONSET,
    Anchor,
    anakinra_stops,
    dose_changes,
    relapse_onsets,
    utc_midnight,
)
from data.case import Case
from data.codes import ANAKINRA, CYTOKINES, MARKERS, with_specimen
from data.numbers import fmt_number

WINDOW = (-28, 56)
KINDS = (RELAPSE_ONSET, DOSE_CHANGE, ANAKINRA_START, ANAKINRA_STOP)
KIND_NAMES = {RELAPSE_ONSET: "each relapse onset", DOSE_CHANGE: "each dose change",
              ANAKINRA_START: "anakinra start", ANAKINRA_STOP: "each anakinra stop"}
# What each anchor is, in full: the overlay's choice of anchor says it.
KIND_HINTS = {
    RELAPSE_ONSET: "the onset of each relapse the reviewer annotated (suggested and "
                   "rejected ones left out)",
    DOSE_CHANGE: "each day the daily anakinra dose differs from the day before: a new "
                 "dose, an interruption (to 0) and the resumption",
    ANAKINRA_START: "the first anakinra dose (the case's day 0)",
    ANAKINRA_STOP: "the first day without anakinra: each interruption, and the day after "
                   "the last dose when treatment ended",
}
NOTHING = {RELAPSE_ONSET: "no relapse annotated",
           DOSE_CHANGE: "no change of the anakinra dose recorded",
           ANAKINRA_START: "no anakinra recorded",
           ANAKINRA_STOP: "anakinra never stopped or interrupted"}


@dataclass(frozen=True)
class Episode:
    """One anchor of the overlay: its day 0, and what it is in the case's own days."""

    number: int  # 1, 2, … in time order
    anchor: Anchor
    case_day: str  # "day +143" on the case's own axis (data.alignment)
    what: str  # "relapse", "100 → 200 mg/d", "anakinra start 100 mg/d", "end of treatment …"

    @property
    def name(self) -> str:
        return f"#{self.number} {self.what}, {self.case_day}"


@dataclass(frozen=True)
class Overlay:
    kind: str
    window: tuple[int, int]
    episodes: tuple[Episode, ...]
    panels: tuple[Panel, ...]
    message: str  # why there is nothing to overlay, or ""

    @property
    def definition(self) -> str:
        lo, hi = self.window
        return (f"Day 0 = {KIND_HINTS[self.kind]}; window day {lo:+d} to day {hi:+d}. "
                "Median: day by day, over the episodes whose line runs there (read "
                "between its values as drawn, on the log axis; a censored value at its "
                "limit), drawn where two or more do.")


def episodes_of(case: Case, kind: str) -> list[Episode]:
    """The anchors of kind in time order."""
    found: list[tuple[float, str]] = []
    if kind == RELAPSE_ONSET:
        found = [(t, "relapse") for t in relapse_onsets(case.episodes)]
    elif kind in (DOSE_CHANGE, ANAKINRA_START, ANAKINRA_STOP):
        daily = case.daily_dose(ANAKINRA)
        t, dose = daily["t"].to_numpy(), daily["dose"].to_numpy()
        if len(daily) and kind == ANAKINRA_START:
            found = [(float(t[0]), f"anakinra start {_dose(float(dose[0]))}")]
        elif len(daily) and kind == DOSE_CHANGE:
            found = [(day, f"{_dose(before)} → {_dose(after)}")
                     for day, before, after in dose_changes(t, dose)]
        elif len(daily):
            found = [(day, f"{'end of treatment' if end else 'interrupted'} after "
                           f"{_dose(before)}")
                     for day, before, end in anakinra_stops(t, dose,
                                                            case.last_dose is not None)]
    return [Episode(i, Anchor(utc_midnight(t), kind), case.anchor.label(t), what)
            for i, (t, what) in enumerate(found, start=1)]


def anchor_counts(case: Case) -> dict[str, int]:
    """How many anchors of each kind the case has: the choice of anchor shows them."""
    return {kind: len(episodes_of(case, kind)) for kind in KINDS}


def _dose(mg: float) -> str:
    return "0 mg/d (interrupted)" if mg == 0 else f"{fmt_number(mg)} mg/d"


def episode_overlay(case: Case, kind: str = RELAPSE_ONSET,
                    window: tuple[int, int] = WINDOW) -> Overlay:
    """Every cytokine and marker series of the case around each anchor of kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown anchor {kind!r}; use one of {', '.join(KINDS)}")
    episodes = tuple(episodes_of(case, kind))
    if not episodes:
        why = NOTHING[ANAKINRA_START if kind == ANAKINRA_STOP and case.day0 is None
                      else kind]
        return Overlay(kind, window, (), (), f"Nothing to overlay: {why}.")
    panels = []
    for analyte in (*CYTOKINES, *MARKERS):
        for specimen in case.specimens(analyte.code):
            s = case.series(analyte.code, specimen)
            t, v = s["t"].to_numpy(dtype=float), s["value"].to_numpy(dtype=float)
            censor = s["censor"].astype(str).to_numpy()
            lines = tuple(line_in_window(e.name, e.anchor, t, v, censor, window,
                                         member=e.number) for e in episodes)
            if not any(line.days.size for line in lines):
                continue
            panels.append(Panel(f"{analyte.code}:{specimen}",
                                with_specimen(analyte.label, specimen),
                                analyte.unit, True, lines, spread(lines, *window, 1.0, log=True)))
    message = "" if panels else "No cytokine or marker measured in any episode's window."
    return Overlay(kind, window, episodes, tuple(panels), message)


def samples_in_window(overlay: Overlay, episode: Episode) -> int:
    """How many values of the episode's window the overlay shows (its list says so)."""
    return sum(int(line.days.size) for p in overlay.panels for line in p.lines
               if line.member == episode.number)


__all__ = ["KINDS", "KIND_HINTS", "KIND_NAMES", "WINDOW", "Episode", "Line", "Overlay",
           "anchor_counts", "episode_overlay", "episodes_of", "samples_in_window"]
