"""Dosing files: one row per period of constant daily dose (drug, dose, unit, start, end, route).

Start and end are calendar dates, both inclusive; an empty end means the period is
ongoing. Two periods of the same drug that overlap are an error: a period is a constant
daily dose, so an overlap would count the drug twice on the shared days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.codes import DRUG_ATC
from data.importing.columns import DOSING_FIELDS
from data.importing.context import Options
from data.importing.dates import DAY, parse_dates
from data.importing.drug_rows import DrugRows
from data.importing.errors import Problems
from data.importing.readers import Table
from data.importing.synonyms import key
from data.importing.units import DOSE_UNITS_ACCEPTED, dose_conversion

# Beyond these a daily dose is a typo or an attack (100 g a day of any drug), and an
# infinite dose would break every later computation (mg/kg, key figures, the PDF).
MAX_DAILY_DOSE = {"mg": 100_000.0, "mg/kg/d": 1_000.0}

MEDICATION_FRAME_COLUMNS = ["patient", "drug", "atc", "dose", "unit", "route", "start", "end",
                            "row", "from_unit"]  # from_unit: the file's unit of a converted dose

# Brand and French names, to the lower-case international name we store.
DRUG_NAMES = {
    "kineret": "anakinra", "ilaris": "canakinumab", "enbrel": "etanercept",
    "colchimax": "colchicine", "colchicineopocalcium": "colchicine",
    "cortancyl": "prednisone", "ibuprofene": "ibuprofen", "advil": "ibuprofen",
    "nurofen": "ibuprofen",
}
def drug_name(text: str) -> str:
    lowered = " ".join(text.split()).lower()
    return DRUG_NAMES.get(key(lowered), lowered)


def read_dosing(table: Table, options: Options, problems: Problems) -> pd.DataFrame:
    checked = DrugRows(table, options, problems, allowed=DOSING_FIELDS,
                       needed=("drug", "dose", "start"), kind="a dosing file")
    col, fields, rule, n = checked.col, checked.fields, checked.rule, checked.n
    rows, patients = checked.rows, checked.patients
    drug = checked.drugs(drug_name)
    dose, unit, from_unit = checked.doses(dose_conversion, DOSE_UNITS_ACCEPTED,
                                          MAX_DAILY_DOSE, "daily dose")
    route = checked.routes()

    start = parse_dates(col["start"])
    rule(start.bad, "start", start.reason)
    start_days = _written_days(col["start"], start.bad)
    end_days = np.full(n, np.nan)
    if "end" in fields:
        end = parse_dates(col["end"])
        given = (col["end"].str.strip() != "").to_numpy()
        rule(given & end.bad, "end", end.reason)
        end_days = np.where(given & ~end.bad, _written_days(col["end"], end.bad), np.nan)
    rule(end_days < start_days, "end", "the period ends before it starts")

    frame = pd.DataFrame({
        "patient": patients, "drug": drug, "atc": [DRUG_ATC.get(d) for d in drug],
        "dose": dose, "unit": unit, "route": route, "start": start_days, "end": end_days,
        "row": rows, "from_unit": from_unit,
    })[~checked.bad]
    frame = _check_overlaps(frame, problems)
    frame["start"] = _to_dates(frame["start"])
    frame["end"] = _to_dates(frame["end"])
    return frame.reset_index(drop=True)


# The calendar date as written, before any time or zone: "2020-01-10T00:30+01:00" is a
# dose on 10 January, not on 9 January (its UTC date).
_WRITTEN_DATE = (r"^(\d{4}-\d{2}-\d{2})(?:[T ].*|Z|[+-]\d{2}(?::?\d{2})?)$"
                 r"|^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})[T ].*$")


def _written_days(column: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of each row's written calendar date (0 where ``bad``).

    The whole text has been checked by parse_dates already; the time and zone it may
    carry are dropped, since a dosing period is made of whole calendar days.
    """
    text = column.astype(str).str.strip()
    found = text.str.extract(_WRITTEN_DATE)
    dates = parse_dates(found[0].fillna(found[1]).fillna(text))
    return np.where(bad | dates.bad, 0, dates.t // DAY)


def _to_dates(days: pd.Series) -> list:
    return [None if np.isnan(d) else (pd.Timestamp(0) + pd.Timedelta(days=int(d))).date()
            for d in days.to_numpy(dtype=float)]


def _check_overlaps(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Identical rows are kept once; overlapping periods of one drug are reported."""
    same = frame.duplicated(["patient", "drug", "start", "end", "dose", "unit", "route"])
    frame = frame[~same.to_numpy()].sort_values(["patient", "drug", "start", "row"])
    group = [frame["patient"], frame["drug"]]
    # How far the earlier periods of the same drug reach (an open end reaches forever).
    reach = frame["end"].fillna(np.inf).groupby(group).cummax().groupby(group).shift()
    overlap = (frame["start"] <= reach).to_numpy()
    sub = frame[overlap]
    problems.add_rows(sub["row"].to_numpy(), None, None,
                      np.array([f"overlaps an earlier {d} period in this file"
                                for d in sub["drug"]], dtype=object))
    return frame.sort_values("row")
