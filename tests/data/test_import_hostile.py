"""Hostile and odd files: each is refused in one clear line naming file, row and column
where there is one, with nothing written and no traceback (issue 12, item 4)."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import Workbook

from data.importing import ImportFailed, import_file
from main import main
from tests.data.test_import_helpers import FILES, dump, patient_id, stored

HOSTILE = FILES / "hostile"


def refused(engine, path, **options) -> str:
    """The one-line report of a refused import; the database must be untouched."""
    before = dump(engine)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, **options)
    report = failed.value.report()
    assert dump(engine) == before
    assert len(report.splitlines()) == 1, report
    assert report.startswith(path.name) and report.endswith("nothing was imported"), report
    return report


def test_a_header_without_rows(engine):
    report = refused(engine, HOSTILE / "header_only.csv")
    assert "a header but no rows of values" in report


def test_empty_and_binary_files(engine):
    assert "the file is empty" in refused(engine, HOSTILE / "empty.csv")
    assert "not text" in refused(engine, HOSTILE / "binary_junk.csv")
    assert "not text" in refused(engine, HOSTILE / "nul_bytes.csv")


def test_a_line_of_megabytes(engine, tmp_path):
    path = tmp_path / "long_line.csv"
    path.write_text("date,CRP\n2026-01-05," + "9" * 3_000_000 + "\n")
    report = refused(engine, path, patient="L-01")
    assert "row 2" in report and "not a table" in report


def test_a_large_file_of_one_line_is_refused_without_reading_it_whole(engine, tmp_path,
                                                                     monkeypatch):
    import data.importing.readers as readers

    monkeypatch.setattr(readers, "CHUNK_BYTES", 2**16)
    path = tmp_path / "one_line.csv"
    path.write_text("date,CRP\n2026-01-05," + "9" * 3_000_000)  # no line break at the end
    seen = []
    real = readers._read_csv
    monkeypatch.setattr(readers, "_read_csv", lambda name, raw, *a, **k: (
        seen.append(len(raw)), real(name, raw, *a, **k))[1])
    report = refused(engine, path, patient="L-01")
    assert "row 2" in report and "not a table" in report
    assert seen == []  # refused before any part was parsed


def test_a_value_that_becomes_infinite_once_converted(engine):
    report = refused(engine, HOSTILE / "huge_value.csv")
    assert 'row 2, column "value", value "1e308"' in report
    assert "too large" in report and "pg/mL" in report


def test_a_subnormal_value_is_refused_not_stored(engine, tmp_path):
    """1e-320 is a float, but no assay reads it: stored, it came back as a 330-digit
    decimal in a later message (attacker review). 0 stays a measurement."""
    path = tmp_path / "tiny.csv"
    path.write_text("pseudonym,date,analyte,value,unit\nT-1,2026-01-05,CRP,1e-320,mg/L\n"
                    "T-1,2026-01-06,CRP,0,mg/L\n")
    report = refused(engine, path)
    assert 'row 2, column "value", value "1e-320"' in report and "too small" in report
    assert "row 3" not in report


def test_infinite_and_absurd_doses(engine):
    report = refused(engine, HOSTILE / "infinite_dose.csv")
    assert 'row 2, column "dose", value "1e308"' in report
    assert "not a plausible daily dose" in report
    report = refused(engine, HOSTILE / "absurd_dose.csv")
    assert 'value "5000000"' in report and "not a plausible daily dose" in report


def test_a_look_alike_hyphen_is_the_same_patient(engine):
    import_file(engine, FILES / "lab_long.csv")  # TEST-01, TEST-02
    import_file(engine, FILES / "lab_long.csv", patient=None)
    result = import_file(engine, HOSTILE / "lookalike_hyphen.csv")  # NLRP12‐01 (U+2010)
    assert result.patients_created == ["NLRP12-01"]
    again = import_file(engine, HOSTILE / "lookalike_hyphen.csv", dry_run=True)
    assert again.patients_created == [] and again.observations_skipped == 1
    result = import_file(engine, HOSTILE / "lookalike_hyphen.csv", patient=None,
                         mapping=None, dry_run=True)
    tests_01 = import_file(engine, FILES / "lab_long.csv", dry_run=True)
    assert tests_01.patients_created == []


def test_a_new_pseudonym_like_a_stored_one_is_created_with_a_warning(engine, tmp_path):
    import_file(engine, HOSTILE / "lookalike_hyphen.csv")  # NLRP12-01, hyphen normalised
    assert patient_id(engine, "NLRP12-01") is not None
    path = tmp_path / "lower.csv"
    path.write_text("patient,date,code,value\nnlrp12 01,2026-01-06,CRP,3\n")
    result = import_file(engine, path)
    assert result.patients_created == ["nlrp12 01"]
    assert any("looks like the patient NLRP12-01" in line for line in result.lines())


def test_escape_sequences_and_bidi_overrides_are_shown_escaped(engine):
    report = refused(engine, HOSTILE / "terminal_escape.csv")
    assert "\x1b" not in report and "\u202e" not in report
    assert r"\x1b[2J\x1b[31mpwned\u202e4" in report


def test_a_spreadsheet_formula_as_pseudonym(engine):
    report = refused(engine, HOSTILE / "csv_injection.csv")
    assert "row 2" in report and "formula" in report


def test_non_latin_letters_are_part_of_a_name(engine):
    report = refused(engine, HOSTILE / "cyrillic_header.csv", patient="C-01")
    assert 'column "анти-IL-6 (pg/mL)"' in report and "not recognised" in report


def test_years_far_from_now(engine):
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, HOSTILE / "far_years.csv")
    rows = [(p.row, p.column, p.value) for p in failed.value.problems]
    assert rows == [(2, "date", "9999-12-31"), (3, "date", "1800-01-01")]


def test_duplicate_header_names(engine):
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, HOSTILE / "duplicate_headers.csv", patient="D-01")
    assert [(p.row, p.column) for p in failed.value.problems] == [(1, "Notes")]
    assert "duplicated column" in failed.value.report()


def test_password_protected_and_old_office_files(engine, tmp_path):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    encrypted = tmp_path / "locked.xlsx"
    encrypted.write_bytes(header + "EncryptionInfo".encode("utf-16-le") + bytes(50)
                          + "EncryptedPackage".encode("utf-16-le") + bytes(400))
    assert "password-protected, cannot be read" in refused(engine, encrypted)
    old = tmp_path / "old.xls"
    old.write_bytes(header + "Workbook".encode("utf-16-le") + bytes(400))
    assert "save the sheet as .xlsx or CSV" in refused(engine, old)


def _workbook(path, rows) -> None:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_formulas_without_computed_values_are_named(engine, tmp_path):
    # openpyxl, like many scripts, writes formulas without their results.
    path = tmp_path / "formulas.xlsx"
    _workbook(path, [["date", "CRP (mg/L)", "IL6"], ["2026-01-05", 4, "=B2*2"],
                     ["2026-01-06", "=B2+1", 7]])
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="F-01")
    cells = [(p.row, p.column) for p in failed.value.problems]
    assert cells == [(2, "IL6"), (3, "CRP (mg/L)")]
    assert "C2" in str(failed.value.problems[0]) and "formula without a computed value" in \
        str(failed.value.problems[0])


def test_a_sheet_of_formulas_only(engine, tmp_path):
    path = tmp_path / "only_formulas.xlsx"
    _workbook(path, [["=\"date\"", "=\"CRP\""], ["=TODAY()", "=1+1"]])
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="F-01")
    assert "formula without a computed value" in failed.value.report()


def test_a_declared_dimension_of_the_whole_sheet_is_not_trusted(engine, tmp_path):
    path = tmp_path / "dimension.xlsx"
    _workbook(path, [["date", "CRP (mg/L)"], ["2026-01-05", 4]])
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                  data)
                assert n == 1
                # A formatted, empty cell in the sheet's last row and column, as Excel
                # leaves when a whole column was formatted.
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" '
                                    b's="0"/></row></sheetData>')
            dst.writestr(item, data)
    result = import_file(engine, patched, patient="X-01")
    assert result.observations_added == 1


def test_cells_beyond_the_column_limit(engine, tmp_path):
    path = tmp_path / "far.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "CRP (mg/L)"])
    sheet.append(["2026-01-05", 4])
    sheet.cell(row=2, column=16384, value="x")
    book.save(path)
    report = refused(engine, path, patient="X-01")
    assert "row 2" in report and "at most 1000 columns" in report


def test_headers_with_a_threshold_in_their_name(engine, tmp_path):
    """As docs/IMPORT.md lists it: 'Fever ≥ 38 °C' is the fever item, not a °C column."""
    import_file(engine, HOSTILE / "threshold_headers.csv", patient="T-01")
    v = stored(engine, "T-01").set_index("code")
    assert v.loc["SX_FEVER", "value"] == 1.0 and v.loc["TEMP", "value"] == 38.4
    path = tmp_path / "fievre.csv"
    path.write_text("date;Fièvre (> 38,5 °C);CRP > 5 mg/L\n2026-01-06;0;1\n")
    with pytest.raises(ImportFailed) as failed:  # a threshold on an analyte: yes/no answers
        import_file(engine, path, patient="T-01")
    assert [(p.row, p.column) for p in failed.value.problems] == [(1, "CRP > 5 mg/L")]
    import_file(engine, path, patient="T-01", mapping={"CRP > 5 mg/L": "-"})
    assert (stored(engine, "T-01")["code"] == "SX_FEVER").sum() == 2


def test_a_column_left_out_is_not_checked(engine, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("date,code,value\n2026-01-05,IL-6 (mmol/L),3\n2026-01-05,CRP,4\n")
    result = import_file(engine, path, patient="M-01", mapping={"IL-6 (mmol/L)": "-"})
    assert result.observations_added == 1


@pytest.mark.parametrize("name", ["Ferritine", "Ferritine (µmol/L)", "ferritine µmol/L"])
def test_a_wide_column_left_out_by_its_name_alone_is_not_checked(engine, tmp_path, capsys,
                                                                  name):
    """docs/IMPORT.md: the unit in a header is not part of the name, so 'Ferritine=-'
    leaves out 'Ferritine (µmol/L)'; its unit (one we do not know) is not checked."""
    path = tmp_path / "lab.csv"
    path.write_text("Date,IL-6 (pg/mL),Ferritine (µmol/L)\n2026-01-05,12,3\n",
                    encoding="utf-8")
    result = import_file(engine, path, patient="M-02", mapping={name: "-"})
    assert result.observations_added == 1
    assert stored(engine, "M-02")["code"].tolist() == ["IL6"]


def test_cli_prints_one_line_and_no_traceback(capsys, tmp_path):
    db = str(tmp_path / "cli.db")
    code = main(["--db", db, "import", str(HOSTILE / "terminal_escape.csv")])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "\x1b" not in err and "Traceback" not in err


def test_a_drug_name_that_would_run_as_a_formula_is_refused(engine, tmp_path):
    """Reviewer: `=cmd|'/C calc'!A0` was stored as a drug and printed back raw."""
    path = tmp_path / "dosing.csv"
    path.write_text("patient,drug,dose,start\nCASE-A,=cmd|'/C calc'!A0,5,2025-01-01\n",
                    encoding="utf-8")
    report = refused(engine, path)
    assert 'row 2, column "drug"' in report and "as a formula" in report


@pytest.mark.parametrize(("rows", "options", "column", "reason"), [
    ([["date", "CRP (mg/L)"], ["2026-02-03", True]], {"patient": "B-01"}, "CRP (mg/L)",
     "yes/no answers are only for diary items"),
    ([["patient", "date", "code", "value", "unit"], ["B-01", "2026-02-03", "WEIGHT", True, "kg"]],
     {}, "value", "yes/no answers are only for diary items"),
    ([["patient", "drug", "dose", "start"], ["B-01", "anakinra", True, "2026-02-03"]], {},
     "dose", "a dose is a number"),
])
def test_a_boolean_cell_of_a_workbook_is_no_number(engine, tmp_path, rows, options, column,
                                                     reason):
    """Reviewer: CRP = TRUE in a .xlsx was stored as 1.0 mg/L (a dose TRUE as 1 mg/d), while
    the same in a CSV was refused."""
    path = tmp_path / "booleans.xlsx"
    _workbook(path, rows)
    report = refused(engine, path, **options)
    assert f'row 2, column "{column}"' in report and reason in report, report


def test_a_boolean_diary_answer_of_a_workbook_still_counts(engine, tmp_path):
    path = tmp_path / "diary.xlsx"
    _workbook(path, [["date", "fever"], ["2026-02-03", True], ["2026-02-04", False]])
    assert import_file(engine, path, patient="B-01").observations_added == 2
