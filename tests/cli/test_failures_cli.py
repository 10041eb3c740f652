"""Commands that fail do so in one line with a non-zero exit: a full disk during export,
an unexpected error. The traceback goes to the log file only."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backend import target

ROOT = Path(__file__).resolve().parents[2]
# Small enough that no PDF fits, large enough for the database's own -shm and log.
FILE_SIZE_LIMIT = 70_000


def _disk_fills_up() -> None:
    # A full disk without root: writes past the limit fail (EFBIG) instead of killing.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def _run(args, *, preexec_fn=None, code=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "QT_QPA_PLATFORM")}
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "main.py", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120, preexec_fn=preexec_fn)


@pytest.fixture
def db(demo_engine):
    demo_engine.dispose()
    return target(demo_engine)


def test_export_onto_a_full_disk_fails_and_keeps_the_previous_pdf(db, tmp_path):
    out = tmp_path / "out" / "NLRP12-02.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF-1.4 the reviewer's previous summary")
    r = _run(["--db", str(db), "export", "NLRP12-02", "-o", str(out)],
             preexec_fn=_disk_fills_up)
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"flarescope: {out}: not written (File too large)")
    assert ".part" not in r.stderr and "Traceback" not in r.stderr
    assert out.read_bytes() == b"%PDF-1.4 the reviewer's previous summary"
    assert sorted(p.name for p in out.parent.iterdir()) == ["NLRP12-02.pdf"]


def test_export_all_onto_a_full_disk_leaves_no_empty_file(db, tmp_path):
    folder = tmp_path / "pdfs"
    r = _run(["--db", str(db), "export", "--all", "-o", str(folder)], preexec_fn=_disk_fills_up)
    assert r.returncode == 1, r.stderr
    assert "not written" in r.stderr and r.stderr.count("\n") == 1
    assert [p.name for p in folder.iterdir()] == []


BROKEN = """
import sys
import cli.cases
import main

def broken(args):
    raise ValueError("the lab file moved")

cli.cases.run = broken
sys.exit(main.main(sys.argv[1:]))
"""


def test_an_unexpected_error_is_one_line_and_the_traceback_is_in_the_log(db, tmp_path,
                                                                         monkeypatch):
    log = tmp_path / "flarescope.log"
    monkeypatch.setenv("FLARESCOPE_LOG", str(log))
    r = _run(["--db", str(db), "cases"], code=BROKEN)
    assert r.returncode == 1
    assert r.stderr == (f"flarescope: unexpected error (ValueError: the lab file moved); "
                        f"the details are in {log}\n")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "the lab file moved" in text
