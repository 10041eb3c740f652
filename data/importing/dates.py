"""Dates and times as written in files, to UTC epoch seconds.

Accepted: ISO (2026-11-24, 2026-11-24T08:30, 2026-11-24 08:30:00+01:00) and day-first
(24/11/2026, 24.11.2026, 24-11-2026, optionally followed by 08:30 or 8h30). A date
without a time is midnight UTC; a time without a zone is UTC. Month-first US dates are
not accepted: 11/24/2026 is reported as an impossible date, never silently swapped.

Files repeat the same dates many times, so only the distinct strings are parsed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.alignment import DAY

EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
FIRST_YEAR, LAST_YEAR = 1900, 2100

_ISO = (r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
        r"(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_DAY_FIRST = (r"^(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4})"
              r"(?:[ T]+(?P<hour>\d{1,2})[:hH](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$")
_TIME = r"^(?P<hour>\d{1,2})[:hH](?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?$"

NOT_A_DATE = "not a date (write YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM)"
IMPOSSIBLE = "impossible date"
MONTH_FIRST = (IMPOSSIBLE + " (day/month/year expected: {month} is not a month; "
               "month-first dates are not read)")
EMPTY = "no date"
NOT_A_TIME = "not a time of day (write HH:MM)"


@dataclass
class Parsed:
    """Epoch seconds per row; ``reason`` is '' where the row parsed."""

    t: np.ndarray  # int64
    reason: np.ndarray  # object: '' or why the row is bad

    @property
    def bad(self) -> np.ndarray:
        return self.reason != ""


def _components(found: pd.DataFrame) -> pd.Series:
    parts = found.fillna("0").astype(int)
    return pd.to_datetime(parts[["year", "month", "day", "hour", "minute", "second"]],
                          errors="coerce", utc=True)


def _explain_month_first(found: pd.DataFrame, reason: np.ndarray, rows: np.ndarray) -> None:
    """08/13/2009 is most likely a US export: say which part we read as the month."""
    day = found["day"].astype(int).to_numpy()
    month = found["month"].astype(int).to_numpy()
    swapped = (month > 12) & (day >= 1) & (day <= 12)
    for row, m in zip(rows[swapped], month[swapped], strict=True):
        reason[row] = MONTH_FIRST.format(month=m)


def _parse_unique(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds and reasons for distinct, stripped strings."""
    n = len(texts)
    stamps = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us, UTC]")
    reason = np.full(n, "", dtype=object)
    iso = texts.str.match(_ISO).to_numpy(dtype=bool)
    if iso.any():
        stamps[iso] = pd.to_datetime(texts[iso], format="ISO8601", utc=True, errors="coerce")
    rest = ~iso
    if rest.any():
        found = texts[rest].str.extract(_DAY_FIRST)
        matched = found["day"].notna().to_numpy()
        sub = np.flatnonzero(rest)
        reason[sub[~matched]] = NOT_A_DATE
        if matched.any():
            stamps.iloc[sub[matched]] = _components(found[matched]).to_numpy()
            _explain_month_first(found[matched], reason, sub[matched])
    empty = (texts == "").to_numpy()
    reason[empty] = EMPTY
    missing = stamps.isna().to_numpy() & (reason == "")  # a month-first hint is kept
    reason[missing] = IMPOSSIBLE
    years = stamps.dt.year.to_numpy(dtype=float, na_value=np.nan)
    out_of_range = ~np.isnan(years) & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    reason[out_of_range] = f"implausible year (accepted {FIRST_YEAR}–{LAST_YEAR})"
    ok = reason == ""
    seconds = np.zeros(n, dtype=np.int64)
    seconds[ok] = ((stamps[ok] - EPOCH) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    return seconds, reason


def parse_dates(column: pd.Series) -> Parsed:
    """Parse a column of date or date-time strings."""
    codes, uniques = pd.factorize(column, sort=False)
    texts = pd.Series(uniques, dtype=str).str.strip()
    seconds, reason = _parse_unique(texts)
    if (codes < 0).any():  # NaN cells: treat as empty
        seconds, reason = np.append(seconds, 0), np.append(reason, EMPTY)
    return Parsed(seconds[codes], reason[codes])


def parse_times_of_day(column: pd.Series) -> Parsed:
    """Seconds since midnight for a separate time column; empty cells are midnight."""
    codes, uniques = pd.factorize(column, sort=False)
    texts = pd.Series(uniques, dtype=str).str.strip()
    found = texts.str.extract(_TIME)
    matched = found["hour"].notna().to_numpy()
    parts = found.fillna("0").astype(int)
    seconds = (parts["hour"] * 3600 + parts["minute"] * 60 + parts["second"]).to_numpy()
    valid = matched & (parts["hour"] < 24).to_numpy() & (parts["minute"] < 60).to_numpy() \
        & (parts["second"] < 60).to_numpy()
    empty = (texts == "").to_numpy()
    reason = np.where(valid | empty, "", NOT_A_TIME).astype(object)
    seconds = np.where(valid, seconds, 0).astype(np.int64)
    return Parsed(seconds[codes], reason[codes])


def combine(dates: Parsed, times: Parsed) -> Parsed:
    """A date column plus a time column; a date that already carries a time must not get
    another."""
    reason = np.where(dates.bad, dates.reason, times.reason).astype(object)
    twice = ~dates.bad & (dates.t % DAY != 0) & (times.t != 0)
    reason[twice & (reason == "")] = "the date already has a time and the time column gives another"
    return Parsed(dates.t + times.t, reason)
