"""Hand-written files in the documented shapes: the right values go in, broken files
are refused with the right rows, and a refused file leaves the database untouched."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from data.importing import ImportFailed, import_file
from db.models import AuditEvent
from tests.data.test_import_helpers import FILES, dump, medications, patient_id, stored, value_of


def problems_of(failed: ImportFailed) -> list[tuple]:
    return [(p.row, p.column, p.value) for p in failed.problems]


def test_french_lab_export_latin1_semicolons_decimal_commas(engine):
    result = import_file(engine, FILES / "lab_fr_wide_latin1.csv", patient="FR-01")
    assert result.patients_created == ["FR-01"]
    assert result.observations_added == 13
    v = stored(engine, "FR-01")
    # Day-first dates, times 08:30 and 09h15 taken as UTC.
    assert value_of(v, "2026-11-24 08:30", "IL1B", "pbmc-spont") == (1450.5, "")
    assert value_of(v, "2026-11-24 08:30", "IL1B", "pbmc-lps") == (2100.0, "")  # 2,1 ng/mL
    assert value_of(v, "2026-11-24 08:30", "TNFA") == (5.0, "<")  # kept censored, not 5
    assert value_of(v, "2026-11-24 08:30", "CRP", "serum") == (48.0, "")  # 4,8 mg/dL
    assert value_of(v, "2026-11-24 08:30", "SAA", "serum") == (210.0, "")
    assert value_of(v, "2026-12-01 09:15", "IL1B", "pbmc-lps") == (1650.0, "")
    assert value_of(v, "2026-12-01 09:15", "CRP") == (3.2, "")
    assert value_of(v, "2026-12-15 00:00", "IL1B", "pbmc-spont") == (5.0, "<")
    assert value_of(v, "2026-12-15 00:00", "CRP") == (0.5, "")
    # Empty cells are 'not measured': nothing stored for them.
    assert not ((v["time"] == "2026-12-15 00:00") & (v["code"] == "SAA")).any()
    assert set(v["unit"][v["code"] == "IL1B"]) == {"pg/mL"}


def test_long_file_with_several_patients_units_and_zones(engine):
    result = import_file(engine, FILES / "lab_long.csv")
    assert sorted(result.patients_created) == ["TEST-01", "TEST-02"]
    one, two = stored(engine, "TEST-01"), stored(engine, "TEST-02")
    assert value_of(one, "2026-03-02 09:00", "IL1B", "pbmc-spont") == (152.5, "")
    assert value_of(one, "2026-03-02 09:00", "IL1B", "pbmc-lps") == (1800.0, "")
    assert value_of(one, "2026-03-02 09:00", "CRP", "serum") == (24.0, "")  # 10:00+01:00
    assert value_of(one, "2026-03-02 00:00", "SX_FEVER", "diary") == (1.0, "")
    assert value_of(two, "2026-03-05 14:00", "IL6", "serum") == (2.5, "<")
    assert value_of(two, "2026-03-05 14:00", "TNFA", "pbmc-spont") == (18.0, "")
    assert value_of(two, "2026-03-05 00:00", "TEMP", "diary") == (38.5, "")  # 101.3 °F


def test_diary_tab_separated_with_bom(engine):
    import_file(engine, FILES / "diary_wide_tab_bom.csv", patient="D-01")
    v = stored(engine, "D-01")
    assert value_of(v, "2026-02-01 00:00", "SX_FEVER", "diary") == (1.0, "")
    assert value_of(v, "2026-02-01 00:00", "SX_ABDO", "diary") == (0.0, "")
    assert value_of(v, "2026-02-01 00:00", "SX_RASH", "diary") == (1.0, "")
    assert value_of(v, "2026-02-02 00:00", "TEMP") == (38.0, "")
    # The empty headache cell of 3 February is a missing diary answer, not a 'no'.
    assert not ((v["time"] == "2026-02-03 00:00") & (v["code"] == "SX_HEADACHE")).any()
    assert len(v) == 14


def test_dosing_file_in_french(engine):
    result = import_file(engine, FILES / "dosing_fr.csv", patient="DOSE-01")
    assert result.medications_added == 3
    assert medications(engine, "DOSE-01") == [
        ("colchicine", "M04AC01", 1.0, "mg", "oral", "2025-10-01", "2026-01-11"),
        ("anakinra", "L04AC03", 100.0, "mg", "subcutaneous", "2026-01-12", "2026-04-30"),
        ("anakinra", "L04AC03", 200.0, "mg", "subcutaneous", "2026-05-08", None),
    ]


def test_reimport_adds_nothing_and_says_what_was_skipped(engine):
    import_file(engine, FILES / "lab_long.csv")
    import_file(engine, FILES / "dosing_fr.csv", patient="TEST-01")
    before = stored(engine, "TEST-01")
    again = import_file(engine, FILES / "lab_long.csv")
    dosing_again = import_file(engine, FILES / "dosing_fr.csv", patient="TEST-01")
    assert (again.observations_added, again.observations_skipped) == (0, 7)
    assert again.patients_created == []
    assert any("7 values skipped: already in the database" in line for line in again.lines())
    assert (dosing_again.medications_added, dosing_again.medications_skipped) == (0, 3)
    assert stored(engine, "TEST-01").equals(before)
    assert len(medications(engine, "TEST-01")) == 3


def test_a_dosing_period_that_overlaps_a_stored_one_is_refused(engine, tmp_path):
    import_file(engine, FILES / "dosing_fr.csv", patient="DOSE-01")
    before = dump(engine)
    changed = tmp_path / "changed.csv"
    changed.write_text("drug,dose,unit,start,end,route\n"
                       "anakinra,150,mg,2026-04-01,2026-04-20,sc\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, changed, patient="DOSE-01")
    assert failed.value.problems[0].row == 2
    assert "overlaps the stored anakinra period from 2026-01-12" in failed.value.report()
    assert dump(engine) == before


def test_broken_long_file_lists_every_problem_with_its_row(demo_engine):
    before = dump(demo_engine)
    with pytest.raises(ImportFailed) as failed:
        import_file(demo_engine, FILES / "lab_long_broken.csv")
    assert problems_of(failed.value) == [
        (3, "date", "2026-02-30"),
        (4, "value", "abc"),
        (5, "unit", "mmol/L"),
        (6, "code", "IL99"),
        (7, "specimen", "plasma"),
        (8, "value", "2"),
        (9, "value", "98.6"),
        (10, "value", "-3"),
        (11, "date", "11/24/2026"),  # month-first: never silently swapped
        (12, "value", None),
        (13, "patient", None),
        (14, None, "151"),  # a second, different value for the key of row 2
    ]
    report = str(failed.value)
    assert report.startswith("lab_long_broken.csv: 12 problems, nothing was imported")
    assert ('lab_long_broken.csv, row 5, column "unit", value "mmol/L": unknown unit for IL1B'
            in report)
    assert dump(demo_engine) == before


def test_truncated_row_is_named(engine):
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, FILES / "lab_long_truncated.csv")
    assert problems_of(failed.value) == [(4, None, None)]
    assert "truncated" in failed.value.problems[0].reason


def test_two_columns_for_the_same_code_are_refused(engine):
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, FILES / "wide_duplicated_header.csv", patient="P")
    assert problems_of(failed.value) == [(1, "C-reactive protein (mg/dL)", None)]
    assert "duplicated column" in failed.value.problems[0].reason


def test_literally_duplicated_headers_are_refused(engine, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("date,IL6,IL6\n2026-01-01,3,4\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="duplicated column"):
        import_file(engine, path, patient="P")


def test_more_problems_than_the_cap_say_how_many_more(engine, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("date,CRP\n" + "".join(f"2026-01-{d:02d},x\n" for d in range(1, 29))
                    + "".join(f"2026-02-{d:02d},y\n" for d in range(1, 29)), encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P")
    lines = failed.value.report().splitlines()
    assert lines[0] == "many.csv: 56 problems, nothing was imported"
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "  … and 6 more"
    assert 'many.csv, row 2, column "CRP", value "x": not a number' in lines[1]


def test_a_file_without_patient_needs_one(engine):
    with pytest.raises(ImportFailed, match="no patient column"):
        import_file(engine, FILES / "lab_fr_wide_latin1.csv")


def test_unknown_column_mapped_by_the_user(engine, tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text("date,IL-1b secretion (ng/mL),Notes du labo\n2026-01-01,0.25,ok\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P")
    assert [p.column for p in failed.value.problems] == ["IL-1b secretion (ng/mL)",
                                                         "Notes du labo"]
    import_file(engine, path, patient="P",
                mapping={"IL-1b secretion": "IL1B", "Notes du labo": "-"})
    assert value_of(stored(engine, "P"), "2026-01-01 00:00", "IL1B") == (250.0, "")


def test_import_writes_one_audit_event_in_the_same_transaction(engine):
    import_file(engine, FILES / "lab_long.csv", actor="dr test")
    with engine.connect() as conn:
        events = conn.execute(select(AuditEvent).where(AuditEvent.entity == "import")).all()
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.actor) == ("import", "dr test")
    after = json.loads(event.after)
    assert after["file"] == "lab_long.csv"
    assert after["observations_added"] == 7
    assert sorted(after["patients_created"]) == ["TEST-01", "TEST-02"]


def test_dry_run_writes_nothing_but_counts(engine):
    before = dump(engine)
    result = import_file(engine, FILES / "lab_long.csv", dry_run=True)
    assert result.observations_added == 7
    assert result.lines()[0] == "lab_long.csv: nothing was written (dry run)"
    assert dump(engine) == before
    assert patient_id(engine, "TEST-01") is None


def write_xlsx(path, rows) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Résultats"
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_xlsx_wide_export_round_trips(engine, tmp_path):
    rows = [
        ["Date", "IL-1β (pg/mL)", "IL-6 (pg/mL)", "CRP (mg/L)", "SAA (mg/L)", "Temperature (°C)"],
        [dt.datetime(2026, 3, 2, 9, 30), 152.25, "<2.5", 24, None, 38.4],
        [dt.date(2026, 3, 9), 11, 3.125, 0.4, 6, None],
        ["16/03/2026", 0.75, 1e3, 12.5, 7.5, 36.9],
    ]
    path = tmp_path / "export.xlsx"
    write_xlsx(path, rows)
    result = import_file(engine, path, patient="XL-01")
    assert result.observations_added == 13  # every filled cell
    v = stored(engine, "XL-01")
    codes = ["IL1B", "IL6", "CRP", "SAA", "TEMP"]
    times = ["2026-03-02 09:30", "2026-03-09 00:00", "2026-03-16 00:00"]
    for time, row in zip(times, rows[1:], strict=True):
        for code, cell in zip(codes, row[1:], strict=True):
            if cell is None:
                assert not ((v["time"] == time) & (v["code"] == code)).any()
            elif isinstance(cell, str):
                assert value_of(v, time, code) == (float(cell[1:]), "<")
            else:
                assert value_of(v, time, code) == (float(cell), "")


def test_xlsx_problems_use_the_sheets_row_numbers(engine, tmp_path):
    path = tmp_path / "bad.xlsx"
    write_xlsx(path, [["date", "CRP (mg/L)"], [dt.date(2026, 1, 1), 3],
                      [None, None], [dt.date(2026, 1, 3), "trois"]])
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P")
    assert problems_of(failed.value) == [(4, "CRP (mg/L)", "trois")]


def test_templates_import_as_documented(engine):
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "resources" / "templates"
    long = import_file(engine, templates / "long_template.csv")
    wide = import_file(engine, templates / "wide_template.csv", patient="NLRP12-03")
    dosing = import_file(engine, templates / "dosing_template.csv", patient="NLRP12-03")
    given = import_file(engine, templates / "administrations_template.csv",
                        patient="NLRP12-03")
    assert given.administrations_added == 3
    assert long.observations_added == 12
    # The wide template's 12 January row is at 00:00, so only the two diary answers and
    # the diary temperature of that day, which the long template also dates 00:00, are
    # already stored.
    assert (wide.observations_added, wide.observations_skipped) == (35, 3)
    assert dosing.medications_added == 3
    v = stored(engine, "NLRP12-03")
    assert value_of(v, "2026-01-12 09:30", "IL1B", "pbmc-lps") == (2100.0, "")
    assert value_of(v, "2026-01-12 00:00", "IL1B", "pbmc-lps") == (2100.0, "")


def test_a_code_mapped_to_leave_out_drops_its_rows_in_a_long_file(engine, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("date,code,value,unit\n2026-01-01,Ferritin,80,µg/L\n"
                    "2026-01-01,CRP,3,mg/L\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="unknown code"):
        import_file(engine, path, patient="P")
    result = import_file(engine, path, patient="P", mapping={"Ferritin": "-"})
    assert result.observations_added == 1
    assert stored(engine, "P")["code"].tolist() == ["CRP"]


@pytest.mark.parametrize("header", ["N° patient", "Numéro de patient", "Patient No.",
                                    "Patient number"])
def test_a_study_number_column_names_the_patient(engine, tmp_path, header):
    # A French hospital's export heads its pseudonym column "N° patient".
    path = tmp_path / "numbered.csv"
    path.write_text(f"{header};Date;Analyse;Valeur;Unité\n"
                    "P-017;02/03/2026;CRP;24;mg/L\n", encoding="utf-8")
    result = import_file(engine, path)
    assert result.patients_created == ["P-017"]
    assert value_of(stored(engine, "P-017"), "2026-03-02 00:00", "CRP") == (24.0, "")
