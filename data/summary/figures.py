"""Key figures, each with the definition and threshold it used (DOMAIN.md, "Key figures of a
case, defined"), so a reader can recompute it by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from data.aidai_periods import aidai_periods, period_definition
from data.alignment import day_text, relapse_onsets
from data.case import DAY, Case
from data.codes import (
    AIDAI_ACTIVE_THRESHOLD,
    AIDAI_CODES,
    PBMC_LPS,
    PBMC_SPONTANEOUS,
    SERUM,
    SPECIMEN_LABELS,
)
from data.numbers import fmt_fold, fmt_number
from data.summary.censored import (
    Measure,
    censor_signs,
    median_measure,
    median_range,
    rank,
    ratio_measure,
)
from data.summary.dates import DateFormat, date_format

NEAR_NORMAL_FOLD = 2.0
BASELINE_DAYS = 90
TNF_NEAREST_DAYS = 14

@dataclass(frozen=True)
class Sample:
    """A measurement a key figure was computed from: what a reader checks it against."""

    code: str
    specimen: str
    t: float


@dataclass(frozen=True)
class KeyFigure:
    name: str
    value: str  # what the reader sees, e.g. "1524.3 pg/mL (127× controls)"
    definition: str  # how it was computed, with the specimen and window used
    threshold: str = ""  # the setting it depends on, if any
    number: float | None = None  # the main number, for tests and later use
    day: int | None = None
    samples: tuple[Sample, ...] = ()  # the measurements behind it (data.key_figure_samples)


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
    # Plain lists first: iterating pandas columns (a categorical censor) cost ~10 ms a
    # series, and `suggest --all` asks for two series per case.
    return [(float(t), Measure(float(v), c))
            for t, v, c in zip(df["t"].tolist(), df["value"].tolist(),
                               censor_signs(df["censor"]).tolist(), strict=True)]


def _treatment_window(case: Case) -> tuple[float, float] | None:
    """From the first injection to the last administration's day: a sample dated day 0
    was drawn before the first injection unless that injection was recorded with its
    time and the sample came after it (DOMAIN.md; Case.treatment_start)."""
    if case.treatment_start is None:
        return None
    end = case.last_dose + DAY if case.last_dose is not None else case.time_range[1] + 1
    return (case.treatment_start, end)


def _baseline_window(case: Case) -> tuple[float, float] | None:
    """From 90 days before day 0 up to and including day 0's pre-treatment samples."""
    if case.day0 is None or case.treatment_start is None:
        return None
    return (case.day0 - BASELINE_DAYS * DAY, case.treatment_start)


# What a stimulation is called in a sentence: "no spontaneous IL-1β".
_STIMULATION = {PBMC_SPONTANEOUS: "spontaneous", PBMC_LPS: "LPS-stimulated", SERUM: "serum"}


def _named(label: str, specimen: str | None) -> str:
    """"IL-1β (PBMC, spontaneous)"; the bare name when none is measured (no specimen to
    name: "unspecified" would say one was measured without one)."""
    return label if specimen is None else f"{label} ({specimen_text(specimen)})"


def specimen_text(specimen: str | None) -> str:
    return SPECIMEN_LABELS.get(specimen or "", specimen or "")


def _fold_text(m: Measure, mean: float | None, why: str = "no control mean") -> str:
    return f"{m.scaled(1 / mean).text(fmt_fold)}× controls" if mean else why


def _with_unit(m: Measure, unit: str) -> str:
    return f"{m.text()} {unit}".strip()


@dataclass
class _Il1b:
    specimen: str | None
    unit: str
    mean: float | None
    on_treatment: list[tuple[float, Measure]]
    before: list[tuple[float, Measure]]
    why: str = ""  # why there is no control mean (data.controls.Match.reason)


def _il1b(case: Case) -> _Il1b:
    spec = pick_specimen(case, "IL1B")
    rows = _measures(case.series("IL1B", spec)) if spec is not None else []
    unit = str(case.series("IL1B", spec)["unit"].iloc[0]) if rows else "pg/mL"
    control = case.control_match("IL1B", spec) if spec is not None else None
    mean = control.mean if control else None
    win = _treatment_window(case)
    on = [r for r in rows if win and win[0] <= r[0] < win[1]]
    base = _baseline_window(case)
    before = [r for r in rows if base and base[0] <= r[0] < base[1]]
    return _Il1b(spec, unit, mean, on, before, control.reason if control else "")


def baseline_il1b(case: Case, fmt: DateFormat | None = None) -> KeyFigure:
    x = _il1b(case)
    definition = (f"Median of {_named('IL-1β', x.specimen)} measured from "
                  f"{BASELINE_DAYS} days before day 0 (first anakinra dose) up to and "
                  "including day 0 (a sample dated day 0 is drawn before the first "
                  "injection, unless that injection was recorded with its time and the "
                  "sample came after it); fold = baseline ÷ healthy-control mean"
                  + (f" ({fmt_number(x.mean)} {x.unit})." if x.mean else "."))
    values = [m for _, m in x.before]
    med = median_measure(values)
    if not values:
        return KeyFigure("Baseline IL-1β", f"not computable: {_no_baseline(case, x)}",
                         definition)
    dates = ", ".join((fmt or date_format(case, relative=False)).date(t) for t, _ in x.before)
    used = f"n = {len(values)}: {dates}"
    if med is None:
        return KeyFigure("Baseline IL-1β", _median_unknown(values, x.unit) + f"; {used}",
                         definition, samples=_il1b_samples(x, x.before))
    value = f"{_with_unit(med, x.unit)} ({_fold_text(med, x.mean, x.why)}; {used})"
    return KeyFigure("Baseline IL-1β", value, definition, number=med.value,
                     samples=_il1b_samples(x, x.before))


def _il1b_samples(x: _Il1b, rows: list[tuple[float, Measure]]) -> tuple[Sample, ...]:
    return tuple(Sample("IL1B", x.specimen or "", t) for t, _ in rows)


def _no_baseline(case: Case, x: _Il1b) -> str:
    """Exactly why there is no baseline: no anakinra, or no sample of the chosen specimen
    in the window (and which other, not comparable, specimens are there)."""
    if case.day0 is None:
        return "no anakinra recorded, so no time before a first dose"
    return _none_in(case, x, _baseline_window(case),  # type: ignore[arg-type]
                    f"in the {BASELINE_DAYS} days before day 0")


def _none_in(case: Case, x: _Il1b, window: tuple[float, float], where: str) -> str:
    """"no spontaneous IL-1β on treatment (only serum there, which is not comparable)":
    the chosen specimen is missing from the window; other specimens there are named."""
    if x.specimen is None:
        return "no IL-1β measured"
    kind = _STIMULATION.get(x.specimen, specimen_text(x.specimen))
    why = f"no {kind} IL-1β {where}".replace("  ", " ")
    lo, hi = window
    others = [specimen_text(s) for s in case.specimens("IL1B") if s != x.specimen
              and case.series("IL1B", s)["t"].between(lo, hi, inclusive="left").any()]
    if others:
        why += f" (only {', '.join(others)} there, which is not comparable)"
    return why


def _median_unknown(values: list[Measure], unit: str) -> str:
    lo, hi = median_range(values)  # type: ignore[misc]
    where = ("" if not (math.isfinite(lo) and math.isfinite(hi))
             else f": between {fmt_number(lo)} and {fmt_number(hi)} {unit}".rstrip())
    return (f"not computable{where} (n = {len(values)}; values censored at a detection "
            "limit rank at or across the middle, so the median is not known)")


def _best(x: _Il1b) -> tuple[float, Measure] | None:
    if not x.on_treatment:
        return None
    return min(x.on_treatment, key=lambda r: (rank(r[1]), r[0]))


def best_response(case: Case, fmt: DateFormat) -> KeyFigure:
    x = _il1b(case)
    definition = (f"Lowest {_named('IL-1β', x.specimen)} on treatment, from day 1 (or "
                  "the first injection, when recorded with its time) to the last "
                  "anakinra administration; earliest if tied.")
    best = _best(x)
    if best is None:
        if case.day0 is None:
            return KeyFigure("Best response", "not available (no anakinra recorded)",
                             definition)
        why = _none_in(case, x, _treatment_window(case), "on treatment")  # type: ignore[arg-type]
        return KeyFigure("Best response", f"not available: {why}", definition)
    t, m = best
    where = case.anchor.label(t) + ("" if fmt.relative else f", {fmt.date(t)}")
    value = f"{_with_unit(m, x.unit)} ({_fold_text(m, x.mean, x.why)}) on {where}"
    return KeyFigure("Best response", value, definition, number=m.value, day=case.anchor.day(t),
                     samples=_il1b_samples(x, [best]))


def days_to_near_normal(case: Case, threshold: float = NEAR_NORMAL_FOLD) -> KeyFigure:
    x = _il1b(case)
    thr = f"fold ≤ {fmt_fold(threshold)}"
    definition = (f"Day of the first on-treatment {_named('IL-1β', x.specimen)} whose "
                  "fold over the healthy-control mean is at or below the threshold; a value "
                  "below the detection limit counts when the limit itself is.")
    if case.day0 is None:  # "never reached on treatment" would say a treatment was given
        return KeyFigure("Days to near-normal IL-1β", "not computable (no anakinra recorded)",
                         definition, thr)
    if x.mean is None:
        return KeyFigure("Days to near-normal IL-1β",
                         f"not computable ({x.why or 'no IL-1β measured'})",
                         definition, thr)
    if not x.on_treatment:  # "never reached" would say it was measured and stayed high
        why = _none_in(case, x, _treatment_window(case), "on treatment")  # type: ignore[arg-type]
        return KeyFigure("Days to near-normal IL-1β", f"not computable: {why}", definition,
                         thr)
    for t, m in x.on_treatment:
        fold = m.value / x.mean
        if fold <= threshold and m.censor != ">":
            d = case.anchor.day(t)
            value = f"{day_text(d)} ({_with_unit(m, x.unit)}, {_fold_text(m, x.mean)})"
            return KeyFigure("Days to near-normal IL-1β", value, definition, thr,
                             number=float(d), day=d, samples=_il1b_samples(x, [(t, m)]))
    return KeyFigure("Days to near-normal IL-1β", "never reached on treatment", definition, thr)


def first_relapse_onset(case: Case) -> KeyFigure:
    definition = ("Onset of the earliest reviewer episode of kind relapse (suggested and "
                  "rejected ones excluded), in days from day 0 "
                  f"({case.anchor.described}).")
    onsets = relapse_onsets(case.episodes)
    if not onsets:
        return KeyFigure("First relapse onset", "no relapse annotated", definition)
    d = case.anchor.day(onsets[0])
    return KeyFigure("First relapse onset", day_text(d), definition, number=float(d), day=d)


def tnfa_rise(case: Case) -> KeyFigure:
    spec = pick_specimen(case, "TNFA")
    definition = (f"Highest {_named('TNF-α', spec)} from the best-response day to the "
                  "last anakinra administration, divided by TNF-α on the best-response day "
                  f"(or the nearest measurement within {TNF_NEAREST_DAYS} days).")
    thr = f"nearest within {TNF_NEAREST_DAYS} days"
    il1b = _il1b(case)
    best = _best(il1b)
    win = _treatment_window(case)
    if best is None or win is None or spec is None:
        why = ("no anakinra recorded" if win is None else "no TNF-α measured" if spec is None
               else "no best response of IL-1β to start from")
        return KeyFigure("TNF-α rise", f"not available ({why})", definition, thr)
    rows, unit, reference = tnfa_reference(case, spec, best)
    if reference is None:
        return KeyFigure("TNF-α rise", "not available (no TNF-α near the best response)",
                         definition, thr)
    ref_t, ref = reference
    day_start = math.floor(best[0] / DAY) * DAY
    after = [r for r in rows if day_start <= r[0] < win[1]]
    # A rise needs a sample after its reference: with the best response the last sample,
    # the reference alone read "×1", one sample divided by itself.
    if not any(r[0] > ref_t for r in after):
        return KeyFigure("TNF-α rise",
                         f"not computable (no TNF-α after {case.anchor.label(ref_t)}, the "
                         "sample at the best response, up to the last anakinra "
                         "administration)", definition, thr,
                         samples=(*_il1b_samples(il1b, [best]), Sample("TNFA", spec, ref_t)))
    top_t, top = max(after, key=lambda r: (rank(r[1]), -r[0]))
    ratio = ratio_measure(top, ref)
    ratio_text = "not computable (both censored)" if ratio is None else f"×{ratio.text(fmt_fold)}"
    value = (f"{ratio_text}: {_with_unit(top, unit)} on {case.anchor.label(top_t)} ÷ "
             f"{_with_unit(ref, unit)} on {case.anchor.label(ref_t)}")
    return KeyFigure("TNF-α rise", value, definition, thr,
                     number=None if ratio is None else ratio.value,
                     samples=(*_il1b_samples(il1b, [best]),
                              Sample("TNFA", spec, ref_t), Sample("TNFA", spec, top_t)))


def tnfa_reference(case: Case, spec: str, best: tuple[float, Measure]
                   ) -> tuple[list[tuple[float, Measure]], str, tuple[float, Measure] | None]:
    """TNF-α's samples (time, measure), its unit, and the sample a rise is measured from:
    the one nearest the best response's day, within TNF_NEAREST_DAYS (None if none)."""
    rows = _measures(case.series("TNFA", spec))
    unit = str(case.series("TNFA", spec)["unit"].iloc[0]) if rows else "pg/mL"
    near = [r for r in rows if abs(r[0] - best[0]) <= TNF_NEAREST_DAYS * DAY]
    if not near:
        return rows, unit, None
    return rows, unit, min(near, key=lambda r: (abs(r[0] - best[0]), r[0]))


def il1b_samples(case: Case) -> _Il1b:
    """IL-1β of the specimen the key figures use: on treatment, at baseline, control mean."""
    return _il1b(case)


def best_il1b(samples: _Il1b) -> tuple[float, Measure] | None:
    """The best response's sample (time, measure): the lowest IL-1β on treatment."""
    return _best(samples)


def aidai_overview(case: Case, fmt: DateFormat) -> KeyFigure:
    periods = aidai_periods(case, relative=fmt.relative)
    unit = "block" if fmt.relative else "month"
    definition = (f"Sum of the {len(AIDAI_CODES)} daily AIDAI diary items over "
                  f"{period_definition(fmt.relative)}; ≥ {AIDAI_ACTIVE_THRESHOLD} is active "
                  f"disease. A {unit} with a day or an item not recorded is incomplete: "
                  "active if its sum already reaches the threshold, otherwise not "
                  "classified.")
    thr = f"active if ≥ {AIDAI_ACTIVE_THRESHOLD}"
    if not periods:
        return KeyFigure("Monthly AIDAI", "no diary recorded", definition, thr)
    classified = [p for p in periods if p.classified]
    active = sum(p.active for p in classified)
    incomplete = sum(not p.complete for p in periods)
    value = (f"{active} active of {len(classified)} classified {unit}s; "
             f"{incomplete} of {len(periods)} {unit}s incomplete (see table)")
    return KeyFigure("Monthly AIDAI", value, definition, thr, number=float(active))


def key_figures(case: Case, fmt: DateFormat, *,
                near_normal_fold: float = NEAR_NORMAL_FOLD) -> list[KeyFigure]:
    return [
        baseline_il1b(case, fmt),
        best_response(case, fmt),
        days_to_near_normal(case, near_normal_fold),
        first_relapse_onset(case),
        tnfa_rise(case),
        aidai_overview(case, fmt),
    ]
