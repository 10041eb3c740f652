"""A patient created by a lab import has no diagnosis, sex, birth year or genotype:
every view shows that plainly (a dash), never "nan", "None" or a traceback."""

from __future__ import annotations

import pytest

from data.case_list import case_list_rows
from data.importing import import_file
from data.numbers import DASH, is_missing, shown
from data.patients import NO_DIAGNOSIS, header_parts
from data.summary import build_summary, load_case
from main import main
from tests.backend import target

# A hospital lab export for a patient the database has never seen.
LAB = """patient;date;code;value;unit;specimen
HOP-77;03/02/2025 08:30;IL1B;1320;pg/mL;pbmc-spont
HOP-77;03/02/2025 08:30;CRP;41;mg/L;serum
HOP-77;10/02/2025;CRP;2,5;mg/L;serum
"""


@pytest.fixture
def imported(demo_engine, tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text(LAB, encoding="utf-8")
    import_file(demo_engine, path)
    return demo_engine


@pytest.mark.parametrize("value", [None, float("nan"), "", "  ", __import__("pandas").NA,
                                   __import__("pandas").NaT])
def test_every_kind_of_missing_value_is_shown_as_the_dash(value):
    assert is_missing(value)
    assert shown(value) == DASH
    assert shown(value, "none") == "none"


def test_present_values_are_shown_as_they_are():
    assert shown("FCAS2") == "FCAS2"
    assert shown(0) == "0"
    assert not is_missing(0)


def test_case_list_shows_a_dash_for_the_missing_diagnosis(imported):
    rows = {r.pseudonym: r for r in case_list_rows(imported)}
    assert rows["HOP-77"].diagnosis == DASH
    assert rows["HOP-77"].diagnosis_short == DASH
    assert rows["HOP-77"].first == "2025-02-03"
    assert rows["NLRP12-01"].diagnosis.startswith("NLRP12")


def test_cases_command_lists_the_new_patient(imported, capsys):
    db = target(imported)
    imported.dispose()
    assert main(["--db", db, "cases"]) == 0
    out, err = capsys.readouterr()
    line = next(ln for ln in out.splitlines() if ln.startswith("HOP-77"))
    assert line.split()[:4] == ["HOP-77", DASH, "2025-02-03", "2025-02-10"]
    assert "nan" not in out.lower() and err == ""


def test_header_parts_say_no_diagnosis_and_omit_what_is_missing(imported):
    case = load_case(imported, _pid(imported, "HOP-77"))
    assert header_parts(case.patient) == [("diagnosis", NO_DIAGNOSIS)]
    full = {"diagnosis": "FCAS2", "genotype": "NLRP12 c.910C>T", "sex": "F",
            "birth_year": 1990}
    assert header_parts(full) == [("diagnosis", "FCAS2"), ("genotype", "NLRP12 c.910C>T"),
                                  ("person", "female, born 1990")]


def test_pdf_header_and_key_figures_cope_with_missing_fields(imported):
    case = load_case(imported, _pid(imported, "HOP-77"))
    summary = build_summary(case)
    header = dict(summary.header)
    assert header["Diagnosis"] == header["Genotype"] == header["Sex"] == DASH
    assert all(f.value for f in summary.figures)
    words = " ".join(summary.all_text()).split()
    assert "nan" not in words and "None" not in words and "NaN" not in words


def _pid(engine, pseudonym: str) -> int:
    return next(r.id for r in case_list_rows(engine) if r.pseudonym == pseudonym)


def test_deidentified_audit_trail_withholds_earlier_identities(imported):
    from data.patients import save_details
    from data.summary import load_audit
    from db.patients import get_patient

    pid = _pid(imported, "HOP-77")
    save_details(imported, pid, 1, actor="dr.a", name="Paul Martin", record_number="R-55821")
    save_details(imported, pid, get_patient(imported, pid)["version"], actor="dr.a",
                 name="Paul Lemaire", record_number="R-99999", pseudonym="HOP-78")
    case = load_case(imported, pid)
    text = " ".join(build_summary(case, deidentify=True, audit=load_audit(imported, case))
                    .all_text())
    for leak in ("Martin", "55821", "HOP-77", "Lemaire", "99999"):
        assert leak not in text
    assert "name changed (withheld)" in text
    plain = " ".join(build_summary(case, audit=load_audit(imported, case)).all_text())
    assert "name: Paul Martin → Paul Lemaire" in plain
