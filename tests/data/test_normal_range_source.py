"""The CRP/SAA normal-range band the timeline shades is a reference too: the PDF's
references table names its lab, upper limit of normal and set, as it does for folds."""

from __future__ import annotations

from data.summary import build_summary, load_case
from db.queries import list_cases


def _refs(engine, pseudonym: str, **kw):
    cases = list_cases(engine)
    pid = int(cases[cases["pseudonym"] == pseudonym]["id"].iloc[0])
    case = load_case(engine, pid)
    summary = build_summary(case, **kw)
    return case, next(t for t in summary.tables if t.title == "Healthy-control references")


def test_the_markers_normal_ranges_are_listed_with_their_reference(demo_engine):
    case, table = _refs(demo_engine, "NLRP12-02")
    for code, label in (("CRP", "CRP"), ("SAA", "SAA")):
        ref = case.control(code, "serum")
        assert ref is not None and ref["upper_normal"] > 0  # the band the timeline shades
        [row] = [r for r in table.rows if r[0] == label]
        assert row[2] == ref["lab"] and f"normal < {ref['upper_normal']:g}" in row[5]
        assert row[9] == f"#{int(ref['id'])}"
    assert "upper limit of normal" in table.note
    _, table = _refs(demo_engine, "NLRP12-02", deidentify=True)
    [row] = [r for r in table.rows if r[0] == "CRP"]
    assert row[2] == "lab 1" and row[8] == "withheld"
