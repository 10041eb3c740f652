"""The cohort view's content: several cases aligned at anakinra start (issue 14, item 6).

Four small multiples share the relative axis: IL-1β fold and TNF-α fold over the
healthy-control mean (each patient's specimen as the key figures choose it: PBMC
spontaneous when there is a choice; patients measured in different specimens give one
panel per specimen, never one median across them), CRP, and the AIDAI summed over 30-day
blocks from day 0 (data.aidai_periods'
blocks; a block without all 12 items on all 30 days is left out, never scored low).
One line per patient, its first relapse marked; the median and interquartile range
across patients week by week (data.aligned.spread). A case without anakinra cannot be
aligned at its start: it is listed as not alignable, with the reason, never dropped
silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from data.aidai_periods import BLOCK_DAYS, aidai_periods
from data.aligned import Line, Panel, Spread, line_in_window, spread
from data.alignment import DAY, Anchor, anchor_of, relapse_onsets
from data.case import Case
from data.codes import (
    AIDAI_ACTIVE_THRESHOLD,
    AIDAI_CODES,
    PBMC_LPS,
    PBMC_SPONTANEOUS,
    SPECIMEN_LABELS,
    with_specimen,
)
from data.controls import Match, match
from data.summary.figures import pick_specimen

GRID_DAYS = 7  # the median and IQR are read week by week
FULL_BLOCK = BLOCK_DAYS * len(AIDAI_CODES)  # answers in a complete 30-day block
CODES = ["IL1B", "TNFA", "CRP"]
NO_ANAKINRA = "no anakinra recorded: nothing to align at its start"


@dataclass(frozen=True)
class Member:
    patient_id: int
    pseudonym: str
    anchor: Anchor
    first_relapse: float | None  # days from day 0 (continuous), None without a relapse


@dataclass(frozen=True)
class Cohort:
    members: tuple[Member, ...]
    not_alignable: tuple[tuple[str, str], ...]  # (pseudonym, why)
    panels: tuple[Panel, ...]

    definition = ("Day 0 = each patient's first anakinra dose. One line per patient; △ its "
                  "first relapse. Black: the median across patients week by week (each "
                  "line read between its values, as drawn), blue band: interquartile "
                  f"range. AIDAI: the sum over {BLOCK_DAYS}-day blocks from day 0, only "
                  f"blocks with all 12 items on all {BLOCK_DAYS} days.")

    def nothing_aligned(self) -> str | None:
        """Why there is nothing to draw when no case could be aligned, naming the cases
        (the window and the PDF say it instead of drawing empty axes); None otherwise."""
        if self.members:
            return None
        if not self.not_alignable:
            return ("No case chosen: select two or more cases in the case list, or open a "
                    "case to see every case of its diagnosis.")
        named = [p if why == NO_ANAKINRA else f"{p} ({why})" for p, why in self.not_alignable]
        lead = ("No case in this selection has anakinra recorded"
                if all(why == NO_ANAKINRA for _p, why in self.not_alignable)
                else "No case in this selection can be aligned at anakinra start")
        return (f"{lead}: {', '.join(named)}. Each line starts at a patient's first "
                "anakinra dose (day 0), so there is nothing to draw.")


def blocks_of_case(case: Case) -> pd.DataFrame:
    """The complete 30-day AIDAI blocks of one case (block number, score), from
    data.aidai_periods: what the database's sums (db.cohort.diary_blocks) must equal."""
    rows = [(p.first_day // BLOCK_DAYS, p.score) for p in aidai_periods(case, relative=True)
            if p.complete]
    return pd.DataFrame(rows, columns=["block", "score"])


def complete_blocks(sums: pd.DataFrame) -> pd.DataFrame:
    """Database sums per block (block, score, answers) → the complete blocks."""
    full = sums[sums["answers"] == FULL_BLOCK]
    return full[["block", "score"]].sort_values("block").reset_index(drop=True)


def build_cohort(cases: Iterable[Case], blocks: dict[int, pd.DataFrame] | None = None, *,
                 diary_pending: bool = False) -> Cohort:
    """Align the cases at anakinra start. blocks: each case's complete AIDAI blocks when
    already summed (read_diary_blocks); None: from each case's own diary.
    diary_pending: the AIDAI panel waits for with_diary (the view draws the rest first)."""
    cases = list(cases)
    aligned = [c for c in cases if c.day0 is not None]
    missing = tuple((c.pseudonym, NO_ANAKINRA) for c in cases if c.day0 is None)
    members = tuple(_member(c) for c in aligned)
    # code → specimen → lines: a fold of spontaneous secretion and one of LPS-stimulated
    # secretion are different measures, each on a panel of its own.
    folds: dict[str, dict[str, list[Line]]] = {"IL1B": {}, "TNFA": {}}
    notes: dict[str, list[str]] = {k: [] for k in folds}
    crp: list[Line] = []
    crp_specimens: set[str] = set()
    means: dict[tuple, Match] = {}  # shared by cases read with the same references
    for case, member in zip(aligned, members, strict=True):
        for code in folds:
            line, specimen, note = _fold_line(case, code, member, means)
            if line is not None:
                folds[code].setdefault(specimen, []).append(line)
            if note:
                notes[code].append(note)
        s = case.series("CRP")
        if len(s):
            crp.append(_line(case, member, s["t"], s["value"], s["censor"]))
            crp_specimens.update(str(x) for x in s["specimen"].unique())
    panels = [p for code in folds for p in _fold_panels(code, folds[code], notes[code])]
    panels.append(_panel("CRP", crp, [], specimen=" and ".join(
        SPECIMEN_LABELS.get(x, x) for x in sorted(crp_specimens)) or None))
    if blocks is None and not (diary_pending and aligned):  # no one's diary to wait for
        blocks = {c.id: blocks_of_case(c) for c in aligned}
    panels.append(aidai_panel(aligned, members, blocks))
    order = tuple(m.patient_id for m in members)  # each line in its patient's colour
    return Cohort(members, missing, tuple(replace(p, members=order) for p in panels))


def with_diary(cohort: Cohort, cases: list[Case], blocks: dict[int, pd.DataFrame]) -> Cohort:
    """The cohort with its AIDAI panel filled from the diaries' block sums."""
    aligned = [c for c in cases if c.day0 is not None]
    order = tuple(m.patient_id for m in cohort.members)
    panels = tuple(replace(aidai_panel(aligned, cohort.members, blocks), members=order)
                   if p.key == "AIDAI" else p for p in cohort.panels)
    return replace(cohort, panels=panels)


def aidai_panel(cases: list[Case], members: tuple[Member, ...] | list[Member],
                blocks: dict[int, pd.DataFrame] | None) -> Panel:
    """The AIDAI panel; blocks None: not summed yet (the view fills it after its first
    frame: the diaries are 44,000 answers a ten-year case)."""
    if blocks is None:
        return _panel("AIDAI", [], ["summing the diaries…"])
    lines = []
    for case, member in zip(cases, members, strict=True):
        b = blocks.get(case.id)
        if b is not None and len(b):
            start = member.anchor.t + b["block"].to_numpy(dtype=float) * BLOCK_DAYS * DAY
            lines.append(_line(case, member, start + BLOCK_DAYS * DAY / 2, b["score"],
                               np.full(len(b), "")))
    return _panel("AIDAI", lines, [])


TITLES = {"IL1B": ("IL-1β fold", "× controls", True, 1.0, "1× controls"),
          "TNFA": ("TNF-α fold", "× controls", True, 1.0, "1× controls"),
          "CRP": ("CRP", "mg/L", True, None, ""),
          "AIDAI": (f"AIDAI per {BLOCK_DAYS} days", "score", False,
                    float(AIDAI_ACTIVE_THRESHOLD), f"active ≥ {AIDAI_ACTIVE_THRESHOLD}")}


def _fold_panels(code: str, by_specimen: dict[str, list[Line]], notes: list[str]
                 ) -> list[Panel]:
    """One panel per specimen, PBMC spontaneous first; keyed by the code alone when the
    cohort was measured in one specimen."""
    if not by_specimen:
        return [_panel(code, [], notes)]
    order = sorted(by_specimen, key=lambda x: (x != PBMC_SPONTANEOUS, x != PBMC_LPS, x))
    return [_panel(code if len(order) == 1 else f"{code}:{x}", by_specimen[x],
                   notes if i == 0 else [], specimen=x) for i, x in enumerate(order)]


def _panel(key: str, lines: list[Line], notes: list[str], *,
           specimen: str | None = None) -> Panel:
    """specimen: a code (SPECIMEN_LABELS) or words; the title names it."""
    title, unit, log, ref, ref_label = TITLES[key.split(":")[0]]
    extent = [d for ln in lines for d in (ln.days[:1].tolist() + ln.days[-1:].tolist())]
    s = spread(lines, float(np.floor(min(extent))), float(np.ceil(max(extent))), GRID_DAYS,
               log=log) if extent else Spread.empty()
    return Panel(key, with_specimen(title, specimen), unit, log, tuple(lines), s, ref,
                 ref_label, tuple(notes))


def _member(case: Case) -> Member:
    # Day 0 is anakinra start (data.alignment.anchor_of, as Case.anchor gives it for a
    # case on anakinra), without searching every record for the first one.
    anchor = anchor_of(case.day0, None)
    onsets = relapse_onsets(case.episodes)
    first = float(anchor.position(onsets[0])) if onsets else None
    return Member(case.id, case.pseudonym, anchor, first)


def _line(case: Case, member: Member, t, values, censor) -> Line:
    marks = () if member.first_relapse is None else (member.first_relapse,)
    return line_in_window(case.pseudonym, member.anchor, np.asarray(t, dtype=float),
                          np.asarray(values, dtype=float), np.asarray(censor).astype(str),
                          None, member=case.id, marks=marks)


def _fold_line(case: Case, code: str, member: Member,
               means: dict[tuple, Match]) -> tuple[Line | None, str, str]:
    """The patient's fold line, the specimen it was measured in, and why none (a note)."""
    specimen = pick_specimen(case, code)
    if specimen is None:
        return None, "", ""
    s = case.series(code, specimen)
    unit = str(s["unit"].iloc[0])
    # data.controls.match filters the references (~15 ms with its unit tables): once per
    # analyte, specimen and unit for the whole cohort, not once per case.
    key = (id(case.controls), code, specimen, unit)
    if key not in means:
        means[key] = match(case.controls, code, specimen, unit)
    mean = means[key].mean
    if not mean:
        return None, specimen, (f"{case.pseudonym}: no control mean for "
                                f"{SPECIMEN_LABELS.get(specimen, specimen)}")
    return _line(case, member, s["t"], s["value"].to_numpy(dtype=float) / mean,
                 s["censor"]), specimen, ""


def read_cases(engine, patient_ids: Iterable[int]) -> list[Case]:
    """The cases as the cohort needs them (db.cohort: three series, no diary)."""
    from db.cohort import cohort_rows
    from db.controls import load_references
    from db.queries import administrations_of

    controls, reference_set = load_references(engine)
    rows = cohort_rows(engine, patient_ids, CODES)
    obs = rows["observations"]
    obs["censor"] = obs["censor"].map({-1: "<", 1: ">"}).fillna("")
    obs["source"] = ""
    by_patient = {int(k): g for k, g in obs.groupby("patient_id", sort=False)}
    meds = {int(k): g for k, g in rows["medications"].groupby("patient_id", sort=False)}
    eps = {int(k): g for k, g in rows["episodes"].groupby("patient_id", sort=False)}
    # Doses recorded one by one set day 0 too (Case.day0): a case given anakinra only so
    # is alignable.
    given = {int(k): g.drop(columns="patient_id") for k, g in
             administrations_of(engine, list(rows["patients"]["id"])).groupby(
                 "patient_id", sort=False)}
    empty_obs = obs.iloc[0:0].drop(columns="patient_id")
    cases = []
    for p in rows["patients"].itertuples(index=False):
        pid = int(p.id)
        o = by_patient.get(pid)
        o = empty_obs if o is None else o.drop(columns="patient_id").reset_index(drop=True)
        cases.append(Case({"id": pid, "pseudonym": p.pseudonym, "diagnosis": p.diagnosis}, o,
                          meds.get(pid, rows["medications"].iloc[0:0]),
                          eps.get(pid, rows["episodes"].iloc[0:0]), controls, reference_set,
                          given.get(pid)))
    return cases


def read_diary_blocks(engine, cases: list[Case]) -> dict[int, pd.DataFrame]:
    """Each alignable case's complete AIDAI blocks, summed by the database."""
    from db.cohort import diary_blocks

    day0 = {c.id: int(anchor_of(c.day0, None).t) for c in cases if c.day0 is not None}
    sums = diary_blocks(engine, day0, list(AIDAI_CODES), BLOCK_DAYS * DAY)
    return {int(k): complete_blocks(g) for k, g in sums.groupby("patient_id", sort=False)}


def load_cohort(engine, patient_ids: Iterable[int]) -> Cohort:
    """Read the cases and their diaries' block sums, and align them."""
    cases = read_cases(engine, patient_ids)
    return build_cohort(cases, read_diary_blocks(engine, cases))
