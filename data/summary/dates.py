"""Every date of a summary goes through one ``DateFormat``, so a de-identified summary cannot
leak a calendar date by accident."""

from __future__ import annotations

from dataclasses import dataclass

from data.alignment import Anchor
from data.case import Case
from data.numbers import DASH, is_missing, utc_date


@dataclass(frozen=True)
class DateFormat:
    """Calendar dates, or whole days from an anchor (day 0) for de-identified output."""

    relative: bool
    anchor: Anchor

    def date(self, t: float | None) -> str:
        if is_missing(t):
            return DASH
        if self.relative:
            return self.anchor.label(float(t))  # type: ignore[arg-type]
        return utc_date(t)


def date_format(case: Case, *, relative: bool) -> DateFormat:
    return DateFormat(relative, case.anchor)
