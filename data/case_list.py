"""The case list as the browser and the `cases` command show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from data.first_record import NOT_CLINICAL, first_record, last_record
from data.numbers import is_missing, shown, utc_date
from db.cases import case_rows


@dataclass(frozen=True)
class CaseRow:
    id: int
    pseudonym: str
    diagnosis: str  # as shown: the dash when none is recorded
    first: str  # the first record (data.first_record): day 0 of a case never on anakinra
    last: str  # the last record (data.first_record), of the same kinds
    episodes: int
    reviewed: str

    @property
    def diagnosis_short(self) -> str:
        d = self.diagnosis
        return d if len(d) <= 48 else d[:47] + "…"


def case_list_rows(engine: Engine) -> list[CaseRow]:
    rows = []
    for (cid, pseudonym, diagnosis, first_t, last_t, episodes, by, at, dose_start,
         first_given_t, last_dose_day, last_given_t) in case_rows(engine, NOT_CLINICAL):
        reviewed = "—" if is_missing(by) else f"{by} {utc_date(at)}"
        first = first_record(first_t, _midnight(dose_start), first_given_t)
        last = last_record(last_t, _midnight(last_dose_day), last_given_t)
        rows.append(CaseRow(int(cid), pseudonym, shown(diagnosis), utc_date(first),
                            utc_date(last), int(episodes), reviewed))
    return rows


def _midnight(day: dt.date | None) -> float | None:
    """A date's midnight (UTC) in epoch seconds."""
    if day is None:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
