"""An audit row as a reader sees it: the History dialog and the PDF's audit trail.

One wording for both, so a change reads the same on screen and on paper: the time to the
second (UTC), the action ("changed", "changed (by undo)"), and every field that changed as
"severity: moderate → —" (a cleared value is a dash, never "None"). An import reads as a
clinician counts it ("import of lab.csv": "120 measurements, 2 medication periods"), never
by its internal field names. Values go through a ``ValueText`` so a de-identified export
can replace what is not known to be safe.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from data.episode_edit import shown_end
from data.numbers import DASH, fmt_number, is_missing
from db.audit_action import split_action

ACTIONS = {"create": "created", "update": "changed", "delete": "deleted",
           "restore": "restored", "review": "marked reviewed", "unreview": "review withdrawn",
           "import": "imported", "add": "added", "edit": "edited", "retire": "retired",
           "reset": "reset", "accept": "accepted", "reject": "rejected",
           "reopen": "reopened", "withdraw": "withdrawn",
           "evidence changed": "evidence changed"}
# Fields holding a moment; "end" is stored exclusive and shown as its last day.
TIME_FIELDS = frozenset({"onset", "end", "created", "updated", "reviewed_at"})
# What a created, restored or deleted episode is summed up by; the rest clutters.
EPISODE_FIELDS = ("kind", "onset", "end", "severity", "certainty", "status", "note")
# Bookkeeping every row carries; it says nothing a reader needs.
HIDDEN_FIELDS = frozenset({"version", "id", "patient_id", "created", "updated",
                           "review_version"})
# Every stored field as a reader names it, for every entity the trail records (episodes,
# patient details and identity, the review, control reference sets, a demo reset): no
# "birth_year" or "record_number" on screen or paper. A field missing here reads with its
# underscores as spaces.
FIELD_LABELS = {
    "onset_age": "age at onset", "birth_year": "birth year", "birth_date": "birth date",
    "record_number": "record number", "reviewed_by": "reviewed by",
    "reviewed_at": "reviewed on", "added": "references added",
    "retired": "references retired", "lab": "laboratory", "seed": "demo seed",
    "forced": "reset over reviewer work", "origin": "suggested by",
}


def field_label(field: str) -> str:
    """"birth year" for birth_year: the one way a field is named in an audit trail."""
    return FIELD_LABELS.get(field, field.replace("_", " "))

ValueText = Callable[[str, Any], str]


def when(t: float) -> str:
    """The moment of an audit row: UTC, to the second, so same-day changes keep their order."""
    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def plain_value(field: str, value: Any) -> str:
    """A stored value as it was typed: dates as UTC dates (a time only if not midnight)."""
    if is_missing(value):
        return DASH
    if field in TIME_FIELDS:
        t = float(value)
        if field == "end":
            t = shown_end(t)
        moment = dt.datetime.fromtimestamp(int(t), dt.UTC)
        return moment.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
    return str(value)


# What an import did, in the order a reader wants it: (field, one, many). Lists (the
# pseudonyms a patient file created) count by their length.
IMPORT_COUNTS = (
    ("observations_added", "measurement", "measurements"),
    ("medications_added", "medication period", "medication periods"),
    ("weights_added", "weight", "weights"),
    ("patients_created", "new case", "new cases"),
    ("patients_updated", "case updated", "cases updated"),
    ("medications_closed", "ongoing medication period ended", "ongoing medication periods ended"),
    ("observations_skipped", "measurement already stored", "measurements already stored"),
    ("medications_skipped", "medication period already stored",
     "medication periods already stored"),
)


def action_text(action: str) -> str:
    """"changed"; "changed (by undo)" for the change an undo or a redo wrote."""
    step, base = split_action(action)
    text = ACTIONS.get(base, base)
    return f"{text} (by {step})" if step else text


def headline(action: str, entity: str, entity_id: Any, after: Any,
             value: ValueText = plain_value) -> str:
    """What a row of the trail did to what: "changed episode #2 (by undo)", "import of
    lab.csv" (the file as ``value`` prints it: "file 1" when de-identified)."""
    if entity == "import":
        return f"import of {value('file', decoded(after).get('file'))}"
    step, base = split_action(action)
    text = f"{ACTIONS.get(base, base)} {subject(entity, entity_id)}"
    return f"{text} (by {step})" if step else text


ENTITY_LABELS = {"patient_identity": "patient identity",
                 "control_reference_set": "control reference set"}


def subject(entity: str, entity_id: Any) -> str:
    """What the row is about: "episode #2", "patient #5", "file"."""
    if entity == "import":
        return "file"
    name = ENTITY_LABELS.get(entity, entity.replace("_", " "))
    return name if is_missing(entity_id) else f"{name} #{int(entity_id)}"


def import_counts(after: Any) -> str:
    """An import's counts in words: "120 measurements, 2 medication periods, 3 measurements
    already stored"; "nothing new" when every row was there already."""
    values = decoded(after)
    parts = []
    for field, one, many in IMPORT_COUNTS:
        n = values.get(field)
        n = len(n) if isinstance(n, list) else n
        if isinstance(n, int | float) and not is_missing(n) and n:
            parts.append(f"{int(n)} {one if n == 1 else many}")
    return ", ".join(parts) or "nothing new"


def decoded(x: Any) -> dict[str, Any]:
    """before/after as a dict: the stored JSON text, an already decoded dict, or nothing."""
    if isinstance(x, dict):
        return x
    if not isinstance(x, str) or not x:  # None, or NaN from a DataFrame
        return {}
    try:
        out = json.loads(x)
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def change_lines(action: str, entity: str, before: Any, after: Any,
                 value: ValueText = plain_value,
                 withheld: Callable[[str], bool] = lambda _: False,
                 label: Callable[[str], str] = field_label) -> list[str]:
    """One line per field: "onset: 2024-03-03 → 2024-03-01" for a change, "kind: relapse"
    for what a creation set or a deletion removed; a field whose values are ``withheld``
    is named without them ("name changed (withheld)"). ``label`` names a field (a typed
    measurement's field holds its date: "PGA 2009-11-30T12:00")."""
    if entity == "import":
        return [import_counts(after)]
    b, a = decoded(before), decoded(after)
    if (not b) != (not a):  # a creation, a restore, a deletion
        values = a or b
        keys = (EPISODE_FIELDS if entity == "episode"
                else [k for k in values if k not in HIDDEN_FIELDS])
        return [f"{label(k)} (withheld)" if withheld(k)
                else f"{label(k)}: {_value(value, k, values.get(k))}" for k in keys]
    keys = [k for k in dict.fromkeys([*a, *b]) if k not in HIDDEN_FIELDS]
    lines = []
    for k in keys:
        if b.get(k) == a.get(k):
            continue
        if withheld(k):
            lines.append(f"{label(k)} changed (withheld)")
        elif k == "weights":
            lines += _weight_lines(b.get(k) or {}, a.get(k) or {})
        else:
            lines.append(f"{label(k)}: {_value(value, k, b.get(k))} → "
                         f"{_value(value, k, a.get(k))}")
    return lines


def _value(value: ValueText, field: str, x: Any) -> str:
    """A list (the references a set added or retired) reads as "#4, #5" or a count."""
    if isinstance(x, list):
        if not x:
            return DASH
        if all(isinstance(i, int) for i in x):
            return ", ".join(f"#{i}" for i in x)
        return ", ".join(value(field, i) for i in x)
    return value(field, x)


def _weight_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """A weight history change, one date a line: "weight 2026-03-15: — → 63.2 kg" (added),
    "… 61.5 kg → 62 kg" (corrected), "… 63.2 kg → —" (removed)."""
    def kg(x: Any) -> str:
        return DASH if is_missing(x) else f"{fmt_number(float(x))} kg"

    return [f"weight {day}: {kg(before.get(day))} → {kg(after.get(day))}"
            for day in sorted({*before, *after})]


def describe_change(action: str, entity: str, before: Any, after: Any,
                    value: ValueText = plain_value, sep: str = "\n") -> str:
    return sep.join(change_lines(action, entity, before, after, value))
