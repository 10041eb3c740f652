"""Reviewer notes and the audit trail, as a table, worded as the History dialog words them
(data.audit_text)."""

from __future__ import annotations

import pandas as pd

from data.audit_text import change_lines, decoded, headline, suggestions_named
from data.case import Case
from data.summary.privacy import Privacy
from data.summary.tables import Column, Table


def note_written(audit: pd.DataFrame | None, episode_id: int,
                 note: str) -> tuple[float, str] | None:
    """When and by whom the episode's current note was written: the last audit row that
    set it. The episode's author is whoever created it, often not who typed the note."""
    if audit is None or not len(audit):
        return None
    rows = audit[(audit["entity"] == "episode") & (audit["entity_id"] == episode_id)]
    for r in reversed(list(rows.itertuples(index=False))):
        after = decoded(r.after)
        if "note" in after:
            return (float(r.at), str(r.actor)) if after["note"] == note else None
    return None


def notes_table(case: Case, audit: pd.DataFrame | None, privacy: Privacy) -> Table:
    cols = (Column("When" if not privacy.active else "Order"), Column("Who"), Column("What"), Column("Change", wrap=True))
    rows: list[tuple[float, int, tuple[str, ...]]] = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        note = privacy.note(r.note)
        if note:
            what = f"note on {privacy.vocab('kind', r.kind)}, onset {privacy.fmt.date(r.onset)}"
            at, author = note_written(audit, r.id, r.note) or (float(r.updated), r.author)
            rows.append((at, 0, (str(at), privacy.reviewer(author), what, note)))
    if audit is not None:
        suggested = suggestions_named(zip(audit["entity"], audit["entity_id"], audit["before"],
                                          audit["after"], strict=True))
        for i, r in enumerate(audit.itertuples(index=False), start=1):
            what = headline(r.action, r.entity, r.entity_id, r.after, privacy.value,
                            r.before, suggested)
            change = "; ".join(change_lines(r.action, r.entity, r.before, r.after,
                                            privacy.value, privacy.withheld, privacy.label))
            rows.append((float(r.at), i, (str(r.at), privacy.reviewer(r.actor), what, change)))
    rows.sort(key=lambda x: (x[0], x[1]))
    printed = [(privacy.audit_time(t, n), *cells[1:])
               for n, (t, _, cells) in enumerate(rows, start=1)]
    return Table("Reviewer notes and audit trail", cols, printed,
                 empty="no reviewer notes",
                 note=("Times are UTC." if not privacy.active else
                       "Rows in the order they were made; their times are withheld. "
                       "Reviewers and files are named by neutral labels."
                       + ("" if privacy.include_notes else
                          " Free-text notes are left out.")))
