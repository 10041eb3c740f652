"""Editing a weight history: what a typed table changes, how it is stored and audited, and
that mg/kg figures (the dose axis, the PDF's dosing table) follow the edit."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import pytest

from data.audit_text import change_lines
from data.importing import import_file
from data.patients import PatientValueError, replaced, save_details, weight_edits, weight_text
from data.summary import build_summary, load_case
from data.summary.load import load_audit
from db.patients import StalePatientError, get_patient, patient_id, update_patient

TODAY = dt.date(2026, 6, 1)
WEIGHTS = """patient;date;code;value;unit
KID-01;01/01/2026;WEIGHT;20;kg
KID-01;01/03/2026;Poids;22500;g
"""
DOSING_PER_KG = "drug,dose,unit,start,end,route\nanakinra,2,mg/kg/d,2026-01-10,2026-03-31,sc\n"
DOSING_MG = "drug,dose,unit,start,end,route\nanakinra,100,mg,2026-01-10,2026-03-31,sc\n"


def _epoch(day: str) -> float:
    return float(calendar.timegm(dt.date.fromisoformat(day).timetuple()))


def _kid(engine, tmp_path, dosing: str) -> int:
    for name, text, patient in (("w.csv", WEIGHTS, None), ("d.csv", dosing, "KID-01")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        import_file(engine, path, patient=patient)
    return patient_id(engine, "KID-01")


def _dose_on(engine, pid: int, day: str, *, per_kg: bool) -> float:
    dose = load_case(engine, pid).daily_dose(per_kg=per_kg).set_index("t")["dose"]
    return float(dose[_epoch(day)])


def _table(summary, title: str):
    return next(t for t in summary.tables if t.title == title)


# -- what a table of typed rows changes ---------------------------------------------------
def test_an_untouched_table_changes_nothing_even_for_converted_weights():
    stored = {"2026-01-01": 20.0, "2026-03-01": 22.5, "2026-04-01": 61.49999999}
    rows = [(day, weight_text(kg)) for day, kg in stored.items()]
    assert weight_edits(stored, rows, today=TODAY) == {}
    assert weight_text(20.0) == "20" and weight_text(22.5) == "22.5"


def test_added_corrected_moved_and_removed_rows_become_changes_by_date():
    stored = {"2026-01-01": 20.0, "2026-03-01": 22.5, "2026-04-01": 23.0}
    rows = [("01/01/2026", "20,4"), ("2026-03-05", "22.5"), ("2026-05-01", "24")]
    assert weight_edits(stored, rows, today=TODAY) == {
        "2026-01-01": 20.4, "2026-03-01": None, "2026-03-05": 22.5, "2026-04-01": None,
        "2026-05-01": 24.0}


def test_every_bad_row_is_named_at_once():
    rows = [("2026-01-01", "20"), ("2026-13-01", "20"), ("2026-02-01", "0"),
            ("2027-01-01", "20"), ("01/01/2026", "21"), ("", "3"), ("2026-02-02", "")]
    with pytest.raises(PatientValueError) as err:
        weight_edits({}, rows, today=TODAY)
    message = str(err.value)
    assert "weight row 2: weight date '2026-13-01'" in message
    assert "weight row 3: implausible weight 0 kg (accepted 0.3–500 kg)" in message
    assert "weight row 4: implausible weight date 2027-01-01 (in the future)" in message
    assert "weight row 5: a second weight on 2026-01-01 (row 1)" in message
    assert "weight row 6: a weight needs its date" in message
    assert "weight row 7: no weight for 2026-02-02" in message
    assert "weight row 1" not in message


# -- stored, audited, version-checked -------------------------------------------------------
def test_a_weight_change_is_one_version_and_one_audit_row(engine, tmp_path):
    pid = _kid(engine, tmp_path, DOSING_MG)
    row = save_details(engine, pid, 1, actor="dr.kim",
                       weights={"15/02/2026": "21", "2026-01-01": "20.5", "2026-03-01": None})
    assert row["weights"] == {"2026-01-01": 20.5, "2026-02-15": 21.0}
    assert row["version"] == 2
    audit = load_audit(engine, load_case(engine, pid))
    last = audit.iloc[-1]
    assert (last["entity"], last["action"], last["actor"]) == ("patient", "update", "dr.kim")
    assert json.loads(last["before"]) == {
        "weights": {"2026-01-01": 20.0, "2026-02-15": None, "2026-03-01": 22.5}, "version": 1}
    assert change_lines("update", "patient", last["before"], last["after"]) == [
        "weight 2026-01-01: 20 kg → 20.5 kg", "weight 2026-02-15: — → 21 kg",
        "weight 2026-03-01: 22.5 kg → —"]


def test_a_weight_change_on_a_stale_version_is_refused_and_writes_nothing(engine, tmp_path):
    pid = _kid(engine, tmp_path, DOSING_MG)
    update_patient(engine, pid, 1, actor="other", diagnosis="CAPS")
    with pytest.raises(StalePatientError, match="changed meanwhile"):
        save_details(engine, pid, 1, actor="dr.kim", weights={"2026-01-01": "30"})
    assert get_patient(engine, pid)["weights"] == {"2026-01-01": 20.0, "2026-03-01": 22.5}


def test_undo_values_hold_only_the_dates_changed():
    row = {"weights": {"2026-01-01": 20.0, "2026-03-01": 22.5}, "diagnosis": None}
    assert replaced(row, {"weights": {"2026-01-01": 21.0, "2026-02-01": 20.5},
                          "diagnosis": "CAPS"}) == {
        "diagnosis": None, "weights": {"2026-01-01": 20.0, "2026-02-01": None}}


def test_a_correction_keeps_the_time_of_a_weighing_stored_with_one(engine, tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("patient;date;time;code;value;unit\nKID-02;01/01/2026;08:30;WEIGHT;20;kg\n")
    import_file(engine, path)
    pid = patient_id(engine, "KID-02")
    save_details(engine, pid, 1, actor="dr.kim", weights={"2026-01-01": "19.5"})
    w = load_case(engine, pid).series("WEIGHT")
    assert w["t"].tolist() == [_epoch("2026-01-01") + 8.5 * 3600] and w["value"].tolist() == [19.5]


# -- mg/kg figures follow the edit ----------------------------------------------------------
def test_an_edited_weight_changes_the_mg_per_kg_dose_on_the_axis(engine, tmp_path):
    pid = _kid(engine, tmp_path, DOSING_MG)
    assert _dose_on(engine, pid, "2026-02-01", per_kg=True) == pytest.approx(100 / 20)
    save_details(engine, pid, 1, actor="dr.kim", weights={"2026-01-01": "25"})
    assert _dose_on(engine, pid, "2026-02-01", per_kg=True) == pytest.approx(100 / 25)
    # A weight added inside the period takes over from its day.
    save_details(engine, pid, 2, actor="dr.kim", weights={"2026-01-20": "40"})
    assert _dose_on(engine, pid, "2026-01-19", per_kg=True) == pytest.approx(4.0)
    assert _dose_on(engine, pid, "2026-01-20", per_kg=True) == pytest.approx(2.5)


def test_an_edited_weight_changes_the_dose_and_the_weights_in_the_pdf_table(engine, tmp_path):
    pid = _kid(engine, tmp_path, DOSING_PER_KG)
    assert _dose_on(engine, pid, "2026-02-01", per_kg=False) == pytest.approx(40.0)
    rows = _table(build_summary(load_case(engine, pid)), "Dosing history").rows
    assert rows[0][-1] == "20 kg (2026-01-01); 22.5 kg (2026-03-01)"

    save_details(engine, pid, 1, actor="dr.kim",
                 weights={"2026-01-01": "18", "2026-03-01": None, "2026-02-15": "19"})
    assert _dose_on(engine, pid, "2026-02-01", per_kg=False) == pytest.approx(36.0)
    assert _dose_on(engine, pid, "2026-03-15", per_kg=False) == pytest.approx(38.0)
    rows = _table(build_summary(load_case(engine, pid)), "Dosing history").rows
    assert rows[0][-1] == "18 kg (2026-01-01); 19 kg (2026-02-15)"


def test_a_de_identified_summary_withholds_the_weight_dates_of_an_edit(engine, tmp_path):
    pid = _kid(engine, tmp_path, DOSING_PER_KG)
    save_details(engine, pid, 1, actor="dr.kim", weights={"2026-02-15": "19"})
    case = load_case(engine, pid)
    trail = _table(build_summary(case, audit=load_audit(engine, case)),
                   "Reviewer notes and audit trail")
    assert any("weight 2026-02-15: — → 19 kg" in r[-1] for r in trail.rows)
    trail = _table(build_summary(case, deidentify=True, audit=load_audit(engine, case)),
                   "Reviewer notes and audit trail")
    text = " ".join(" ".join(r) for r in trail.rows)
    assert "weights changed (withheld)" in text and "2026" not in text


def test_weights_that_convert_a_dose_in_mg_to_mg_per_kg_are_listed_too(engine, tmp_path):
    """A dose in mg is shown in mg/kg/d on the timeline's per-kg view and beside each
    sample: the weights behind those figures are in the dosing table, and follow an edit."""
    pid = _kid(engine, tmp_path, DOSING_MG)
    table = _table(build_summary(load_case(engine, pid)), "Dosing history")
    assert table.columns[-1].name == "Weight used"
    assert table.rows[0][-1] == "20 kg (2026-01-01); 22.5 kg (2026-03-01)"
    save_details(engine, pid, 1, actor="dr.kim", weights={"2026-03-01": "25"})
    table = _table(build_summary(load_case(engine, pid)), "Dosing history")
    assert table.rows[0][-1] == "20 kg (2026-01-01); 25 kg (2026-03-01)"
