"""Healthy-control references: what a valid one is, which one a measurement uses, and
how it reads in a figure, a table or a terminal.

Fold over controls is value ÷ the healthy-control mean for the same analyte, specimen and
stimulation (DOMAIN.md). References are the lab's own (imported, or typed in the
dialog); a measurement without one shows absolute values only, and ``Match.reason``
says why in the words the screen and the PDF print ("no IL-1β control for serum").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from data.codes import ANALYTES, CYTOKINES, MARKERS, PBMC_LPS, PBMC_SPONTANEOUS, SERUM, label
from data.importing.observations import MAX_VALUE
from data.importing.safe_text import text_problem
from data.importing.units import Conversion, conversion
from data.numbers import DASH, fmt_number, is_missing
from db.audit import audited_transaction
from db.controls import change_references

FOLD_CODES = tuple(a.code for a in CYTOKINES)  # fold over controls is shown for these
RANGE_CODES = tuple(a.code for a in MARKERS)  # these may give a normal range instead
REFERENCE_CODES = FOLD_CODES + RANGE_CODES
BAND_SDS = 2  # the control band is mean ± 2 SD, or the reported range

_SPECIMEN_PHRASE = {PBMC_SPONTANEOUS: "spontaneous PBMC secretion",
                    PBMC_LPS: "LPS-stimulated PBMC", SERUM: "serum",
                    "": "an unspecified specimen"}


def specimen_phrase(specimen: str) -> str:
    return _SPECIMEN_PHRASE.get(specimen, specimen)


def no_control_text(code: str, specimen: str) -> str:
    return f"no {label(code)} control for {specimen_phrase(specimen)}"


# -- one reference, checked ---------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """One reference as written (numbers in ``unit``), before it is stored."""

    code: str
    specimen: str
    unit: str
    n: float | None = None
    mean: float | None = None
    sd: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    upper_normal: float | None = None
    assay: str = ""
    batch: str = ""
    lab: str = ""
    ref_date: dt.date | None = None
    source: str | None = None

    NUMBERS = ("n", "mean", "sd", "range_low", "range_high", "upper_normal")

    def row(self) -> dict[str, Any]:
        """The database row: blanks as NULL, n as an integer."""
        out = asdict(self)
        for k in ("assay", "batch", "lab"):
            out[k] = out[k].strip() or None
        if out["n"] is not None:
            out["n"] = int(out["n"])
        return out


def check(ref: Reference) -> list[tuple[str, str]]:
    """Every problem of one reference as (field, reason); empty when it can be stored."""
    out: list[tuple[str, str]] = []
    if ref.code not in REFERENCE_CODES:
        out.append(("code", f"no control reference for this analyte (accepted: "
                            f"{', '.join(REFERENCE_CODES)})"))
        return out
    conv = conversion(ref.unit, ref.code)
    if isinstance(conv, str):
        out.append(("unit", conv))
    for f in Reference.NUMBERS:
        v = getattr(ref, f)
        if v is not None and not math.isfinite(v):
            out.append((f, "not a finite number"))
    for f in ("lab", "assay", "batch"):
        reason = text_problem((getattr(ref, f) or "").strip(" "))
        if reason:
            out.append((f, reason))
    if out:
        return out
    fold = ref.code in FOLD_CODES
    if ref.mean is None and (fold or (ref.range_high is None and ref.upper_normal is None)):
        out.append(("mean", "no mean: fold over controls divides by it" if fold
                    else "no mean, range or upper limit of normal"))
    elif ref.mean is not None and ref.mean <= 0:
        out.append(("mean", "the mean must be above 0 (fold over controls divides by it)"))
    if ref.n is None:
        if fold:
            out.append(("n", "no n (how many healthy controls)"))
    elif ref.n <= 0 or ref.n != int(ref.n):
        out.append(("n", "n must be a whole number above 0"))
    if ref.sd is not None and ref.sd < 0:
        out.append(("sd", "the SD cannot be negative"))
    if (ref.range_low is None) != (ref.range_high is None):
        out.append(("range_high" if ref.range_high is None else "range_low",
                    "a range needs both ends (low–high)"))
    elif ref.range_low is not None and ref.range_high is not None:
        if ref.range_low < 0:
            out.append(("range_low", "the range cannot start below 0"))
        if ref.range_low > ref.range_high:
            out.append(("range_low", "the range's low end is above its high end"))
    if ref.upper_normal is not None and ref.upper_normal <= 0:
        out.append(("upper_normal", "the upper limit of normal must be above 0"))
    if ref.n is not None and ref.n > MAX_CONTROLS:
        out.append(("n", f"n above {MAX_CONTROLS:,} healthy controls is not a study size"))
    return out or _plausible(to_stored_unit(ref))


MAX_CONTROLS = 1_000_000
# A mean this small makes every fold astronomic: a typo, not a control group.
MIN_MEAN = 1e-6


def _plausible(stored: Reference) -> list[tuple[str, str]]:
    """Numbers a lab could have measured, once in the stored unit: as for measurements
    (MAX_VALUE), and a mean fold can divide by. 1e308 ng/mL is infinity in pg/mL."""
    out = [(f, f"more than {MAX_VALUE:.0e} {stored.unit} once converted: not a measurement")
           for f in Reference.NUMBERS if f != "n" and getattr(stored, f) is not None
           and not abs(getattr(stored, f)) <= MAX_VALUE]
    if stored.mean is not None and 0 < stored.mean < MIN_MEAN:
        out.append(("mean", f"a mean below {MIN_MEAN:g} {stored.unit} would make every fold "
                            "astronomic: check the unit"))
    return out


def to_stored_unit(ref: Reference) -> Reference:
    """The same reference in the unit its analyte is stored in (a checked reference)."""
    conv = conversion(ref.unit, ref.code)
    assert isinstance(conv, Conversion)
    stored = ANALYTES[ref.code].unit
    if conv.identity:
        return replace(ref, unit=stored)

    def level(v: float | None) -> float | None:
        with np.errstate(over="ignore"):  # an overflow is refused by _plausible, not warned
            return None if v is None else float(conv.apply(pd.Series([v]).to_numpy())[0])

    def spread(v: float | None) -> float | None:
        return None if v is None else float(v * conv.scale)

    return replace(ref, unit=stored, mean=level(ref.mean), sd=spread(ref.sd),
                   range_low=level(ref.range_low), range_high=level(ref.range_high),
                   upper_normal=level(ref.upper_normal))


# -- matching a measurement ---------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """The reference a series uses (numbers in the series' unit), or why there is none."""

    ref: dict[str, Any] | None
    reason: str = ""

    @property
    def mean(self) -> float | None:
        m = None if self.ref is None else self.ref.get("mean")
        return float(m) if _number(m) and m > 0 else None


def by_key(controls: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """The references as rows keyed by (code, specimen), the first of each key: one pass
    over the table, where a DataFrame filter per lookup cost ~0.5 ms (a case's opening
    looked up ~20)."""
    if controls.empty or "code" not in controls:
        return {}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in controls.to_dict("records"):
        specimen = row.get("specimen")
        out.setdefault((row["code"], "" if is_missing(specimen) else specimen), row)
    return out


def match(controls: pd.DataFrame | dict, code: str, specimen: str,
          unit: str | None = None) -> Match:
    """The reference in force for ``code`` in ``specimen``, in the measurement's ``unit``.

    controls: the references' table, or by_key of it (a case keeps that).
    A reference in another unit of the same kind is converted (ng/mL → pg/mL); one that
    cannot be converted is refused, with the reason, rather than divided into.
    """
    index = controls if isinstance(controls, dict) else by_key(controls)
    row = index.get((code, specimen or ""))
    if row is None:
        return Match(None, no_control_text(code, specimen))
    ref = {k: (None if is_missing(v) else v) for k, v in row.items()}
    if code in RANGE_CODES and ref.get("upper_normal") is None:
        # A marker's reference range ends at its upper limit of normal (CRP 0–5 mg/L).
        ref["upper_normal"] = ref.get("range_high")
    ref_unit = str(ref.get("unit") or "")
    if not unit or not ref_unit or ref_unit == unit:
        return Match(ref)
    factor = unit_factor(code, ref_unit, unit)
    if factor is None:
        return Match(None, f"the {label(code)} control for {specimen_phrase(specimen)} is in "
                           f"{ref_unit}, the values in {unit}: the units do not convert")
    for k in ("mean", "sd", "range_low", "range_high", "upper_normal"):
        if _number(ref.get(k)):
            ref[k] = float(ref[k]) * factor
    ref["unit"] = unit
    return Match(ref)


def unit_factor(code: str, source: str, target: str) -> float | None:
    """x source × factor = x target, for units of the same kind without offset."""
    if code not in ANALYTES:
        return None
    a, b = conversion(source, code), conversion(target, code)
    if isinstance(a, str) or isinstance(b, str) or a.offset or b.offset:
        return None
    return a.scale / b.scale


def band(ref: dict[str, Any]) -> tuple[float, float] | None:
    """The healthy-control band in the reference's unit: mean ± 2 SD, else its range."""
    mean, sd = ref.get("mean"), ref.get("sd")
    if _number(mean) and _number(sd):
        return max(mean - BAND_SDS * sd, 0.0), mean + BAND_SDS * sd
    lo, hi = ref.get("range_low"), ref.get("range_high")
    if _number(lo) and _number(hi):
        return float(lo), float(hi)
    return None


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


# -- how a reference reads ---------------------------------------------------------------
def spread_text(ref: dict[str, Any]) -> str:
    """"SD 5" or "range 2–30" (or both), in the reference's unit."""
    parts = []
    if _number(ref.get("sd")):
        parts.append(f"SD {fmt_number(ref['sd'])}")
    if _number(ref.get("range_low")) and _number(ref.get("range_high")):
        parts.append(f"range {fmt_number(ref['range_low'])}–{fmt_number(ref['range_high'])}")
    if _number(ref.get("upper_normal")):
        parts.append(f"normal < {fmt_number(ref['upper_normal'])}")
    return ", ".join(parts) or DASH


def reference_text(ref: dict[str, Any]) -> str:
    """One line: lab, n, mean, SD or range, unit, assay, batch."""
    mean = fmt_number(ref["mean"]) if _number(ref.get("mean")) else DASH
    n = str(int(ref["n"])) if _number(ref.get("n")) else DASH
    extra = ", ".join(f"{k} {ref[k]}" for k in ("assay", "batch") if ref.get(k))
    return (f"{ref.get('lab') or 'lab not named'}: n = {n}, mean {mean} {ref.get('unit', '')},"
            f" {spread_text(ref)}" + (f" ({extra})" if extra else ""))


def describe(ref: dict[str, Any]) -> str:
    """"IL-1β, spontaneous PBMC secretion — lab: n = 20, mean 12 pg/mL, SD 5"."""
    return (f"{label(ref['code'])}, {specimen_phrase(ref.get('specimen') or '')} — "
            f"{reference_text(ref)}")


def list_rows(rows: pd.DataFrame, *, retired: bool = False) -> list[dict[str, str]]:
    """Stored references as text cells (the CLI's columns), in force first."""
    out = []
    for r in rows.to_dict("records"):
        r = {k: (None if is_missing(v) else v) for k, v in r.items()}
        if r.get("retired_set_id") is not None and not retired:
            continue
        num = {k: fmt_number(r[k]) if _number(r.get(k)) else "" for k in
               ("mean", "sd", "upper_normal")}
        rng = (f"{fmt_number(r['range_low'])}–{fmt_number(r['range_high'])}"
               if _number(r.get("range_low")) and _number(r.get("range_high")) else "")
        out.append({**num, "code": r["code"], "specimen": r.get("specimen") or "",
                    "unit": r.get("unit") or "",
                    "n": str(int(r["n"])) if _number(r.get("n")) else "", "range": rng,
                    "lab": r.get("lab") or "", "assay": r.get("assay") or "",
                    "batch": r.get("batch") or "",
                    "date": str(r["ref_date"])[:10] if r.get("ref_date") else "",
                    "id": str(int(r["id"])), "set": str(int(r["set_id"])),
                    "status": ("in force" if r.get("retired_set_id") is None
                               else f"retired by set {int(r['retired_set_id'])}")})
    return sorted(out, key=lambda x: (x["status"] != "in force", x["code"], x["specimen"],
                                      int(x["id"])))


def set_text(s: dict[str, Any] | None, *, lab: Callable[[Any], str] = str) -> str:
    """"reference set 3 (CHU Lyon)": how every figure names the references it used; lab
    prints the lab's name (a neutral label, "lab 2", when de-identified)."""
    if not s:
        return "no reference set"
    return f"reference set {int(s['id'])} ({lab(s.get('lab')) if s.get('lab') else 'lab not named'})"


# -- writing ---------------------------------------------------------------------------------
def labs_of(refs: list[Reference]) -> str:
    return "; ".join(dict.fromkeys(r.lab.strip() for r in refs if r.lab.strip())) or ""


def checked_rows(refs: list[Reference]) -> list[dict[str, Any]]:
    """Database rows of references in their stored unit. Raises ValueError when one is
    bad (the file importer reports each problem itself before it gets here)."""
    for r in refs:
        problems = check(r)
        if problems:
            raise ValueError(f"{label(r.code)} {specimen_phrase(r.specimen)}: "
                             + "; ".join(reason for _, reason in problems))
    return [to_stored_unit(r).row() for r in refs]


def write_references(conn: Connection, refs: list[Reference], *, actor: str, action: str,
                     source: str | None = None, retire: list[int] | None = None,
                     supersede: bool = False, lab: str | None = None) -> int | None:
    """Write checked references as one new set in ``conn``'s transaction; returns its id,
    or None when the references in force already say exactly this."""
    return change_references(conn, add=checked_rows(refs), retire=retire or [], actor=actor,
                             action=action, source=source, supersede=supersede,
                             lab=lab if lab is not None else labs_of(refs))


def store_references(engine: Engine, refs: list[Reference], **kw: Any) -> int | None:
    """``write_references`` in a transaction of its own (the dialog, the CLI), holding the
    write lock from its start so that it waits for another writer as imports do (it gave
    up at once with 'database is locked')."""
    with audited_transaction(engine) as conn:
        return write_references(conn, refs, **kw)
