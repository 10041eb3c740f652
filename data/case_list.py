"""The case list as the browser and the `cases` command show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from db.queries import list_cases


@dataclass(frozen=True)
class CaseRow:
    id: int
    pseudonym: str
    diagnosis: str
    first: str
    last: str
    episodes: int
    reviewed: str

    @property
    def diagnosis_short(self) -> str:
        d = self.diagnosis
        return d if len(d) <= 48 else d[:47] + "…"


def _day(t) -> str:
    if t is None or t != t:  # NaN from an outer join
        return "—"
    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%d")


def case_list_rows(engine: Engine) -> list[CaseRow]:
    df = list_cases(engine)
    rows = []
    for r in df.itertuples(index=False):
        reviewed = "—"
        if r.reviewed_by:
            reviewed = f"{r.reviewed_by} {_day(r.reviewed_at)}"
        rows.append(CaseRow(int(r.id), r.pseudonym, r.diagnosis or "", _day(r.first_t),
                            _day(r.last_t), int(r.episodes), reviewed))
    return rows
