"""Relapse criteria as trials published them, applied to one case's series.

Each criterion is named, cited and stated with its thresholds, and the thresholds are
settings (``CriteriaSettings``). ``suggest`` reads the case's visits (CRP, SAA and the
physician global, PGA, by calendar day), its diary and its cytokines, and returns
candidate relapse episodes with the criteria they meet, a certainty and the evidence: the
measurements and diary days behind them. A criterion whose input is missing says so
("CRP 45 mg/L; physician global not recorded") instead of silently passing or failing.

A relapse is the return of disease after a response, so on anakinra a candidate opens
only after a visit from day 1 that meets the resolution criterion: activity before any
response is the disease itself, named in the notes, not suggested. Without anakinra there
is no response to wait for: every attack meeting a criterion is a candidate, and the
cytokine signal (measured from the best response on treatment) says it does not apply.
A candidate ends at the next visit meeting resolution, or stays open. Its evidence is its
own: diary days, active diary periods and cytokine signals from after the candidate
before it ended and before its own end. One that lasts (a second visit meeting a
criterion, or no resolution yet) is suggested as a relapse; a single attack resolved by
the next visit as a flare. The diary's rolling AIDAI marks active periods
and supports a candidate; it never sets an episode's edges. Fold over controls, the best
response and the TNF-α reference come from the key figures (data.summary.figures), the
daily AIDAI from the case (data.case.Case.activity_score): computed once, used here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from data.alignment import DAY
from data.case import Case
from data.codes import AIDAI_ACTIVE_THRESHOLD, PGA, pga_text
from data.dose_context import INTERRUPTED, STOPPED, dose_context
from data.numbers import fmt_fold, fmt_number
from data.summary.censored import Measure, censor_signs
from data.summary.figures import (
    NEAR_NORMAL_FOLD,
    Sample,
    best_il1b,
    il1b_samples,
    pick_specimen,
    tnfa_reference,
)

CAPS_RELAPSE = "caps_relapse"
CLUSTER_FLARE = "cluster_flare"
AIDAI_ACTIVE = "aidai_active"
SUBCLINICAL = "subclinical_saa"
CYTOKINE_SIGNAL = "cytokine_signal"

RELAPSE, FLARE = "relapse", "flare"  # episode kinds (db.models.KINDS)
DIARY_AFTER_DAYS = 7  # diary days after onset looked at as evidence
NO_ANAKINRA_SIGNAL = ("cytokine relapse signal: does not apply, no anakinra recorded (it is "
                      "measured from the best IL-1β response on treatment)")

# Candidate certainties: the episode's own vocabulary (db.models.CERTAINTIES).
CERTAIN, PROBABLE, UNCERTAIN = "certain", "probable", "uncertain"


@dataclass(frozen=True)
class CriteriaSettings:
    """Every threshold the criteria use; the defaults are the published ones."""

    marker_above: float = 30.0  # CAPS relapse: CRP and/or SAA above (mg/L)
    caps_pga_above: int = 1  # CAPS relapse: physician global above minimal
    cluster_pga_min: int = 2  # CLUSTER flare: physician global at least mild
    cluster_crp_min: float = 30.0  # CLUSTER flare: CRP at least (mg/L)
    resolution_pga_below: int = 2  # resolution: physician global below mild
    resolution_crp_max: float = 10.0  # resolution: CRP at most (mg/L) ...
    resolution_fall: float = 0.70  # ... or fallen by this fraction from the flare's peak
    aidai_days: int = 30  # the rolling window the AIDAI is summed over
    aidai_threshold: float = AIDAI_ACTIVE_THRESHOLD  # active disease at or above
    saa_subclinical: float = 10.0  # SAA above this between attacks (mg/L)
    near_normal_fold: float = NEAR_NORMAL_FOLD  # IL-1β fold over controls
    tnfa_factor: float = 3.0  # TNF-α rise over its value at the best response
    signal_days: int = 120  # a cytokine signal this many days before onset supports it
    diary_days: int = 14  # diary days before onset looked at as evidence
    # A physician global of mild or more with no marker that day and in no suggestion is
    # named in the notes, with the nearest CRP or SAA this many days either side.
    marker_near_days: int = 7


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    citation: str
    statement: Callable[[CriteriaSettings], str]
    sets_edges: bool  # False: supports a candidate (or shades a period), never places one


def _n(x: float) -> str:
    return fmt_number(x)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        CAPS_RELAPSE, "CAPS relapse",
        "Lachmann HJ et al. Use of canakinumab in the cryopyrin-associated periodic "
        "syndrome. N Engl J Med 2009;360:2416-25",
        lambda s: (f"CRP and/or SAA > {_n(s.marker_above)} mg/L and physician global > "
                   f"{pga_text(s.caps_pga_above)} (the trial's '≥ minimal with skin "
                   "disease > minimal' branch needs a skin score, which is not recorded)"),
        True),
    Criterion(
        CLUSTER_FLARE, "CLUSTER flare",
        "De Benedetti F et al. Canakinumab for the treatment of autoinflammatory recurrent "
        "fever syndromes. N Engl J Med 2018;378:1908-19",
        lambda s: (f"new flare: physician global ≥ {pga_text(s.cluster_pga_min)} and CRP ≥ "
                   f"{_n(s.cluster_crp_min)} mg/L; resolution: physician global < "
                   f"{pga_text(s.resolution_pga_below)} and CRP ≤ "
                   f"{_n(s.resolution_crp_max)} mg/L (or a fall of ≥ "
                   f"{_n(100 * s.resolution_fall)} %)"),
        True),
    Criterion(
        AIDAI_ACTIVE, "Active disease by diary",
        "Piram M et al. Ann Rheum Dis 2011;70:309-14; validation Ann Rheum Dis "
        "2014;73:2168-73",
        lambda s: (f"AIDAI summed over a rolling {s.aidai_days} days ≥ "
                   f"{_n(s.aidai_threshold)}: an active period, never an episode's edge"),
        False),
    Criterion(
        SUBCLINICAL, "Subclinical inflammation",
        "Lachmann HJ et al. Natural history and outcome in systemic AA amyloidosis. "
        "N Engl J Med 2007;356:2361-71",
        lambda s: f"SAA > {_n(s.saa_subclinical)} mg/L between attacks",
        False),
    Criterion(
        CYTOKINE_SIGNAL, "Cytokine relapse signal",
        "Jéru I et al. Role of IL-1β in NLRP12-associated autoinflammatory disorders and "
        "resistance to anti-IL-1 therapy. Arthritis Rheum 2011;63:2142-8",
        lambda s: (f"IL-1β fold over controls back above {fmt_fold(s.near_normal_fold)} "
                   "after the best response, or TNF-α ≥ "
                   f"{fmt_fold(s.tnfa_factor)}× its value at the best response, within "
                   f"{s.signal_days} days before onset"),
        False),
)
BY_KEY = {c.key: c for c in CRITERIA}


def not_applicable(case: Case) -> dict[str, str]:
    """The criteria that cannot apply to the case, with why."""
    return {CYTOKINE_SIGNAL: "no anakinra recorded"} if case.day0 is None else {}


@dataclass(frozen=True)
class Evidence:
    """One line of evidence and the points behind it (highlighted on the timeline)."""

    text: str
    samples: tuple[Sample, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A candidate relapse episode; times are epoch seconds, ``end`` exclusive or None."""

    kind: str
    onset: int
    end: int | None
    criteria: tuple[str, ...]  # keys of CRITERIA met (edge-setting ones first)
    certainty: str
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]  # inputs a criterion needed and did not have

    @property
    def summary(self) -> str:
        """"CRP 45 mg/L; physician global not recorded": the opening visit in one line."""
        return self.evidence[0].text if self.evidence else ""

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(s for e in self.evidence for s in e.samples)

    @property
    def fingerprint(self) -> str:
        """Changes when the evidence does (a re-import adding a PGA or a visit), not when
        nothing moved: the texts of the evidence and the edges."""
        text = "\n".join([str(self.onset), str(self.end), *self.criteria,
                          *(e.text for e in self.evidence)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Period:
    """A shaded period or point: AIDAI active, subclinical inflammation."""

    criterion: str
    start: int
    end: int  # exclusive
    text: str
    samples: tuple[Sample, ...] = ()


@dataclass
class CaseSuggestions:
    suggestions: list[Suggestion] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the case lacks for the criteria


# -- visits ----------------------------------------------------------------------------
# A case's visits are arrays, one entry per calendar day with a CRP, SAA or PGA: the rules
# are judged on every visit at once (fifty ten-year cases, 26,000 visits, took 1.4 s as
# one object per reading and per visit). Objects are made only for the visits a
# suggestion cites as evidence.

@dataclass
class _Reading:
    code: str
    specimen: str
    t: float
    m: Measure

    def sample(self) -> Sample:
        return Sample(self.code, self.specimen, self.t)


@dataclass
class _Column:
    """One code's reading on each visit day; value NaN: none that day. The highest
    reading when a day has two."""

    code: str
    t: np.ndarray
    value: np.ndarray
    censor: np.ndarray  # -1 '<', 0, +1 '>'
    specimen: np.ndarray

    @property
    def has(self) -> np.ndarray:
        return ~np.isnan(self.value)

    def above(self, threshold: float, *, inclusive: bool = False) -> np.ndarray:
        # '<L' is below a bound: never above. '>L' is above L, so above whatever L passes.
        v = np.nan_to_num(self.value, nan=-np.inf)
        return ((v >= threshold) if inclusive else (v > threshold)) & (self.censor != -1)

    def at_most(self, threshold: float) -> np.ndarray:
        return (np.nan_to_num(self.value, nan=np.inf) <= threshold) & (self.censor != 1)

    def reading(self, i: int) -> _Reading | None:
        if math.isnan(self.value[i]):
            return None
        return _Reading(self.code, str(self.specimen[i]), float(self.t[i]),
                        Measure(float(self.value[i]), _SIGNS[int(self.censor[i]) + 1]))


_SIGNS = ("<", "", ">")


_VISIT_CODES = ("CRP", "SAA", PGA)


@dataclass
class _Visits:
    day: np.ndarray  # UTC midnights, rising
    crp: _Column
    saa: _Column
    pga: _Column

    def __len__(self) -> int:
        return len(self.day)

    def readings(self, i: int) -> list[_Reading]:
        """The visit's readings, CRP, SAA, PGA."""
        return [r for r in (c.reading(i) for c in (self.crp, self.saa, self.pga)) if r]


def _column(case: Case, code: str) -> tuple[np.ndarray, _Column]:
    """The code's visit days and, per day, its highest reading ('>L' above L; the first
    of equal ones)."""
    s = case.series(code)
    v = s["value"].to_numpy(dtype=float)
    keep = ~np.isnan(v)
    t = s["t"].to_numpy(dtype=float)[keep]
    v = v[keep]
    signs = censor_signs(s["censor"])[keep]
    c = ((signs == ">").astype(np.int8) - (signs == "<")).astype(np.int8)
    spec = s["specimen"].astype(str).to_numpy()[keep]
    day = np.floor(t / DAY) * DAY
    order = np.lexsort((-np.arange(t.size), c == 1, v, day))  # the chosen one last per day
    last = order[np.r_[day[order][1:] != day[order][:-1], True]] if t.size else order
    return day[last], _Column(code, t[last], v[last], c[last], spec[last])


def _visits(case: Case) -> _Visits:
    """CRP, SAA and PGA grouped by calendar day."""
    found = {code: _column(case, code) for code in _VISIT_CODES}
    days = np.unique(np.concatenate([d for d, _ in found.values()]))
    cols = []
    for code in _VISIT_CODES:
        d, col = found[code]
        at = np.searchsorted(days, d)
        out = _Column(code, np.full(days.size, np.nan), np.full(days.size, np.nan),
                      np.zeros(days.size, dtype=np.int8), np.full(days.size, "", dtype=object))
        out.t[at], out.value[at], out.censor[at], out.specimen[at] = (
            col.t, col.value, col.censor, col.specimen)
        cols.append(out)
    return _Visits(days, *cols)


# -- what each visit meets ---------------------------------------------------------------

@dataclass
class _Judged:
    """Per visit: the criteria met with every input (full) or with the marker and no
    physician global recorded (partial). A visit without its inflammatory marker meets
    neither, whatever its physician global: both criteria need the marker (``unjudged``:
    such a visit with a physician global high enough to matter, evidence only)."""

    full: dict[str, np.ndarray]
    partial: dict[str, np.ndarray]
    unjudged: np.ndarray

    @cached_property
    def flare(self) -> np.ndarray:
        """Opens (or continues) a candidate."""
        return np.logical_or.reduce([*self.full.values(), *self.partial.values()])


def _judge(v: _Visits, s: CriteriaSettings) -> _Judged:
    high_marker = v.crp.above(s.marker_above) | v.saa.above(s.marker_above)
    crp_high = v.crp.above(s.cluster_crp_min, inclusive=True)
    pga_high = v.pga.above(s.cluster_pga_min, inclusive=True)
    judged = _Judged(
        full={CAPS_RELAPSE: high_marker & v.pga.above(s.caps_pga_above),
              CLUSTER_FLARE: crp_high & pga_high},
        partial={CAPS_RELAPSE: high_marker & ~v.pga.has,
                 CLUSTER_FLARE: crp_high & ~v.pga.has},
        unjudged=np.zeros(len(v), dtype=bool))
    no_marker = v.pga.above(s.caps_pga_above) & ~(v.crp.has | v.saa.has)
    judged.unjudged = (no_marker | pga_high & ~v.crp.has) & ~judged.flare
    return judged


@dataclass
class _Verdict:
    """One visit's verdict as evidence."""

    full: list[str]  # criteria met with every input
    partial: list[str]  # criteria met as far as their recorded inputs go
    missing: list[str]  # inputs not recorded
    shown: list[_Reading]  # the visit's readings

    @property
    def text(self) -> str:
        """"CRP 45 mg/L, SAA 120 mg/L; physician global not recorded"."""
        text = ", ".join(_reading_text(r) for r in self.shown)
        return "; ".join([t for t in (text, *self.missing) if t])

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(r.sample() for r in self.shown)


def _verdict(v: _Visits, judged: _Judged, i: int) -> _Verdict:
    full = [k for k, met in judged.full.items() if met[i]]
    partial = [k for k, met in judged.partial.items() if met[i]]
    missing = []
    if full or partial or judged.unjudged[i]:
        crp, saa, pga = (bool(c.has[i]) for c in (v.crp, v.saa, v.pga))
        if not pga:
            missing.append("physician global not recorded")
        if not crp:
            missing.append("CRP not recorded" if saa else "CRP and SAA not recorded")
    return _Verdict(full, partial, missing, v.readings(i))


def _reading_text(r: _Reading) -> str:
    if r.code == PGA:
        return f"physician global {pga_text(r.m.value)}"
    return f"{r.code} {r.m.text()} mg/L"


@dataclass
class _Resolution:
    """The CLUSTER resolution criterion per visit: ``can`` (CRP recorded and physician
    global not at or above the threshold) and ``met`` (CRP at most the threshold); a fall
    from a flare's peak is judged against that peak (``fallen``)."""

    can: np.ndarray
    met: np.ndarray
    crp: _Column
    fall: float

    def __call__(self, i: int, peak_crp: float | None) -> bool:
        if not self.can[i]:
            return False
        if self.met[i]:
            return True
        return peak_crp is not None and peak_crp > 0 and self.crp.censor[i] != 1 and \
            self.crp.value[i] <= peak_crp * (1 - self.fall)


def _resolution(v: _Visits, s: CriteriaSettings) -> _Resolution:
    can = v.crp.has & ~v.pga.above(s.resolution_pga_below, inclusive=True)
    return _Resolution(can, can & v.crp.at_most(s.resolution_crp_max), v.crp, s.resolution_fall)


# -- the diary --------------------------------------------------------------------------

@dataclass
class _Diary:
    """The daily AIDAI as arrays: day midnights, rising, and the score (NaN: no diary)."""

    t: np.ndarray
    score: np.ndarray

    @classmethod
    def of(cls, case: Case) -> _Diary:
        a = case.activity_score
        return cls(a["t"].to_numpy(dtype=float), a["score"].to_numpy(dtype=float))

    def between(self, lo: float, hi: float) -> _Diary:
        """The days from lo (inclusive) to hi (exclusive)."""
        a, b = np.searchsorted(self.t, [lo, hi])
        return _Diary(self.t[a:b], self.score[a:b])

    def rolling(self, days: int) -> np.ndarray:
        """The AIDAI summed over the window of ``days`` days ending on each day (days
        before the first of these count 0)."""
        csum = np.concatenate([[0.0], np.cumsum(np.nan_to_num(self.score))])
        out = csum[1:].copy()  # the first days' windows start at the first day (csum 0)
        if days < len(out):
            out[days:] -= csum[1:len(out) + 1 - days]
        return out


def _active_periods(t: np.ndarray, rolling: np.ndarray, s: CriteriaSettings,
                    case: Case, within: tuple[float, float] | None = None) -> list[Period]:
    """Every run of days covered by a window whose sum reaches the threshold; only those
    overlapping ``within`` (lo, hi) when given (a candidate asks for its own: fifty
    ten-year cases ask 800 times, and writing every period's text took 0.3 s)."""
    if t.size == 0:
        return []
    hot = rolling >= s.aidai_threshold
    covered = np.zeros(t.size + 1, dtype=int)
    ends = np.flatnonzero(hot)
    np.add.at(covered, np.maximum(ends + 1 - s.aidai_days, 0), 1)
    np.add.at(covered, ends + 1, -1)
    inside = np.cumsum(covered[:-1]) > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
    starts, stops = edges[::2], edges[1::2]
    if within is not None:  # chosen in numpy: a ten-year diary has dozens of periods
        near = (t[starts] < within[1]) & (t[stops - 1] + DAY > within[0])
        starts, stops = starts[near], stops[near]
    out = []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        peak = int(a + np.argmax(rolling[a:b]))
        text = (f"AIDAI {_n(rolling[peak])} over the {s.aidai_days} days to "
                f"{case.anchor.label(t[peak])} (≥ {_n(s.aidai_threshold)}: active), "
                f"{case.anchor.label(t[a])} to {case.anchor.label(t[b - 1])}")
        out.append(Period(AIDAI_ACTIVE, int(t[a]), int(t[b - 1] + DAY), text))
    return out


@dataclass(frozen=True)
class _Bounds:
    """Where a candidate's evidence may come from: after the candidate before it ended
    (``lo``, with what ``before`` says of it) and before its own end (``hi``). Evidence
    belongs to the episode it supports: a flare is never credited with the fevers, the
    active diary month or the cytokine rise of the relapse before it."""

    lo: float = -math.inf
    hi: float = math.inf
    before: str = ""  # "the relapse before it, day +155"


def _diary_evidence(case: Case, diary: _Diary, onset: int, s: CriteriaSettings,
                    bounds: _Bounds) -> Evidence | None:
    """Diary days with symptoms from diary_days before onset to a week after it: the
    attack that brought the patient to the visit may have begun either side of it."""
    if diary.t.size == 0:
        return None
    lo = max(onset - s.diary_days * DAY, bounds.lo)
    hi = min(onset + (DIARY_AFTER_DAYS + 1) * DAY, bounds.hi)
    own = diary.between(lo, hi)
    if own.t.size == 0:
        return None
    score, days = own.score, own.t
    with_symptoms = days[np.nan_to_num(score) > 0]
    recorded = int((~np.isnan(score)).sum())
    first = (f"{s.diary_days} days before onset" if lo > bounds.lo else
             f"from the end of {bounds.before},")
    last = f"{DIARY_AFTER_DAYS} after" if hi < bounds.hi else "its end"
    where = (f"from {case.anchor.label(lo)} to {case.anchor.label(hi - DAY)} "
             f"({first} to {last})")
    if with_symptoms.size == 0:
        return Evidence(f"diary: no symptom on its {recorded} days {where}")
    return Evidence(
        f"diary: symptoms on {with_symptoms.size} of {recorded} diary days {where}, first "
        f"{case.anchor.label(with_symptoms[0])} "
        f"({_n(score[np.nan_to_num(score) > 0][0])} AIDAI items)",
        tuple(Sample("AIDAI", "diary", float(d)) for d in with_symptoms))


def _aidai_evidence(case: Case, diary: _Diary, onset: int, hi: float, s: CriteriaSettings,
                    bounds: _Bounds) -> Evidence | None:
    """The active diary period around the candidate, summed over its own days only."""
    own = diary.between(bounds.lo, bounds.hi)
    within = (onset - s.aidai_days * DAY, hi)
    periods = _active_periods(own.t, own.rolling(s.aidai_days), s, case, within)
    return Evidence(periods[0].text) if periods else None


# -- cytokines --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rises:
    """One cytokine signal's every occurrence (time, measure), by time; each candidate
    cites those in its own window (counted once, at its first occurrence, the signal
    went to an earlier flare and a later relapse showing it listed none)."""

    code: str
    specimen: str
    best_t: float  # the best response's sample
    over: float  # what a fold is of
    rows: list[tuple[float, Measure]]
    text: Callable[[float, Measure, str], str]  # the first rise, what follows it

    def within(self, lo: float, hi: float, case: Case) -> Evidence | None:
        a, b = np.searchsorted([t for t, _ in self.rows], [lo, hi])
        rows = self.rows[a:b]
        if not rows:
            return None
        folds = [m.value / self.over for _, m in rows]
        more = ("" if len(rows) < 2 else
                f"; {len(rows)} samples to {case.anchor.label(rows[-1][0])}, "
                f"×{fmt_fold(min(folds))}-×{fmt_fold(max(folds))}")
        return Evidence(self.text(*rows[0], more),
                        (Sample(self.code, self.specimen, self.best_t),
                         *(Sample(self.code, self.specimen, t) for t, _ in rows)))


def _cytokine_signals(case: Case, s: CriteriaSettings) -> list[_Rises]:
    """IL-1β back above near-normal after the best response; TNF-α ≥ factor × its value
    at the best response."""
    x = il1b_samples(case)
    best = best_il1b(x)
    if best is None:
        return []
    out: list[_Rises] = []
    # "Back above" needs the best response to have reached near-normal first.
    if x.mean and best[1].value / x.mean <= s.near_normal_fold and best[1].censor != ">":
        mean = x.mean
        out.append(_Rises(
            "IL1B", x.specimen or "", best[0], mean,
            sorted(((t, m) for t, m in x.on_treatment if t > best[0] and m.censor != "<"
                    and m.value / mean > s.near_normal_fold), key=lambda r: r[0]),
            lambda t, m, more: (
                f"IL-1β back above near-normal: {m.text()} {x.unit} "
                f"({fmt_fold(m.value / mean)}× controls, > {fmt_fold(s.near_normal_fold)}) "
                f"on {case.anchor.label(t)}{more}; best response {best[1].text()} {x.unit} "
                f"on {case.anchor.label(best[0])}")))
    spec = pick_specimen(case, "TNFA")
    if spec is not None:
        rows, unit, ref = tnfa_reference(case, spec, best)
        if ref is not None and ref[1].value > 0 and ref[1].censor != ">":
            base = ref
            out.append(_Rises(
                "TNFA", spec, ref[0], ref[1].value,
                sorted(((t, m) for t, m in rows if t > ref[0] and m.censor != "<"
                        and m.value >= s.tnfa_factor * ref[1].value), key=lambda r: r[0]),
                lambda t, m, more: (
                    f"TNF-α ×{fmt_fold(m.value / base[1].value)}: {m.text()} {unit} on "
                    f"{case.anchor.label(t)} ÷ {base[1].text()} {unit} on "
                    f"{case.anchor.label(base[0])} (best response; ≥ "
                    f"×{fmt_fold(s.tnfa_factor)}){more}")))
    return out


# -- candidates -------------------------------------------------------------------------

@dataclass
class _Open:
    onset: int
    visits: list[int]  # the visits meeting a criterion, first the one it opened at
    peak_crp: float | None
    end: int | None = None


def _response_from(case: Case) -> float:
    """Visits from here on may show a response: day 1 on anakinra, else any time."""
    return case.day0 + DAY if case.day0 is not None else -math.inf


def _candidates(v: _Visits, judged: _Judged, resolved: _Resolution, case: Case
                ) -> tuple[list[_Open], list[int]]:
    """The candidates, and the visits meeting a criterion before any response on
    anakinra (not suggested: activity before a response is the disease itself). Without
    anakinra there is no response to wait for: every attack is a candidate."""
    start = _response_from(case)
    responded = case.day0 is None
    current: _Open | None = None
    out: list[_Open] = []
    early: list[int] = []
    flare = judged.flare.tolist()
    crp = v.crp.value.tolist()
    for i, day in enumerate(v.day.tolist()):
        if current is not None:
            if resolved(i, current.peak_crp):
                current.end = int(day)
                out.append(current)
                current = None
                continue
            if flare[i]:
                current.visits.append(i)
                if not math.isnan(crp[i]):
                    current.peak_crp = max(current.peak_crp or 0.0, crp[i])
            continue
        if flare[i] and responded:
            current = _Open(int(day), [i], None if math.isnan(crp[i]) else crp[i])
        elif flare[i]:
            early.append(i)
        elif day >= start and resolved(i, None):
            responded = True
    if current is not None:
        out.append(current)
    return out, early


def _off_anakinra(case: Case, v: _Visits, opened: list[_Open]) -> list[str]:
    """Per candidate, "during anakinra interruption (since day +152)" when its opening
    visit fell in an interruption or after a stop (data.dose_context, as the readout and
    the PDF say it), else ""."""
    if case.day0 is None or not opened:
        return [""] * len(opened)
    times = [min(r.t for r in v.readings(c.visits[0])) for c in opened]
    ctx = dose_context(case, np.array(times))
    out = []
    for state, since in zip(ctx.state.tolist(), ctx.since.tolist(), strict=True):
        when = f"(since {case.anchor.label(since)})" if state in (INTERRUPTED, STOPPED) else ""
        out.append(f"during anakinra interruption {when}" if state == INTERRUPTED else
                   f"after anakinra was stopped {when}" if state == STOPPED else "")
    return out


def _unjudged_evidence(v: _Visits, judged: _Judged, case: Case, lo: float, hi: float
                       ) -> list[Evidence]:
    """Visits from lo to hi with a physician global and no marker: said, never met (a
    physician global of 2 with no CRP that day opened a 'certain' relapse a week early)."""
    at = np.flatnonzero(judged.unjudged)
    a, b = np.searchsorted(v.day[at], [lo, hi])
    out = []
    for i in at[a:b][:3].tolist():
        x = _verdict(v, judged, i)
        out.append(Evidence(f"{case.anchor.label(float(v.day[i]))}: {x.text}: no criterion "
                            "met, both need the inflammatory marker", x.samples))
    return out


def _certainty(full: bool, supported: bool) -> str:
    if full:
        return CERTAIN if supported else PROBABLE
    return PROBABLE if supported else UNCERTAIN


def suggest(case: Case, settings: CriteriaSettings | None = None) -> CaseSuggestions:
    """Candidate relapses of the case, the AIDAI active periods and subclinical
    inflammation, and what the case lacks for the criteria."""
    s = settings or CriteriaSettings()
    result = CaseSuggestions()
    visits = _visits(case)
    diary = _Diary.of(case)
    active = _active_periods(diary.t, diary.rolling(s.aidai_days), s, case)
    signals = _cytokine_signals(case, s)
    judged = _judge(visits, s)
    opened, early = _candidates(visits, judged, _resolution(visits, s), case)
    bounds = _Bounds()
    off = _off_anakinra(case, visits, opened)
    for c, off_text in zip(opened, off, strict=True):
        bounds = _Bounds(bounds.lo, math.inf if c.end is None else c.end, bounds.before)
        verdicts = [_verdict(visits, judged, i) for i in c.visits]
        first = verdicts[0]
        met = [k for k in (CAPS_RELAPSE, CLUSTER_FLARE) if any(k in v.full for v in verdicts)]
        partial = [k for k in (CAPS_RELAPSE, CLUSTER_FLARE)
                   if k not in met and any(k in v.partial for v in verdicts)]
        evidence = [Evidence(first.text, first.samples)]
        if off_text:
            evidence.append(Evidence(off_text))
        evidence += [Evidence(f"also {case.anchor.label(v.samples[0].t)}: {v.text}",
                              v.samples) for v in verdicts[1:4]]
        evidence += _unjudged_evidence(visits, judged, case,
                                       max(c.onset - s.diary_days * DAY, bounds.lo),
                                       bounds.hi)
        support: list[str] = []
        diary_text = _diary_evidence(case, diary, c.onset, s, bounds)
        if diary_text is not None:
            evidence.append(diary_text)
        hi = c.end if c.end is not None else c.onset + s.aidai_days * DAY
        active_text = _aidai_evidence(case, diary, c.onset, hi, s, bounds)
        if active_text is not None:
            support.append(AIDAI_ACTIVE)
            evidence.append(active_text)
        lo = max(c.onset - s.signal_days * DAY, bounds.lo)
        near = sorted((e for e in (r.within(lo, hi, case) for r in signals) if e is not None),
                      key=lambda e: e.samples[1].t)
        if near:
            support.append(CYTOKINE_SIGNAL)
            evidence += near
        if case.day0 is None:
            evidence.append(Evidence(NO_ANAKINRA_SIGNAL))
        diary_days = diary_text is not None and bool(diary_text.samples)
        supported = bool(support) or diary_days or len(verdicts) > 1
        # A return of disease that lasts (a second visit meeting a criterion, or no
        # resolution yet) is a relapse; one attack resolved by the next visit, a flare.
        kind = RELAPSE if c.end is None or len(verdicts) > 1 else FLARE
        result.suggestions.append(Suggestion(
            kind, int(c.onset), None if c.end is None else int(c.end),
            tuple(met + partial + support),
            _certainty(bool(met), supported), tuple(evidence), tuple(first.missing)))
        if c.end is not None:
            bounds = _Bounds(c.end, math.inf,
                             f"the {kind} before it, {case.anchor.label(c.end)}")
    result.periods = active + _subclinical(visits, judged, result.suggestions, s, case)
    result.notes = (_notes(case, visits) + _early_note(case, visits, judged, early)
                    + _unjudged_notes(case, visits, judged, result.suggestions, s))
    return result


SAID_ALONE = 3  # unjudged visits named one by one in the notes; the rest counted


def _unjudged_notes(case: Case, v: _Visits, judged: _Judged, suggestions: list[Suggestion],
                    s: CriteriaSettings) -> list[str]:
    """Visits with a physician global high enough to matter and no marker that day that
    no suggestion lists as evidence: said, as a missing physician global is, not left
    silent (a 'moderate' with no CRP for weeks around it went unmentioned)."""
    listed = {x.t for sug in suggestions for x in sug.samples}
    at = [i for i in np.flatnonzero(judged.unjudged).tolist()
          if not any(r.t in listed for r in v.readings(i))]
    out = []
    for i in at[:SAID_ALONE]:
        out.append(f"{case.anchor.label(float(v.day[i]))}: {_verdict(v, judged, i).text} "
                   f"{_nearest_marker(v, i, s.marker_near_days)}: no criterion met, both "
                   "need the inflammatory marker")
    if len(at) > SAID_ALONE:
        rest = len(at) - SAID_ALONE
        out.append(f"{rest} more visit{'s' if rest != 1 else ''} with a physician global of "
                   f"{pga_text(s.cluster_pga_min)} or more and no marker that day, from "
                   f"{case.anchor.label(float(v.day[at[SAID_ALONE]]))}")
    return out


def _nearest_marker(v: _Visits, i: int, days: int) -> str:
    """"within 7 days", or "that day (CRP 45 mg/L 2 days later)": a marker drawn on
    another day than the physician global is not paired with it."""
    missing = v.crp.has if v.saa.has[i] else v.crp.has | v.saa.has  # what it lacked
    marked = np.flatnonzero(missing)
    if marked.size:
        j = int(marked[np.argmin(np.abs(v.day[marked] - v.day[i]))])
        n = round((float(v.day[j]) - float(v.day[i])) / DAY)
        if abs(n) <= days:
            readings = ", ".join(_reading_text(r) for r in v.readings(j)
                                 if r.code != PGA and not (r.code == "SAA" and v.saa.has[i]))
            return (f"that day ({readings} {abs(n)} day{'s' if abs(n) != 1 else ''} "
                    f"{'later' if n > 0 else 'earlier'})")
    return f"within {days} day{'s' if days != 1 else ''}"


def _subclinical(v: _Visits, judged: _Judged, suggestions: list[Suggestion],
                 s: CriteriaSettings, case: Case) -> list[Period]:
    """SAA above the threshold at a visit that is no flare and lies in no candidate."""
    inside = np.zeros(len(v), dtype=bool)
    for x in suggestions:
        inside[np.searchsorted(v.day, x.onset):
               len(v) if x.end is None else np.searchsorted(v.day, x.end)] = True
    out = []
    for i in np.flatnonzero(v.saa.above(s.saa_subclinical) & ~judged.flare & ~inside).tolist():
        day = int(v.day[i])
        saa = v.saa.reading(i)
        assert saa is not None
        out.append(Period(SUBCLINICAL, day, day + DAY,
                          f"SAA {saa.m.text()} mg/L on {case.anchor.label(saa.t)} between "
                          f"attacks (> {_n(s.saa_subclinical)} mg/L)", (saa.sample(),)))
    return out


def _notes(case: Case, v: _Visits) -> list[str]:
    notes = []
    if not v.pga.has.any():
        notes.append("no physician global (PGA) recorded: the CAPS and CLUSTER criteria "
                     "are judged on the markers alone and every suggestion says so")
    if not (v.crp.has | v.saa.has).any():
        notes.append("no CRP or SAA recorded: no visit can meet a relapse criterion")
    if case.activity_score.empty:
        notes.append("no diary recorded: no AIDAI active period")
    if case.day0 is None:
        notes.append("no anakinra recorded: every attack meeting a criterion is suggested; "
                     "the cytokine relapse signal does not apply")
    return notes


def _early_note(case: Case, v: _Visits, judged: _Judged, early: list[int]) -> list[str]:
    """Visits meeting a criterion before any response on anakinra, named, not dropped."""
    if not early:
        return []
    i = early[0]
    first = f"{_verdict(v, judged, i).text} on {case.anchor.label(float(v.day[i]))}"
    what = (f"{first} meets a criterion" if len(early) == 1 else
            f"{len(early)} visits meet a criterion (the first {first})")
    return [f"{what} before any response on anakinra: not suggested, a relapse needs a "
            "response first"]
