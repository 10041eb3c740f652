"""The key figures of a case with the measurements behind them, as plain records.

The figures themselves are computed once, by data.summary.figures.key_figures, for the
PDF, the Key figures panel and ``summary [--json]`` alike; this module only looks up each
figure's samples (value, unit, date, day) so a reader can recompute it by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from data.alignment import day_text
from data.case import Case
from data.codes import SPECIMEN_LABELS, label
from data.summary.censored import Measure, censor_sign
from data.summary.dates import DateFormat, date_format
from data.summary.figures import NEAR_NORMAL_FOLD, KeyFigure, Sample, key_figures


def sample_record(case: Case, sample: Sample, fmt: DateFormat) -> dict[str, Any]:
    """One measurement behind a figure: where it is and what it read."""
    t, values, censors, units = case.derived(("sample columns", sample.code, sample.specimen),
                                             lambda: _columns(case, sample))
    i = int(np.searchsorted(t, sample.t))
    found = i < t.size and t[i] == sample.t
    value = float(values[i]) if found else None
    censor = censor_sign(censors[i]) if found else ""
    unit = str(units[i]) if found else ""
    return {
        "code": sample.code, "analyte": label(sample.code), "specimen": sample.specimen,
        "specimen_label": SPECIMEN_LABELS.get(sample.specimen, sample.specimen),
        "t": sample.t, "date": fmt.date(sample.t), "day": case.anchor.day(sample.t),
        "value": value, "censor": censor, "unit": unit,
        "text": "" if value is None else f"{Measure(value, censor).text()} {unit}".strip(),
    }


def _columns(case: Case, sample: Sample) -> tuple[np.ndarray, ...]:
    """The series' columns as arrays, once per case: a list of evidence asks for many
    samples (``suggest --all``: 2,000, 0.2 s as a DataFrame lookup each)."""
    rows = case.series(sample.code, sample.specimen)
    return (rows["t"].to_numpy(dtype=float), rows["value"].to_numpy(),
            rows["censor"].to_numpy(), rows["unit"].to_numpy())


def sample_line(record: dict[str, Any]) -> str:
    """"IL-1β (PBMC, spontaneous) 2024-04-10 (day +40): <5 pg/mL"."""
    return (f"{record['analyte']} ({record['specimen_label']}) {record['date']} "
            f"({day_text(record['day'])}): {record['text']}")


def figure_record(case: Case, figure: KeyFigure, fmt: DateFormat) -> dict[str, Any]:
    return {
        "name": figure.name, "value": figure.value, "number": figure.number,
        "day": figure.day, "definition": figure.definition, "threshold": figure.threshold,
        "samples": [sample_record(case, s, fmt) for s in figure.samples],
    }


def case_figures(case: Case, *, near_normal_fold: float = NEAR_NORMAL_FOLD,
                 relative: bool = False) -> dict[str, Any]:
    """Everything ``summary --json`` prints: the case, its day 0 and every key figure."""
    fmt = date_format(case, relative=relative)
    anchor = case.anchor
    return {
        "case": case.pseudonym,
        "day0": {"event": anchor.event, "described": anchor.described,
                 "date": None if relative else fmt.date(anchor.t)},
        "near_normal_fold": near_normal_fold,
        "figures": [figure_record(case, f, fmt) for f in
                    key_figures(case, fmt, near_normal_fold=near_normal_fold)],
    }
