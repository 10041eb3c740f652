"""Anakinra given dose by dose (issue 14, item 1: "unless individual administrations are
imported"): a hospital's administration record, written by hand, imported beside a dosing
file and a lab file; time since dose then counts from the recorded injections, by hand."""

from __future__ import annotations

import pytest

from data.case import Case
from data.dose_context import dose_context, sample_text
from data.importing import ImportFailed, import_file
from db.queries import list_cases, load_case
from tests.gui.hand_files import utc

# Anakinra 100 mg a day from 1 March 2024 (a period: one assumed dose a day at 08:00).
DOSES = """patient,drug,dose,unit,start,end
ADM-01,anakinra,100,mg,2024-03-01,2024-03-20
"""
# The ward's record of three injections, with their times (one a different dose).
GIVEN = """patient,date,time,drug,dose,unit,route
ADM-01,2024-03-04,21:30,Kineret,100,mg,SC
ADM-01,2024-03-05,22:00,anakinra,150,mg,SC
ADM-01,2024-03-10T06:15,,anakinra,0.1,g,SC
"""
# Samples: 3 March 09:00 (no record that day: the period's 08:00 dose, ≈1 h), 5 March
# 23:00 (the recorded 22:00 dose of 150 mg, not the period's 08:00 one: 1 h), 7 March
# 09:00 (no record: ≈1 h), 10 March 09:00 (the 06:15 injection: 2.75 h, "3 h").
LAB = """patient,date,code,value,unit,specimen
ADM-01,2024-03-03T09:00,IL1B,40,pg/mL,pbmc-spont
ADM-01,2024-03-05T23:00,IL1B,50,pg/mL,pbmc-spont
ADM-01,2024-03-07T09:00,IL1B,60,pg/mL,pbmc-spont
ADM-01,2024-03-10T09:00,IL1B,70,pg/mL,pbmc-spont
"""


def _import(engine, tmp_path, files: dict[str, str]):
    results = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        results.append(import_file(engine, tmp_path / name))
    return results


def _case(engine, pseudonym: str) -> Case:
    cases = list_cases(engine)
    pid = int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])
    return Case.from_frames(load_case(engine, pid))


def test_recorded_injections_set_time_since_dose_on_their_days(engine, tmp_path):
    *_, given = _import(engine, tmp_path, {"doses.csv": DOSES, "lab.csv": LAB,
                                           "given.csv": GIVEN})
    assert given.shape == "administrations"
    assert given.administrations_added == 3
    assert "anakinra: 3 administrations" in given.summary
    case = _case(engine, "ADM-01")
    assert case.recorded_doses("anakinra")["dose"].tolist() == [100.0, 150.0, 100.0]
    t = case.series("IL1B")["t"].to_numpy(dtype=float)
    ctx = dose_context(case, t)
    assert ctx.last_dose_t.tolist() == [utc("2024-03-03T08:00"), utc("2024-03-05T22:00"),
                                        utc("2024-03-07T08:00"), utc("2024-03-10T06:15")]
    assert ctx.hours_since.tolist() == [1.0, 1.0, 1.0, 2.75]
    assert ctx.dose_mg.tolist() == [100.0, 150.0, 100.0, 100.0]  # 0.1 g is 100 mg
    assert ctx.assumed.tolist() == [True, False, True, False]
    texts = [sample_text(ctx, k, case.anchor, with_day=False) for k in range(4)]
    # "≈" only where the time is the usual one, not a recorded one.
    assert texts == ["≈1 h after 100 mg", "1 h after 150 mg", "≈1 h after 100 mg",
                     "3 h after 100 mg"]


def test_the_same_file_again_adds_nothing(engine, tmp_path):
    _import(engine, tmp_path, {"doses.csv": DOSES, "given.csv": GIVEN})
    again = import_file(engine, tmp_path / "given.csv")
    assert (again.administrations_added, again.administrations_skipped) == (0, 3)
    assert len(_case(engine, "ADM-01").recorded_doses("anakinra")) == 3


def test_a_different_dose_at_a_stored_time_is_refused_and_nothing_is_written(engine,
                                                                              tmp_path):
    _import(engine, tmp_path, {"doses.csv": DOSES, "given.csv": GIVEN})
    (tmp_path / "fix.csv").write_text(
        "patient,date,drug,dose\nADM-01,2024-03-12T07:00,anakinra,100\n"
        "ADM-01,2024-03-05T22:00,anakinra,200\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, tmp_path / "fix.csv")
    [problem] = failed.value.problems
    assert problem.row == 3 and "150 mg is stored at 2024-03-05 22:00 UTC" in problem.reason
    assert len(_case(engine, "ADM-01").recorded_doses("anakinra")) == 3  # 12 March not kept


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(engine, tmp_path):
    (tmp_path / "bad.csv").write_text(
        "patient,date,drug,dose,unit\n"
        "ADM-02,2024-03-04,anakinra,100,mg\n"  # no time of day
        "ADM-02,2024-03-05T08:00,anakinra,-5,mg\n"  # negative dose
        "ADM-02,2024-03-06T08:00,anakinra,100,mg/d\n"  # a daily unit: a period's
        "ADM-02,2024-03-07T08:00,anakinra,100,mg\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, tmp_path / "bad.csv")
    found = {(p.row, p.column): p.reason for p in failed.value.problems}
    assert set(found) == {(2, "date"), (3, "dose"), (4, "unit")}
    assert found[(2, "date")].startswith("no time of day")
    assert "ADM-02" not in set(list_cases(engine)["pseudonym"])


def test_without_a_record_every_dose_is_the_periods_assumed_one(engine, tmp_path):
    _import(engine, tmp_path, {"doses.csv": DOSES, "lab.csv": LAB})
    case = _case(engine, "ADM-01")
    assert case.recorded_doses("anakinra") is None
    ctx = dose_context(case, case.series("IL1B")["t"].to_numpy(dtype=float))
    assert ctx.assumed.all() and ctx.hours_since.tolist() == [1.0, 15.0, 1.0, 1.0]
