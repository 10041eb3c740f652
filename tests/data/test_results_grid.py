"""The results grid (date × analyte, ↑/↓ against the reference, censored kept) by hand."""

from __future__ import annotations

import numpy as np

from data.codes import PBMC_LPS, PBMC_SPONTANEOUS, SERUM
from data.results_grid import HIGH, LOW, flags, results_grid
from tests.data.insight_cases import at, make_case

S, L = PBMC_SPONTANEOUS, PBMC_LPS
CONTROLS = [dict(code="IL1B", specimen=S, mean=10.0, sd=4.0),  # band 2–18
            dict(code="TNFA", specimen=S, mean=20.0),  # a mean only: no band, no flag
            dict(code="CRP", specimen=SERUM, upper_normal=5.0)]
OBS = [(-3, 9, "IL1B", 900), (7, 9, "IL1B", 15), (14, 9, "IL1B", 1), (20, 9, "IL1B", 5, "<"),
       (21, 9, "IL1B", 1, "<"), (30, 9, "IL1B", 12), (30, 15, "IL1B", 30),
       (7, 9, "IL1B", 400, "", L), (7, 9, "TNFA", 300),
       (7, 10, "CRP", 45, "", SERUM), (14, 10, "CRP", 3, "", SERUM),
       (40, 10, "CRP", 500, ">", SERUM)]


def test_the_grid_by_hand():
    g = results_grid(make_case(OBS, [(0, None, 100)], controls=CONTROLS))
    assert [c.title for c in g.columns] == ["IL-1β LPS", "IL-1β spont.", "TNF-α spont.", "CRP",
                                            "IL-1β LPS ÷ spont."]
    days = [int(round((d - at(0)) / 86_400)) for d in g.days]
    assert days == [-3, 7, 14, 20, 21, 30, 40]
    spont = 1
    assert [g.text(r, spont) for r in range(len(days))] == [
        f"900 {HIGH}", "15", f"1 {LOW}",
        "<5",  # the limit 5 is inside the band (2–18): below it is not known
        f"<1 {LOW}", f"12 / 30 {HIGH}", ""]
    assert g.text(1, 0) == "400"  # LPS without a control reference: no flag
    assert g.text(1, 2) == "300"  # a mean without SD or range: no band, no flag
    assert [g.text(r, 3) for r in (1, 2, 6)] == [f"45 {HIGH}", "3", f">500 {HIGH}"]
    assert g.columns[spont].reference == "reference 2–18 pg/mL"
    assert g.columns[3].reference == "normal < 5 mg/L" and g.columns[0].reference == \
        "no reference"
    assert g.row_of(at(14, 23)) == 2
    # Day 7: LPS 400 ÷ spontaneous 15, the only same-day pair; a ratio is never flagged.
    assert [g.text(r, 4) for r in range(len(days))] == ["", "26.67", "", "", "", "", ""]
    assert [c.t for c in g.cells[(5, spont)]] == [at(30, 9), at(30, 15)]


def test_flags_with_censored_values_only_when_the_limit_decides():
    values = np.array([5.0, 5.0, 30.0, 30.0, 10.0])
    censor = np.array(["<", ">", "<", ">", ""], dtype=object)
    assert list(flags(values, censor, 8.0, 20.0)) == [LOW, "", "", HIGH, ""]


def test_a_single_measurement_and_a_case_without_any():
    g = results_grid(make_case([(3, 9, "IL1B", 50)], controls=CONTROLS))
    assert len(g.days) == 1 and g.text(0, 0) == f"50 {HIGH}"
    assert results_grid(make_case([(3, 9, "WEIGHT", 50)])).columns == []


def test_crp_at_its_upper_limit_of_normal_is_flagged():
    """"Normal below about 5 mg/L" (DOMAIN.md): a CRP of exactly 5 is not normal, as the
    column's "normal < 5 mg/L" says; a control band's mean + 2 SD stays inside its band."""
    obs = [(1, 10, "CRP", 5, "", SERUM), (2, 10, "CRP", 4.9, "", SERUM),
           (1, 9, "IL1B", 18)]
    g = results_grid(make_case(obs, controls=CONTROLS))
    crp = next(i for i, c in enumerate(g.columns) if c.code == "CRP")
    il1b = next(i for i, c in enumerate(g.columns) if c.code == "IL1B")
    assert [g.text(0, crp), g.text(1, crp)] == [f"5 {HIGH}", "4.9"]
    assert g.text(0, il1b) == "18"  # the band's upper edge 18 is inside the band


def test_il1ra_carries_the_assay_caveat_on_treatment_only():
    # Anakinra is recombinant IL-1Ra: an IL-1Ra ↑ on treatment was shown without a word.
    from data.summary import build_summary

    obs = [(-3, 9, "IL1RA", 300), (7, 9, "IL1RA", 9000), (7, 9, "IL1B", 15)]
    treated = make_case(obs, [(0, None, 100)], controls=CONTROLS)
    g = results_grid(treated)
    il1ra = next(c for c in g.columns if c.code == "IL1RA")
    assert il1ra.caveat.startswith("Anakinra is recombinant IL-1Ra: on treatment most")
    assert next(c for c in g.columns if c.code == "IL1B").caveat == ""
    note = next(t for t in build_summary(treated).tables
                if t.title == "Cytokine measurements").note
    assert note.count("IL-1Ra: Anakinra is recombinant IL-1Ra") == 1
    untreated = make_case(obs, [], controls=CONTROLS)
    note = next(t for t in build_summary(untreated).tables
                if t.title == "Cytokine measurements").note
    assert "recombinant" not in note


def test_crp_and_saa_without_a_lab_reference_are_flagged_against_the_usual_limit():
    # A hospital that imported no CRP/SAA reference saw CRP 48 and SAA 210 mg/L unflagged.
    obs = [(7, 10, "CRP", 48, "", SERUM), (14, 10, "CRP", 3, "", SERUM),
           (7, 10, "SAA", 210, "", SERUM), (14, 10, "SAA", 10, "", SERUM)]
    g = results_grid(make_case(obs, [(0, None, 100)], controls=[]))
    crp, saa = (next(c for c in g.columns if c.code == k) for k in ("CRP", "SAA"))
    assert crp.reference == "normal < 5 mg/L (the usual limit: no lab reference imported)"
    assert [g.text(r, g.columns.index(crp)) for r in (0, 1)] == [f"48 {HIGH}", "3"]
    assert [g.text(r, g.columns.index(saa)) for r in (0, 1)] == [f"210 {HIGH}", f"10 {HIGH}"]
    with_lab = results_grid(make_case(obs, [(0, None, 100)], controls=CONTROLS))
    assert next(c for c in with_lab.columns if c.code == "CRP").reference == "normal < 5 mg/L"
