"""The content of a case summary: key figures with their definitions, and the tables.

Qt-free so that the PDF, the screen and the command line state the same numbers.
Every figure carries the definition and threshold it used (DOMAIN.md, "Key figures of
a case, defined") so a reader can recompute it by hand. Every date goes through one
``DateFormat`` so a de-identified summary cannot leak a calendar date by accident.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from data.case import DAY, Case, epoch
from data.codes import (
    AIDAI_ACTIVE_THRESHOLD,
    AIDAI_CODES,
    CYTOKINES,
    PBMC_SPONTANEOUS,
    SPECIMEN_LABELS,
    label,
)
from data.episode_edit import last_day
from data.numbers import DASH, fmt_number, is_missing, shown, utc_date
from data.patients import sex_text

NEAR_NORMAL_FOLD = 2.0
BASELINE_DAYS = 90
TNF_NEAREST_DAYS = 14


# -- values ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """A value that may be a detection limit: censor is '', '<' or '>'."""

    value: float
    censor: str = ""

    def text(self) -> str:
        return f"{self.censor}{fmt_number(self.value)}"

    def scaled(self, factor: float) -> Measure:
        return Measure(self.value * factor, self.censor)


def _censor(c: object) -> str:
    # '<'/'>' in DataFrames; -1/+1 is how the database may store the same fact.
    if isinstance(c, int | np.integer):
        return {-1: "<", 1: ">"}.get(int(c), "")
    s = "" if c is None or (isinstance(c, float) and math.isnan(c)) else str(c)
    return s if s in ("<", ">") else ""


def _rank(m: Measure) -> tuple[float, int]:
    # "<5" sorts just below 5 and ">5" just above: the limit is a bound, not a value.
    return (m.value, {"<": 0, "": 1, ">": 2}[m.censor])


def median_range(values: list[Measure]) -> tuple[float, float] | None:
    """The lowest and highest the median can be, given what the censored values allow.

    A value "<L" lies anywhere below L and ">L" anywhere above L: the median is computed
    with every "<" at -inf and every ">" at L, then with every "<" at L and every ">" at
    +inf. Equal ends mean the median is known; otherwise it lies between them.
    """
    if not values:
        return None
    low = [-math.inf if m.censor == "<" else m.value for m in values]
    high = [math.inf if m.censor == ">" else m.value for m in values]
    return _middle(low), _middle(high)


def _middle(xs: list[float]) -> float:
    ordered = sorted(xs)
    n = len(ordered)
    mid = ordered[(n - 1) // 2 : n // 2 + 1]
    if any(math.isinf(x) for x in mid):
        signs = {x > 0 for x in mid if math.isinf(x)}
        return math.nan if len(signs) > 1 else (math.inf if signs == {True} else -math.inf)
    return float(np.mean(mid))


def median_measure(values: list[Measure]) -> Measure | None:
    """The median, a bound ("<8") when censored values leave it open on one side only.

    None when there are no values, or when the median is not computable: censored values
    rank at or across the middle so that it may lie anywhere between two measured values
    (``[<100, 10, 20]``: between 10 and 20), see ``median_range``.
    """
    r = median_range(values)
    if r is None:
        return None
    lo, hi = r
    if math.isnan(lo) or math.isnan(hi):
        return None
    if lo == hi:
        return Measure(lo)
    if math.isinf(lo) and not math.isinf(hi):
        return Measure(hi, "<")
    if math.isinf(hi) and not math.isinf(lo):
        return Measure(lo, ">")
    return None


def ratio_measure(num: Measure, den: Measure) -> Measure | None:
    """num ÷ den as a bound when either is censored; None when it cannot be bounded."""
    if den.value <= 0:
        return None
    r = num.value / den.value
    if not num.censor and not den.censor:
        return Measure(r)
    if num.censor in ("", ">") and den.censor in ("", "<"):
        return Measure(r, ">")
    if num.censor in ("", "<") and den.censor in ("", ">"):
        return Measure(r, "<")
    return None


# -- dates -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DateFormat:
    """Calendar dates, or whole days from an anchor (day 0) for de-identified output."""

    relative: bool
    anchor: float  # epoch seconds of day 0 (midnight UTC)

    def day(self, t: float) -> int:
        return int(math.floor((float(t) - self.anchor) / DAY))

    def date(self, t: float | None) -> str:
        if t is None or (isinstance(t, float) and math.isnan(t)):
            return DASH
        if self.relative:
            return f"day {self.day(t)}"
        return utc_date(t)

    def month(self, period: pd.Period) -> str:
        if not self.relative:
            return str(period)
        start = epoch(period.start_time)
        end = epoch(period.end_time.normalize())
        return f"day {self.day(start)} to {self.day(end)}"


def date_format(case: Case, *, relative: bool) -> DateFormat:
    anchor = case.day0 if case.day0 is not None else math.floor(case.time_range[0] / DAY) * DAY
    return DateFormat(relative, float(anchor))


# -- key figures -----------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFigure:
    name: str
    value: str  # what the reader sees, e.g. "1524.3 pg/mL (127× controls)"
    definition: str  # how it was computed, with the specimen and window used
    threshold: str = ""  # the setting it depends on, if any
    number: float | None = None  # the main number, for tests and later use
    day: int | None = None


def pick_specimen(case: Case, code: str) -> str | None:
    """PBMC spontaneous secretion when there is a choice, else the most measured one."""
    specimens = case.specimens(code)
    if not specimens:
        return None
    if PBMC_SPONTANEOUS in specimens:
        return PBMC_SPONTANEOUS
    s = case.series(code)
    return str(s["specimen"].value_counts().idxmax())


def _measures(df: pd.DataFrame) -> list[tuple[float, Measure]]:
    return [(float(t), Measure(float(v), _censor(c)))
            for t, v, c in zip(df["t"], df["value"], df["censor"], strict=True)]


def _treatment_window(case: Case) -> tuple[float, float] | None:
    if case.day0 is None:
        return None
    end = case.last_dose + DAY if case.last_dose is not None else case.time_range[1] + 1
    return (case.day0, end)


def _specimen_text(specimen: str | None) -> str:
    return SPECIMEN_LABELS.get(specimen or "", specimen or "")


def _fold_text(m: Measure, mean: float | None) -> str:
    return f"{m.scaled(1 / mean).text()}× controls" if mean else "no control mean"


def _with_unit(m: Measure, unit: str) -> str:
    return f"{m.text()} {unit}".strip()


@dataclass
class _Il1b:
    specimen: str | None
    unit: str
    mean: float | None
    on_treatment: list[tuple[float, Measure]]
    before: list[tuple[float, Measure]]


def _il1b(case: Case) -> _Il1b:
    spec = pick_specimen(case, "IL1B")
    rows = _measures(case.series("IL1B", spec)) if spec is not None else []
    unit = str(case.series("IL1B", spec)["unit"].iloc[0]) if rows else "pg/mL"
    mean = case.control_mean("IL1B", spec) if spec is not None else None
    win = _treatment_window(case)
    on = [r for r in rows if win and win[0] <= r[0] < win[1]]
    before = []
    if case.day0 is not None:
        before = [r for r in rows if case.day0 - BASELINE_DAYS * DAY <= r[0] < case.day0]
    return _Il1b(spec, unit, mean, on, before)


def baseline_il1b(case: Case) -> KeyFigure:
    x = _il1b(case)
    definition = (f"Median of IL-1β ({_specimen_text(x.specimen)}) measured in the "
                  f"{BASELINE_DAYS} days before day 0 (first anakinra dose); fold = "
                  f"baseline ÷ healthy-control mean"
                  + (f" ({fmt_number(x.mean)} {x.unit})." if x.mean else "."))
    values = [m for _, m in x.before]
    med = median_measure(values)
    if not values:
        why = "no anakinra" if case.day0 is None else f"no IL-1β in the {BASELINE_DAYS} days before day 0"
        return KeyFigure("Baseline IL-1β", f"not available ({why})", definition)
    if med is None:
        return KeyFigure("Baseline IL-1β", _median_unknown(values, x.unit), definition)
    value = f"{_with_unit(med, x.unit)} ({_fold_text(med, x.mean)}; n = {len(x.before)})"
    return KeyFigure("Baseline IL-1β", value, definition, number=med.value)


def _median_unknown(values: list[Measure], unit: str) -> str:
    lo, hi = median_range(values)  # type: ignore[misc]
    where = ("" if not (math.isfinite(lo) and math.isfinite(hi))
             else f": between {fmt_number(lo)} and {fmt_number(hi)} {unit}".rstrip())
    return (f"not computable{where} (n = {len(values)}; values censored at a detection "
            "limit rank at or across the middle, so the median is not known)")


def _best(x: _Il1b) -> tuple[float, Measure] | None:
    if not x.on_treatment:
        return None
    return min(x.on_treatment, key=lambda r: (_rank(r[1]), r[0]))


def best_response(case: Case, fmt: DateFormat) -> KeyFigure:
    x = _il1b(case)
    definition = (f"Lowest IL-1β ({_specimen_text(x.specimen)}) on treatment, from day 0 to "
                  "the last anakinra administration; earliest if tied.")
    best = _best(x)
    if best is None:
        return KeyFigure("Best response", "not available (no IL-1β on treatment)", definition)
    t, m = best
    where = f"day {_day0(case, t)}" + ("" if fmt.relative else f", {fmt.date(t)}")
    value = f"{_with_unit(m, x.unit)} ({_fold_text(m, x.mean)}) on {where}"
    return KeyFigure("Best response", value, definition, number=m.value, day=_day0(case, t))


def _day0(case: Case, t: float) -> int:
    return int(math.floor(float(case.relative_days(t))))


def days_to_near_normal(case: Case, threshold: float = NEAR_NORMAL_FOLD) -> KeyFigure:
    x = _il1b(case)
    thr = f"fold ≤ {fmt_number(threshold)}"
    definition = (f"Day of the first on-treatment IL-1β ({_specimen_text(x.specimen)}) whose "
                  "fold over the healthy-control mean is at or below the threshold; a value "
                  "below the detection limit counts when the limit itself is.")
    if x.mean is None:
        return KeyFigure("Days to near-normal IL-1β", "not available (no control mean)",
                         definition, thr)
    for t, m in x.on_treatment:
        fold = m.value / x.mean
        if fold <= threshold and m.censor != ">":
            d = _day0(case, t)
            value = f"day {d} ({_with_unit(m, x.unit)}, {_fold_text(m, x.mean)})"
            return KeyFigure("Days to near-normal IL-1β", value, definition, thr,
                             number=float(d), day=d)
    return KeyFigure("Days to near-normal IL-1β", "never reached on treatment", definition, thr)


def first_relapse_onset(case: Case) -> KeyFigure:
    definition = ("Onset of the earliest reviewer episode of kind relapse (suggested and "
                  "rejected ones excluded), in days from day 0.")
    ep = _reviewed_episodes(case)
    rel = ep[ep["kind"] == "relapse"] if len(ep) else ep
    if rel.empty:
        return KeyFigure("First relapse onset", "no relapse annotated", definition)
    t = float(rel["onset"].min())
    d = _day0(case, t)
    return KeyFigure("First relapse onset", f"day {d}", definition, number=float(d), day=d)


def _reviewed_episodes(case: Case) -> pd.DataFrame:
    ep = case.episodes
    if ep.empty or "status" not in ep:
        return ep
    return ep[ep["status"].fillna("accepted") == "accepted"]


def tnfa_rise(case: Case) -> KeyFigure:
    spec = pick_specimen(case, "TNFA")
    definition = (f"Highest TNF-α ({_specimen_text(spec)}) from the best-response day to the "
                  "last anakinra administration, divided by TNF-α on the best-response day "
                  f"(or the nearest measurement within {TNF_NEAREST_DAYS} days).")
    thr = f"nearest within {TNF_NEAREST_DAYS} days"
    best = _best(_il1b(case))
    win = _treatment_window(case)
    if best is None or win is None or spec is None:
        return KeyFigure("TNF-α rise", "not available", definition, thr)
    rows = _measures(case.series("TNFA", spec))
    unit = str(case.series("TNFA", spec)["unit"].iloc[0]) if rows else "pg/mL"
    day_start = math.floor(best[0] / DAY) * DAY
    near = [r for r in rows if abs(r[0] - best[0]) <= TNF_NEAREST_DAYS * DAY]
    after = [r for r in rows if day_start <= r[0] < win[1]]
    if not near or not after:
        return KeyFigure("TNF-α rise", "not available (no TNF-α near the best response)",
                         definition, thr)
    ref_t, ref = min(near, key=lambda r: (abs(r[0] - best[0]), r[0]))
    top_t, top = max(after, key=lambda r: (_rank(r[1]), -r[0]))
    ratio = ratio_measure(top, ref)
    ratio_text = "not computable (both censored)" if ratio is None else f"×{ratio.text()}"
    value = (f"{ratio_text}: {_with_unit(top, unit)} on day {_day0(case, top_t)} ÷ "
             f"{_with_unit(ref, unit)} on day {_day0(case, ref_t)}")
    return KeyFigure("TNF-α rise", value, definition, thr,
                     number=None if ratio is None else ratio.value)


def aidai_overview(case: Case) -> KeyFigure:
    m = case.monthly_aidai()
    definition = (f"Sum of the {len(AIDAI_CODES)} daily AIDAI diary items over each calendar "
                  f"month; ≥ {AIDAI_ACTIVE_THRESHOLD} is active disease. Months with a "
                  "missing diary day are flagged incomplete and not classified.")
    thr = f"active if ≥ {AIDAI_ACTIVE_THRESHOLD}"
    if m.empty:
        return KeyFigure("Monthly AIDAI", "no diary recorded", definition, thr)
    complete = m[m["complete"]]
    active = int((complete["score"] >= AIDAI_ACTIVE_THRESHOLD).sum())
    value = (f"{active} active of {len(complete)} complete months; "
             f"{len(m) - len(complete)} of {len(m)} months incomplete (see table)")
    return KeyFigure("Monthly AIDAI", value, definition, thr, number=float(active))


def key_figures(case: Case, fmt: DateFormat, *,
                near_normal_fold: float = NEAR_NORMAL_FOLD) -> list[KeyFigure]:
    return [
        baseline_il1b(case),
        best_response(case, fmt),
        days_to_near_normal(case, near_normal_fold),
        first_relapse_onset(case),
        tnfa_rise(case),
        aidai_overview(case),
    ]


# -- tables ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    align: str = "left"  # "left" | "right"
    wrap: bool = False  # long free text: wraps instead of setting the column width


@dataclass
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[str, ...]]
    empty: str = "none recorded"
    note: str = ""


def episodes_table(case: Case, fmt: DateFormat, scrub: Scrubber) -> Table:
    cols = (Column("Kind"), Column("Onset"), Column("End"), Column("Duration", "right"),
            Column("Severity"), Column("Certainty"), Column("Note", wrap=True))
    rows = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        # Ends are stored exclusive (a one-day episode on 14 March ends 15 March 00:00):
        # the table prints the last day covered, the duration counts end − onset.
        end = None if _missing(r.end) else float(r.end)
        if end is None:
            duration = "ongoing"
        else:
            duration = f"{max(0, round((end - float(r.onset)) / DAY))} d"
        status = getattr(r, "status", "accepted") or "accepted"
        kind = str(r.kind) + ("" if status == "accepted" else f" ({status})")
        last = "open" if end is None else fmt.date(last_day(end))
        rows.append((kind, fmt.date(float(r.onset)), last, duration,
                     _text(r.severity), _text(r.certainty), scrub(_text(r.note, ""))))
    return Table("Episodes", cols, rows, empty="no episode annotated")


def cytokine_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Date"), Column("Analyte"), Column("Specimen"), Column("Value", "right"),
            Column("Unit"), Column("Fold", "right"))
    codes = [a.code for a in CYTOKINES]
    parts = []
    for code in codes:
        for spec in case.specimens(code):
            s = case.fold(code, spec)
            parts.append(s)
    if not parts:
        return Table("Cytokine measurements", cols, [])
    df = pd.concat(parts)
    order = {c: i for i, c in enumerate(codes)}
    df = df.assign(_o=df["code"].astype(str).map(order)).sort_values(["t", "_o", "specimen"])
    rows = []
    for t, code, spec, v, c, u, f in zip(df["t"], df["code"], df["specimen"], df["value"],
                                         df["censor"], df["unit"], df["fold"], strict=True):
        cen = _censor(c)
        value = Measure(float(v), cen).text()
        fold = Measure(float(f), cen).text() if np.isfinite(f) else DASH
        rows.append((fmt.date(t), label(str(code)), _specimen_text(str(spec)), value,
                     str(u), fold))
    return Table("Cytokine measurements", cols, rows,
                 note="Fold = value ÷ healthy-control mean for the same analyte and specimen. "
                      "A value such as “<5” was below the assay's detection limit: the limit "
                      "is shown, not a measurement.")


def dosing_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Drug"), Column("ATC"), Column("Daily dose", "right"), Column("Route"),
            Column("From"), Column("To"), Column("Days", "right"))
    m = case.medications
    rows = []
    if len(m):
        m = m.sort_values(["start", "drug"])
        last_end: dict[str, float] = {}
        for r in m.itertuples(index=False):
            start = epoch(r.start)
            end = None if _missing(r.end) else epoch(r.end)
            prev = last_end.get(r.drug)
            if prev is not None and start > prev + DAY:
                gap = round((start - prev) / DAY) - 1
                rows.append((str(r.drug), _text(r.atc), "interrupted", "", fmt.date(prev + DAY),
                             fmt.date(start - DAY), str(gap)))
            dose = DASH if _missing(r.dose) else _dose_text(float(r.dose), _text(r.unit, ""))
            days = "ongoing" if end is None else str(round((end - start) / DAY) + 1)
            rows.append((str(r.drug), _text(r.atc), dose, _text(r.route), fmt.date(start),
                         fmt.date(end) if end is not None else "ongoing", days))
            if end is not None:
                last_end[r.drug] = max(end, last_end.get(r.drug, end))
    return Table("Dosing history", cols, rows, empty="no medication recorded")


_DAILY_SUFFIXES = ("/d", "/day", "/j", "/jour", "/24h")


def _dose_text(dose: float, unit: str) -> str:
    """A daily dose: "100 mg/d"; a unit that already is per day ("mg/kg/d") stays as is."""
    daily = unit.strip().lower().endswith(_DAILY_SUFFIXES)
    return f"{fmt_number(dose)} {unit}{'' if daily else '/d'}".strip()


def aidai_table(case: Case, fmt: DateFormat) -> Table:
    cols = (Column("Month"), Column("AIDAI", "right"), Column("Diary days", "right"),
            Column("Assessment"))
    m = case.monthly_aidai()
    rows = []
    for r in m.itertuples(index=False):
        days = f"{int(r.days_recorded)} of {int(r.days_in_month)}"
        if not r.complete:
            missing = int(r.days_in_month) - int(r.days_recorded)
            verdict = f"incomplete: {missing} day{'s' if missing != 1 else ''} missing"
        elif r.score >= AIDAI_ACTIVE_THRESHOLD:
            verdict = "active"
        else:
            verdict = "inactive"
        rows.append((fmt.month(r.month), fmt_number(float(r.score)), days, verdict))
    return Table("Monthly AIDAI", cols, rows, empty="no diary recorded",
                 note=f"Active: complete month with AIDAI ≥ {AIDAI_ACTIVE_THRESHOLD}. Diary days "
                      f"count days with all {len(AIDAI_CODES)} items recorded.")


def notes_table(case: Case, fmt: DateFormat, audit: pd.DataFrame | None,
                scrub: Scrubber) -> Table:
    cols = (Column("When"), Column("Who"), Column("What"), Column("Note", wrap=True))
    rows: list[tuple[float, tuple[str, ...]]] = []
    ep = case.episodes
    for r in ep.itertuples(index=False) if len(ep) else []:
        note = _text(r.note, "")
        if note:
            what = f"{r.kind}, onset {fmt.date(float(r.onset))}"
            rows.append((float(r.updated), (fmt.date(float(r.updated)), _text(r.author), what,
                                             scrub(note))))
    if audit is not None:
        for r in audit.itertuples(index=False):
            what = f"{r.action} {r.entity}" + ("" if _missing(r.entity_id)
                                               else f" #{int(r.entity_id)}")
            rows.append((float(r.at), (fmt.date(float(r.at)), _text(r.actor), what,
                                       scrub(_audit_change(r.before, r.after, fmt)))))
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


def _audit_change(before: str | None, after: str | None, fmt: DateFormat) -> str:
    """The fields that changed, with times in the summary's own date format.

    A creation lists the new values, a deletion the values that were deleted.
    """
    b, a = _json(before), _json(after)
    parts = []
    for key in sorted((set(a) | set(b)) - _SKIP_KEYS):
        old, new = b.get(key), a.get(key)
        if old == new:
            continue
        old, new = _audit_value(key, old, fmt), _audit_value(key, new, fmt)
        if not b:
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


def _missing(x: object) -> bool:
    return is_missing(x)


def _text(x: object, default: str = DASH) -> str:
    return shown(x, default)


# -- de-identification -----------------------------------------------------------------
_MONTHS = (
    # English, then French; full names before their abbreviations.
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    "|d[ée]cembre"
    "|janv|f[ée]vr?|avr|juil|sept|d[ée]c|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
)
_MONTH = rf"(?:{_MONTHS})\.?(?!\w)"
_DAY = r"(?<!\d)(?:[0-3]?\d)(?:st|nd|rd|th|er|re|ère|e)?(?!\w)"
_YEAR4 = r"(?<!\d)(?:1[89]|20)\d{2}(?!\d)"
# A number followed by one of these is a measurement, not a year ("IL-1β 2000 pg/mL").
_UNIT_AFTER = (r"\s*(?:%|°|/|×|(?:[pnµuμm]?g|mcg|kg|[pnµuμmcd]?l|iu|ui|u|mmol|[µuμ]mol|mm|cel"
               r"|mmhg|copies|cells|h|min|bpm)(?![a-zé]))")
_DATE = re.compile("|".join((
    # month names, with a day and/or a year: 17 April 1982, 17th of April, April 17th,
    # 1982, 17 avril 1982, 1er mars, April 1982
    rf"{_DAY}(?:\s+of)?[\s-]+{_MONTH}(?:,?[\s-]+{_YEAR4}"
    rf"|\s+\d{{2}}(?!\d)(?!{_UNIT_AFTER})(?![\s-]+(?:of\s+)?{_MONTH}))?",
    rf"(?<!\w){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR4})?",
    rf"(?<!\w){_MONTH},?\s+{_YEAR4}",
    # numbers: 2009-03-02, 2009/03/02, 2009.03.02, 02-03-2009, 02/03/2009, 2.3.09
    r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)",
    r"(?<![\d.,])\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?!\d)",
    r"(?<![\d.,])\d{1,2}[/.]\d{1,2}[/.]\d{2}(?![\d.,]\d|\d)",
    # a month and a year: 03/2010, 2010-03
    rf"(?<![\d.,])\d{{1,2}}[-/.]{_YEAR4}",
    rf"{_YEAR4}-(?:0?[1-9]|1[0-2])(?!\d)",
    # a bare year is a calendar date too, unless a unit follows (then it is a value)
    rf"(?<![\d.,]){_YEAR4}(?![.,]\d)(?!{_UNIT_AFTER})",
)), re.IGNORECASE)

_ACCENTS = {"a": "aàâäá", "c": "cç", "e": "eéèêë", "i": "iîïí", "o": "oôöó", "u": "uùûüú",
            "y": "yÿ", "n": "nñ"}
_BASE = {v: k for k, vs in _ACCENTS.items() for v in vs}


def _loose(word: str) -> str:
    """A regex for word with or without its accents, any separator between its parts."""
    out = []
    for ch in word:
        base = _BASE.get(ch.lower())
        if base is not None:
            out.append(f"[{_ACCENTS[base]}]")
        elif ch.isspace() or ch in "-'’._":
            out.append(r"[\s\-'’._]*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _digits_pattern(digits: str) -> str:
    # 100231, 100 231, 100-231, 10.02.31: an optional separator between any two digits.
    return r"(?<!\d)" + r"[\s.\-/]?".join(digits) + r"(?!\d)"


def _birth_date_patterns(value: object) -> list[str]:
    try:
        d = pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        return [re.escape(str(value))]
    day, month, yy, yyyy = d.day, d.month, d.strftime("%y"), str(d.year)
    out = []
    for dd in {f"{day:02d}", str(day)}:
        for mm in {f"{month:02d}", str(month)}:
            for sep in "/.-":
                # 17/04/1982, 17.4.82, 17-04 (no year), 1982/04/17, 04/17/1982
                out += [f"{dd}{sep}{mm}{sep}{yyyy}", f"{dd}{sep}{mm}{sep}{yy}",
                        f"{yyyy}{sep}{mm}{sep}{dd}", f"{mm}{sep}{dd}{sep}{yyyy}",
                        f"{dd}{sep}{mm}"]
    out += [f"{yyyy}{month:02d}{day:02d}", f"{day:02d}{month:02d}{yyyy}",
            f"{day:02d}{month:02d}{yy}"]
    return [rf"(?<![\d.,/-]){re.escape(x)}(?![\d]|[.,/-]\d)" for x in out]


@dataclass
class Scrubber:
    """Removes identifying strings from free text in a de-identified summary.

    Reviewers type notes by hand; a name, a record number or a date in a note would
    defeat the export. ``patterns`` are the patient's own identifiers (name parts with or
    without accents, the record number's digits in any wrapping, the birth date in
    common formats); then every calendar date is removed: numeric (2010-03-14,
    14/03/2010, 14-03-2010, 14.03.2010, 2010/03/14, 03/2010), with an English or French
    month name and a day or a year (April 17th, 1982; 17 avril 1982; April 1982), and a
    bare year unless a unit follows it ("2000 pg/mL" is a value).
    """

    active: bool
    patterns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._own = (re.compile("|".join(f"(?:{p})" for p in self.patterns), re.IGNORECASE)
                     if self.patterns else None)

    def __call__(self, text: str) -> str:
        if not self.active or not text:
            return text
        if self._own is not None:
            text = self._own.sub("[removed]", text)
        return _DATE.sub("[date removed]", text)


def scrubber(patient: dict, *, active: bool) -> Scrubber:
    patterns: list[str] = []
    name = str(patient.get("name") or "").strip()
    if name:
        parts = [w for w in re.split(r"[\s\-'’.,]+", name) if len(w) >= 2]
        # The whole name first, then its parts, longest first ("Demo-Lefort" before
        # "Demo"), each as a whole word so "Ann" leaves "annual" alone.
        for w in [name, *sorted(set(parts), key=len, reverse=True)]:
            patterns.append(rf"(?<!\w){_loose(w)}(?!\w)")
    record = str(patient.get("record_number") or "").strip()
    if record:
        chunks = re.findall(r"[^\W_]+", record)
        patterns.append(r"[\s\-_./:#]*".join(_loose(c) for c in chunks) or re.escape(record))
        patterns += [_digits_pattern(d) for d in re.findall(r"\d{4,}", record)]
    if patient.get("birth_date"):
        patterns += _birth_date_patterns(patient["birth_date"])
    return Scrubber(active, patterns)


# -- the whole summary -----------------------------------------------------------------
@dataclass
class Summary:
    pseudonym: str
    title: str
    deidentified: bool
    header: list[tuple[str, str]]
    figures: list[KeyFigure]
    tables: list[Table]
    date_mode: str  # shown under the timeline: how to read its axis

    def all_text(self) -> Iterable[str]:
        """Every string the summary holds, for de-identification checks."""
        yield from (self.pseudonym, self.title, self.date_mode)
        for k, v in self.header:
            yield from (k, v)
        for f in self.figures:
            yield from (f.name, f.value, f.definition, f.threshold)
        for t in self.tables:
            yield from (t.title, t.note, t.empty, *(c.name for c in t.columns))
            for row in t.rows:
                yield from row


def _age_text(x: object) -> str:
    return DASH if _missing(x) else f"{fmt_number(float(x))} year{'' if float(x) == 1 else 's'}"


def build_summary(case: Case, *, deidentify: bool = False, reviewer: str | None = None,
                  audit: pd.DataFrame | None = None, generated_at: dt.datetime | None = None,
                  near_normal_fold: float = NEAR_NORMAL_FOLD) -> Summary:
    """Everything the PDF prints, as strings, in the requested date format."""
    fmt = date_format(case, relative=deidentify)
    scrub = scrubber(case.patient, active=deidentify)
    p = case.patient
    lo, hi = _period_covered(case)
    header: list[tuple[str, str]] = [("Case", case.pseudonym)]
    if not deidentify:
        if p.get("name"):
            header.append(("Name", str(p["name"])))
        if p.get("birth_date"):
            header.append(("Born", str(p["birth_date"])))
        if p.get("record_number"):
            header.append(("Record", str(p["record_number"])))
    header += [
        ("Diagnosis", _text(p.get("diagnosis"))),
        ("Genotype", _text(p.get("genotype"))),
        ("Sex", sex_text(p.get("sex"))),
        ("Age at onset", _age_text(p.get("onset_age"))),
        ("Reviewer", scrub(reviewer or _text(p.get("reviewed_by"), "not assigned"))),
        ("Review status", _review_status(p, fmt)),
        ("Period covered", f"{fmt.date(lo)} to {fmt.date(hi)}"
                           f" ({_days_between(lo, hi)} days)"),
        ("Day 0", "first anakinra dose" + ("" if deidentify or case.day0 is None
                                           else f", {fmt.date(case.day0)}")
         if case.day0 is not None else "no anakinra: days count from the first record"),
        ("Generated", "withheld in a de-identified export" if deidentify
         else (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    tables = [
        episodes_table(case, fmt, scrub),
        cytokine_table(case, fmt),
        dosing_table(case, fmt),
        aidai_table(case, fmt),
        notes_table(case, fmt, audit, scrub),
    ]
    mode = ("Times are days from day 0 (first anakinra dose)." if deidentify
            else "Times are calendar dates (UTC).")
    return Summary(
        pseudonym=case.pseudonym,
        title=f"Case summary {case.pseudonym}" + (" (de-identified)" if deidentify else ""),
        deidentified=deidentify,
        header=header,
        figures=key_figures(case, fmt, near_normal_fold=near_normal_fold),
        tables=tables,
        date_mode=mode,
    )


def _period_covered(case: Case) -> tuple[float, float]:
    """The first and the last recorded date: a value, a medication start or end.

    Not ``Case.time_range``, which reaches one day past the last dose so the timeline
    can draw that day.
    """
    ts: list[float] = []
    if not case.observations.empty:
        t = case.observations["t"].to_numpy(dtype=float)
        ts += [float(t.min()), float(t.max())]
    m = case.medications
    if not m.empty:
        ts += [epoch(m["start"].min()), epoch(m["start"].max())]
        ends = m["end"].dropna()
        if len(ends):
            ts.append(epoch(ends.max()))
    return (min(ts), max(ts)) if ts else case.time_range


def _days_between(lo: float, hi: float) -> int:
    """Calendar days from lo's day to hi's day, both counted."""
    return int(math.floor(hi / DAY) - math.floor(lo / DAY)) + 1


def _review_status(p: dict, fmt: DateFormat) -> str:
    if not p.get("reviewed_by"):
        return "not reviewed"
    at = p.get("reviewed_at")
    return "reviewed" + ("" if _missing(at) else f" on {fmt.date(float(at))}")


def load_audit(engine: Engine, case: Case) -> pd.DataFrame:
    """Every audit event about this case, oldest first, in one query.

    By patient, not by episode: the history of a deleted episode belongs in the trail too.
    """
    from sqlalchemy import select

    from db.models import AuditEvent

    t = AuditEvent.__table__
    cols = ["at", "actor", "action", "before", "after", "entity", "entity_id"]
    stmt = (select(*(t.c[c] for c in cols))
            .where(t.c.patient_id == int(case.id)).order_by(t.c.at, t.c.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


def load_case(engine: Engine, patient_id: int) -> Case:
    """The case with its identifying fields: shown, or used to scrub free text."""
    from db.queries import load_case as load_frames

    return Case.from_frames(load_frames(engine, patient_id, identifying=True))
