"""What a summary may print about a field: everything, or (de-identified) only what is known
to be safe.

A de-identified export is safe by construction, not by scrubbing: drugs print by their
vocabulary name (a known ATC code gives its drug, anything else is "other drug"), kinds,
severities and statuses only from their vocabularies, file and reviewer names as neutral
labels ("file 1", "reviewer A"), free-text notes only when the reviewer chose to include
them (then scrubbed), and audit rows in their order only, so no time of the review can
be set against day 0. Anything else is withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data.audit_text import field_label, moment_of, plain_value, when
from data.case import Case
from data.codes import DRUG_ATC, SPECIMEN_LABELS
from data.episode_edit import shown_end
from data.numbers import DASH, is_missing
from data.summary.dates import DateFormat
from data.summary.scrub import Scrubber
from db.episodes import CERTAINTIES, KINDS, ORIGINS, SEVERITIES, STATUSES

ROUTES = {"subcutaneous": "subcutaneous", "sc": "subcutaneous", "s.c.": "subcutaneous",
          "oral": "oral", "po": "oral", "per os": "oral", "intravenous": "intravenous",
          "iv": "intravenous", "i.v.": "intravenous", "intramuscular": "intramuscular",
          "im": "intramuscular"}
# Anakinra's ATC before 2008 (DOMAIN.md): old data may carry it.
ATC_NAMES = {atc: drug for drug, atc in DRUG_ATC.items()} | {"L04AA14": "anakinra"}
VOCABULARIES = {"kind": KINDS, "severity": SEVERITIES, "certainty": CERTAINTIES,
                "status": STATUSES, "origin": ORIGINS}
# Audit fields about a review action's own time: withheld when de-identified (a calendar
# time), printed as the History dialog prints them otherwise.
REVIEW_TIMES = frozenset({"created", "updated", "reviewed_at"})
REVIEWER_FIELDS = frozenset({"author", "actor", "reviewed_by"})
FILE_FIELDS = frozenset({"file", "source"})
# Numbers an import reports about itself; every other number (a birth year) is withheld.
COUNTS = frozenset({"observations_added", "observations_skipped", "medications_added",
                    "medications_closed", "medications_skipped", "weights_added",
                    "patients_created", "patients_updated"})
SHAPES = frozenset({"long", "wide", "patients", "dosing", "diary", "references"})
SAFE_FIELDS = frozenset({"onset", "end", "note", "drug", "shape",
                         *VOCABULARIES, *REVIEWER_FIELDS, *FILE_FIELDS, *COUNTS})
NOTE_WITHHELD = "(note withheld)"
WITHHELD = "(withheld)"
# A UCUM unit is short and made of these; anything else did not come from a vocabulary.
_UNIT = re.compile(r"[A-Za-zµμ°%/.\d{}\[\]^*-]{1,16}")


@dataclass
class Privacy:
    """How each kind of field prints; ``active`` is a de-identified export."""

    active: bool
    fmt: DateFormat
    scrub: Scrubber
    include_notes: bool = False
    _reviewers: dict[str, str] = field(default_factory=dict)
    _files: dict[str, str] = field(default_factory=dict)
    _drugs: dict[str, str] = field(default_factory=dict)
    _labs: dict[str, str] = field(default_factory=dict)

    # -- names ---------------------------------------------------------------------------
    def reviewer(self, name: Any) -> str:
        return self._neutral(name, self._reviewers, lambda n: "reviewer " + (
            chr(ord("A") + n) if n < 26 else str(n + 1)))

    def file(self, name: Any) -> str:
        return self._neutral(name, self._files, lambda n: f"file {n + 1}")

    def lab(self, name: Any) -> str:
        return self._neutral(name, self._labs, lambda n: f"lab {n + 1}")

    def _neutral(self, name: Any, labels: dict[str, str], make: Callable[[int], str]) -> str:
        """The same label for the same name (ignoring case), in order of appearance."""
        if is_missing(name):
            return DASH
        if not self.active:
            return str(name)
        key = str(name).strip().casefold()
        if key not in labels:
            labels[key] = make(len(labels))
        return labels[key]

    # -- vocabularies --------------------------------------------------------------------
    def drug(self, name: Any, atc: Any = None) -> str:
        if not self.active:
            return DASH if is_missing(name) else str(name)
        if not is_missing(atc) and str(atc).strip().upper() in ATC_NAMES:
            return ATC_NAMES[str(atc).strip().upper()]
        if not is_missing(name) and str(name).strip().lower() in DRUG_ATC:
            return str(name).strip().lower()
        # Two unknown drugs stay two ("other drug", "other drug 2"): merged, their doses
        # would add up on the timeline.
        return self._neutral("" if is_missing(name) else name, self._drugs,
                             lambda n: "other drug" + ("" if n == 0 else f" {n + 1}"))

    def atc(self, atc: Any) -> str:
        if is_missing(atc):
            return DASH
        if not self.active:
            return str(atc)
        code = str(atc).strip().upper()
        return code if code in ATC_NAMES else DASH

    def route(self, route: Any) -> str:
        if is_missing(route) or not self.active:
            return DASH if is_missing(route) else str(route)
        return ROUTES.get(str(route).strip().lower(), "other route")

    def vocab(self, name: str, value: Any) -> str:
        if is_missing(value):
            return DASH
        if not self.active:
            return str(value)
        return str(value) if str(value) in VOCABULARIES.get(name, ()) else f"other {name}"

    def unit(self, unit: Any) -> str:
        if is_missing(unit):
            return ""
        if not self.active or _UNIT.fullmatch(str(unit)):
            return str(unit)
        return "unit withheld"

    def specimen(self, specimen: Any) -> str:
        s = "" if is_missing(specimen) else str(specimen)
        if s in SPECIMEN_LABELS:
            return SPECIMEN_LABELS[s]
        return "other specimen" if self.active else s

    def text(self, value: Any) -> str:
        """Free text a reader needs (diagnosis, genotype): scrubbed when de-identified."""
        return DASH if is_missing(value) else self.scrub(str(value))

    def note(self, note: Any) -> str:
        """A reviewer's note: left out of a de-identified export unless chosen, then scrubbed."""
        if is_missing(note):
            return ""
        if not self.active:
            return str(note)
        return self.scrub(str(note)) if self.include_notes else NOTE_WITHHELD

    # -- times ---------------------------------------------------------------------------
    def audit_time(self, t: float, order: int) -> str:
        """When a review action happened: UTC to the second, or (de-identified) only its
        place in the trail. A time since the first action would still date day 0 for a
        reader who knows when any one action was made (an import of old records, the demo)."""
        return f"{when(t)} UTC" if not self.active else f"#{order}"

    # -- audit values --------------------------------------------------------------------
    _DATED = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")

    def label(self, name: str) -> str:
        """An audit field's name; de-identified, a date in it (a typed measurement's
        "PGA 2009-11-30T12:00") as its day N: the name printed the calendar date."""
        text = field_label(name)
        if not self.active:
            return text

        def relative(m: re.Match) -> str:
            t = pd.Timestamp(m.group(0).replace(" ", "T"), tz="UTC").timestamp()
            return self.fmt.date(t)

        return self._DATED.sub(relative, text)

    def withheld(self, name: str) -> bool:
        """A field printed by name only: de-identified, anything not known to be safe
        (an earlier name, a pseudonym, a birth year)."""
        return self.active and name not in SAFE_FIELDS

    def value(self, name: str, value: Any) -> str:
        """An audit row's field value (data.audit_text.ValueText)."""
        if not self.active:
            return plain_value(name, value)
        if is_missing(value):
            return DASH
        if name in ("onset", "end"):
            t = moment_of(value)
            if t is None:  # written outside Flarescope: never printed
                return WITHHELD
            return self.fmt.date(shown_end(t) if name == "end" else t)
        if name in REVIEW_TIMES:
            return plain_value(name, value)
        if name in VOCABULARIES:
            return self.vocab(name, value)
        if name in ("note", "reason"):  # a rejection's reason is free text too
            return self.note(value) or DASH
        if name in REVIEWER_FIELDS:
            return self.reviewer(value)
        if name in FILE_FIELDS:
            return self.file(value)
        if name == "drug":
            return self.drug(value)
        if name in COUNTS and isinstance(value, int | float):
            return plain_value(name, value)
        if name in COUNTS and isinstance(value, list):  # pseudonyms of other cases
            return str(len(value))
        if name == "shape" and str(value) in SHAPES:
            return str(value)
        return WITHHELD


def printable_case(case: Case, privacy: Privacy, label: str) -> Case:
    """The case as a de-identified PDF's timeline may draw it: only safe values in every
    field the drawing can show (drug names in legends, episode labels), nothing else."""
    if not privacy.active:
        return case
    m = case.medications.copy()
    if len(m):
        m["drug"] = [privacy.drug(d, a) for d, a in zip(m["drug"], m["atc"], strict=True)]
        m["atc"] = [privacy.atc(a) for a in m["atc"]]
        m["route"] = [privacy.route(r) for r in m["route"]]
        m["unit"] = [privacy.unit(u) for u in m["unit"]]
        if "source" in m:
            m["source"] = None
    ep = case.episodes.copy()
    if len(ep):
        for name in ("kind", "severity", "certainty", "status"):
            if name in ep:
                ep[name] = [None if is_missing(v) else privacy.vocab(name, v) for v in ep[name]]
        ep["note"] = [privacy.note(n) for n in ep["note"]]
        if "author" in ep:
            ep["author"] = [privacy.reviewer(a) for a in ep["author"]]
    obs = case.observations
    if len(obs) and "source" in obs:
        obs = obs.assign(source=pd.Categorical([""] * len(obs)))
    given = case.administrations
    if given is not None and len(given):  # they set day 0 and draw the dose by day
        given = given.assign(drug=[privacy.drug(d) for d in given["drug"]],
                             route=[privacy.route(r) for r in given["route"]],
                             unit=[privacy.unit(u) for u in given["unit"]])
    patient = {"id": case.patient.get("id"), "pseudonym": label}
    return Case(patient, obs, m, ep, case.controls, administrations=given)
