"""A weight history from a measurement file converts mg/kg/day doses, as a child's are."""

from __future__ import annotations

import numpy as np
import pytest

from data.case_list import case_list_rows
from data.importing import ImportFailed, import_file
from data.summary import load_case

WEIGHTS = """patient;date;code;value;unit
KID-01;01/01/2026;WEIGHT;20;kg
KID-01;01/03/2026;Poids;22500;g
"""
DOSING = """drug,dose,unit,start,end,route
anakinra,2,mg/kg/d,2026-01-10,2026-03-31,subcutaneous
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_weight_history_converts_mg_per_kg_doses(engine, tmp_path):
    import_file(engine, _write(tmp_path, "w.csv", WEIGHTS))
    import_file(engine, _write(tmp_path, "d.csv", DOSING), patient="KID-01")
    pid = next(r.id for r in case_list_rows(engine) if r.pseudonym == "KID-01")
    case = load_case(engine, pid)
    w = case.series("WEIGHT")
    assert w["value"].tolist() == [20.0, 22.5]  # 22500 g stored as kg
    dose = case.daily_dose()
    days = dose["t"].to_numpy()
    mg = dose["dose"].to_numpy()
    jan = days < np.datetime64("2026-03-01").astype("datetime64[s]").astype(float)
    assert np.allclose(mg[jan], 40.0) and np.allclose(mg[~jan], 45.0)


@pytest.mark.parametrize("value", ["0", "720", "-5"])
def test_implausible_weight_in_a_measurement_file_is_refused(engine, tmp_path, value):
    text = f"patient,date,code,value,unit\nKID-02,2026-01-01,WEIGHT,{value},kg\n"
    with pytest.raises(ImportFailed, match='row 2, column "value"'):
        import_file(engine, _write(tmp_path, "w.csv", text))
    assert case_list_rows(engine) == []
