"""The pieces a file goes through: reading, headers, units, dates, values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data.importing.dates import parse_dates
from data.importing.errors import ImportFailed
from data.importing.readers import read_table
from data.importing.synonyms import code_for, parse_header
from data.importing.units import conversion, tidy
from data.importing.values import DOT_GROUPS, parse_numbers


def table_of(tmp_path, raw: bytes, name: str = "f.csv"):
    path = tmp_path / name
    path.write_bytes(raw)
    return read_table(path)


@pytest.mark.parametrize(("raw", "encoding", "separator"), [
    ("date,CRP é\n2026-01-01,1.5\n".encode(), "UTF-8", "comma"),
    ("date;CRP é\n2026-01-01;1,5\n".encode("utf-8-sig"), "UTF-8 with BOM", "semicolon"),
    ("date\tCRP é\n2026-01-01\t1,5\n".encode("latin-1"), "Latin-1", "tab"),
])
def test_encoding_and_separator_are_sniffed(tmp_path, raw, encoding, separator):
    table = table_of(tmp_path, raw)
    assert table.header == ["date", "CRP é"]
    assert encoding in table.description
    assert separator in table.description
    assert table.data.loc[2].tolist() == ["2026-01-01", "1.5" if separator == "comma" else "1,5"]


def test_blank_rows_keep_spreadsheet_numbering(tmp_path):
    table = table_of(tmp_path, b"date;CRP;\r\n\r\n2026-01-01;3;\r\n;;\r\n  \r\n2026-01-02;4;\r\n")
    assert table.header == ["date", "CRP"]  # the empty trailing column is dropped
    assert table.data.index.tolist() == [3, 6]


def test_quoted_fields_may_hold_separators_and_line_breaks(tmp_path):
    table = table_of(tmp_path, b'date,"CRP, mg/L",note\n2026-01-01,3,"two\nlines"\n'
                               b"2026-01-02,4,x\n")
    assert table.header == ["date", "CRP, mg/L", "note"]
    assert table.data[2].tolist() == ["two\nlines", "x"]


@pytest.mark.parametrize(("raw", "row", "reason"), [
    (b"date,CRP\n2026-01-01,3,4\n", 2, "more fields"),
    (b"date,CRP,IL6\n2026-01-01,3\n", 2, "fewer fields"),
    (b'date,CRP\n2026-01-01,"3\n', 2, "unreadable"),
    (b"date,,CRP\n2026-01-01,x,3\n", 1, "without a name"),
])
def test_malformed_rows_are_named(tmp_path, raw, row, reason):
    with pytest.raises(ImportFailed) as failed:
        table_of(tmp_path, raw)
    assert failed.value.problems[0].row == row
    assert reason in failed.value.problems[0].reason


@pytest.mark.parametrize("raw", [b"", b"  \n\n", b"\x00\x01\x02binary\x00"])
def test_empty_or_binary_files_are_refused(tmp_path, raw):
    with pytest.raises(ImportFailed):
        table_of(tmp_path, raw)


def test_a_damaged_xlsx_is_refused(tmp_path):
    with pytest.raises(ImportFailed, match="not a readable .xlsx"):
        table_of(tmp_path, b"PK\x03\x04garbage", "book.xlsx")


@pytest.mark.parametrize(("header", "code", "unit", "specimen"), [
    ("IL1b", "IL1B", "", None),
    ("IL-1 beta", "IL1B", "", None),
    ("IL1B pg/ml", "IL1B", "pg/ml", None),
    ("IL-1β (ng/mL)", "IL1B", "ng/mL", None),
    ("IL-1ß", "IL1B", "", None),  # Latin-1 exports write a sharp s for beta
    ("CRP (mg/dL)", "CRP", "mg/dL", None),
    ("CRP, mg/L", "CRP", "mg/L", None),
    ("Protéine C réactive [mg/L]", "CRP", "mg/L", None),
    ("TNF-α", "TNFA", "", None),
    ("IL-1Ra", "IL1RA", "", None),
    ("IL-1β LPS (pg/mL)", "IL1B", "pg/mL", "pbmc-lps"),
    ("IL-1β spontané", "IL1B", "", "pbmc-spont"),
    ("IL6 (sérum) (pg/mL)", "IL6", "pg/mL", "serum"),
    ("Température (°C)", "TEMP", "°C", None),
    ("Poids (kg)", "WEIGHT", "kg", None),
    ("Fièvre", "SX_FEVER", "", None),
    ("Éruption cutanée", "SX_RASH", "", None),
    ("Interleukin 18", None, "", None),
])
def test_headers(header, code, unit, specimen):
    h = parse_header(header)
    assert (h.code, h.unit, h.specimen) == (code, unit, specimen)


def test_an_unknown_bracketed_unit_after_a_known_name_is_flagged():
    h = parse_header("CRP (mmol/L)")
    assert (h.code, h.bad_unit) == ("CRP", "mmol/L")


def test_user_mapping_wins_and_is_compared_loosely():
    assert code_for("IL-18 serum", {"il18serum": "IL6"}) == "IL6"


@pytest.mark.parametrize(("unit", "code", "value", "expected"), [
    ("ng/mL", "IL1B", 1.1, 1100.0),
    ("pg/mL", "IL1B", 7.0, 7.0),
    ("ng/L", "IL6", 7.0, 7.0),
    ("µg/L", "IL6", 0.5, 500.0),
    ("mg/dL", "CRP", 0.3, 3.0),
    ("µg/mL", "CRP", 3.0, 3.0),
    ("g/L", "SAA", 0.012, 12.0),
    ("°F", "TEMP", 98.6, 37.0),
    ("g", "WEIGHT", 3250.0, 3.25),
    ("mm/hr", "ESR", 20.0, 20.0),
    ("", "CRP", 3.0, 3.0),
])
def test_units_convert_to_the_stored_unit(unit, code, value, expected):
    conv = conversion(unit, code)
    assert not isinstance(conv, str)
    assert conv.apply(np.array([value]))[0] == expected  # exact, not approximately


@pytest.mark.parametrize(("unit", "code", "reason"), [
    ("mmol/L", "CRP", "unknown unit"),
    ("IU/mL", "IL6", "unknown unit"),
    ("kg", "CRP", "does not fit"),
    ("pg/mL", "TEMP", "does not fit"),
])
def test_unknown_or_unfit_units_are_errors(unit, code, reason):
    assert reason in conversion(unit, code)


def test_tidy_keeps_twelve_significant_digits():
    assert tidy(np.array([1.1 * 1000, 0.0, -2.2 * 3, 1e-20 * 3]))[0] == 1100.0
    assert tidy(np.array([0.0]))[0] == 0.0


@pytest.mark.parametrize(("text", "iso"), [
    ("2026-11-24", "2026-11-24T00:00:00"),
    ("2026-11-24T08:30", "2026-11-24T08:30:00"),
    ("2026-11-24 08:30:15", "2026-11-24T08:30:15"),
    ("2026-11-24T08:30:00Z", "2026-11-24T08:30:00"),
    ("2026-11-24T09:30:00+01:00", "2026-11-24T08:30:00"),
    ("24/11/2026", "2026-11-24T00:00:00"),
    ("24.11.2026 8h30", "2026-11-24T08:30:00"),
    ("4-1-2026", "2026-01-04T00:00:00"),
])
def test_dates(text, iso):
    parsed = parse_dates(pd.Series([text], dtype=str))
    assert not parsed.bad[0]
    assert pd.Timestamp(parsed.t[0], unit="s").isoformat() == iso


@pytest.mark.parametrize(("text", "reason"), [
    ("2026-02-30", "impossible date"),
    ("31/04/2026", "impossible date"),
    ("11/24/2026", "impossible date"),
    ("24/11/26", "not a date"),
    ("yesterday", "not a date"),
    ("2026", "not a date"),
    ("1850-01-01", "implausible year"),
    ("", "no date"),
])
def test_bad_dates(text, reason):
    parsed = parse_dates(pd.Series([text], dtype=str))
    assert reason in parsed.reason[0]


def test_a_month_first_date_says_which_part_is_not_a_month():
    parsed = parse_dates(pd.Series(["08/13/2009", "13/08/2009"], dtype=str))
    assert parsed.reason[0] == ("impossible date (day/month/year expected: 13 is not a month; "
                                "month-first dates are not read)")
    assert not parsed.bad[1]


def test_numbers_censoring_and_answers():
    cells = pd.Series(["12.5", "<5", "> 1000", "≤0.3", "oui", "", "NA", "n.d.", "abc", "1e3",
                       "inf"], dtype=str)
    n = parse_numbers(cells, decimal_comma=False)
    assert n.value[:4].tolist() == [12.5, 5.0, 1000.0, 0.3]
    assert n.censor[:4].tolist() == [None, "<", ">", "<"]
    assert (n.value[4], n.word[4]) == (1.0, True)
    assert n.missing.tolist()[5:7] == [True, True]
    assert "ambiguous" in n.reason[7]
    assert n.reason[8] == "not a number"
    assert n.value[9] == 1000.0
    assert n.reason[10] == "not a number"


def test_decimal_comma_only_when_the_file_allows_it():
    cells = pd.Series(["1,5", "<0,2"], dtype=str)
    assert parse_numbers(cells, decimal_comma=True).value.tolist() == [1.5, 0.2]
    assert parse_numbers(cells, decimal_comma=False).reason.tolist() == ["not a number"] * 2


def test_digit_groups_as_french_labs_print_them():
    cells = pd.Series(["1 250,5", "12\u00a0500", "1\u202f000\u202f000", "< 1 000", "1 25", "1.250,5"])
    n = parse_numbers(cells, decimal_comma=True)
    assert n.value[:4].tolist() == [1250.5, 12500.0, 1_000_000.0, 1000.0]
    assert n.censor[3] == "<"
    # Groups of other than three digits, or a dot between groups, stay errors.
    assert n.reason[4:].tolist() == ["not a number", "not a number"]


def test_a_french_lab_export_with_digit_groups_imports(tmp_path, engine):
    from data.importing import import_file

    path = tmp_path / "labo.csv"
    path.write_text("Patient;Date de prélèvement;IL-1ß spontané (pg/mL);CRP (mg/dL)\n"
                    "HOSP-07;12/01/2019;1 250,5;4,5\n", encoding="utf-8")
    import_file(engine, path, specimen="pbmc_spont")
    with engine.connect() as conn:
        values = sorted(v for (v,) in conn.exec_driver_sql("SELECT value FROM observation"))
    assert values == [45.0, 1250.5]


def test_a_dot_between_digit_groups_of_a_decimal_comma_file_is_refused_not_read_as_decimal():
    """docs/IMPORT.md (reviewer: it called '1 234' an error while the importer read it):
    '1.234' in a semicolon file of decimal commas may be 1234; it was stored as 1.234."""
    cells = pd.Series(["1.234", "12.500", "1.234.567", "0.125", "1.5", "1 234", "1\u00a0234",
                       "６０"])
    n = parse_numbers(cells, decimal_comma=True)
    assert n.reason[:3].tolist() == [DOT_GROUPS] * 3
    assert n.value[3:7].tolist() == [0.125, 1.5, 1234.0, 1234.0]
    assert n.reason[7] == "not a number"  # full-width digits
    # In a file of decimal points a dot is the decimal point.
    assert parse_numbers(cells[:1], decimal_comma=False).value.tolist() == [1.234]


def test_the_command_line_and_the_wizard_read_the_same_digit_groups(tmp_path, engine, capsys):
    from data.importing import ImportFailed, Options, build_plan
    from data.importing.readers import read_table
    from main import main
    from tests.backend import target

    path = tmp_path / "labo.csv"
    path.write_text("patient;date;code;value;unit\nG-01;12/01/2019;CRP;1 234;mg/L\n"
                    "G-01;13/01/2019;CRP;1\u00a0234,5;mg/L\nG-01;14/01/2019;CRP;1.234;mg/L\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:  # as the wizard plans it
        build_plan(read_table(path), Options())
    [problem] = failed.value.problems
    assert (problem.row, problem.column, problem.reason) == (4, "value", DOT_GROUPS)
    assert main(["--db", target(engine), "import", str(path)]) == 1
    assert 'row 4, column "value"' in capsys.readouterr().err
    path.write_text(path.read_text(encoding="utf-8").replace("1.234;", "1234;"),
                    encoding="utf-8")
    assert main(["--db", target(engine), "import", str(path)]) == 0
    with engine.connect() as conn:
        values = sorted(v for (v,) in conn.exec_driver_sql("SELECT value FROM observation"))
    assert values == [1234.0, 1234.0, 1234.5]
