"""Review findings on the importers: numbers written as everywhere else, dosing dates
with a zone, and re-imported values that differ from the stored ones."""

from __future__ import annotations

import json

import pytest

from data.importing import ImportFailed, import_file


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_row_message_writes_the_value_without_scientific_notation(engine, tmp_path):
    path = _write(tmp_path, "dup.csv", "date,code,value\n"
                  "2026-01-01,IL1B,1234567\n2026-01-01,IL1B,<2345678\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P-01")
    (problem,) = failed.value.problems
    assert problem.row == 3 and problem.value == "<2345678"
    assert "another IL1B value" in problem.reason


@pytest.mark.parametrize("start, end, stored", [
    ("2020-01-10T00:30+01:00", "2020-01-20T23:30-05:00", ("2020-01-10", "2020-01-20")),
    ("2020-01-10 08:00:00", "2020-01-20T00:00:00Z", ("2020-01-10", "2020-01-20")),
    ("10/01/2020 00h30", "20-01-2020", ("2020-01-10", "2020-01-20")),
    ("2020-01-10T23:59", "", ("2020-01-10", None)),
])
def test_dosing_dates_keep_the_written_calendar_date(engine, tmp_path, start, end, stored):
    from tests.data.test_import_helpers import medications

    path = _write(tmp_path, "dosing.csv", "drug,dose,unit,start,end\n"
                  f"anakinra,100,mg,{start},{end}\n")
    import_file(engine, path, patient="P-01")
    (period,) = medications(engine, "P-01")
    assert period[5:] == stored


def test_a_bad_dosing_date_is_still_refused(engine, tmp_path):
    path = _write(tmp_path, "dosing.csv", "drug,dose,start\nanakinra,100,2020-01-10Tnoon\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P-01")
    assert [(p.row, p.column) for p in failed.value.problems] == [(2, "start")]


def test_a_reimported_value_that_differs_is_refused_naming_row_column_and_stored_value(
        engine, tmp_path):
    from tests.data.test_import_helpers import dump

    first = _write(tmp_path, "lab.csv", "Date;IL-1β spontané (pg/mL);CRP (mg/L)\n"
                   "2026-01-12;1450;4,8\n2026-01-19;<5;3\n")
    import_file(engine, first, patient="P-01")
    before = dump(engine)
    corrected = _write(tmp_path, "lab2.csv", "Date;IL-1β spontané (pg/mL);CRP (mg/L)\n"
                       "2026-01-12;1450;5,8\n2026-01-19;5;3\n2026-01-26;12;2\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, corrected, patient="P-01")
    assert [(p.row, p.column, p.value) for p in failed.value.problems] == [
        (2, "CRP (mg/L)", "5.8"), (3, "IL-1β spontané (pg/mL)", "5")]
    reasons = [p.reason for p in failed.value.problems]
    assert reasons[0].startswith("differs from the stored value 4.8 mg/L (same patient, CRP,")
    assert reasons[1].startswith("differs from the stored value <5 pg/mL")
    assert dump(engine) == before  # nothing written, not even the new 26 January values


def test_identical_reimported_values_are_still_skipped(engine, tmp_path):
    path = _write(tmp_path, "lab.csv", "date,code,value,unit\n"
                  "2026-01-12T09:30+01:00,IL1B,1.45,ng/mL\n2026-01-12,CRP,<5,mg/L\n")
    import_file(engine, path, patient="P-01")
    again = import_file(engine, path, patient="P-01")
    assert (again.observations_added, again.observations_skipped) == (0, 2)


def test_values_that_only_differ_past_two_decimals_are_shown_apart(engine, tmp_path):
    import_file(engine, _write(tmp_path, "a.csv", "date,code,value\n2026-01-12,CRP,1.234\n"),
                patient="P-01")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, _write(tmp_path, "b.csv", "date,code,value\n2026-01-12,CRP,1.2345\n"),
                    patient="P-01")
    (problem,) = failed.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "value", "1.2345")
    assert "stored value 1.234 mg/L" in problem.reason


def test_a_later_file_that_ends_an_ongoing_period_closes_it(engine, tmp_path):
    """Dosing exported while anakinra went on, then again after it stopped: the second
    file ends the open period (and may add what followed) instead of being refused."""
    from db.queries import list_cases, load_medications

    first = _write(tmp_path, "d1.csv", "drug,dose,unit,start,end,route\n"
                   "anakinra,100,mg,2026-01-12,,sc\n")
    import_file(engine, first, patient="STOP-01")
    second = _write(tmp_path, "d2.csv", "drug,dose,unit,start,end,route\n"
                    "anakinra,100,mg,2026-01-12,2026-03-31,sc\n"
                    "anakinra,200,mg,2026-04-05,,sc\n")
    result = import_file(engine, second, patient="STOP-01")
    assert (result.medications_closed, result.medications_added) == (1, 1)
    assert any("ongoing dosing periods given the end date" in line for line in result.lines())
    cases = list_cases(engine)
    pid = int(cases[cases["pseudonym"] == "STOP-01"]["id"].iloc[0])
    meds = load_medications(engine, pid).sort_values("start")
    assert [str(d.date()) for d in meds["end"].dropna()] == ["2026-03-31"]
    assert meds["dose"].tolist() == [100.0, 200.0]
    # The same file again changes nothing.
    again = import_file(engine, second, patient="STOP-01")
    assert (again.medications_closed, again.medications_added, again.medications_skipped) == \
        (0, 0, 2)


def test_a_lab_correction_imported_with_corrections_replaces_and_audits(engine, tmp_path):
    # The refused re-import above left no way to put the lab's corrected CRP in.
    from sqlalchemy import select

    from db.models import AuditEvent
    from tests.data.test_import_helpers import stored, value_of

    first = _write(tmp_path, "lab.csv", "Date;IL-1β spontané (pg/mL);CRP (mg/L)\n"
                   "2026-01-12;1450;4,8\n2026-01-19;<5;3\n")
    import_file(engine, first, patient="P-01")
    corrected = _write(tmp_path, "lab2.csv", "Date;IL-1β spontané (pg/mL);CRP (mg/L)\n"
                       "2026-01-12;1450;5,8\n2026-01-19;5;3\n2026-01-26;12;2\n")
    with pytest.raises(ImportFailed) as refused:
        import_file(engine, corrected, patient="P-01")
    assert "import --corrections" in refused.value.problems[0].reason

    result = import_file(engine, corrected, patient="P-01", corrections=True)
    assert (result.observations_added, result.observations_corrected,
            result.observations_skipped) == (2, 2, 2)
    lines = "\n".join(result.lines())
    assert "2 stored values replaced by this file's corrected ones" in lines
    assert "  CRP serum 2026-01-12: 4.8 mg/L → 5.8 mg/L" in lines
    v = stored(engine, "P-01")
    assert value_of(v, "2026-01-12 00:00", "CRP") == (5.8, "")
    assert value_of(v, "2026-01-19 00:00", "IL1B", "pbmc-spont") == (5.0, "")
    assert value_of(v, "2026-01-26 00:00", "CRP") == (2.0, "")
    t = AuditEvent.__table__
    with engine.connect() as conn:
        (event,) = conn.execute(select(t).where(t.c.action == "correct")).mappings().all()
    before, after = json.loads(event["before"]), json.loads(event["after"])
    assert before == {"CRP serum 2026-01-12": "4.8 mg/L",
                      "IL1B pbmc-spont 2026-01-19": "<5 pg/mL"}
    assert after == {"CRP serum 2026-01-12": "5.8 mg/L", "IL1B pbmc-spont 2026-01-19": "5 pg/mL",
                     "file": "lab2.csv"}
    again = import_file(engine, corrected, patient="P-01", corrections=True)
    assert (again.observations_added, again.observations_corrected) == (0, 0)


def test_a_correction_dry_run_writes_nothing(engine, tmp_path):
    from tests.data.test_import_helpers import dump

    import_file(engine, _write(tmp_path, "a.csv", "date,code,value\n2026-01-12,CRP,4\n"),
                patient="P-01")
    before = dump(engine)
    result = import_file(engine, _write(tmp_path, "b.csv", "date,code,value\n2026-01-12,CRP,6\n"),
                         patient="P-01", corrections=True, dry_run=True)
    assert result.observations_corrected == 1
    assert "1 stored value would be replaced" in "\n".join(result.lines())
    assert dump(engine) == before
