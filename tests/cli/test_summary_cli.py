"""`flarescope summary CASE [--json]` on cases imported from files written by hand: the key
figures it prints are the ones calculated by hand below (and the PDF's)."""

from __future__ import annotations

import json

import pytest

from main import main

LAB = """patient,date,code,value,unit,specimen
H-14,2024-01-15T09:00,IL1B,800,pg/mL,pbmc-spont
H-14,2024-02-20T09:00,IL1B,1200,pg/mL,pbmc-spont
H-14,2024-03-01T08:30,IL1B,1000,pg/mL,pbmc-spont
H-14,2024-03-08T09:00,IL1B,30,pg/mL,pbmc-spont
H-14,2024-03-15T09:00,IL1B,15,pg/mL,pbmc-spont
H-14,2024-04-10T09:00,IL1B,<5,pg/mL,pbmc-spont
H-14,2024-06-01T09:00,IL1B,40,pg/mL,pbmc-spont
H-14,2024-08-01T09:00,IL1B,2,pg/mL,pbmc-spont
H-14,2024-04-08T09:00,TNFA,10,pg/mL,pbmc-spont
H-14,2024-05-20T09:00,TNFA,60,pg/mL,pbmc-spont
H-14,2024-06-25T09:00,TNFA,90,pg/mL,pbmc-spont
H-14,2024-07-15T09:00,TNFA,500,pg/mL,pbmc-spont
H-15,2024-05-02T10:00,IL1B,650,pg/mL,pbmc-spont
"""
DOSING = """drug,dose,unit,start,end,route
anakinra,100,mg,2024-03-01,2024-06-30,subcutaneous
"""
CONTROLS = """analyte,specimen,unit,n,mean,SD,range,assay,batch,lab,date
IL1B,pbmc-spont,pg/mL,20,10,4,,ELISA,LOT-1,Hand lab,2024-01-10
TNFA,pbmc-spont,pg/mL,20,20,6,,ELISA,LOT-1,Hand lab,2024-01-10
"""


@pytest.fixture
def db(tmp_path, capsys):
    path = str(tmp_path / "hand.db")
    for name, text, extra in (("lab.csv", LAB, []), ("dosing.csv", DOSING, ["--patient", "H-14"])):
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        assert main(["--db", path, "import", str(f), *extra]) == 0
    f = tmp_path / "controls.csv"
    f.write_text(CONTROLS, encoding="utf-8")
    assert main(["--db", path, "controls", "import", str(f)]) == 0
    capsys.readouterr()
    return path


def _json(db, capsys, *args) -> dict:
    assert main(["--db", db, "summary", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_summary_json_gives_the_hand_calculated_figures(db, capsys):
    out = _json(db, capsys, "H-14")
    assert out["day0"] == {"event": "first anakinra dose",
                           "described": "day 0 = first anakinra dose", "date": "2024-03-01"}
    f = {x["name"]: x for x in out["figures"]}
    # Baseline: median of 800, 1200 and day 0's 1000 (drawn before the first injection);
    # 1000 ÷ the control mean 10 = 100×.
    base = f["Baseline IL-1β"]
    assert base["number"] == 1000 and base["value"].startswith("1000 pg/mL (100× controls;")
    assert [s["date"] for s in base["samples"]] == ["2024-01-15", "2024-02-20", "2024-03-01"]
    assert [s["day"] for s in base["samples"]] == [-46, -10, 0]
    # Best response: <5 on day +40 (10 April); the 2 pg/mL of August is after the last dose.
    best = f["Best response"]
    assert (best["day"], best["number"]) == (40, 5)
    assert best["value"] == "<5 pg/mL (<0.5× controls) on day +40, 2024-04-10"
    assert [(s["text"], s["censor"]) for s in best["samples"]] == [("<5 pg/mL", "<")]
    # Near-normal: day +7 is 3×, day +14 is 1.5× (≤ 2).
    near = f["Days to near-normal IL-1β"]
    assert near["day"] == 14 and near["samples"][0]["value"] == 15
    assert near["threshold"] == "fold ≤ 2"
    assert f["First relapse onset"]["value"] == "no relapse annotated"
    # TNF-α: nearest to day +40 is day +38 (10); highest to the last dose is day +116 (90).
    tnf = f["TNF-α rise"]
    assert tnf["number"] == 9
    assert tnf["value"] == "×9: 90 pg/mL on day +116 ÷ 10 pg/mL on day +38"
    assert [(s["code"], s["day"]) for s in tnf["samples"]] == [("IL1B", 40), ("TNFA", 38),
                                                              ("TNFA", 116)]
    assert all(x["definition"] for x in out["figures"])


def test_the_near_normal_threshold_is_an_option(db, capsys):
    out = _json(db, capsys, "H-14", "--near-normal", "3")
    near = next(x for x in out["figures"] if x["name"] == "Days to near-normal IL-1β")
    assert near["day"] == 7 and near["threshold"] == "fold ≤ 3"


def test_a_case_with_one_measurement_and_no_anakinra(db, capsys):
    out = _json(db, capsys, "H-15")
    assert out["day0"]["described"] == "no anakinra: day 0 = first record"
    f = {x["name"]: x for x in out["figures"]}
    assert f["Baseline IL-1β"]["value"].startswith("not computable: no anakinra recorded")
    assert f["Best response"]["value"] == "not available (no anakinra recorded)"
    assert all(not x["samples"] for x in out["figures"])


def test_plain_text_names_each_figure_its_definition_and_samples(db, capsys):
    assert main(["--db", db, "summary", "H-14"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["Case H-14", "Day 0 = first anakinra dose (2024-03-01)"]
    assert "Best response: <5 pg/mL (<0.5× controls) on day +40, 2024-04-10" in lines
    assert "  sample: IL-1β (PBMC, spontaneous) 2024-04-10 (day +40): <5 pg/mL" in lines
    assert any(line.startswith("  definition: Lowest IL-1β") for line in lines)


def test_the_same_figures_as_the_pdf(db):
    from data.key_figure_samples import case_figures
    from data.summary import build_summary, load_case
    from db.engine import open_database
    from db.queries import list_cases

    engine = open_database(db)
    cases = list_cases(engine)
    case = load_case(engine, int(cases[cases["pseudonym"] == "H-14"]["id"].iloc[0]))
    engine.dispose()
    pdf = [(f.name, f.value, f.definition) for f in build_summary(case).figures]
    assert [(f["name"], f["value"], f["definition"]) for f in case_figures(case)["figures"]] \
        == pdf


def test_an_unknown_case_is_one_line(db, capsys):
    assert main(["--db", db, "summary", "NOPE"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("flarescope: no case 'NOPE'") and "Traceback" not in err


def test_export_takes_the_usual_dosing_time(db, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "h14.pdf"
    assert main(["--db", db, "export", "H-14", "-o", str(out), "--dose-time", "21:30"]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    # A time of day, as it was given: it read "21.5 h UTC", a duration.
    assert "usual dosing time, 21:30 UTC" in " ".join(text.split())
    with pytest.raises(SystemExit) as refused:
        main(["--db", db, "export", "H-14", "-o", str(out), "--dose-time", "8pm"])
    assert refused.value.code == 2
    assert "a time of day such as 08:00, not '8pm'" in capsys.readouterr().err
