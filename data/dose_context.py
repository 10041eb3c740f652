"""Dose-aware samples: for every measurement, the anakinra administration before it and the
regimen then (issue 14, item 1).

Anakinra's half-life is 4–6 h, so what a cytokine means depends on how long ago the last
dose was: "20 h after 100 mg" and "3 days into an interruption" are different samples.

Dosing is stored as periods of a constant daily dose (dates, both inclusive). A period
gives one administration per UTC calendar day at the usual dosing time (a setting,
default 08:00): such a time is assumed, and marked so (``assumed``; "≈" in the text).
Administrations recorded one by one, with their time, replace the assumed ones on their
days. As DOMAIN.md says for day 0, a sample dated on the first day of treatment was drawn
before the first injection unless that injection was recorded with a time and the sample
came after it.

A file that gives a sample's date without a time of day stores it at 00:00 UTC, and the
importer keeps no other mark, so a sample at exactly midnight is taken as dated only
(``date_only``): it gets whole days since the last dose, never an hour count, which would
be invented.

Everything is computed for all samples at once (``np.searchsorted``): a ten-year case has
thousands of dosing days and samples, and a Python loop per row would be felt on hover.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.alignment import DAY, Anchor, treatment_start
from data.case import Case, epoch, is_per_kg
from data.codes import ANAKINRA
from data.numbers import fmt_number

DEFAULT_DOSE_TIME = 8 * 3600  # seconds after midnight UTC: the usual dosing time, 08:00
OFF_DRUG_HOURS = 24.0  # beyond this since the last dose a sample is possibly off-drug

# What a sample's moment was, relative to anakinra.
NO_ANAKINRA = "no anakinra"
BEFORE = "before anakinra"
ON = "on anakinra"
INTERRUPTED = "interrupted"
STOPPED = "stopped"


def parse_clock(text: str) -> float | None:
    """"08:00" or "20:30" as seconds after midnight; None unless a time of day."""
    hours, sep, minutes = str(text).strip().partition(":")
    if not sep or not hours.isdigit() or not (minutes.isdigit() and len(minutes) == 2):
        return None
    h, m = int(hours), int(minutes)
    return float(h * 3600 + m * 60) if h < 24 and m < 60 else None


def is_date_only(t: np.ndarray | float) -> np.ndarray | bool:
    """A time at exactly 00:00 UTC: a sample dated without a time of day."""
    return np.asarray(t, dtype=float) % DAY == 0


@dataclass(frozen=True)
class Administrations:
    """Every anakinra administration of a case, sorted by time."""

    t: np.ndarray  # epoch seconds
    dose: np.ndarray  # as recorded, in ``unit``
    per_kg: np.ndarray  # bool: the dose is in mg/kg/d
    assumed: np.ndarray  # bool: the time is the usual dosing time, not recorded

    def __len__(self) -> int:
        return int(self.t.size)


def administrations(case: Case, *, dose_time: float = DEFAULT_DOSE_TIME,
                    recorded: pd.DataFrame | None = None, until: float | None = None
                    ) -> Administrations:
    """One administration per day of each anakinra period at dose_time, unless recorded.

    recorded: individual administrations (columns ``t``, ``dose``, ``unit``); on each UTC
    day they cover they replace the period's assumed one (dose_context passes the case's
    imported ones, ``Case.recorded_doses``). An open period runs to ``until``
    (default: the end of the case).
    """
    periods = case.drug_periods(ANAKINRA)
    end_of_case = case.time_range[1] if until is None else until
    parts_t, parts_dose, parts_kg = [], [], []
    for start, end, dose, unit in zip(periods["start"], periods["end"], periods["dose"],
                                      periods["unit"], strict=True) if len(periods) else ():
        first = epoch(start)
        last = epoch(end) if not pd.isna(end) else np.floor(end_of_case / DAY) * DAY
        days = np.arange(first, last + DAY / 2, DAY)
        parts_t.append(days + dose_time)
        parts_dose.append(np.full(days.size, np.nan if pd.isna(dose) else float(dose)))
        parts_kg.append(np.full(days.size, is_per_kg(unit)))
    t = np.concatenate(parts_t) if parts_t else np.array([], dtype=float)
    dose = np.concatenate(parts_dose) if parts_dose else np.array([], dtype=float)
    per_kg = np.concatenate(parts_kg) if parts_kg else np.array([], dtype=bool)
    assumed = np.ones(t.size, dtype=bool)
    if recorded is not None and len(recorded):
        rt = recorded["t"].to_numpy(dtype=float)
        keep = ~np.isin(np.floor(t / DAY), np.floor(rt / DAY))
        t = np.concatenate([t[keep], rt])
        dose = np.concatenate([dose[keep], recorded["dose"].to_numpy(dtype=float)])
        per_kg = np.concatenate([per_kg[keep],
                                 np.array([is_per_kg(u) for u in recorded["unit"]], dtype=bool)])
        assumed = np.concatenate([assumed[keep], np.zeros(rt.size, dtype=bool)])
    order = np.argsort(t, kind="stable")
    return Administrations(t[order], dose[order], per_kg[order], assumed[order])


@dataclass(frozen=True)
class DoseContext:
    """Arrays aligned with the sample times asked for; NaN where there is no last dose."""

    t: np.ndarray  # the samples' times
    state: np.ndarray  # NO_ANAKINRA, BEFORE, ON, INTERRUPTED or STOPPED
    last_dose_t: np.ndarray  # the last administration at or before the sample
    hours_since: np.ndarray
    dose_mg: np.ndarray  # that administration, in mg (NaN: per kg without a weight)
    dose_per_kg: np.ndarray  # in mg/kg/d (NaN without a weight)
    per_kg: np.ndarray  # bool: the regimen was prescribed per kg
    assumed: np.ndarray  # bool: the last dose's time is the usual time, not recorded
    since: np.ndarray  # midnight starting the interruption or the stop (NaN otherwise)
    off_drug: np.ndarray  # bool: (possibly) more than OFF_DRUG_HOURS after the last dose
    date_only: np.ndarray  # bool: no time of day recorded (hours_since is NaN)
    days_since: np.ndarray  # calendar days from the last dose's day to the sample's

    def __len__(self) -> int:
        return int(self.t.size)

    def frame(self) -> pd.DataFrame:
        """The arrays as columns, for tests and the command line."""
        return pd.DataFrame({k: getattr(self, k) for k in self.__dataclass_fields__})


def dose_context(case: Case, t: np.ndarray | pd.Series, *,
                 dose_time: float = DEFAULT_DOSE_TIME,
                 recorded: pd.DataFrame | None = None) -> DoseContext:
    """The dose context of every sample time in t (any order)."""
    t = np.asarray(t, dtype=float)
    until = max(case.time_range[1], float(t.max()) if t.size else 0.0)
    if recorded is None:  # the same for every series of the case: computed once
        # The case's own record of each injection, where one was imported.
        adm = case.derived(("administrations", dose_time, until), lambda: administrations(
            case, dose_time=dose_time, recorded=case.recorded_doses(ANAKINRA), until=until))
    else:
        adm = administrations(case, dose_time=dose_time, recorded=recorded, until=until)
    n = t.size
    if len(adm) == 0:
        nan = np.full(n, np.nan)
        no = np.zeros(n, dtype=bool)
        return DoseContext(t, np.full(n, NO_ANAKINRA, dtype=object), nan, nan, nan, nan,
                           no, no, nan, no, is_date_only(t), nan)
    i = np.searchsorted(adm.t, t, side="right") - 1
    sample_day = np.floor(t / DAY)
    # Before the first injection, as the key figures count it: a sample dated day 0 unless
    # that injection was recorded with its time and the sample came after it.
    i = np.where(t < treatment_start(adm.t[0], not adm.assumed[0]), -1, i)
    has = i >= 0
    j = np.where(has, i, 0)
    last_t = np.where(has, adm.t[j], np.nan)
    hours = (t - last_t) / 3600.0
    dose = np.where(has, adm.dose[j], np.nan)
    per_kg = has & adm.per_kg[j]
    weight = case.weight_at(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        mg = np.where(per_kg, dose * weight, dose)
        mg_kg = np.where(per_kg, dose, dose / weight)
    dosing_days = np.unique(np.floor(adm.t / DAY))
    dosing_today = np.isin(sample_day, dosing_days)
    later = i < len(adm) - 1
    state = np.full(n, ON, dtype=object)
    state[~has] = BEFORE
    gap = has & ~dosing_today
    state[gap & later] = INTERRUPTED
    state[gap & ~later] = STOPPED
    since = np.where(gap, np.floor(last_t / DAY) * DAY + DAY, np.nan)
    days = np.where(has, sample_day - np.floor(last_t / DAY), np.nan)
    date_only = is_date_only(t)
    # Dated only: the sample may have been drawn at any time of its day before the next
    # dose, so it is possibly off-drug if the latest such time is.
    next_t = np.where(i + 1 < len(adm), adm.t[np.minimum(i + 1, len(adm) - 1)], np.inf)
    latest = np.minimum(t + DAY, next_t)
    off_drug = has & np.where(date_only, (latest - last_t) / 3600.0 > OFF_DRUG_HOURS,
                              hours > OFF_DRUG_HOURS)
    hours = np.where(date_only, np.nan, hours)
    return DoseContext(t, state, last_t, hours, mg, mg_kg, per_kg,
                       has & adm.assumed[j], since, off_drug, date_only, days)


def _elapsed(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} d"


def _regimen(ctx: DoseContext, k: int) -> str:
    """"100 mg (1.8 mg/kg/d)" or, prescribed per kg, "2 mg/kg/d (36 mg)"."""
    mg, kg = ctx.dose_mg[k], ctx.dose_per_kg[k]
    mg_text = f"{fmt_number(mg)} mg" if np.isfinite(mg) else ""
    kg_text = f"{fmt_number(kg)} mg/kg/d" if np.isfinite(kg) else ""
    first, second = (kg_text, mg_text) if ctx.per_kg[k] else (mg_text, kg_text)
    if not first:
        return "an unrecorded dose"
    return f"{first} ({second})" if second else first


def sample_text(ctx: DoseContext, k: int, anchor: Anchor, *, with_day: bool = True,
                clock_free: bool = False) -> str:
    """One sample's dose context in words: "≈20 h after 100 mg (1.8 mg/kg/d), day +143".

    "≈" marks a time since dose computed from the usual dosing time, not a recorded one.
    with_day adds the sample's own day, as the readout and the point show it (a table
    with a date column leaves it out). clock_free (a de-identified summary): no hours,
    only what matters clinically, "within 24 h of 100 mg" or "> 24 h after 100 mg:
    possibly off-drug"; hours since a dose at a known time of day give every sample's
    clock time back.
    """
    state = ctx.state[k]
    day = f", {anchor.label(float(ctx.t[k]))}" if with_day else ""
    if state == NO_ANAKINRA:
        return "no anakinra recorded"
    if state == BEFORE:
        return f"before anakinra{day}"
    flag = ", possibly off-drug" if ctx.off_drug[k] else ""
    if ctx.date_only[k]:  # no clock time to give away
        if state == ON:
            return f"on a dosing day (time not recorded), {_regimen(ctx, k)}{day}{flag}"
        n = int(ctx.days_since[k])
        after = f"{n} day{'s' if n != 1 else ''} after the last dose, {_regimen(ctx, k)}"
    elif clock_free:
        after = (f"> {OFF_DRUG_HOURS:.0f} h after {_regimen(ctx, k)}: possibly off-drug"
                 if ctx.off_drug[k] else
                 f"within {OFF_DRUG_HOURS:.0f} h of {_regimen(ctx, k)}")
        flag = ""
    else:
        approx = "≈" if ctx.assumed[k] else ""
        after = f"{approx}{_elapsed(float(ctx.hours_since[k]))} after {_regimen(ctx, k)}"
    if state == ON:
        return f"{after}{day}{flag}"
    since = anchor.label(float(ctx.since[k]))
    word = "interrupted" if state == INTERRUPTED else "stopped"
    return f"anakinra {word} since {since}: {after}{flag}"


def texts(ctx: DoseContext, anchor: Anchor, *, with_day: bool = True,
          clock_free: bool = False) -> list[str]:
    """Every sample's text, for a table (a few hundred rows at most)."""
    return [sample_text(ctx, k, anchor, with_day=with_day, clock_free=clock_free)
            for k in range(len(ctx))]
