"""The case list as the browser and the `cases` command show it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from data.numbers import is_missing, shown, utc_date
from db.cases import case_rows


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
    rows = []
    for cid, pseudonym, diagnosis, first_t, last_t, episodes, by, at in case_rows(engine):
        reviewed = "—" if is_missing(by) else f"{by} {utc_date(at)}"
        rows.append(CaseRow(int(cid), pseudonym, shown(diagnosis), utc_date(first_t),
                            utc_date(last_t), int(episodes), reviewed))
    return rows
