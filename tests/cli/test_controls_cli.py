"""`flarescope controls import FILE` and `controls list`, as a user runs them."""

from __future__ import annotations

import pytest

from db.controls import history
from db.engine import open_database
from main import main

REFS = """Analyte,Specimen,Unit,n,Mean,SD or range,Assay/kit,Batch,Lab,Date
IL1B,PBMC spontaneous,pg/mL,20,12,5,ELISA R&D,L-17,Hôpital Test,2026-05-04
TNFA,PBMC spontaneous,pg/mL,20,25,10–40,ELISA R&D,L-17,Hôpital Test,2026-05-04
CRP,serum,mg/L,,,0–5,,,Hôpital Test,
"""


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "lab.db")


def run(capsys, db: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", db, "controls", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_list(capsys, db, tmp_path):
    path = tmp_path / "refs.csv"
    path.write_text(REFS, encoding="utf-8")
    code, out, err = run(capsys, db, "import", path)
    assert code == 0, err
    assert "wrote reference set 1 (Hôpital Test)" in out
    assert "created the demo cohort" not in err  # a lab database gets no demo
    code, out, _ = run(capsys, db, "list")
    lines = out.splitlines()
    assert lines[0] == "# reference set 1 (Hôpital Test)"
    rows = [dict(zip(lines[1].split("\t"), line.split("\t"), strict=True)) for line in lines[2:]]
    assert [(r["code"], r["mean"], r["sd"], r["range"], r["n"]) for r in rows] == [
        ("CRP", "", "", "0–5", ""), ("IL1B", "12", "5", "", "20"), ("TNFA", "25", "", "10–40", "20")]
    assert rows[1]["status"] == "in force" and rows[1]["date"] == "2026-05-04"


def test_dry_run_and_a_bad_file_write_nothing(capsys, db, tmp_path):
    path = tmp_path / "refs.csv"
    path.write_text(REFS, encoding="utf-8")
    code, out, _ = run(capsys, db, "import", path, "--dry-run")
    assert code == 0 and "nothing was written" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(REFS.replace(",12,5,", ",,5,").replace("mg/L", "mg/furlong"), encoding="utf-8")
    code, out, err = run(capsys, db, "import", bad)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "bad.csv: 2 problems, nothing was imported",
        '  bad.csv, row 2, column "Mean": no mean: fold over controls divides by it',
        '  bad.csv, row 4, column "Unit", value "mg/furlong": unknown unit for CRP (stored in '
        "mg/L; accepted: pg/mL, ng/mL, ng/L, µg/mL, mg/L, mg/dL, g/L)",
    ]
    engine = open_database(db)
    try:
        rows, sets = history(engine)
        assert rows.empty and sets.empty
    finally:
        engine.dispose()


def test_no_such_file(capsys, db):
    code, _, err = run(capsys, db, "import", "/nonexistent/refs.csv")
    assert code == 1 and err.strip() == "flarescope: /nonexistent/refs.csv: no such file"
    code, _, err = run(capsys, db, "import", "/dev/zero")
    assert code == 1 and err.strip() == ("flarescope: /dev/zero: not a regular file (a device, "
                                         "a pipe or a socket); give a CSV or Excel file")


def test_references_imported_first_make_a_real_database(capsys, db, tmp_path):
    # The lab's references may come before any patient: the next command must not fill
    # the database with the demo cohort (whose controls would collide with the lab's).
    path = tmp_path / "refs.csv"
    path.write_text(REFS, encoding="utf-8")
    assert run(capsys, db, "import", path)[0] == 0
    assert main(["--db", db, "cases"]) == 0
    out, err = capsys.readouterr()
    assert "NLRP12" not in out and "demo" not in err
    code, out, _ = run(capsys, db, "list")
    assert out.startswith("# reference set 1 (Hôpital Test)")


@pytest.mark.parametrize(("row", "column", "reason"), [
    # 1e308 ng/mL is infinity in pg/mL: it was written, then the command failed.
    ("IL1B,PBMC spontaneous,ng/mL,10,1e308,1e308,,,Lab X,", '"Mean"', "once converted"),
    # A mean that makes every fold astronomic stopped every case from exporting.
    ("IL1B,PBMC spontaneous,pg/mL,10,1e-300,1,,,Lab X,", '"Mean"', "astronomic"),
    ("IL1B,PBMC spontaneous,pg/mL,1e20,12,1,,,Lab X,", '"n"', "study size"),
    ("IL1B,PBMC spontaneous,pg/mL,10,12,1,,,Lab \x1b[31mX\u202e,", '"Lab"', "control or direction"),
    # Reviewer's controls file: a spreadsheet opening `controls list` output ran them.
    ("IL1B,PBMC spontaneous,pg/mL,10,12,1,,,=cmd|'/C calc'!A0,", '"Lab"', "as a formula"),
    ('IL1B,PBMC spontaneous,pg/mL,10,12,1,,"=HYPERLINK(""http://x"")",Lab X,', '"Batch"',
     "as a formula"),
    ("IL1B,PBMC spontaneous,pg/mL,10,12,1,@SUM(1),,Lab X,", '"Assay/kit"', "as a formula"),
])
def test_absurd_numbers_are_refused_and_nothing_changes(capsys, db, tmp_path, row, column,
                                                        reason):
    good = tmp_path / "refs.csv"
    good.write_text(REFS, encoding="utf-8")
    assert run(capsys, db, "import", good)[0] == 0
    before = run(capsys, db, "list", "--all")[1]
    bad = tmp_path / "bad.csv"
    bad.write_text(REFS.splitlines()[0] + "\n" + row + "\n", encoding="utf-8")
    code, out, err = run(capsys, db, "import", bad)
    assert code == 1 and "nothing was imported" in (out + err)
    assert f"row 2, column {column}" in (out + err) and reason in (out + err)
    assert "Warning" not in err and "unexpected" not in err and "\x1b" not in out + err
    assert run(capsys, db, "list", "--all")[1] == before


def test_every_reference_set_is_in_the_chained_audit_trail(capsys, db, tmp_path):
    from sqlalchemy import select

    from db.models import AuditEvent

    path = tmp_path / "refs.csv"
    path.write_text(REFS, encoding="utf-8")
    assert run(capsys, db, "import", path)[0] == 0
    engine = open_database(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AuditEvent.entity, AuditEvent.entity_id,
                                       AuditEvent.action)).all()
    finally:
        engine.dispose()
    assert ("control_reference_set", 1, "import") in rows
    assert main(["--db", db, "audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
