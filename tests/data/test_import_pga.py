"""Physician global assessment (PGA, 0–4) from hand-written long and wide files: whole
steps of the scale go in; anything else is refused with its file, row and column, and
nothing is written."""

from __future__ import annotations

import pytest

from data.importing import ImportFailed, import_file
from tests.data.test_import_helpers import stored, value_of

LONG = """patient,date,code,value,unit
PGA-01,2026-03-02,PGA,2,{score}
PGA-01,2026-03-30,Physician global assessment,0,
PGA-01,2026-04-27,CRP,45,mg/L
"""

WIDE = """Date;CRP (mg/L);PGA;Commentaire
02/03/2026;48,0;3;visite
30/03/2026;4,5;1;
27/04/2026;3,0;;pas de visite médecin
"""


def test_long_and_wide_files_store_pga_as_a_score(engine, tmp_path):
    long = tmp_path / "visits_long.csv"
    long.write_text(LONG, encoding="utf-8")
    wide = tmp_path / "visites.csv"
    wide.write_text(WIDE, encoding="utf-8")
    import_file(engine, long)
    import_file(engine, wide, patient="PGA-02")
    one, two = stored(engine, "PGA-01"), stored(engine, "PGA-02")
    assert value_of(one, "2026-03-02 00:00", "PGA") == (2.0, "")
    assert value_of(one, "2026-03-30 00:00", "PGA") == (0.0, "")
    assert value_of(two, "2026-03-02 00:00", "PGA") == (3.0, "")
    assert value_of(two, "2026-03-30 00:00", "PGA") == (1.0, "")
    assert set(two["unit"][two["code"] == "PGA"]) == {"{score}"}
    # The empty cell is a visit without a physician global, not a 0.
    assert not ((two["time"] == "2026-04-27 00:00") & (two["code"] == "PGA")).any()


@pytest.mark.parametrize("cell", ["5", "2.5", "-1", "<2", "yes", "2,5"])
def test_a_pga_off_the_scale_is_refused_with_row_and_column(engine, tmp_path, cell):
    text = f"date;PGA;CRP (mg/L)\n02/03/2026;1;40\n30/03/2026;{cell};12\n"
    path = tmp_path / "pga_bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(engine, path, patient="PGA-03")
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "PGA", cell)
    message = str(caught.value)
    assert "pga_bad.csv, row 3, column \"PGA\"" in message
    if cell not in ("yes", "-1"):
        assert "whole number from 0 to 4" in message
    assert stored(engine, "PGA-03").empty  # nothing written, the good row neither


def test_a_unit_that_is_no_score_is_refused_for_pga(engine, tmp_path):
    path = tmp_path / "pga_unit.csv"
    path.write_text("patient,date,code,value,unit\nPGA-04,2026-03-02,PGA,2,mg/L\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_file(engine, path)
    assert "unit does not fit PGA" in str(caught.value)
