"""A lab file that names no specimen gets one chosen at import (issue 10.2): --specimen,
or the one remembered for the column; the same values are never stored twice under two
specimens."""

from __future__ import annotations

import pytest

from data.importing import ImportFailed, Options, build_plan, commit_plan, import_file
from data.importing.store import remembered_specimens
from main import main
from tests.data.test_import_helpers import FILES, dump, stored

LAB = FILES / "lab_no_specimen.csv"


def specimens(engine, pseudonym: str) -> dict[str, set[str]]:
    v = stored(engine, pseudonym)
    return {code: set(v["specimen"][v["code"] == code]) for code in sorted(set(v["code"]))}


def test_the_chosen_specimen_goes_to_cytokines_only(engine):
    import_file(engine, LAB, patient="S-01", specimen="serum")
    assert specimens(engine, "S-01") == {"CRP": {"serum"}, "IL1B": {"serum"}, "IL6": {"serum"}}


def test_without_a_choice_cytokines_stay_unspecified_and_the_output_says_so(engine):
    plan = build_plan(LAB, Options(patient="S-01"))
    assert "specimen unspecified: 3 cytokine values (the file names none: choose one with " \
        "--specimen or in the wizard)" in plan.summary()
    commit_plan(engine, plan)
    assert specimens(engine, "S-01")["IL6"] == {""}


def test_the_same_values_under_another_specimen_are_refused(engine):
    """Imported once without a specimen, then again as serum: before, two series."""
    import_file(engine, LAB, patient="S-01")
    before = dump(engine)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, LAB, patient="S-01", specimen="pbmc-lps")
    assert [(p.row, p.column, p.value) for p in failed.value.problems] == [
        (2, "IL-6 (pg/mL)", "12"), (2, "IL-1β", "<5"), (3, "IL-6 (pg/mL)", "30.5")]
    assert "would count it twice" in failed.value.report()
    assert dump(engine) == before


def test_and_the_other_way_round(engine):
    import_file(engine, LAB, patient="S-01", specimen="serum")
    with pytest.raises(ImportFailed, match="specimen serum"):
        import_file(engine, LAB, patient="S-01", specimen="")


def test_other_values_under_another_specimen_are_new_measurements(engine, tmp_path):
    import_file(engine, LAB, patient="S-01")
    other = tmp_path / "lps.csv"
    other.write_text("date;IL-6 (pg/mL)\n05/01/2026;800\n")
    assert import_file(engine, other, patient="S-01", specimen="pbmc-lps").observations_added \
        == 1


def test_the_remembered_specimen_applies_on_the_command_line(engine, db_path, capsys):
    plan = build_plan(LAB, Options(patient="S-01", specimen="pbmc-spont"))
    commit_plan(engine, plan, remember_specimen=True)
    assert remembered_specimens(engine) == {"IL-6 (pg/mL)": "pbmc-spont",
                                            "IL-1β": "pbmc-spont"}
    path = LAB.with_name("lab_no_specimen.csv")
    assert main(["--db", str(db_path), "import", str(path), "--patient", "S-02"]) == 0
    out = capsys.readouterr().out
    assert "specimen PBMC, spontaneous: 3 cytokine values" in out
    assert specimens(engine, "S-02")["IL1B"] == {"pbmc-spont"}


@pytest.mark.parametrize("given, stored_as", [("serum", "serum"), ("pbmc_lps", "pbmc-lps"),
                                              ("pbmc_spont", "pbmc-spont"),
                                              ("unspecified", "")])
def test_cli_specimen_vocabulary(db_path, capsys, engine, given, stored_as):
    assert main(["--db", str(db_path), "import", str(LAB), "--patient", "S-03",
                 "--specimen", given]) == 0
    assert specimens(engine, "S-03")["IL6"] == {stored_as}


def test_cli_refuses_an_unknown_specimen_in_one_line(db_path, capsys):
    assert main(["--db", str(db_path), "import", str(LAB), "--patient", "S-03",
                 "--specimen", "plasma"]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "serum, pbmc_spont, pbmc_lps" in err
