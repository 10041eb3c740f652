"""The case list as the browser and the `cases` command show it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from data.numbers import is_missing, shown, utc_date
from db.queries import list_cases


@dataclass(frozen=True)
class CaseRow:
    id: int
    pseudonym: str
    diagnosis: str  # as shown: the dash when none is recorded
    first: str
    last: str
    episodes: int
    reviewed: str

    @property
    def diagnosis_short(self) -> str:
        d = self.diagnosis
        return d if len(d) <= 48 else d[:47] + "…"


def case_list_rows(engine: Engine) -> list[CaseRow]:
    df = list_cases(engine)
    rows = []
    for r in df.itertuples(index=False):
        reviewed = "—"
        if not is_missing(r.reviewed_by):
            reviewed = f"{r.reviewed_by} {utc_date(r.reviewed_at)}"
        rows.append(CaseRow(int(r.id), r.pseudonym, shown(r.diagnosis), utc_date(r.first_t),
                            utc_date(r.last_t), int(r.episodes), reviewed))
    return rows
