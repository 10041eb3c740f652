"""Healthy-control references the lab owns: import, versioning, matching, folds.

Files are written here by hand the way a hospital lab sends them, and the database
starts WITHOUT the demo cohort.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from data.case import Case
from data.controls import Reference, match, store_references
from data.importing import ImportFailed, import_file
from data.importing.controls_file import read_reference_file
from data.summary import build_summary, date_format, key_figures
from db.controls import StaleReference, history, load_references, references
from db.queries import list_cases, load_case

REFS = """analyte;specimen/stimulation;unit;n;mean;SD;assay/kit;batch;lab;date
IL-1β;PBMC spontaneous;pg/mL;18;10,5;4,2;Luminex hs;B2026-03;CHU Test immunology;2026-03-01
IL-1β;LPS;ng/mL;18;1,6;0,5;Luminex hs;B2026-03;CHU Test immunology;01/03/2026
TNF-α;spontaneous;pg/mL;18;20;8;Luminex hs;B2026-03;CHU Test immunology;2026-03-01
"""

# Anakinra from 2020-01-06; IL-1β spontaneous 1050 before, 630 at day 7, 18.9 at day 14.
LAB = """patient,date,code,value,unit,specimen
LAB-01,2019-12-20,IL1B,1050,pg/mL,PBMC spontaneous
LAB-01,2020-01-13,IL1B,630,pg/mL,PBMC spontaneous
LAB-01,2020-01-20,IL1B,18.9,pg/mL,PBMC spontaneous
LAB-01,2019-12-20,IL1B,32000,pg/mL,LPS
LAB-01,2019-12-20,IL1B,40,pg/mL,serum
"""
DOSING = """patient,drug,dose,unit,start,end,route
LAB-01,anakinra,100,mg,2020-01-06,2021-03-01,subcutaneous
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lab_case(engine, tmp_path):
    """A database that started from a hospital's files: no demo."""
    import_file(engine, write(tmp_path, "lab.csv", LAB))
    import_file(engine, write(tmp_path, "dosing.csv", DOSING))
    assert list(list_cases(engine)["pseudonym"]) == ["LAB-01"]
    return engine


def case_of(engine) -> Case:
    pid = int(list_cases(engine)["id"].iloc[0])
    return Case.from_frames(load_case(engine, pid))


def import_refs(engine, path, **kw):
    plan = read_reference_file(path, **kw)
    return store_references(engine, plan.references, actor="tester", action="import",
                            source=plan.file, supersede=True)


def test_without_references_a_lab_case_says_why_there_is_no_fold(lab_case):
    case = case_of(lab_case)
    assert case.control_mean("IL1B", "pbmc-spont") is None
    assert case.control_match("IL1B", "serum").reason == "no IL-1β control for serum"
    figs = {f.name: f for f in key_figures(case, date_format(case, relative=False))}
    assert figs["Days to near-normal IL-1β"].value == (
        "not computable (no IL-1β control for spontaneous PBMC secretion)")
    assert "no IL-1β control for spontaneous PBMC secretion" in figs["Baseline IL-1β"].value


def test_imported_references_give_folds_and_near_normal(lab_case, tmp_path):
    set_id = import_refs(lab_case, write(tmp_path, "refs.csv", REFS))
    assert set_id == 1
    case = case_of(lab_case)
    assert case.reference_set["lab"] == "CHU Test immunology"
    fold = case.fold("IL1B", "pbmc-spont")
    assert fold["fold"].tolist() == pytest.approx([100.0, 60.0, 1.8])
    # ng/mL in the file, stored (and divided) in pg/mL: 32000 / 1600 = 20
    assert case.fold("IL1B", "pbmc-lps")["fold"].tolist() == pytest.approx([20.0])
    assert case.control("IL1B", "pbmc-lps")["sd"] == pytest.approx(500.0)
    figs = {f.name: f for f in key_figures(case, date_format(case, relative=False))}
    near = figs["Days to near-normal IL-1β"]
    assert near.day == 14 and "1.8× controls" in near.value
    assert "(100× controls; n = 1: 2019-12-20)" in figs["Baseline IL-1β"].value
    # serum IL-1β has no reference: absolute only, and the summary says why
    refs = next(t for t in build_summary(case).tables if t.title == "Healthy-control references")
    assert refs.rows[-1][:3] == ("IL-1β", "serum", "no IL-1β control for serum: no fold shown")
    assert refs.rows[1][:6] == ("IL-1β", "PBMC, spontaneous", "CHU Test immunology", "18",
                                "10.5", "SD 4.2")
    assert "reference set 1 (CHU Test immunology)" in refs.note


def test_an_edit_retires_the_old_row_and_old_sets_read_back(lab_case, tmp_path):
    import_refs(lab_case, write(tmp_path, "refs.csv", REFS))
    with lab_case.connect() as conn:
        old = references(conn)
    il1b = int(old[(old.code == "IL1B") & (old.specimen == "pbmc-spont")]["id"].iloc[0])
    new = Reference("IL1B", "pbmc-spont", "pg/mL", n=25, mean=15.0, sd=6.0, lab="CHU Test 2027")
    set2 = store_references(lab_case, [new], actor="tester", action="edit", retire=[il1b])
    assert set2 == 2
    rows, sets = history(lab_case)
    assert len(rows) == 4 and list(sets["action"]) == ["import", "edit"]
    assert rows.set_index("id").loc[il1b, "retired_set_id"] == 2
    with lab_case.connect() as conn:
        assert references(conn, as_of=1).set_index("id").loc[il1b, "mean"] == 10.5
        assert il1b not in set(references(conn)["id"])
    assert case_of(lab_case).fold("IL1B", "pbmc-spont")["fold"].tolist() == pytest.approx(
        [70.0, 42.0, 1.26])
    # Someone else's edit of a row already retired is refused, nothing written.
    with pytest.raises(StaleReference):
        store_references(lab_case, [new], actor="other", action="edit", retire=[il1b])
    assert len(history(lab_case)[1]) == 2


def test_reimporting_the_same_file_changes_nothing(lab_case, tmp_path):
    path = write(tmp_path, "refs.csv", REFS)
    assert import_refs(lab_case, path) == 1
    assert import_refs(lab_case, path) is None
    changed = write(tmp_path, "refs2.csv", REFS.replace(";10,5;", ";11;"))
    assert import_refs(lab_case, changed) == 2
    controls, current = load_references(lab_case)
    assert current["id"] == 2 and len(controls) == 3  # one replaced, two kept in force
    assert sorted(controls["set_id"]) == [1, 1, 2]


BAD = """analyte,specimen,unit,n,mean,SD,lab
IL1B,PBMC spontaneous,pg/mL,20,,5,Lab A
IL1B,spontaneous,pg/mL,20,12,5,Lab A
TNFA,spontaneous,furlongs,20,12,5,Lab A
IL6,spontaneous,pg/mL,0,12,-1,Lab A
IL1RA,spontaneous,pg/mL,20,inf,5,Lab A
IL1RA,LPS,pg/mL,-3,nan,5,Lab A
"""


def test_a_bad_file_lists_every_problem_and_writes_nothing(lab_case, tmp_path):
    with pytest.raises(ImportFailed) as info:
        import_refs(lab_case, write(tmp_path, "bad.csv", BAD))
    found = {(p.row, p.column): p.reason for p in info.value.problems}
    assert found[(2, "mean")].startswith("no mean")
    assert found[(3, "analyte")].startswith("duplicate: row 2")
    assert found[(4, "unit")].startswith("unknown unit")
    assert found[(5, "n")] == "n must be a whole number above 0"
    assert found[(5, "SD")] == "the SD cannot be negative"
    assert found[(6, "mean")] == "not a finite number"
    assert found[(7, "mean")] == "not a finite number"
    assert found[(7, "n")] == "n must be a whole number above 0"
    assert all(p.file == "bad.csv" for p in info.value.problems)
    assert info.value.report().startswith("bad.csv: 8 problems, nothing was imported")
    rows, sets = history(lab_case)
    assert rows.empty and sets.empty


def test_missing_columns_and_a_range_column(tmp_path):
    with pytest.raises(ImportFailed) as info:
        read_reference_file(write(tmp_path, "c.csv", "analyte,unit,mean\nIL1B,pg/mL,3\n"))
    assert {p.reason for p in info.value.problems} == {
        "no specimen column", "no n column", "no lab column"}
    plan = read_reference_file(write(tmp_path, "r.csv",
                                     "analyte,specimen,unit,n,mean,range\n"
                                     "IL6,spontaneous,pg/mL,12,120,40–260\n"), lab="Lab B")
    (ref,) = plan.references
    assert (ref.range_low, ref.range_high, ref.sd, ref.lab) == (40.0, 260.0, None, "Lab B")


def test_matching_converts_units_or_refuses():
    controls = pd.DataFrame([dict(id=1, code="IL1B", specimen="serum", unit="ng/mL",
                                  mean=0.01, sd=0.002, n=10)])
    m = match(controls, "IL1B", "serum", "pg/mL")
    assert m.mean == pytest.approx(10.0) and m.ref["sd"] == pytest.approx(2.0)
    refused = match(controls, "IL1B", "serum", "mm/h")
    assert refused.ref is None and "do not convert" in refused.reason
    assert match(controls, "IL1B", "pbmc-lps").reason == "no IL-1β control for LPS-stimulated PBMC"
    assert not math.isnan(m.mean)


def test_demo_controls_go_through_the_same_path(demo_engine):
    rows, sets = history(demo_engine)
    assert list(sets["action"]) == ["demo"] and list(sets["lab"]) == ["demo"]
    assert set(rows["set_id"]) == {1} and rows["retired_set_id"].isna().all()


def test_a_marker_range_is_its_normal_range():
    controls = pd.DataFrame([dict(id=1, code="CRP", specimen="serum", unit="mg/L",
                                  range_low=0.0, range_high=5.0)])
    assert match(controls, "CRP", "serum", "mg/L").ref["upper_normal"] == 5.0


def test_an_xlsx_reference_file(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Analyte", "Stimulation", "Unit", "n", "Mean", "SD", "Lab", "Date"])
    sheet.append(["IL-1 beta", "LPS", "ng/mL", 12, 1.5, 0.4, "Lab X", dt.date(2025, 9, 1)])
    sheet.append(["IL-6", "spontané", "pg/mL", 12, None, 30, "Lab X", None])
    path = tmp_path / "refs.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed) as info:
        read_reference_file(path)
    assert [str(p) for p in info.value.problems] == [
        'refs.xlsx, row 3, column "Mean": no mean: fold over controls divides by it']
    sheet["E3"] = 120
    book.save(path)
    ref = read_reference_file(path).references[0]
    assert (ref.code, ref.specimen, ref.mean, ref.ref_date) == (
        "IL1B", "pbmc-lps", 1.5, dt.date(2025, 9, 1))


def test_a_deidentified_summary_withholds_the_dates_of_the_references(lab_case, tmp_path):
    import_refs(lab_case, write(tmp_path, "refs.csv", REFS))
    summary = build_summary(case_of(lab_case), deidentify=True)
    refs = next(t for t in summary.tables if t.title == "Healthy-control references")
    assert {row[8] for row in refs.rows if row[3]} == {"withheld"}
    assert "by tester" not in refs.note and "2026-03-01" not in " ".join(summary.all_text())


def test_a_demo_reset_keeps_a_labs_reference_changes_unless_forced(demo_engine, tmp_path):
    from data.demo import RealDataError, reset

    with demo_engine.connect() as conn:
        il1b = int(references(conn).query("code == 'IL1B' and specimen == 'pbmc-spont'")["id"]
                   .iloc[0])
    store_references(demo_engine, [Reference("IL1B", "pbmc-spont", "pg/mL", n=9, mean=13.0,
                                             lab="demo")], actor="dr x", action="edit",
                     retire=[il1b])
    with pytest.raises(RealDataError, match="1 change"):
        reset(demo_engine)
    reset(demo_engine, force=True)
    rows, sets = history(demo_engine)
    assert list(sets["action"]) == ["demo"] and len(rows) == 7
