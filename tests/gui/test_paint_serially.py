"""The program paints serially: Qt's raster engine handed every large fill to a thread
pool and waited (a cohort frame's wall time twice its CPU time on a busy machine).
Qt reads the switch once, when it first paints, so the program sets it before anything."""

from __future__ import annotations

import os


def test_the_program_sets_the_switch_before_its_window(qapp, monkeypatch, capsys):
    import data.demo
    import main

    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    monkeypatch.delenv("FLARESCOPE_DB")  # the default database: the demo is built there

    def stop(engine):  # the window is not needed: stop where the database is opened
        raise ValueError("stopped by the test")

    monkeypatch.setattr(data.demo, "ensure_demo", stop)
    assert main.main([]) == 2
    assert "stopped by the test" in capsys.readouterr().err
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "1"


def test_every_benchmark_paints_as_the_program_does():
    # Six benchmarks made their QApplication without the switch: their frames and
    # openings were timed with Qt's thread pool, which the program does not use. The
    # bare start-up floor (floor_window.py) stands for no program and is left as it is.
    import ast
    from pathlib import Path

    benchmarks = Path(__file__).resolve().parents[2] / "benchmarks"
    makers = []
    for path in sorted(benchmarks.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "QApplication":
                makers.append(path.name)
    assert sorted(set(makers)) == ["floor_window.py", "window.py"]


def test_the_benchmarks_application_has_the_switch_set(monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    code = ("import os; from benchmarks.window import application; app = application(); "
            "print(os.environ.get('QT_NO_GUI_THREADPOOL'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=True).stdout
    assert out.split() == ["1"]
