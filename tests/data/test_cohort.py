"""Cohort values against hand calculations on cases written here (issue 14, item 6), and the
database's read of the same cases (both back-ends)."""

import numpy as np
import pytest

from data.aidai_periods import aidai_periods
from data.codes import AIDAI_CODES, SERUM
from data.cohort import NO_ANAKINRA, blocks_of_case, build_cohort, load_cohort
from tests.data.insight_cases import DAY0, at, make_case


def _diary(first, last, fever_days):
    return [(d, 20, code, 1.0 if code == "SX_FEVER" and d in fever_days else 0.0, "", "diary")
            for d in range(first, last + 1) for code in AIDAI_CODES]


def _named(case, pid, pseudonym):
    case.patient = {**case.patient, "id": pid, "pseudonym": pseudonym}
    return case


def _relapse(day):
    return dict(id=1, kind="relapse", onset=at(day), end=None, severity="", certainty="",
                note="", author="dr", created=0, updated=0, status="accepted")


A_OBS = [(-7, 9, "IL1B", 200), (7, 9, "IL1B", 20), (14, 9, "IL1B", 10),
         (7, 9, "TNFA", 40), (7, 9, "CRP", 30, "", SERUM),
         *_diary(0, 35, fever_days={0, 1, 2, 3, 4})]
B_OBS = [(21, 9, "IL1B", 100), (35, 9, "IL1B", 30), (42, 9, "IL1B", 10, "<")]
C_OBS = [(3, 9, "IL1B", 50)]


def _cases():
    a = _named(make_case(A_OBS, [(0, None, 100)], episodes=[_relapse(10)]), 1, "A-01")
    b = _named(make_case(B_OBS, [(28, 60, 100)]), 2, "B-02")
    c = _named(make_case(C_OBS, []), 3, "C-03")
    return [a, b, c]


def _panel(cohort, key):
    return next(p for p in cohort.panels if p.key == key)


def test_each_patient_is_one_line_of_folds_from_their_own_anakinra_start():
    cohort = build_cohort(_cases())
    assert [m.pseudonym for m in cohort.members] == ["A-01", "B-02"]
    assert cohort.not_alignable == (("C-03", NO_ANAKINRA),)
    a, b = _panel(cohort, "IL1B").lines
    # IL-1β ÷ the control mean of 10 pg/mL; B starts anakinra on day 28: its day 21 is -7.
    assert a.days.tolist() == b.days.tolist() == [-7 + 0.375, 7.375, 14.375]
    assert a.values.tolist() == [20, 2, 1]
    assert b.values.tolist() == [10, 3, 1] and b.censor.tolist() == ["", "", "<"]
    assert (a.member, b.member) == (1, 2)
    # The first relapse (day 10) marks A's lines; B has none.
    assert a.marks == (10.0,) and b.marks == ()
    [tnf] = _panel(cohort, "TNFA").lines  # 40 ÷ 20: a single measurement
    assert tnf.values.tolist() == [2.0] and tnf.days.tolist() == [7.375]
    [crp] = _panel(cohort, "CRP").lines
    assert crp.values.tolist() == [30.0]


def test_the_median_across_patients_week_by_week_on_the_log_axis():
    s = _panel(build_cohort(_cases()), "IL1B").spread
    assert s.days.tolist() == [0, 7, 14]  # day -7 is before both lines start (-6.625)
    assert s.n.tolist() == [2, 2, 2]
    # Day 0: A read 6.625/14 of the way from 20 to 2 on the log axis, B from 10 to 3;
    # the median of two on a log axis is their geometric mean.
    f = 6.625 / 14
    a0 = 10 ** (np.log10(20) + f * (np.log10(2) - np.log10(20)))
    b0 = 10 ** (np.log10(10) + f * (np.log10(3) - np.log10(10)))
    assert s.median[0] == pytest.approx(np.sqrt(a0 * b0))
    assert s.q1[0] == pytest.approx(10 ** (np.log10(b0) + 0.25 * np.log10(a0 / b0)))


def test_monthly_aidai_counts_complete_thirty_day_blocks_only():
    [aidai] = _panel(build_cohort(_cases()), "AIDAI").lines
    # Days 0–29 all answered, fever on days 0–4: 5 points; days 30–35 are an incomplete
    # block, left out. Drawn in the middle of its block.
    assert aidai.days.tolist() == [15.0] and aidai.values.tolist() == [5.0]


def test_a_cohort_of_cases_without_anakinra_lists_them_all_and_draws_nothing():
    cohort = build_cohort([_cases()[2]])
    assert cohort.members == () and len(cohort.not_alignable) == 1
    assert all(p.lines == () and p.spread.days.size == 0 for p in cohort.panels)


def test_a_case_without_a_control_mean_is_named_in_the_fold_panel():
    a = _cases()[0]
    a.controls = a.controls[a.controls["code"] != "TNFA"]
    cohort = build_cohort([a])
    assert _panel(cohort, "TNFA").lines == ()
    assert _panel(cohort, "TNFA").notes == ("A-01: no control mean for PBMC, spontaneous",)


def test_the_database_read_gives_the_same_cohort(engine):
    """The cohort reads three series and the diary's block sums (db.cohort) instead of whole
    cases: the same lines, and the same blocks as data.aidai_periods."""
    from data.case import Case
    from data.controls import write_references
    from data.demo import demo_references
    from db.queries import load_case
    from db.writes import insert_medications, insert_observations, insert_patient

    written = _cases()
    with engine.begin() as conn:
        write_references(conn, demo_references(), actor="test", action="demo", lab="demo")
        ids = []
        for case in written:
            pid = insert_patient(conn, pseudonym=case.pseudonym, diagnosis="NLRP12AD")
            ids.append(pid)
            meds = case.medications
            if len(meds):
                insert_medications(conn, [dict(patient_id=pid, drug="anakinra", atc="L04AC03",
                                               dose=float(r.dose), unit="mg", route="sc",
                                               start=r.start.date(),
                                               end=None if r.end is None or r.end != r.end
                                               else r.end.date())
                                          for r in meds.itertuples()])
            o = case.observations
            insert_observations(conn, [
                (pid, int(r.t), str(r.code), float(r.value),
                 {"<": -1, ">": 1}.get(str(r.censor)), str(r.unit), str(r.specimen), "hand")
                for r in o.itertuples()])
    from db.episodes import create_episode

    create_episode(engine, ids[0], actor="dr", kind="relapse", onset=int(at(10)))
    read = load_cohort(engine, ids)
    whole = build_cohort([Case.from_frames(load_case(engine, pid)) for pid in ids])
    assert [m.pseudonym for m in read.members] == ["A-01", "B-02"]
    assert read.not_alignable == (("C-03", NO_ANAKINRA),)
    for mine, theirs in zip(read.panels, whole.panels, strict=True):
        assert [ln.values.tolist() for ln in mine.lines] == \
            [ln.values.tolist() for ln in theirs.lines], mine.key
        assert [ln.days.tolist() for ln in mine.lines] == \
            [ln.days.tolist() for ln in theirs.lines], mine.key
        assert [ln.marks for ln in mine.lines] == [ln.marks for ln in theirs.lines]
    a = Case.from_frames(load_case(engine, ids[0]))
    assert blocks_of_case(a).values.tolist() == [[0, 5.0]]
    assert len(aidai_periods(a, relative=True)) == 2  # the incomplete block exists there
    assert a.day0 == DAY0


def test_a_cohort_nobody_can_be_aligned_in_says_so_naming_the_cases():
    _a, b, c = _cases()
    b.medications = b.medications.iloc[0:0]  # B-02 without anakinra too
    cohort = build_cohort([b, c])
    assert cohort.members == ()
    assert cohort.nothing_aligned() == (
        "No case in this selection has anakinra recorded: B-02, C-03. Each line starts at a "
        "patient's first anakinra dose (day 0), so there is nothing to draw.")
    assert build_cohort([]).nothing_aligned().startswith("No case chosen: select two or more")
    assert build_cohort(_cases()).nothing_aligned() is None  # A-01 and B-02 aligned


def test_each_panel_names_its_specimen_and_specimens_are_never_mixed_in_one():
    from data.codes import PBMC_LPS, PBMC_SPONTANEOUS

    controls = [dict(code="IL1B", specimen=PBMC_SPONTANEOUS, mean=10.0),
                dict(code="IL1B", specimen=PBMC_LPS, mean=1000.0),
                dict(code="TNFA", specimen=PBMC_SPONTANEOUS, mean=20.0)]
    spont = _named(make_case([(7, 9, "IL1B", 30), (14, 9, "IL1B", 20),
                              (7, 9, "TNFA", 40), (7, 9, "CRP", 12, "", SERUM)],
                             [(0, None, 100)], controls=controls), 1, "S-01")
    # Only LPS-stimulated secretion measured: a fold over the LPS controls, on its own panel.
    lps = _named(make_case([(7, 9, "IL1B", 3000, "", PBMC_LPS), (14, 9, "IL1B", 2000, "",
                                                                   PBMC_LPS)],
                           [(0, None, 100)], controls=controls), 2, "L-02")
    cohort = build_cohort([spont, lps])
    titles = {p.key: p.title for p in cohort.panels}
    assert titles == {"IL1B:pbmc-spont": "IL-1β fold, PBMC, spontaneous",
                      "IL1B:pbmc-lps": "IL-1β fold, PBMC, LPS-stimulated",
                      "TNFA": "TNF-α fold, PBMC, spontaneous",
                      "CRP": "CRP, serum", "AIDAI": "AIDAI per 30 days"}
    assert [ln.name for ln in _panel(cohort, "IL1B:pbmc-spont").lines] == ["S-01"]
    [lps_line] = _panel(cohort, "IL1B:pbmc-lps").lines
    assert lps_line.name == "L-02" and lps_line.values.tolist() == [3.0, 2.0]
    # One specimen across the cohort: the panel keeps its plain key, and names it.
    one = build_cohort([spont])
    assert _panel(one, "IL1B").title == "IL-1β fold, PBMC, spontaneous"
