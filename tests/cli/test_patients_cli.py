"""`flarescope patients import|set|show` with patient files a hospital would write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from data.case_list import case_list_rows
from db.engine import open_database
from db.models import AuditEvent
from main import main
from tests.backend import target
from tests.data.test_import_helpers import dump

ROOT = Path(__file__).resolve().parents[2]

# Semicolons, a decimal comma, French words for sex, a day-first birth date.
GOOD = """pseudonym;diagnosis;sex;birth_year;genotype;name;birth_date;record_number;weight;weight_date
FR-11;NLRP12-associated autoinflammatory disorder;femme;1988;NLRP12 c.910C>T;Claire Vasseur;14/03/1988;IPP-778812;61,5;02/02/2026
FR-12;TRAPS;M;1979;;;;;;
"""


@pytest.fixture
def db(engine) -> str:
    """A new database without the demo cohort, closed so each command opens it afresh."""
    engine.dispose()
    return target(engine)


def run(capsys, db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, "patients", *map(str, args)])
    return (code, *capsys.readouterr())


def write(tmp_path, text: str, name: str = "patients.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_patients_with_details_identity_and_weight(capsys, db, tmp_path):
    code, out, err = run(capsys, db, "import", write(tmp_path, GOOD))
    assert code == 0, err
    assert "patients.csv: patient file (CSV, semicolon-separated" in out
    assert "2 patients created: FR-11, FR-12" in out
    assert "1 weight added" in out
    code, out, _ = run(capsys, db, "show", "FR-11")
    assert code == 0
    lines = dict(line.split(None, 1) if " " in line else (line, "") for line in
                 out.replace("birth year", "birth_year").splitlines())
    assert lines["diagnosis"] == "NLRP12-associated autoinflammatory disorder"
    assert lines["sex"] == "female" and lines["birth_year"] == "1988"
    assert lines["weights"] == "1 recorded, latest 61.5 kg on 2026-02-02"
    assert "Vasseur" not in out and "778812" not in out  # identifying only on request
    code, out, _ = run(capsys, db, "show", "FR-11", "--identifying")
    assert "Claire Vasseur" in out and "1988-03-14" in out and "IPP-778812" in out


def test_reimport_changes_nothing_and_says_so(capsys, db, tmp_path):
    path = write(tmp_path, GOOD)
    run(capsys, db, "import", path)
    engine = open_database(db)
    before = dump(engine)
    engine.dispose()
    code, out, _ = run(capsys, db, "import", path)
    assert code == 0
    assert "2 patients unchanged: FR-11, FR-12" in out
    engine = open_database(db)
    # Only the file's own audit row is new.
    assert len(dump(engine)) == len(before) + 1
    engine.dispose()


def test_a_lab_patient_gets_its_details_from_a_later_patient_file(capsys, db, tmp_path):
    lab = write(tmp_path, "patient,date,code,value,unit\nFR-12,2026-01-05,CRP,40,mg/L\n",
                "lab.csv")
    assert main(["--db", db, "import", str(lab)]) == 0
    run(capsys, db, "import", write(tmp_path, GOOD))
    engine = open_database(db)
    rows = {r.pseudonym: r for r in case_list_rows(engine)}
    assert rows["FR-12"].diagnosis == "TRAPS"
    engine.dispose()


BAD = """pseudonym,sex,birth_year,diagnosis
BAD-1,Q,1990,FCAS2
BAD-2,F,3000,FCAS2
BAD-1,M,1980,CAPS
BAD-4,F,1985,
"""


def test_a_bad_file_writes_nothing_and_lists_every_problem(capsys, db, tmp_path):
    engine = open_database(db)
    before = dump(engine)
    engine.dispose()
    code, out, err = run(capsys, db, "import", write(tmp_path, BAD, "bad.csv"))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "bad.csv: 3 problems, nothing was imported"
    assert lines[1:] == [
        "  bad.csv, row 2, column \"sex\", value \"Q\": unknown sex 'Q': write F, M or X "
        "(unknown/other)",
        "  bad.csv, row 3, column \"birth_year\", value \"3000\": implausible birth year 3000 "
        f"(accepted 1900–{__import__('datetime').date.today().year})",
        "  bad.csv, row 4, column \"pseudonym\", value \"BAD-1\": duplicate pseudonym: already "
        "on row 2 (one row per patient; a repeated row may only add a weight on another "
        "date)",
    ]
    engine = open_database(db)
    assert dump(engine) == before
    engine.dispose()


@pytest.mark.parametrize(("text", "problem"), [
    ("pseudonym,colour\nA-1,blue\n", 'row 1, column "colour": unknown column'),
    ("diagnosis\nFCAS2\n", "row 1: no pseudonym column"),
    ("pseudonym,name,birth_date\nDUPONT Jean 1975-11-02,Jean Dupont,02/11/1975\n",
     "contains the name part 'jean' and the name part 'dupont' and a date"),
    ("pseudonym,record_number\nP-100587,MRN 100587\n", "contains the record number"),
    ("pseudonym,weight,weight_date\nA-1,720,2026-01-01\n", "implausible weight 720 kg"),
    ("pseudonym,weight,weight_date\nA-1,0,2026-01-01\n", "implausible weight 0 kg"),
    ("pseudonym,weight\nA-1,60\n", "a weight needs its date"),
    ("pseudonym,birth_year,birth_date\nA-1,1990,14/03/1991\n",
     "birth date 1991-03-14 is not in birth year 1990"),
    ("pseudonym,record_number\nA-1,R1234\nA-2,R1234\n", "the same record number as A-1"),
    ("pseudonym,sex\n", "no patients"),
])
def test_each_bad_file_is_refused_with_its_reason(capsys, db, tmp_path, text, problem):
    engine = open_database(db)
    before = dump(engine)
    engine.dispose()
    code, _, err = run(capsys, db, "import", write(tmp_path, text, "p.csv"))
    assert code == 1 and problem in err, err
    assert "Traceback" not in err
    engine = open_database(db)
    assert dump(engine) == before
    engine.dispose()


WEIGHTS = """pseudonym,diagnosis,sex,weight,weight_date
KID-1,CAPS,F,18.2,2025-01-10
KID-1,,,19.0,2025-06-02
KID-1,CAPS,F,20.4,2026-01-08
KID-2,CAPS,M,,
"""


def test_repeated_rows_give_a_weight_history(capsys, db, tmp_path):
    code, out, err = run(capsys, db, "import", write(tmp_path, WEIGHTS))
    assert code == 0, err
    assert "2 patients created: KID-1, KID-2" in out and "3 weights added" in out
    _, out, _ = run(capsys, db, "show", "KID-1")
    assert "3 recorded, latest 20.4 kg on 2026-01-08" in out


@pytest.mark.parametrize(("extra", "problem"), [
    ("KID-1,CAPS,M,19.0,2025-06-02\n", "row 6, column \"pseudonym\", value \"KID-1\": duplicate"),
    ("KID-1,,,,\n", "duplicate pseudonym: already on row 2"),
    ("KID-1,,,17.0,2025-01-10\n", "a second weight for the same date"),
])
def test_a_repeated_row_that_is_not_a_weight_is_a_duplicate(capsys, db, tmp_path, extra,
                                                            problem):
    code, _, err = run(capsys, db, "import", write(tmp_path, WEIGHTS + extra))
    assert code == 1 and problem in err, err


def test_an_xlsx_patient_file(capsys, db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Pseudonym", "Diagnosis", "Sex", "Birth year", "Birth date"])
    sheet.append(["XL-1", "CAPS", "F", 2001, __import__("datetime").date(2001, 5, 6)])
    path = tmp_path / "patients.xlsx"
    book.save(path)
    code, out, err = run(capsys, db, "import", path)
    assert code == 0, err
    code, out, _ = run(capsys, db, "show", "XL-1", "--identifying")
    assert "2001-05-06" in out and "CAPS" in out


def test_set_then_show_and_the_audit_row(capsys, db, tmp_path):
    run(capsys, db, "import", write(tmp_path, GOOD))
    code, out, err = run(capsys, db, "set", "FR-12", "--diagnosis", "TRAPS (TNFRSF1A R92Q)",
                         "--sex", "X", "--birth-year", "1980", "--genotype", "TNFRSF1A R92Q")
    assert code == 0, err
    assert "sex           unknown or other" in out and "version       2" in out
    engine = open_database(db)
    t = AuditEvent.__table__
    with engine.connect() as conn:
        last = conn.execute(select(t).order_by(t.c.id.desc())).mappings().first()
    engine.dispose()
    assert (last["entity"], last["action"]) == ("patient", "update")
    assert json.loads(last["after"])["birth_year"] == 1980
    code, out, _ = run(capsys, db, "set", "FR-12", "--genotype", "")
    assert "genotype      —" in out


def test_set_refuses_bad_values_all_at_once_and_changes_nothing(capsys, db, tmp_path):
    run(capsys, db, "import", write(tmp_path, GOOD))
    code, out, err = run(capsys, db, "set", "FR-12", "--sex", "Q", "--birth-year", "3000")
    assert code == 1 and out == ""
    assert err.startswith("flarescope: FR-12: unknown sex 'Q'")
    assert "implausible birth year 3000" in err and err.count("\n") == 1
    code, out, _ = run(capsys, db, "show", "FR-12")
    assert "version       1" in out


def test_set_refuses_an_identifying_pseudonym(capsys, db, tmp_path):
    run(capsys, db, "import", write(tmp_path, GOOD))
    code, _, err = run(capsys, db, "set", "FR-11", "--pseudonym", "VASSEUR-C")
    assert code == 1 and "the name part 'vasseur'" in err
    code, _, err = run(capsys, db, "set", "FR-11", "--pseudonym", "FR-11B")
    assert code == 0, err


def test_show_flags_an_existing_identifying_pseudonym(capsys, db, tmp_path):
    # Created by a lab import before the check existed, then given a name.
    lab = write(tmp_path, "patient,date,code,value,unit\nMARTIN-P,2026-01-05,CRP,40,mg/L\n",
                "lab.csv")
    assert main(["--db", db, "import", str(lab)]) == 0
    engine = open_database(db)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO patient_identity (patient_id, name) "
                             "SELECT id, 'Paul Martin' FROM patient")
    engine.dispose()
    code, out, _ = run(capsys, db, "show", "MARTIN-P")
    assert code == 0
    assert "flagged       pseudonym 'MARTIN-P' contains the name part 'martin'" in out
    # An unrelated edit still goes through; the flag stays until the pseudonym changes.
    code, out, err = run(capsys, db, "set", "MARTIN-P", "--diagnosis", "FCAS2")
    assert code == 0, err
    code, out, _ = run(capsys, db, "set", "MARTIN-P", "--pseudonym", "HOP-31")
    assert code == 0 and "flagged" not in out


def test_unknown_case_and_nothing_to_set_are_one_line(capsys, db, tmp_path):
    code, _, err = run(capsys, db, "show", "NOPE")
    # An empty database says so and how to fill it, not "known cases:" and nothing.
    assert code == 1 and err.count("\n") == 1 and "known cases" not in err
    assert "no case 'NOPE': the database has no cases yet" in err
    assert "import FILE" in err and "demo --reset" in err
    run(capsys, db, "import", write(tmp_path, GOOD))
    code, _, err = run(capsys, db, "show", "NOPE")
    assert code == 1 and err == "flarescope: no case 'NOPE'; known cases: FR-11, FR-12\n"
    code, _, err = run(capsys, db, "set", "NOPE")
    assert code == 1 and "nothing to set" in err


def test_real_process(tmp_path):
    path = write(tmp_path, BAD, "bad.csv")
    env = {**os.environ, "FLARESCOPE_DB": str(tmp_path / "p.db")}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "patients", "import", str(path)],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "bad.csv: 3 problems, nothing was imported" in r.stderr


def test_dry_run_writes_nothing(capsys, db, tmp_path):
    engine = open_database(db)
    before = dump(engine)
    engine.dispose()
    code, out, err = run(capsys, db, "import", "--dry-run", write(tmp_path, GOOD))
    assert code == 0, err
    assert "2 patients would be created: FR-11, FR-12" in out
    assert "1 weight would be added" in out
    engine = open_database(db)
    assert dump(engine) == before
    engine.dispose()


def test_a_lab_file_creating_a_patient_named_by_a_date_is_refused(capsys, db, tmp_path):
    lab = write(tmp_path, "patient,date,code,value,unit\nP-1,2026-01-04,CRP,4,mg/L\n"
                "DUPONT 02/11/1975,2026-01-05,CRP,40,mg/L\n", "lab.csv")
    engine = open_database(db)
    before = dump(engine)
    engine.dispose()
    assert main(["--db", db, "import", str(lab)]) == 1
    err = capsys.readouterr().err
    assert 'lab.csv, row 3, value "DUPONT 02/11/1975": pseudonym' in err
    assert "contains a date ('02/11/1975')" in err
    engine = open_database(db)
    assert dump(engine) == before
    engine.dispose()


def test_an_existing_flagged_case_still_takes_new_values(capsys, db, tmp_path):
    engine = open_database(db)
    with engine.begin() as conn:  # stored before pseudonyms were checked
        conn.exec_driver_sql("INSERT INTO patient (pseudonym) VALUES ('DUPONT 02/11/1975')")
    engine.dispose()
    lab = write(tmp_path, "date,code,value,unit\n2026-01-05,CRP,40,mg/L\n", "lab.csv")
    assert main(["--db", db, "import", "--patient", "DUPONT 02/11/1975", str(lab)]) == 0
    _, out, _ = run(capsys, db, "show", "DUPONT 02/11/1975")
    assert "flagged       pseudonym 'DUPONT 02/11/1975' contains a date" in out


def test_a_look_alike_hyphen_in_the_patient_file_finds_the_same_case(capsys, db, tmp_path):
    lab = write(tmp_path, "patient,date,code,value,unit\nFR-12,2026-01-05,CRP,40,mg/L\n",
                "lab.csv")
    assert main(["--db", db, "import", str(lab)]) == 0
    code, out, err = run(capsys, db, "import",
                         write(tmp_path, "pseudonym,diagnosis\nFR\u201012,TRAPS\n"))
    assert code == 0, err
    assert "1 patient updated: FR-12" in out


@pytest.mark.parametrize(("text", "column"), [
    ("pseudonym,diagnosis\nCASE-A,=cmd|'/C calc'!A0\n", '"diagnosis"'),
    ("pseudonym,genotype\nCASE-A,@SUM(1+1)\n", '"genotype"'),
    ('pseudonym,name\nCASE-A,"=HYPERLINK(""http://x"")"\n', '"name"'),
    ("pseudonym,record_number\nCASE-A,+1+2\n", '"record_number"'),
    ("pseudonym,diagnosis\nCASE-A,\"\t=1+1\"\n", '"diagnosis"'),
])
def test_a_patient_field_that_would_run_as_a_formula_is_refused(capsys, db, tmp_path, text,
                                                                column):
    """Reviewer: only pseudonyms were guarded; a diagnosis '=cmd|…' was stored and shown."""
    code, out, err = run(capsys, db, "import", write(tmp_path, text))
    assert code == 1 and "nothing was imported" in err
    assert f"row 2, column {column}" in err and "as a formula" in err
    assert case_list_rows(open_database(db)) == []


def test_a_typed_field_that_would_run_as_a_formula_is_refused(capsys, db, tmp_path):
    assert run(capsys, db, "import", write(tmp_path, "pseudonym\nCASE-A\n"))[0] == 0
    code, out, err = run(capsys, db, "set", "CASE-A", "--diagnosis=-2+3")
    assert code != 0 and "diagnosis starts with = + - @" in err and "nothing was changed" in err
    # A plain negative number is no formula; a genotype such as 'c.-20G>A' starts otherwise.
    assert run(capsys, db, "set", "CASE-A", "--genotype", "c.-20G>A")[0] == 0


def test_control_characters_are_refused_and_never_echoed_raw(engine, capsys):
    """ESC [2J clears the reviewer's terminal; an OSC sets its title."""
    from db.writes import insert_patient

    db = target(engine)
    with engine.begin() as conn:  # as an older version could have stored it
        insert_patient(conn, pseudonym="ESC-01", diagnosis="\x1b[2J\x1b[31mred\u202e")
    code = main(["--db", db, "patients", "set", "ESC-01", "--genotype", "\x1b]0;x\x07"])
    out, err = capsys.readouterr()
    assert code != 0 and "control or direction characters" in err and "\x1b" not in err
    assert main(["--db", db, "cases"]) == 0
    out, _ = capsys.readouterr()
    assert "ESC-01" in out and "\x1b" not in out and "\u202e" not in out and "\\x1b[2J" in out
    assert main(["--db", db, "patients", "show", "ESC-01"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out and "\\x1b" in out
    rows = {r.pseudonym: r for r in case_list_rows(engine)}
    assert rows["ESC-01"].diagnosis.startswith("\x1b")  # stored as it was, shown escaped


def _weights(db: str, pseudonym: str) -> dict[str, float]:
    from db.patients import get_patient, patient_id

    engine = open_database(db)
    try:
        return get_patient(engine, patient_id(engine, pseudonym))["weights"]
    finally:
        engine.dispose()


def _dump(db: str) -> list[str]:
    from tests.data.test_import_helpers import dump

    engine = open_database(db)
    try:
        return dump(engine)
    finally:
        engine.dispose()


def _audit_rows(db: str) -> list[dict]:
    engine = open_database(db)
    t = AuditEvent.__table__
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]
    finally:
        engine.dispose()


def test_set_adds_corrects_and_removes_weights_each_audited(capsys, db, tmp_path):
    run(capsys, db, "import", write(tmp_path, GOOD))
    assert _weights(db, "FR-11") == {"2026-02-02": 61.5}
    code, out, err = run(capsys, db, "set", "FR-11", "--weight", "63,2", "--weight-date",
                         "15/03/2026")
    assert code == 0, err
    assert "weight        2026-03-15  63.2 kg" in out and "version       2" in out
    code, out, err = run(capsys, db, "set", "FR-11", "--weight", "62", "--weight-date",
                         "2026-02-02")
    assert code == 0, err
    assert _weights(db, "FR-11") == {"2026-02-02": 62.0, "2026-03-15": 63.2}
    code, out, err = run(capsys, db, "set", "FR-11", "--remove-weight-date", "2026-03-15")
    assert code == 0, err
    assert _weights(db, "FR-11") == {"2026-02-02": 62.0}
    assert "version       4" in out

    rows = [r for r in _audit_rows(db) if r["entity"] == "patient" and r["action"] == "update"]
    changes = [(json.loads(r["before"]), json.loads(r["after"])) for r in rows]
    assert changes == [
        ({"weights": {"2026-03-15": None}, "version": 1},
         {"weights": {"2026-03-15": 63.2}, "version": 2}),
        ({"weights": {"2026-02-02": 61.5}, "version": 2},
         {"weights": {"2026-02-02": 62.0}, "version": 3}),
        ({"weights": {"2026-03-15": 63.2}, "version": 3},
         {"weights": {"2026-03-15": None}, "version": 4})]
    # The same weight again is no change: no audit row, no new version.
    n = len(_audit_rows(db))
    code, out, _ = run(capsys, db, "set", "FR-11", "--weight", "62.0", "--weight-date",
                       "02/02/2026")
    assert code == 0 and "version       4" in out and len(_audit_rows(db)) == n


@pytest.mark.parametrize(("args", "problem"), [
    (["--weight", "heavy", "--weight-date", "2026-03-01"], "weight 'heavy' is not a number (kg)"),
    # Full-width digits: float() reads them, the measurement importer refuses them.
    (["--weight", "６０", "--weight-date", "2026-03-01"],
     "weight '６０' is not a number (write the digits 0-9) (kg)"),
    (["--weight", "<60", "--weight-date", "2026-03-01"], "weight '<60' is not a number (kg)"),
    (["--weight", "0", "--weight-date", "2026-03-01"], "implausible weight 0 kg (accepted 0.3–500 kg)"),
    (["--weight", "-4", "--weight-date", "2026-03-01"], "implausible weight -4 kg"),
    (["--weight", "720", "--weight-date", "2026-03-01"], "implausible weight 720 kg"),
    (["--weight", "60", "--weight-date", "2099-01-01"],
     "implausible weight date 2099-01-01 (in the future)"),
    (["--weight", "60", "--weight-date", "31/02/2026"], "weight date '31/02/2026'"),
    (["--weight", "60", "--weight-date", "soon"], "weight date 'soon'"),
    (["--weight", "60"], "--weight needs --weight-date DATE"),
    (["--weight-date", "2026-03-01"], "--weight-date needs --weight KG"),
    (["--weight", "60", "--weight-date", "2026-02-02", "--remove-weight-date", "2026-02-02"],
     "name the same day"),
    (["--weight", "60", "--weight-date", "02/02/2026", "--remove-weight-date", "2026-02-02"],
     "two changes of the weight on 2026-02-02"),
    (["--remove-weight-date", "2026-03-01"],
     "no weight recorded on 2026-03-01 to remove (recorded: 2026-02-02)"),
    (["--diagnosis", "FCAS2", "--weight", "0", "--weight-date", "2026-03-01"],
     "implausible weight 0 kg"),
])
def test_a_bad_weight_is_one_line_and_writes_nothing(capsys, db, tmp_path, args, problem):
    run(capsys, db, "import", write(tmp_path, GOOD))
    before = _dump(db)
    code, out, err = run(capsys, db, "set", "FR-11", *args)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("flarescope: ") and problem in err and "Traceback" not in err
    assert _dump(db) == before
    assert _weights(db, "FR-11") == {"2026-02-02": 61.5}


def test_weight_options_in_a_real_process(tmp_path):
    env = {**os.environ, "FLARESCOPE_DB": str(tmp_path / "w.db")}
    cmd = [sys.executable, str(ROOT / "main.py"), "patients"]
    path = write(tmp_path, GOOD)
    for args in (["import", str(path)], ["set", "FR-12", "--weight", "80", "--weight-date",
                                         "2026-01-05"]):
        r = subprocess.run(cmd + args, capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=120)
        assert r.returncode == 0, r.stderr
    assert "2026-01-05  80 kg" in r.stdout
    r = subprocess.run(cmd + ["set", "FR-12", "--weight", "0.1", "--weight-date", "2026-01-06"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().endswith("nothing was changed")


def test_a_reimported_weight_that_differs_from_the_stored_one_is_refused(capsys, db, tmp_path):
    """As a differing measurement is: listed by row and column, nothing written, never
    skipped silently (it was: '2 patients unchanged' and the stored weight kept)."""
    run(capsys, db, "import", write(tmp_path, WEIGHTS))
    run(capsys, db, "set", "KID-1", "--weight", "18.6", "--weight-date", "2025-06-02")
    before = _dump(db)
    code, out, err = run(capsys, db, "import", write(tmp_path, WEIGHTS))
    assert code == 1 and out == ""
    assert ('row 3, column "weight", value "19.0": differs from the stored weight 18.6 kg on '
            "2025-06-02") in err
    assert _dump(db) == before
    # The same values again are no problem.
    run(capsys, db, "set", "KID-1", "--weight", "19", "--weight-date", "2025-06-02")
    code, out, err = run(capsys, db, "import", write(tmp_path, WEIGHTS))
    assert code == 0 and "unchanged: KID-1, KID-2" in out, err


# A lab's long export with two weighings on 3 February (morning and evening).
TWO_A_DAY = """patient,date,code,value,unit
CASE-L,2026-02-02T08:00,WEIGHT,61.5,kg
CASE-L,2026-02-03T08:00,WEIGHT,60,kg
CASE-L,2026-02-03T20:00,WEIGHT,62,kg
CASE-L,2026-02-04,CRP,3,mg/L
"""


def _weights_stored(db: str) -> list[tuple[int, float]]:
    from db.models import Observation, Series

    o, s = Observation.__table__, Series.__table__
    engine = open_database(db)
    try:
        with engine.connect() as conn:
            return [(int(t), float(v)) for t, v in conn.execute(
                select(o.c.t, o.c.value).join(s, s.c.id == o.c.series_id)
                .where(s.c.code == "WEIGHT").order_by(o.c.t))]
    finally:
        engine.dispose()


def test_two_weighings_on_one_day_are_shown_and_never_changed_together(capsys, db, tmp_path):
    """Reviewer: `show` hid the 60 kg weighing; a correction by date turned both into 61
    and audited one; a removal by date deleted both."""
    assert main(["--db", db, "import", str(write(tmp_path, TWO_A_DAY, "lab.csv"))]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, db, "show", "CASE-L")
    assert "3 recorded, latest 62 kg on 2026-02-03T20:00" in out
    assert "2026-02-03T08:00  60 kg" in out and "2026-02-03T20:00  62 kg" in out
    before, n = _weights_stored(db), len(_audit_rows(db))
    for args in (["--weight", "61", "--weight-date", "2026-02-03"],
                 ["--remove-weight-date", "03/02/2026"]):
        code, out, err = run(capsys, db, "set", "CASE-L", *args)
        assert code != 0 and "2026-02-03 holds 2 weighings (08:00 60 kg, 20:00 62 kg)" in err
        assert "by its time, e.g. 2026-02-03T08:00" in err and "nothing was changed" in err
        assert _weights_stored(db) == before and len(_audit_rows(db)) == n
    # One addressed by its time: only that one changes, and the audit names it.
    code, out, err = run(capsys, db, "set", "CASE-L", "--weight", "61", "--weight-date",
                         "2026-02-03T08:00")
    assert code == 0, err
    assert "2026-02-03T08:00  61 kg" in out and "2026-02-03T20:00  62 kg" in out
    audit = json.loads(_audit_rows(db)[-1]["after"])
    assert audit["weights"] == {"2026-02-03T08:00": 61.0}
    assert json.loads(_audit_rows(db)[-1]["before"])["weights"] == {"2026-02-03T08:00": 60.0}
    code, out, err = run(capsys, db, "set", "CASE-L", "--remove-weight-date", "2026-02-03 20:00")
    assert code == 0, err
    assert "2 recorded" in out and "20:00" not in out and "2026-02-03T08:00  61 kg" in out
    # A bare date of a day with one weighing still corrects it, keeping its time.
    code, out, err = run(capsys, db, "set", "CASE-L", "--weight", "61.2", "--weight-date",
                         "2026-02-02")
    assert code == 0 and "2026-02-02T08:00  61.2 kg" in out, err


def test_a_time_in_a_weight_date_is_kept_not_dropped(capsys, db, tmp_path):
    """Reviewer: --weight-date 2026-02-01T12:00 stored the weight at midnight silently."""
    assert run(capsys, db, "import", write(tmp_path, "pseudonym\nCASE-T\n"))[0] == 0
    code, out, err = run(capsys, db, "set", "CASE-T", "--weight", "60", "--weight-date",
                         "2026-02-01T12:00")
    assert code == 0, err
    assert "2026-02-01T12:00  60 kg" in out
    assert _weights_stored(db) == [(1769947200, 60.0)]  # 2026-02-01 12:00 UTC


def _case_born_1975(capsys, db, tmp_path) -> None:
    """CASE-A, born 1975, with a CRP of 2 December 2025."""
    assert run(capsys, db, "import", write(tmp_path, "pseudonym,birth_year\nCASE-A,1975\n"))[0] == 0
    lab = write(tmp_path, "patient,date,code,value,unit\nCASE-A,2025-12-02,CRP,4,mg/L\n",
                "lab.csv")
    assert main(["--db", db, "import", str(lab)]) == 0
    capsys.readouterr()


def test_a_weighing_before_birth_is_refused_typed_or_from_a_file(capsys, db, tmp_path):
    """Reviewer: a weight dated 1969-12-31 was accepted for a patient born in 1975."""
    _case_born_1975(capsys, db, tmp_path)
    before = _dump(db)
    code, out, err = run(capsys, db, "set", "CASE-A", "--weight", "60", "--weight-date",
                         "1969-12-31")
    assert code != 0
    assert "weight date 1969-12-31 is before the patient's birth (born 1975)" in err
    assert len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, db, "import", write(
        tmp_path, "pseudonym,weight,weight_date\nCASE-A,60,1950-02-01\n", "w.csv"))
    assert code == 1 and 'row 2, column "weight_date", value "1950-02-01"' in err
    assert "before the patient's birth (born 1975)" in err
    assert _dump(db) == before


@pytest.mark.parametrize(("text", "column", "reason"), [
    # The year stays 1975 unless the file gives another one too.
    ("pseudonym,birth_date\nCASE-A,2026-03-01\n", "birth_date",
     "birth date 2026-03-01 is not in birth year 1975 (the stored year: give birth_year too"),
    ("pseudonym,birth_year,birth_date\nCASE-A,2026,2026-03-01\n", "birth_date",
     "birth date 2026-03-01 is after the case's first record (2025-12-02)"),
    ("pseudonym,birth_year\nCASE-A,2026\n", "birth_year",
     "birth year 2026 is after the case's first record (2025-12-02)"),
])
def test_a_patient_file_checks_the_birth_as_patients_set_does(capsys, db, tmp_path, text,
                                                                column, reason):
    """Reviewer: `birth_date 2026-03-01` in a patient file changed birth_year 1975 → 2026
    ('1 patient updated'), which `patients set` refuses."""
    _case_born_1975(capsys, db, tmp_path)
    before = _dump(db)
    code, out, err = run(capsys, db, "import", write(tmp_path, text, "p.csv"))
    assert code == 1 and f'row 2, column "{column}"' in err and reason in err, err
    assert _dump(db) == before
    code, out, err = run(capsys, db, "set", "CASE-A", "--birth-date", "2026-03-01")
    assert code != 0 and "is not in birth year 1975" in err
    code, out, err = run(capsys, db, "set", "CASE-A", "--birth-date", "2026-03-01",
                         "--birth-year", "2026")
    assert code != 0 and "after the case's first record (2025-12-02)" in err
    # A consistent birth date goes in, and leaves the year as it was.
    assert run(capsys, db, "import", write(
        tmp_path, "pseudonym,birth_date\nCASE-A,02/11/1975\n", "ok.csv"))[0] == 0
    assert "birth year    1975" in run(capsys, db, "show", "CASE-A")[1]


def test_the_case_list_dates_a_case_from_its_course_not_a_weighing(capsys, db, tmp_path):
    """A weight from a clinic visit years before the first sample is no part of the course
    that FIRST announces (clinician review: "FIRST counts weighings")."""
    code, _, err = run(capsys, db, "import", write(tmp_path, "pseudonym,weight,weight_date\n"
                                                  "FR-30,70,2019-05-02\n"))
    assert code == 0, err
    lab = write(tmp_path, "pseudonym,date,analyte,value,unit\n"
                "FR-30,2026-01-05,CRP,12,mg/L\nFR-30,2026-03-09,CRP,3,mg/L\n", "lab.csv")
    assert main(["--db", db, "import", str(lab)]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["--db", db, "cases"]) == 0
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.startswith("FR-30"))
    assert "2026-01-05" in row and "2026-03-09" in row and "2019-05-02" not in out


def test_a_french_patient_file_with_study_number_and_age_at_onset(capsys, db, tmp_path):
    text = ("N° patient;Diagnostic;Âge de début\n"
            "FR-21;CAPS;4\n"
            "FR-22;TRAPS;0,5\n")
    code, out, err = run(capsys, db, "import", write(tmp_path, text))
    assert code == 0, err
    code, out, _ = run(capsys, db, "show", "FR-22")
    assert "age at onset  0.5 years" in out
    code, out, err = run(capsys, db, "set", "FR-21", "--onset-age", "-3")
    assert code == 1 and "implausible age at onset -3" in err
    code, out, err = run(capsys, db, "set", "FR-21", "--onset-age", "5")
    assert code == 0 and "age at onset  5 years" in out


def test_the_patient_template_imports(capsys, db):
    code, out, err = run(capsys, db, "import", ROOT / "resources/templates/patients_template.csv")
    assert code == 0, err
    code, out, _ = run(capsys, db, "show", "NLRP12-08")
    assert "age at onset  12 years" in out


def test_an_onset_age_that_puts_onset_after_today_is_refused(capsys, db, tmp_path):
    # The reviewer's FR-11, born 1988: 45 years puts the onset in 2033. It was accepted.
    run(capsys, db, "import", write(tmp_path, GOOD))
    code, out, err = run(capsys, db, "set", "FR-11", "--onset-age", "45")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "age at onset 45 years with born 1988" in err and "after today" in err
    code, out, _ = run(capsys, db, "set", "FR-12", "--birth-year", "2020", "--onset-age", "45")
    assert code == 1
    assert "version       1" in run(capsys, db, "show", "FR-12")[1]
    code, out, err = run(capsys, db, "set", "FR-11", "--onset-age", "4")
    assert code == 0, err
    file = write(tmp_path, "pseudonym;birth_year;onset_age\nFR-30;2019;40\n", "late.csv")
    code, out, err = run(capsys, db, "import", file)
    assert code == 1 and "onset_age" in err and "born 2019" in err
