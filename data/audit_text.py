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
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from data.codes import ANALYTES, PGA, pga_text
from data.episode_edit import shown_end
from data.numbers import DASH, fmt_number, is_missing
from db.audit_action import split_action

ACTIONS = {"create": "created", "update": "changed", "delete": "deleted",
           "restore": "restored", "review": "marked reviewed", "unreview": "review withdrawn",
           "import": "imported", "add": "added", "edit": "edited", "retire": "retired",
           "reset": "reset", "accept": "accepted", "reject": "rejected",
           "reopen": "reopened", "withdraw": "withdrawn",
           "evidence changed": "evidence changed", "correct": "corrected",
           "keep": "decision kept for", "mark changed": "evidence marked changed for"}
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


# A moment an audit row may hold and a date can print: 0001-01-01 … 9999-12-31 UTC.
_FIRST_MOMENT, _LAST_MOMENT = -62_135_596_800, 253_402_300_799


def moment_of(value: Any) -> float | None:
    """The epoch seconds an audit field holds; None for anything else (text, inf, 1e400,
    a year past 9999: a row written outside Flarescope, printed as it stands or withheld)."""
    try:
        t = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return t if _FIRST_MOMENT <= t <= _LAST_MOMENT else None


def plain_value(field: str, value: Any) -> str:
    """A stored value as it was typed: dates as UTC dates (a time only if not midnight)."""
    if is_missing(value):
        return DASH
    if field in TIME_FIELDS:
        t = moment_of(value)
        if t is None:  # a row written outside Flarescope: as it stands
            return str(value)
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
    ("administrations_added", "dose given", "doses given"),
    ("weights_added", "weight", "weights"),
    ("patients_created", "new case", "new cases"),
    ("patients_updated", "case updated", "cases updated"),
    ("medications_closed", "ongoing medication period ended", "ongoing medication periods ended"),
    ("observations_corrected", "stored value corrected", "stored values corrected"),
    ("observations_skipped", "measurement already stored", "measurements already stored"),
    ("medications_skipped", "medication period already stored",
     "medication periods already stored"),
    ("administrations_skipped", "dose given already stored", "doses given already stored"),
)


def action_text(action: str) -> str:
    """"changed"; "changed (by undo)" for the change an undo or a redo wrote."""
    step, base = split_action(action)
    text = ACTIONS.get(base, base)
    return f"{text} (by {step})" if step else text


def headline(action: str, entity: str, entity_id: Any, after: Any,
             value: ValueText = plain_value, before: Any = None,
             suggested: Mapping[int, Suggested] | None = None) -> str:
    """What a row of the trail did to what: "changed episode #2 (by undo)", "import of
    lab.csv" (the file as ``value`` prints it: "file 1" when de-identified), "rejected
    suggested relapse, onset 2024-04-28", "recorded physician global, 2024-05-02 10:00".
    ``suggested``: each suggestion's kind and onset (``suggestions_named``), which its
    decision rows do not repeat."""
    if entity == "import":
        return f"import of {value('file', decoded(after).get('file'))}"
    step, base = split_action(action)
    if entity == "suggestion":
        # "suggested relapse, onset …" is what a creation did; a re-run's row names its
        # suggestion after the news ("evidence changed for suggested flare, …").
        named = _suggestion(entity_id, value, suggested)
        text = (named if base == "create" else
                f"evidence changed for {named}" if base == "evidence changed" else
                f"{ACTIONS.get(base, base)} {named}")
    elif entity == "measurement" and (typed := _typed(before, after)):
        code, t, _, _ = typed
        text = f"{TYPED_ACTIONS.get(base, base)} {_code_name(code)}, {value('onset', t)}"
    else:
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
    measurement's field holds its date: "PGA 2009-11-30T12:00"). A suggestion or a typed
    measurement reads as a clinician says it (``suggestion_lines``, "score: — → 3
    (moderate)")."""
    if entity == "import":
        return [import_counts(after)]
    if entity == "suggestion":
        return suggestion_lines(action, before, after, value)
    if entity == "measurement" and (typed := _typed(before, after)):
        code, _, was, now = typed
        return [f"{'score' if code == PGA else 'value'}: "
                f"{_measured(code, was)} → {_measured(code, now)}"]
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
        try:
            return DASH if is_missing(x) else f"{fmt_number(float(x))} kg"
        except (TypeError, ValueError):
            return str(x)

    # A weight history that is not a {date: kg} object was written outside Flarescope.
    before, after = (x if isinstance(x, dict) else {} for x in (before, after))
    return [f"weight {day}: {kg(before.get(day))} → {kg(after.get(day))}"
            for day in sorted({*before, *after})]


def describe_change(action: str, entity: str, before: Any, after: Any,
                    value: ValueText = plain_value, sep: str = "\n") -> str:
    return sep.join(change_lines(action, entity, before, after, value))


# -- suggested episodes and typed measurements --------------------------------------------
# A suggestion as the trail names it: (kind, onset), from the row that created it.
Suggested = tuple[str, float]
TYPED_ACTIONS = {"record": "recorded", "remove": "removed"}


def suggestions_named(rows: Iterable[tuple[str, Any, Any, Any]]) -> dict[int, Suggested]:
    """Each suggestion's kind and first onset from (entity, entity_id, before, after) audit
    rows: a decision row holds only what it changed, the creation holds the rest."""
    named: dict[int, Suggested] = {}
    for entity, entity_id, before, after in rows:
        if entity != "suggestion" or is_missing(entity_id) or int(entity_id) in named:
            continue
        values = decoded(after) or decoded(before)
        if isinstance(values.get("onset"), int | float) and values.get("kind"):
            named[int(entity_id)] = (str(values["kind"]), float(values["onset"]))
    return named


def _suggestion(entity_id: Any, value: ValueText,
                suggested: Mapping[int, Suggested] | None) -> str:
    """"suggested relapse, onset 2024-04-28" (day N when de-identified)."""
    known = None if is_missing(entity_id) else (suggested or {}).get(int(entity_id))
    if known is None:
        return subject("suggestion", entity_id)
    kind, onset = known
    return f"suggested {value('kind', kind)}, onset {value('onset', onset)}"


def suggestion_lines(action: str, before: Any, after: Any, value: ValueText) -> list[str]:
    """What a suggestion row did, never its stored JSON: the criteria behind a new one,
    the episode an accept made, a rejection's reason, the decision an undo took back,
    the evidence a re-run found."""
    _, base = split_action(action)
    b, a = decoded(before), decoded(after)
    if base == "create":
        return [f"by {_criteria(a.get('criteria'))} ({value('certainty', a.get('certainty'))})"]
    if base == "withdraw":
        return ["the criteria no longer find it"]
    if base == "keep":
        return ["its evidence changed since the decision; the reviewer keeps the decision"]
    if base == "accept":
        return [f"became episode #{a['episode_id']}" if a.get("episode_id") else "accepted"]
    if base == "reject":
        return [f"reason: {value('reason', a.get('reason'))}"]
    if base == "reopen":
        was = b.get("state")
        episode = b.get("episode_id")
        lines = [f"open again (was {was})" if was else "open again"]
        if episode:
            lines.append(f"episode #{episode} deleted")
        return lines
    lines = []
    if "evidence" in a:
        lines += [f"evidence now: {'; '.join(_evidence(a['evidence'], value)) or DASH}"]
    elif a.get("fingerprint") == "":
        lines.append("the criteria no longer find it")
    if "criteria" in a:
        lines.append(f"criteria now: {_criteria(a['criteria'])}")
    if "end" in a:
        lines.append(f"end: {value('end', b.get('end'))} → {value('end', a['end'])}")
    if a.get("changed"):
        lines.append("marked changed for the reviewer")
    return lines


def _listed(x: Any) -> list[Any]:
    """A stored JSON list (the criteria, the evidence), or an already decoded one."""
    if isinstance(x, str):
        try:
            x = json.loads(x)
        except ValueError:
            return []
    return x if isinstance(x, list) else []


def _criteria(x: Any) -> str:
    from data.relapse_criteria import BY_KEY  # the criteria's names live with their rules

    return ", ".join(BY_KEY[k].name if isinstance(k, str) and k in BY_KEY else str(k)
                     for k in _listed(x)) or DASH


def _evidence(x: Any, value: ValueText) -> list[str]:
    """"2024-05-02 10:00: CRP 62 mg/L, physician global 2 (mild)" per visit."""
    out = []
    for item in _listed(x):
        if not isinstance(item, dict) or not item.get("text"):
            continue
        samples = item.get("samples")
        times = [x["t"] for x in samples if isinstance(x, dict)
                 and isinstance(x.get("t"), int | float)] if isinstance(samples, list) else []
        out.append(f"{value('onset', min(times))}: {item['text']}" if times
                   else str(item["text"]))
    return out


def _typed(before: Any, after: Any) -> tuple[str, float, Any, Any] | None:
    """A typed measurement's row, {"PGA 2024-05-02T12:00": 3.0}, as (code, time, before,
    after); None for any other shape."""
    b, a = decoded(before), decoded(after)
    keys = list(dict.fromkeys([*b, *a]))
    if len(keys) != 1 or " " not in keys[0]:
        return None
    code, _, moment = keys[0].partition(" ")
    try:
        t = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None
    return code, t, b.get(keys[0]), a.get(keys[0])


def _code_name(code: str) -> str:
    analyte = ANALYTES.get(code)
    return analyte.label.lower() if analyte else code


def _measured(code: str, x: Any) -> str:
    if is_missing(x):
        return DASH
    if not isinstance(x, int | float):  # a row written outside Flarescope: as it stands
        return str(x)
    return pga_text(float(x)) if code == PGA else fmt_number(float(x))
