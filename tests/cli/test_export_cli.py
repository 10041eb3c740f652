"""`flarescope export` run as a real process: exit codes, files, no crash at exit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.backend import target

ROOT = Path(__file__).resolve().parents[2]


def _run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    env["FLARESCOPE_DB"] = str(db)
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "export", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def db(demo_engine, db_path):
    # The demo fixture's file, closed so the child process has it to itself.
    demo_engine.dispose()
    return target(demo_engine)


def test_one_case_deidentified_on_letter(db, tmp_path):
    out = tmp_path / "case.pdf"
    r = _run(db, "NLRP12-01", "-o", str(out), "--deidentify", "--paper", "letter")
    # 139 would be the segfault of a pyqtgraph widget left alive at exit.
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    assert r.stderr == ""
    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 612
    text = reader.pages[0].extract_text()
    assert "NLRP12-01" in text and "Camille" not in text


def test_all_cases_into_a_folder(db, tmp_path):
    folder = tmp_path / "pdfs"
    r = _run(db, "--all", "-o", str(folder))
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["CAPS-01.pdf", "NLRP12-01.pdf", "NLRP12-02.pdf", "TRAPS-01.pdf"]
    assert sorted(Path(line).name for line in r.stdout.split()) == names


def test_near_normal_threshold_and_the_login_as_reviewer(db, demo_engine, tmp_path):
    from db.identity import login

    out = tmp_path / "case.pdf"
    r = _run(db, "NLRP12-02", "-o", str(out), "--near-normal", "3.5")
    assert r.returncode == 0, r.stderr
    # pypdf reads some spaces as tabs
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(out).pages))
    assert "fold ≤ 3.5" in text and "fold ≤ 2" not in text
    assert f"Reviewer {login(demo_engine)}" in text


def test_a_typed_reviewer_name_is_refused_in_one_line(db, demo_engine, tmp_path):
    from db.identity import login

    out = tmp_path / "case.pdf"
    r = _run(db, "NLRP12-02", "-o", str(out), "--reviewer", "Dr Rev")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"flarescope: --reviewer is no longer taken: the reviewer in the header is the "
        f"database login ({login(demo_engine)}); nothing was written")
    assert not out.exists()


def test_near_normal_must_be_a_positive_number(db, tmp_path):
    r = _run(db, "NLRP12-02", "-o", str(tmp_path / "x.pdf"), "--near-normal", "-1")
    assert r.returncode == 2 and "a fold is a number above 0" in r.stderr
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.mark.parametrize("args, message", [
    (["NOPE", "-o", "x.pdf"], "no case 'NOPE'"),
    (["-o", "x.pdf"], "name one CASE or give --all"),
    (["NLRP12-01", "--all", "-o", "x"], "name one CASE or give --all"),
    (["NLRP12-01", "-o", "afile/x.pdf"], "cannot create the folder"),
])
def test_mistakes_get_one_line_and_exit_1(db, tmp_path, args, message):
    args = [str(tmp_path / a) if a.endswith((".pdf", "x")) else a for a in args]
    (tmp_path / "afile").write_text("a file, not a folder")
    r = _run(db, *args)
    assert r.returncode == 1
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_missing_folder_is_made_as_the_window_makes_it(db, tmp_path):
    out = tmp_path / "new folder" / "sub" / "NLRP12-01.pdf"
    r = _run(db, "NLRP12-01", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")


def test_summaries_are_private_like_the_database(db, tmp_path):
    # Patient summaries are health data: 0600 however permissive the umask, for one case
    # and for every case (they were written 0644).
    old = os.umask(0o022)
    try:
        one = tmp_path / "one.pdf"
        assert _run(db, "NLRP12-02", "-o", str(one)).returncode == 0
        assert _run(db, "--all", "-o", str(tmp_path / "all")).returncode == 0
    finally:
        os.umask(old)
    files = [one, *(tmp_path / "all").iterdir()]
    assert len(files) == 5
    assert {oct(f.stat().st_mode & 0o777) for f in files} == {oct(0o600)}


@pytest.mark.parametrize("existing", [True, False])
def test_a_folder_given_to_o_receives_the_pdf_named_after_the_case(db, tmp_path, existing):
    # "-o reports/" wrote a file called "reports" (no .pdf); an existing folder was refused.
    folder = tmp_path / "reports"
    if existing:
        folder.mkdir()
    r = _run(db, "NLRP12-01", "-o", f"{folder}{os.sep}")
    assert r.returncode == 0, r.stderr
    assert folder.is_dir() and (folder / "NLRP12-01.pdf").read_bytes().startswith(b"%PDF")
    assert r.stdout.strip() == str(folder / "NLRP12-01.pdf")
