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
