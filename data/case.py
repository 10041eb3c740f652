"""The case model: one patient's stored frames plus the series derived from them.

Everything here is plain pandas/numpy so the screen, the PDF and the command line
compute the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data.alignment import DAY, Anchor, anchor_of, first_clinical_record
from data.codes import AIDAI_CODES, ANAKINRA

if TYPE_CHECKING:
    from data.controls import Match


# derived()'s key of the control references by (code, specimen) (data.controls.by_key):
# cases sharing one references table may share it too (2.5 ms a case to build).
CONTROLS_BY_KEY = ("controls by key",)

@dataclass(frozen=True)
class Phase:
    name: str  # "before treatment", "on anakinra", "after stopping"
    start: float  # epoch seconds
    end: float


@dataclass
class Case:
    patient: dict
    observations: pd.DataFrame
    medications: pd.DataFrame
    episodes: pd.DataFrame
    controls: pd.DataFrame  # the healthy-control references in force when the case loaded
    reference_set: dict | None = None  # the set that put them in force (data.controls)
    # Doses recorded one by one, with their time (t, drug, dose, unit, route), if any.
    administrations: pd.DataFrame | None = None
    # Derived once per case: a redraw asks for them per series and per track, and each
    # pandas filter costs ~0.1–1 ms (the large case's opening asked ~200 times; the lists
    # of evidence ask once per sample). Callers read what they get and never change it.
    _merged: dict = field(default_factory=dict, repr=False)  # (code, specimen) → rows
    _matches: dict = field(default_factory=dict, repr=False)  # (code, specimen) → Match
    _derived: dict = field(default_factory=dict, repr=False)  # key → value (derived())

    @classmethod
    def from_frames(cls, frames) -> Case:
        return cls(frames.patient, frames.observations, frames.medications,
                   frames.episodes, frames.controls, getattr(frames, "reference_set", None),
                   getattr(frames, "administrations", None))

    def recorded_doses(self, drug: str) -> pd.DataFrame | None:
        """The drug's doses recorded one by one (t, dose, unit), by time; None if none."""
        a = self.administrations
        if a is None or a.empty:
            return None
        rows = a[a["drug"] == drug]
        return rows.sort_values("t", kind="stable") if len(rows) else None

    # -- identity --------------------------------------------------------------------
    @property
    def id(self) -> int:
        return int(self.patient["id"])

    @property
    def pseudonym(self) -> str:
        return str(self.patient["pseudonym"])

    # -- observations ----------------------------------------------------------------
    @cached_property
    def _positions(self) -> dict[str, slice | np.ndarray]:
        """Where each code's rows are: a slice when they are contiguous (a code stored as
        one series, as the bulk read returns them), else their positions.

        Found from the runs of equal codes: pandas' groupby indices held one int64 per
        row (9 MB for a million-point temperature series) and took a sort to build.
        """
        obs = self.observations
        if obs.empty:
            return {}
        code = obs["code"]
        if isinstance(code.dtype, pd.CategoricalDtype):
            labels, names = code.cat.codes.to_numpy(), code.cat.categories
        else:
            labels, names = pd.factorize(code, use_na_sentinel=True)
        starts = np.flatnonzero(labels[1:] != labels[:-1]) + 1
        bounds = np.concatenate(([0], starts, [len(labels)]))
        runs: dict[str, list[tuple[int, int]]] = {}
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            if labels[a] >= 0:  # a missing code (-1) belongs to no series
                runs.setdefault(str(names[labels[a]]), []).append((int(a), int(b)))
        return {name: slice(*r[0]) if len(r) == 1 else np.concatenate(
            [np.arange(a, b) for a, b in r]) for name, r in runs.items()}

    def _rows(self, pos: slice | np.ndarray) -> pd.DataFrame:
        """The rows at pos. A slice shares the case's arrays, where taking rows by
        position copied every value once more per track (a million-point temperature:
        +22 MB)."""
        return self.observations.iloc[pos]

    @property
    def codes(self) -> list[str]:
        return sorted(self._positions)

    def series(self, code: str, specimen: str | None = None) -> pd.DataFrame:
        """Rows of one code (optionally one specimen), sorted by time."""
        pos = self._positions.get(code)
        if pos is None:
            return self.observations.iloc[0:0]
        key = (code, specimen)
        if key not in self._merged:
            df = self._rows(pos)
            if specimen is not None:
                df = df[df["specimen"] == specimen] if _several(df["specimen"]) else \
                    df if str(df["specimen"].iloc[0]) == specimen else df.iloc[0:0]
            elif _several(df["specimen"]):
                # Rows come grouped by series: several specimens of a code interleave in time.
                df = df.sort_values("t", kind="stable")
            self._merged[key] = df
        return self._merged[key]

    def numbers(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """The times and values of series(code), as arrays: views of the case's columns
        when the code's rows are one run of one specimen (a diary item), with no
        DataFrame built for them (twelve diary items took ~4 ms of an opening that way)."""
        pos = self._positions.get(code)
        if isinstance(pos, slice):
            t, value, specimen = self._columns
            if not (specimen[pos] != specimen[pos.start]).any():
                return t[pos], value[pos]
        s = self.series(code)
        return s["t"].to_numpy(), s["value"].to_numpy(dtype=float)

    @cached_property
    def _columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """t, value (float) and the specimen's categorical codes, as numpy arrays."""
        obs = self.observations
        specimen = obs["specimen"]
        codes = specimen.cat.codes.to_numpy() if isinstance(
            specimen.dtype, pd.CategoricalDtype) else pd.factorize(specimen)[0]
        return obs["t"].to_numpy(), obs["value"].to_numpy(dtype=float), codes

    def specimens(self, code: str) -> list[str]:
        s = self.series(code)
        return sorted(str(x) for x in s["specimen"].unique()) if len(s) else []

    def derived(self, key: tuple, compute):
        """compute(), once per case for this key: for derived series kept outside this
        module (data.dose_context's administrations)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def control_match(self, code: str, specimen: str) -> Match:
        """The reference for this code and specimen in the series' unit, or why none."""
        from data.controls import by_key, match  # unit tables: once a fold is asked for

        # A redraw asks several times per series.
        key = (code, specimen)
        if key not in self._matches:
            s = self.series(code, specimen)
            unit = str(s["unit"].iloc[0]) if len(s) and "unit" in s else None
            refs = self.derived(CONTROLS_BY_KEY, lambda: by_key(self.controls))
            self._matches[key] = match(refs, code, specimen, unit)
        return self._matches[key]

    def control(self, code: str, specimen: str) -> dict | None:
        return self.control_match(code, specimen).ref

    def control_mean(self, code: str, specimen: str) -> float | None:
        return self.control_match(code, specimen).mean

    def fold(self, code: str, specimen: str) -> pd.DataFrame:
        """The series divided by the healthy-control mean for the same code and specimen."""
        mean = self.control_mean(code, specimen)
        s = self.series(code, specimen)
        return s.assign(fold=s["value"] / mean if mean else np.nan)

    def _observed_range(self) -> list[float]:
        """The first and last observation's time; none without observations."""
        if self.observations.empty:
            return []
        t = self.observations["t"].to_numpy()
        return [float(t.min()), float(t.max())]

    def _code_firsts(self) -> tuple[list[str], np.ndarray]:
        """Each code and its first time."""
        # Each code's first time, not every row's: the codes of a million rows as Python
        # strings and their test against NOT_CLINICAL took ~26 MB for a moment.
        t = self.observations["t"].to_numpy()
        codes = list(self._positions)
        return codes, np.array([t[self._positions[c]].min() for c in codes], dtype=float)

    @cached_property
    def time_range(self) -> tuple[float, float]:
        ts: list[float] = self._observed_range()
        if not self.medications.empty:
            ts += [epoch(self.medications["start"].min())]
            ends = self.medications["end"].dropna()
            if len(ends):
                ts.append(epoch(ends.max()) + DAY)
        if not ts:
            return (0.0, float(DAY))
        return (min(ts), max(ts))

    # -- treatment -------------------------------------------------------------------
    def drug_periods(self, drug: str) -> pd.DataFrame:
        m = self.medications
        if m.empty:
            return m
        return self.derived(("drug periods", drug.lower()), lambda: m[
            m["drug"].str.lower() == drug.lower()].sort_values("start"))

    @cached_property
    def day0(self) -> float | None:
        """The first anakinra administration (epoch seconds, midnight UTC)."""
        a = self.drug_periods(ANAKINRA)
        return None if a.empty else epoch(a["start"].min())

    @cached_property
    def last_dose(self) -> float | None:
        """The day of the last anakinra administration; None while treatment continues."""
        a = self.drug_periods(ANAKINRA)
        if a.empty or a["end"].isna().any():
            return None
        return epoch(a["end"].max())

    def phases(self) -> list[Phase]:
        lo, hi = self.time_range
        if self.day0 is None:
            return [Phase("no anakinra", lo, hi)]
        stop = self.last_dose
        out = []
        if lo < self.day0:
            out.append(Phase("before treatment", lo, self.day0))
        out.append(Phase("on anakinra", self.day0, (stop + DAY) if stop is not None else hi))
        if stop is not None and stop + DAY < hi:
            out.append(Phase("after stopping", stop + DAY, hi))
        return out

    def daily_dose(self, drug: str = ANAKINRA, *, per_kg: bool = False) -> pd.DataFrame:
        """One row per calendar day from first to last administration: dose, 0 when missed.

        Periods may be recorded in mg/day or in mg/kg/day (children); either is converted
        with the weight carried forward, so both read in the unit asked for (NaN where a
        conversion needs a weight that was never recorded).
        """
        periods = self.drug_periods(drug)
        if periods.empty:
            return pd.DataFrame({"t": np.array([], dtype=float), "dose": []})
        start = periods["start"].min()
        end = periods["end"].max() if periods["end"].notna().all() else _to_ts(self.time_range[1])
        days = pd.date_range(start, end, freq="D")
        dose = np.zeros(len(days))
        by_weight = np.zeros(len(days), dtype=bool)
        for _, p in periods.iterrows():
            last = p["end"] if pd.notna(p["end"]) else days[-1]
            mask = (days >= p["start"]) & (days <= last)
            dose[mask] = p["dose"] if pd.notna(p["dose"]) else np.nan
            by_weight[mask] = is_per_kg(p["unit"])
        t = epochs(days)
        if per_kg or by_weight.any():
            weight = self.weight_at(t)
            dose = np.where(by_weight, dose, dose / weight) if per_kg else \
                np.where(by_weight, dose * weight, dose)
        return pd.DataFrame({"t": t, "dose": dose})

    def weight_at(self, t: np.ndarray) -> np.ndarray:
        """Body weight carried forward (first weight carried back), NaN if never weighed."""
        w = self.series("WEIGHT")
        if w.empty:
            return np.full(len(t), np.nan)
        wt, wv = w["t"].to_numpy(dtype=float), w["value"].to_numpy(dtype=float)
        idx = np.clip(np.searchsorted(wt, t, side="right") - 1, 0, len(wt) - 1)
        return wv[idx]

    @cached_property
    def anchor(self) -> Anchor:
        """Day 0 for every "day N": anakinra start, else the first clinical record
        (data.alignment)."""
        meds = self.medications
        starts = np.array([epoch(d) for d in meds["start"]] if not meds.empty else [])
        codes, firsts = self._code_firsts()
        first = first_clinical_record(firsts, codes, starts)
        return anchor_of(self.day0, first, self.time_range[0])

    # -- activity --------------------------------------------------------------------
    @cached_property
    def activity_score(self) -> pd.DataFrame:
        """Daily AIDAI sum (0–12) with how many of the 12 items were recorded that day.

        One row per day from the first to the last diary day: a day without a diary has
        score NaN and 0 items, so gaps stay gaps instead of reading as quiet days.
        """
        parts = [self.numbers(c) for c in AIDAI_CODES]
        parts = [(t, v) for t, v in parts if len(t)]
        if not parts:
            return pd.DataFrame({"t": [], "score": [], "items": []})
        # Summed in numpy: a pandas concat and groupby took ~5 ms of a ten-year case's
        # opening.
        t = np.concatenate([t for t, _ in parts])
        value = np.concatenate([v for _, v in parts])
        days, which = np.unique((t // DAY) * DAY, return_inverse=True)
        recorded = ~np.isnan(value)
        score = np.bincount(which, weights=np.where(recorded, value, 0.0), minlength=len(days))
        items = np.bincount(which, weights=recorded, minlength=len(days)).astype(int)
        return every_diary_day(pd.Series(score, index=days), pd.Series(items, index=days))


def every_diary_day(score: pd.Series, items: pd.Series) -> pd.DataFrame:
    """Case.activity_score from the days with an answer (index: the day's midnight): the
    sum of the answers and how many there were, every day between with score NaN."""
    out = pd.DataFrame({"score": score, "items": items})
    if out.empty:
        return pd.DataFrame({"t": [], "score": [], "items": []})
    every_day = np.arange(out.index.min(), out.index.max() + DAY, DAY)
    out = out.reindex(every_day)
    out["items"] = out["items"].fillna(0).astype(int)
    out.index.name = "t"
    return out.reset_index()


def _several(column: pd.Series) -> bool:
    """More than one value in the column. A categorical one is read from its codes: pandas'
    nunique made int64 copies of a million-row column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        return bool(len(codes)) and bool((codes != codes[0]).any())
    return column.nunique(dropna=False) > 1


def is_per_kg(unit: object) -> bool:
    """A dose unit per kg of body weight (mg/kg/d), as the importer stores it."""
    return isinstance(unit, str) and "/kg" in unit


def _to_ts(epoch: float) -> pd.Timestamp:
    return pd.Timestamp(int(epoch), unit="s").normalize()


def epochs(index: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    # Resolution-independent (pandas 3 may pick s, ms, us or ns for a date range).
    return ((index - pd.Timestamp(0)) // pd.Timedelta(seconds=1)).to_numpy(dtype=float)


def epoch(value) -> float:
    """A date, datetime or Timestamp (naive = UTC) as epoch seconds."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return float(ts.value // 10**9)
