"""A case's series: rows of one code, found without copying the case's numbers."""

import numpy as np
import pandas as pd

from data.case import Case


def _case(observations: pd.DataFrame) -> Case:
    return Case({"id": 1, "pseudonym": "P-01"}, observations, pd.DataFrame(),
                pd.DataFrame(), pd.DataFrame())


def _frame(rows, *, categorical=True):
    df = pd.DataFrame(rows, columns=["t", "code", "value", "censor", "unit", "specimen",
                                     "source"])
    if categorical:
        for c in ("code", "censor", "unit", "specimen", "source"):
            df[c] = df[c].astype("category")
    return df


# As the bulk read returns them: grouped by series (CRP serum, IL1B, CRP plasma), then time.
ROWS = [
    (100, "CRP", 4.0, "", "mg/L", "serum", "a.csv"),
    (300, "CRP", 9.5, "<", "mg/L", "serum", "a.csv"),
    (150, "IL1B", 12.0, "", "pg/mL", "PBMC", "b.csv"),
    (200, "CRP", 7.0, "", "mg/L", "plasma", "b.csv"),
    (400, "CRP", 3.0, ">", "mg/L", "plasma", "b.csv"),
]


def test_a_code_in_two_series_reads_as_one_in_time_order():
    for categorical in (True, False):
        case = _case(_frame(ROWS, categorical=categorical))
        crp = case.series("CRP")
        assert list(crp["t"]) == [100, 200, 300, 400]
        assert list(crp["specimen"].astype(str)) == ["serum", "plasma", "serum", "plasma"]
        assert list(case.series("CRP", "plasma")["value"]) == [7.0, 3.0]
        assert list(case.series("IL1B")["value"]) == [12.0]
        assert case.codes == ["CRP", "IL1B"] and case.series("TEMP").empty


def test_a_code_stored_as_one_series_shares_the_case_numbers():
    n = 100_000
    obs = _frame([(t, "TEMP", 36.5, "", "Cel", "device", "") for t in range(n)]
                 + [(0, "CRP", 4.0, "", "mg/L", "serum", "")])
    temp = _case(obs).series("TEMP")
    assert len(temp) == n
    assert np.shares_memory(temp["t"].to_numpy(), obs["t"].to_numpy())
    assert np.shares_memory(temp["value"].to_numpy(), obs["value"].to_numpy())
