"""Reviewer notes and the audit trail, as a table."""

from __future__ import annotations

import json

import pandas as pd

from data.case import Case
from data.episode_edit import last_day
from data.numbers import is_missing, shown
from data.patients import IDENTIFYING_KEYS
from data.summary.dates import DateFormat
from data.summary.scrub import Scrubber
from data.summary.tables import Column, Table


def notes_table(case: Case, fmt: DateFormat, audit: pd.DataFrame | None,
                scrub: Scrubber) -> Table:
    cols = (Column("When"), Column("Who"), Column("What"), Column("Note", wrap=True))
    rows: list[tuple[float, tuple[str, ...]]] = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        note = shown(r.note, "")
        if note:
            what = f"{r.kind}, onset {fmt.date(float(r.onset))}"
            rows.append((float(r.updated), (fmt.date(float(r.updated)), shown(r.author), what,
                                             scrub(note))))
    if audit is not None:
        for r in audit.itertuples(index=False):
            what = f"{r.action} {r.entity}" + ("" if is_missing(r.entity_id)
                                               else f" #{int(r.entity_id)}")
            withhold = IDENTIFYING_KEYS if scrub.active else ()
            rows.append((float(r.at), (fmt.date(float(r.at)), shown(r.actor), what,
                                       scrub(_audit_change(r.before, r.after, fmt, withhold)))))
    rows.sort(key=lambda x: x[0])
    return Table("Reviewer notes and audit trail", cols, [r for _, r in rows],
                 empty="no reviewer notes")


_TIME_KEYS = ("onset", "reviewed_at")
_SKIP_KEYS = {"created", "updated", "version", "patient_id", "id", "author", "note"}


def _audit_value(key: str, x: object, fmt: DateFormat) -> object:
    if x is None:
        return None
    if key == "end":  # stored exclusive: show the last day, as the episodes table does
        return fmt.date(last_day(float(x)))  # type: ignore[arg-type]
    if key in _TIME_KEYS:
        return fmt.date(float(x))  # type: ignore[arg-type]
    return x


def _audit_change(before: str | None, after: str | None, fmt: DateFormat,
                  withhold: tuple[str, ...] = ()) -> str:
    """The fields that changed, with times in the summary's own date format.

    A creation lists the new values, a deletion the values that were deleted. Fields in
    ``withhold`` are named without their values: an earlier name or pseudonym is not
    the current one, so the scrubber would not know to remove it.
    """
    b, a = _json(before), _json(after)
    parts = []
    for key in sorted((set(a) | set(b)) - _SKIP_KEYS):
        old, new = b.get(key), a.get(key)
        if old == new:
            continue
        old, new = _audit_value(key, old, fmt), _audit_value(key, new, fmt)
        if key in withhold:
            parts.append(f"{key} changed (withheld)")
        elif not b:
            parts.append(f"{key}: {new}")
        elif not a:
            parts.append(f"{key}: {old}")
        else:
            parts.append(f"{key}: {old} → {new}")
    return "; ".join(parts)


def _json(text: object) -> dict:
    if not isinstance(text, str) or not text:  # None, or NaN from a DataFrame
        return {}
    try:
        out = json.loads(text)
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}
