"""`flarescope import FILE [--patient P] [--map COLUMN=CODE] [--dry-run]` as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import open_database
from main import main
from tests.data.test_import_helpers import FILES, dump, stored, value_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    open_database(str(path)).dispose()
    return str(path)


def run(capsys, db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, "import", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_creates_the_patient_and_says_what_was_added(capsys, db):
    code, out, err = run(capsys, db, FILES / "lab_fr_wide_latin1.csv", "--patient", "FR-02")
    assert code == 0, err
    assert "lab_fr_wide_latin1.csv: wide file (CSV, semicolon-separated" in out
    assert "patient FR-02 was created (new in the database)" in out
    assert "13 values added" in out
    assert "IL-1β (IL1B): 5 values" in out
    engine = open_database(db)
    try:
        assert value_of(stored(engine, "FR-02"), "2026-11-24 08:30", "CRP") == (48.0, "")
    finally:
        engine.dispose()


def test_reimport_reports_what_was_skipped(capsys, db):
    assert run(capsys, db, FILES / "lab_long.csv")[0] == 0
    code, out, _ = run(capsys, db, FILES / "lab_long.csv")
    assert code == 0
    assert "0 values added" in out
    assert "7 values skipped: already in the database" in out
    assert "created" not in out


def test_problems_exit_non_zero_with_the_list_and_no_traceback(capsys, db):
    engine = open_database(db)
    before = dump(engine)
    code, out, err = run(capsys, db, FILES / "lab_long_broken.csv")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == "lab_long_broken.csv: 12 problems, nothing was imported"
    assert lines[1] == ('  lab_long_broken.csv, row 3, column "date", value "2026-02-30": '
                        "impossible date")
    assert "Traceback" not in err
    assert dump(engine) == before
    engine.dispose()


def test_map_names_what_the_synonym_table_does_not_know(capsys, db, tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text("Jour;IL-1b sécrétion spontanée (ng/mL);Remarque libre\n"
                    "02/03/2026;0,25;ok\n", encoding="latin-1")
    code, _, err = run(capsys, db, path, "--patient", "M-01")
    assert code == 1
    assert "--map 'IL-1b sécrétion spontanée (ng/mL)=CODE'" in err
    code, out, err = run(capsys, db, path, "--patient", "M-01",
                         "--map", "IL-1b sécrétion spontanée=IL1B", "--map", "Remarque libre=-")
    assert code == 0, err
    engine = open_database(db)
    try:
        assert value_of(stored(engine, "M-01"), "2026-03-02 00:00", "IL1B") == (250.0, "")
    finally:
        engine.dispose()


def test_date_column_found_by_content(capsys, db, tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text("Prélevé le,CRP (mg/L)\n2026-03-02,4\n2026-03-09,5\n", encoding="utf-8")
    code, out, err = run(capsys, db, path, "--patient", "C-01")
    assert code == 0, err
    assert "2 values added" in out


def test_dry_run_writes_nothing(capsys, db):
    engine = open_database(db)
    before = dump(engine)
    code, out, _ = run(capsys, db, FILES / "dosing_fr.csv", "--patient", "D-1", "--dry-run")
    assert code == 0
    assert "nothing was written (dry run)" in out
    assert "patient D-1 would be created" in out
    assert "3 dosing periods would be added" in out
    assert dump(engine) == before
    engine.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["nosuchfile.csv"], "nosuchfile.csv: no such file"),
    ([FILES], f"{FILES}: is a folder, not a file; give the file inside it"),
    (["/dev/zero"], "/dev/zero: not a regular file (a device, a pipe or a socket)"),
    ([FILES / "lab_long.csv", "--map", "IL18"], "write COLUMN=CODE"),
    ([FILES / "lab_long.csv", "--map", "IL18=IL18"], "unknown code 'IL18'"),
])
def test_usage_errors_are_one_line(capsys, db, args, message):
    code, _, err = run(capsys, db, *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_real_process_exit_codes(tmp_path):
    db = str(tmp_path / "p.db")

    def flarescope(*args):
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", db, "import",
                               *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                              timeout=120)

    ok = flarescope(FILES / "lab_long.csv")
    assert ok.returncode == 0, ok.stderr
    assert "7 values added" in ok.stdout
    bad = flarescope(FILES / "lab_long_truncated.csv")
    assert bad.returncode == 1
    assert "row 4" in bad.stderr and "Traceback" not in bad.stderr
