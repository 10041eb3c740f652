"""Reviewer notes and the audit trail, as a table, worded as the History dialog words them
(data.audit_text)."""

from __future__ import annotations

import pandas as pd

from data.audit_text import change_lines, headline
from data.case import Case
from data.summary.privacy import Privacy
from data.summary.tables import Column, Table


def notes_table(case: Case, audit: pd.DataFrame | None, privacy: Privacy) -> Table:
    cols = (Column("When" if not privacy.active else "Order"), Column("Who"), Column("What"), Column("Change", wrap=True))
    rows: list[tuple[float, int, tuple[str, ...]]] = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        note = privacy.note(r.note)
        if note:
            what = f"note on {privacy.vocab('kind', r.kind)}, onset {privacy.fmt.date(r.onset)}"
            rows.append((float(r.updated), 0, (str(r.updated), privacy.reviewer(r.author),
                                               what, note)))
    if audit is not None:
        for i, r in enumerate(audit.itertuples(index=False), start=1):
            what = headline(r.action, r.entity, r.entity_id, r.after, privacy.value)
            change = "; ".join(change_lines(r.action, r.entity, r.before, r.after,
                                            privacy.value, privacy.withheld))
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
