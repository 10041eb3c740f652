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

from data.alignment import DAY, Anchor, anchor_of, treatment_start, utc_midnight
from data.codes import AIDAI_CODES, ANAKINRA
from data.first_record import NOT_CLINICAL, first_record

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

        def of_drug() -> pd.DataFrame | None:
            rows = a[a["drug"] == drug]
            return rows.sort_values("t", kind="stable") if len(rows) else None

        # Asked by day 0, the last dose, the daily dose and time since dose alike.
        return self.derived(("recorded doses", drug), of_drug)

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

    def _first_observed(self) -> float | None:
        """The first measurement or diary answer, weighings left out (data.first_record)."""
        # Each code's first time, not every row's: the codes of a million rows as Python
        # strings and their test against NOT_CLINICAL took ~26 MB for a moment.
        t = self.observations["t"].to_numpy()
        firsts = [float(t[pos].min()) for code, pos in self._positions.items()
                  if code not in NOT_CLINICAL]
        return min(firsts) if firsts else None

    def _given_times(self) -> np.ndarray:
        """Every dose given one by one (any drug), epoch seconds."""
        a = self.administrations
        return np.array([], dtype=float) if a is None else a["t"].to_numpy(dtype=float)

    @cached_property
    def time_range(self) -> tuple[float, float]:
        ts: list[float] = self._observed_range()
        if not self.medications.empty:
            ts += [epoch(self.medications["start"].min())]
            ends = self.medications["end"].dropna()
            if len(ends):
                ts.append(epoch(ends.max()) + DAY)
        given = self._given_times()
        if given.size:  # the last dose's whole day, as a period's last day
            ts += [float(given.min()), utc_midnight(given.max()) + DAY]
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
    def _first_anakinra(self) -> tuple[float, bool] | None:
        """The first anakinra administration: (epoch seconds, recorded with its time).

        The earlier of the first period's start (a date: its time is assumed) and the
        first dose recorded one by one; on the same day the recorded one, which replaces
        the period's assumed dose there (data.dose_context)."""
        periods, given = self.drug_periods(ANAKINRA), self.recorded_doses(ANAKINRA)
        start = None if periods.empty else epoch(periods["start"].min())
        first = None if given is None else float(given["t"].iloc[0])
        if first is not None and (start is None or utc_midnight(first) <= start):
            return first, True
        return None if start is None else (start, False)

    @cached_property
    def day0(self) -> float | None:
        """The first anakinra administration's day (epoch seconds, midnight UTC), from
        periods or recorded doses; None if the case has neither."""
        first = self._first_anakinra
        return None if first is None else utc_midnight(first[0])

    @cached_property
    def treatment_start(self) -> float | None:
        """From when a sample is on treatment (data.alignment.treatment_start): the first
        administration if recorded with its time, else day 1; None without anakinra."""
        first = self._first_anakinra
        return None if first is None else treatment_start(*first)

    @cached_property
    def last_dose(self) -> float | None:
        """The day of the last anakinra administration (midnight UTC), from periods or
        recorded doses; None while a period is open (treatment continues)."""
        a, given = self.drug_periods(ANAKINRA), self.recorded_doses(ANAKINRA)
        if not a.empty and a["end"].isna().any():
            return None
        days = [] if a.empty else [epoch(a["end"].max())]
        if given is not None:
            days.append(utc_midnight(float(given["t"].iloc[-1])))
        return max(days) if days else None

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

        A period gives its daily dose; on a day with doses recorded one by one, their sum
        replaces it (as in data.dose_context), and a day with neither is a missed dose.
        Doses may be recorded in mg/day or in mg/kg/day (children); either is converted
        with the weight carried forward, so both read in the unit asked for (NaN where a
        conversion needs a weight that was never recorded).
        """
        periods, given = self.drug_periods(drug), self.recorded_doses(drug)
        if periods.empty and given is None:
            return pd.DataFrame({"t": np.array([], dtype=float), "dose": []})
        gt = np.array([], dtype=float) if given is None else \
            np.floor(given["t"].to_numpy(dtype=float) / DAY) * DAY
        bounds = list(gt[[0, -1]]) if gt.size else []
        if not periods.empty:
            bounds.append(epoch(periods["start"].min()))
            bounds.append(epoch(periods["end"].max()) if periods["end"].notna().all()
                          else utc_midnight(self.time_range[1]))
        t = np.arange(min(bounds), max(bounds) + DAY / 2, DAY)
        dose = np.zeros(t.size)
        by_weight = np.zeros(t.size, dtype=bool)
        rows = zip(periods["start"], periods["end"], periods["dose"], periods["unit"],
                   strict=True) if not periods.empty else ()
        for start, end, amount, unit in rows:
            last = epoch(end) if pd.notna(end) else t[-1]
            mask = (t >= epoch(start)) & (t <= last)
            dose[mask] = amount if pd.notna(amount) else np.nan
            by_weight[mask] = is_per_kg(unit)
        if given is not None:
            day = ((gt - t[0]) / DAY).astype(int)
            dose[day] = 0.0
            np.add.at(dose, day, given["dose"].to_numpy(dtype=float))
            by_weight[day] = [is_per_kg(u) for u in given["unit"]]
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
        """Day 0 for every "day N": anakinra start, else the first record
        (data.alignment, data.first_record)."""
        meds, given = self.medications, self._given_times()
        first = first_record(self._first_observed(),
                             None if meds.empty else epoch(meds["start"].min()),
                             float(given.min()) if given.size else None)
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


def epochs(index: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    # Resolution-independent (pandas 3 may pick s, ms, us or ns for a date range).
    return ((index - pd.Timestamp(0)) // pd.Timedelta(seconds=1)).to_numpy(dtype=float)


def epoch(value) -> float:
    """A date, datetime or Timestamp (naive = UTC) as epoch seconds."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return float(ts.value // 10**9)
