"""Administration files: one row per dose given (patient, date-time, drug, dose), as a
hospital's medication administration record lists each injection.

A dosing file's periods give one administration a day at an assumed time; these give the
real ones, and time since dose (data.dose_context) uses them on the days they cover. So
each row needs its time of day: a date alone says no more than a period does.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from data.codes import DRUG_ATC
from data.importing.columns import ADMINISTRATION_FIELDS
from data.importing.context import Options
from data.importing.dates import combine, parse_dates, parse_times_of_day
from data.importing.dosing import drug_name
from data.importing.drug_rows import DrugRows
from data.importing.errors import Problems
from data.importing.readers import Table
from data.importing.units import dose_conversion, normalise_unit

ADMINISTRATION_FRAME_COLUMNS = ["patient", "drug", "atc", "t", "dose", "unit", "route",
                                "row", "from_unit"]
# One injection: the largest daily dose a dosing file accepts is the ceiling here too.
MAX_DOSE = {"mg": 100_000.0, "mg/kg": 1_000.0}
UNITS_ACCEPTED = "mg (default), g, µg, mg/kg"
NO_TIME = ("no time of day: an administration is recorded with its time (a date alone "
           "is what a dosing period already says)")
_HAS_TIME = re.compile(r"[T ]\s*\d{1,2}[:hH]\d{2}")


def read_administrations(table: Table, options: Options, problems: Problems) -> pd.DataFrame:
    checked = DrugRows(table, options, problems, allowed=ADMINISTRATION_FIELDS,
                       needed=("drug", "dose", "date"), kind="an administration file")
    col, fields, rule = checked.col, checked.fields, checked.rule
    drug = checked.drugs(drug_name)

    dates = parse_dates(col["date"])
    rule(dates.bad, "date", dates.reason)
    timed = np.array(col["date"].astype(str).str.contains(_HAS_TIME), dtype=bool)
    if "time" in fields:
        times = parse_times_of_day(col["time"])
        rule(times.bad & ~dates.bad, "time", times.reason)
        both = combine(dates, times)
        rule(both.bad & ~dates.bad & ~times.bad, "time", both.reason)
        dates = both
        timed = timed | (col["time"].astype(str).str.strip() != "").to_numpy(dtype=bool)
    rule(~timed, "time" if "time" in fields else "date", NO_TIME)

    dose, unit, from_unit = checked.doses(_unit, UNITS_ACCEPTED, MAX_DOSE, "dose")
    route = checked.routes()
    frame = pd.DataFrame({
        "patient": checked.patients, "drug": drug, "atc": [DRUG_ATC.get(d) for d in drug],
        "t": dates.t, "dose": dose, "unit": unit, "route": route, "row": checked.rows,
        "from_unit": from_unit,
    })[~checked.bad]
    return _check_twice(frame, problems).reset_index(drop=True)


def _unit(text: str) -> tuple[str, float] | None:
    """A single dose's unit: a mass (converted to mg) or mg/kg; a daily unit (mg/d) is a
    period's, for a dosing file."""
    unit = normalise_unit(text)
    if unit == "mg/kg":
        return "mg/kg", 1.0
    return dose_conversion(text) if unit in ("", "mg", "g", "ug") else None


def _check_twice(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """The same row twice is kept once; two doses of one drug at one time are an error."""
    same = frame.duplicated(["patient", "drug", "t", "dose", "unit", "route"])
    frame = frame[~same.to_numpy()]
    clash = frame.duplicated(["patient", "drug", "t"], keep="first").to_numpy()
    sub = frame[clash]
    problems.add_rows(sub["row"].to_numpy(), None, None,
                      np.array([f"another {d} dose at the same time in this file"
                                for d in sub["drug"]], dtype=object))
    return frame
