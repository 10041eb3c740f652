"""The demo cohort lives only in the default database: one chosen for real cases starts
empty, so demo patients and demo control references never mix with a hospital's."""

from __future__ import annotations

import main


def test_a_database_chosen_with_db_starts_empty(tmp_path, capsys):
    path = tmp_path / "hospital.sqlite"
    assert main.main(["--db", str(path), "cases"]) == 0
    captured = capsys.readouterr()
    assert "NLRP12" not in captured.out and "demo" not in captured.err
    assert main.main(["--db", str(path), "controls", "list"]) == 0
    assert "demo" not in capsys.readouterr().out


def test_the_default_database_gets_the_demo_cohort_on_first_use(monkeypatch, capsys):
    # The fixtures point HOME and the XDG folders at a fresh folder: this is that
    # user's default database, never the real one.
    monkeypatch.delenv("FLARESCOPE_DB")
    assert main.main(["cases"]) == 0
    captured = capsys.readouterr()
    assert "NLRP12-02" in captured.out and "created the demo cohort" in captured.err
