"""Patient detail rules, without a database: values, and pseudonyms that identify."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from data.patients import (
    PatientValueError,
    clean_birth_year,
    clean_date,
    clean_sex,
    clean_text,
    clean_weight,
    identifying_parts,
    sex_text,
)

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("text", "stored"), [
    ("F", "F"), ("f", "F"), ("female", "F"), ("Femme", "F"), ("M", "M"), ("homme", "M"),
    ("X", "X"), ("unknown", "X"), ("", None), (None, None)])
def test_sex_as_written_in_files(text, stored):
    assert clean_sex(text) == stored


def test_unknown_sex_says_what_is_accepted():
    with pytest.raises(PatientValueError, match=r"unknown sex 'Q': write F, M or X"):
        clean_sex("Q")


def test_sex_text():
    assert [sex_text(s) for s in ("F", "M", "X", None)] == \
        ["female", "male", "unknown or other", "—"]


@pytest.mark.parametrize("year", ["1900", "1990", "2026", "1990.0"])
def test_plausible_birth_years(year):
    assert clean_birth_year(year, today=TODAY) == int(float(year))


@pytest.mark.parametrize(("year", "reason"), [
    ("3000", "implausible birth year 3000 (accepted 1900–2026)"),
    ("1899", "implausible birth year"), ("2027", "implausible"), ("1990.5", "implausible"),
    ("nineteen", "not a year"), ("１９９０", "not a year")])
def test_implausible_birth_years(year, reason):
    with pytest.raises(PatientValueError, match=re.escape(reason)):
        clean_birth_year(year, today=TODAY)


def test_dates_as_in_measurement_files_and_never_in_the_future():
    assert clean_date("14/03/1990") == dt.date(1990, 3, 14)
    assert clean_date("1990-03-14") == dt.date(1990, 3, 14)
    with pytest.raises(PatientValueError, match="impossible date"):
        clean_date("31/02/1990", what="birth date")
    with pytest.raises(PatientValueError, match="implausible birth date 2030-01-01"):
        clean_date("2030-01-01", what="birth date", today=TODAY)


@pytest.mark.parametrize(("text", "kg"), [("58.5", 58.5), ("58,5", 58.5), ("0.4", 0.4),
                                          ("0.3", 0.3), ("500", 500.0), ("", None)])
def test_plausible_weights(text, kg):
    assert clean_weight(text) == kg


@pytest.mark.parametrize("text", ["0", "0.29", "-3", "500.1", "720", "heavy", "nan", "inf"])
def test_implausible_weights(text):
    with pytest.raises(PatientValueError):
        clean_weight(text)


@pytest.mark.parametrize("kg", ["0.29", "0.3", "0.2", "500", "500.5"])
def test_one_weight_range_for_typed_weights_and_measurement_files(engine, tmp_path, kg):
    """A weight a measurement file may import is one Patient details accepts, and the other
    way round (they disagreed: 0.2 kg typed, 500 kg imported)."""
    from data.importing import ImportFailed, import_file

    path = tmp_path / "w.csv"
    path.write_text(f"patient,date,code,value,unit\nKID-9,2026-01-01,WEIGHT,{kg},kg\n")
    try:
        import_file(engine, path)
        imported = True
    except ImportFailed:
        imported = False
    try:
        typed = clean_weight(kg) is not None
    except PatientValueError:
        typed = False
    assert imported == typed == (0.3 <= float(kg) <= 500)


def test_text_is_tidied_and_bounded():
    assert clean_text("diagnosis", "  FCAS2 \n (NLRP12) ") == "FCAS2 (NLRP12)"
    assert clean_text("diagnosis", "  ") is None
    with pytest.raises(PatientValueError, match="longer than 64"):
        clean_text("pseudonym", "x" * 65)


IDENTITY = dict(name="Jean Dupont", record_number="MRN-100587", birth_date=dt.date(1975, 11, 2))


@pytest.mark.parametrize(("pseudonym", "found"), [
    ("DUPONT Jean 1975-11-02", ["the name part 'jean'", "the name part 'dupont'",
                                "a date ('1975-11-02')"]),
    ("DUPONTJ-01", ["the name part 'dupont'"]),
    ("Dupónt-01", ["the name part 'dupont'"]),  # accents do not hide a name
    # 100587 is also 10 May 1987 (day-month-year)
    ("P-100587", ["the record number", "a date ('100587')"]),
    ("mrn100587", ["the record number", "a date ('100587')"]),
    ("P-100221", ["a date ('100221')"]),  # day 0 as ddmmyy, yymmdd (attacker review)
    ("P-210210", ["a date ('210210')"]),
    ("CASE-02111975", ["a date ('02111975')"]),
    ("X-20090112", ["a date ('20090112')"]),
    ("X 09-01-12", ["a date ('09-01-12')"]),
    ("Nov-75 case", ["a date ('nov-75')"]),
    ("case-2nov", ["a date ('2nov')"]),
])
def test_identifying_pseudonyms_are_caught(pseudonym, found):
    assert identifying_parts(pseudonym, **IDENTITY) == found


@pytest.mark.parametrize("pseudonym", ["NLRP12-01", "NLRP12-02", "CAPS-01", "TRAPS-01",
                                       "STUDY-2019-12", "JD-07", "FCAS2-Paris-3",
                                       "P-123456", "FR-004711"])
def test_ordinary_codes_pass(pseudonym):
    assert identifying_parts(pseudonym, **IDENTITY) == []
