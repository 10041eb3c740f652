"""The whole summary: header, key figures and tables, as strings, in one date format."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from data.audit_text import decoded
from data.case import DAY, Case, epoch
from data.dose_context import DEFAULT_DOSE_TIME
from data.numbers import is_missing
from data.patients import age_text, sex_text
from data.summary.administrations import administrations_table
from data.summary.agreement import agreement_tables
from data.summary.audit import notes_table
from data.summary.dates import date_format
from data.summary.figures import NEAR_NORMAL_FOLD, KeyFigure, key_figures
from data.summary.privacy import Privacy, printable_case
from data.summary.references import references_table
from data.summary.scrub import Scrubber, scrubber
from data.summary.tables import Table, aidai_table, cytokine_table, dosing_table, episodes_table

DEIDENTIFIED_FORM = ("de-identified by relative dates: days from day 0, no calendar date, "
                     "name, birth date or record number; not the HIPAA Safe Harbor method, "
                     "which keeps years only")
IDENTIFIED_FORM = "identifying: calendar dates and the patient's identity are shown"


@dataclass
class Summary:
    pseudonym: str
    title: str
    deidentified: bool
    header: list[tuple[str, str]]
    figures: list[KeyFigure]
    tables: list[Table]
    date_mode: str  # shown above the timeline: how to read its axis
    warnings: list[str] = field(default_factory=list)  # for the person exporting, not printed
    # What the timeline may draw: de-identified, only safe values (privacy.printable_case).
    case: Case | None = None

    def all_text(self) -> Iterable[str]:
        """Every string the summary holds, for de-identification checks."""
        yield from (self.pseudonym, self.title, self.date_mode)
        for k, v in self.header:
            yield from (k, v)
        for f in self.figures:
            yield from (f.name, f.value, f.definition, f.threshold)
        for t in self.tables:
            yield from (t.title, t.note, t.empty, *(c.name for c in t.columns))
            for row in t.rows:
                yield from row


def deidentified_label(case: Case, audit: pd.DataFrame | None = None) -> str:
    """The name a de-identified summary gives the case (its title, its file name)."""
    return _label(case, scrubber(case.patient, active=True,
                                 earlier=_earlier_identities(audit)))


def _label(case: Case, scrub: Scrubber) -> str:
    """The pseudonym, or "case N" when it holds an identifying field or a date."""
    return case.pseudonym if pseudonym_is_safe(case.pseudonym, scrub) else f"case {case.id}"


def build_summary(case: Case, *, deidentify: bool = False, reviewer: str | None = None,
                  audit: pd.DataFrame | None = None, generated_at: dt.datetime | None = None,
                  near_normal_fold: float = NEAR_NORMAL_FOLD,
                  include_notes: bool = False,
                  dose_time: float = DEFAULT_DOSE_TIME) -> Summary:
    """Everything the PDF prints, as strings, in the requested date format.

    De-identified, only fields known to be safe are printed (data.summary.privacy);
    include_notes adds the reviewers' free-text notes, scrubbed.
    """
    fmt = date_format(case, relative=deidentify)
    scrub = scrubber(case.patient, active=deidentify, earlier=_earlier_identities(audit))
    privacy = Privacy(deidentify, fmt, scrub, include_notes=include_notes)
    p = case.patient
    lo, hi = _period_covered(case)
    warnings: list[str] = []
    label = _label(case, scrub) if deidentify else case.pseudonym
    if label != case.pseudonym:
        warnings.append(f"The pseudonym contains an identifying field or a date: the "
                        f"de-identified summary names the case \"{label}\" instead.")
    header: list[tuple[str, str]] = [("Case", label)]
    if not deidentify:
        if p.get("name"):
            header.append(("Name", str(p["name"])))
        if p.get("birth_date"):
            header.append(("Born", str(p["birth_date"])))
        if p.get("record_number"):
            header.append(("Record", str(p["record_number"])))
    header += [
        ("Diagnosis", privacy.text(p.get("diagnosis"))),
        ("Genotype", privacy.text(p.get("genotype"))),
        ("Sex", sex_text(p.get("sex"))),
        ("Age at onset", age_text(p.get("onset_age"))),
        ("Reviewer", privacy.reviewer(reviewer or p.get("reviewed_by")) if
         reviewer or not is_missing(p.get("reviewed_by")) else "not assigned"),
        ("Review status", _review_status(p, privacy)),
        ("Period covered", f"{fmt.date(lo)} to {fmt.date(hi)}"
                           f" ({_days_between(lo, hi)} days)"),
        ("Day 0", "first anakinra dose" + ("" if deidentify or case.day0 is None
                                           else f", {fmt.date(case.day0)}")
         if case.day0 is not None else "no anakinra: days count from the first record"),
        ("Generated", "withheld in a de-identified export" if deidentify
         else (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")),
        # DOMAIN.md: say which form an export used; relative dates are not Safe Harbor.
        ("Privacy", DEIDENTIFIED_FORM if deidentify else IDENTIFIED_FORM),
    ]
    tables = [
        episodes_table(case, fmt, privacy),
        references_table(case, privacy),
        cytokine_table(case, fmt, privacy, dose_time=dose_time),
        dosing_table(case, fmt, privacy),
        *[t for t in (administrations_table(case, fmt, privacy),) if t is not None],
        aidai_table(case, fmt),
        *agreement_tables(case, fmt, privacy),
        notes_table(case, audit, privacy),
    ]
    # What the timeline shades is its own legend (gui.pdf.timeline_figure), drawn from the
    # bands it draws, with their colours.
    mode = (f"Times are days ({case.anchor.described})." if deidentify
            else "Times are calendar dates (UTC).")
    return Summary(
        pseudonym=label,
        title=f"Case summary {label}" + (" (de-identified)" if deidentify else ""),
        deidentified=deidentify,
        header=header,
        figures=key_figures(case, fmt, near_normal_fold=near_normal_fold),
        tables=tables,
        date_mode=mode,
        warnings=warnings,
        case=printable_case(case, privacy, label),
    )


def _earlier_identities(audit: pd.DataFrame | None) -> list[dict]:
    if audit is None or audit.empty:
        return []
    rows = audit[audit["entity"] == "patient_identity"]
    return [d for b, a in zip(rows["before"], rows["after"], strict=True)
            for d in (decoded(b), decoded(a)) if d]


def pseudonym_is_safe(pseudonym: str, scrub: Scrubber) -> bool:
    """No part of the patient's name, record number or birth date, and no date at all."""
    return Scrubber(True, scrub.patterns)(pseudonym) == pseudonym


def scrubbed_notes(case: Case, audit: pd.DataFrame | None = None) -> list[str]:
    """Every free-text note as a de-identified summary would print it, for the reviewer to
    read before choosing to include them."""
    scrub = scrubber(case.patient, active=True, earlier=_earlier_identities(audit))
    notes = [str(n) for n in case.episodes.get("note", []) if not is_missing(n)]
    if audit is not None:
        for before, after in zip(audit["before"], audit["after"], strict=True):
            for side in (decoded(before), decoded(after)):
                if not is_missing(side.get("note")) and str(side["note"]) not in notes:
                    notes.append(str(side["note"]))
    return [scrub(n) for n in notes]


def _period_covered(case: Case) -> tuple[float, float]:
    """The first and the last recorded date: a value, a medication start or end, a dose
    given (an administration record).

    Not ``Case.time_range``, which reaches one day past the last dose so the timeline
    can draw that day.
    """
    ts: list[float] = []
    if not case.observations.empty:
        t = case.observations["t"].to_numpy(dtype=float)
        ts += [float(t.min()), float(t.max())]
    m = case.medications
    if not m.empty:
        ts += [epoch(m["start"].min()), epoch(m["start"].max())]
        ends = m["end"].dropna()
        if len(ends):
            ts.append(epoch(ends.max()))
    given = case.administrations
    if given is not None and len(given):
        ts += [float(given["t"].min()), float(given["t"].max())]
    return (min(ts), max(ts)) if ts else case.time_range


def _days_between(lo: float, hi: float) -> int:
    """Calendar days from lo's day to hi's day, both counted."""
    return int(math.floor(hi / DAY) - math.floor(lo / DAY)) + 1


def _review_status(p: dict, privacy: Privacy) -> str:
    if is_missing(p.get("reviewed_by")):
        return "not reviewed"
    at = p.get("reviewed_at")
    # De-identified, a review's date is withheld: set against day 0 it would give day 0's.
    if privacy.active or is_missing(at):
        return "reviewed"
    return f"reviewed on {privacy.fmt.date(float(at))}"
