"""Day 0 and the pre-treatment rule with anakinra recorded dose by dose (DOMAIN.md, "Day
0"): the earlier of the first period's start and the first recorded administration; a
sample on day 0 is pre-treatment unless the first injection was recorded with its time
and the sample came after it. And one "first record" for a case never on anakinra, the
same in its day 0 and in the case list (`cases` FIRST, the window's First record)."""

from __future__ import annotations

import pytest

from data.alignment import ANAKINRA_START, DAY, FIRST_RECORD
from data.case import Case
from data.case_list import case_list_rows
from data.cohort import load_cohort
from data.dose_context import BEFORE, ON, STOPPED, dose_context
from data.episode_overlay import episodes_of
from data.summary.dates import date_format
from data.summary.figures import baseline_il1b, best_response
from db.queries import list_cases, load_case
from main import main
from tests.backend import target
from tests.data.insight_cases import DAY0, at, make_case
from tests.gui.hand_files import import_texts, utc

# IL-1β (control mean 10 pg/mL): 1000 on day -10, 800 on day 0 at 09:00, 30 on day 0 at
# 22:00, 50 on day 7.
IL1B = [(-10, 9, "IL1B", 1000), (0, 9, "IL1B", 800), (0, 22, "IL1B", 30),
        (7, 9, "IL1B", 50)]


def test_administrations_alone_give_day_0_and_the_treatment_course():
    # 100 mg at 21:30 on day 0, 100 mg on day 1 at 21:00, nothing on day 2, 150 mg on day 3.
    case = make_case(IL1B, given=[(0, 21.5, 100), (1, 21, 100), (3, 20, 150)])
    assert case.day0 == DAY0
    assert case.anchor.event == ANAKINRA_START and case.anchor.t == DAY0
    assert case.treatment_start == at(0, 21.5)  # recorded with its time
    assert case.last_dose == at(3)
    daily = case.daily_dose()
    assert daily["t"].tolist() == [at(0), at(1), at(2), at(3)]
    assert daily["dose"].tolist() == [100, 100, 0, 150]  # day 2: missed
    assert [p.name for p in case.phases()] == ["before treatment", "on anakinra",
                                               "after stopping"]
    assert case.phases()[1].start == DAY0 and case.phases()[1].end == at(4)


def test_a_day_0_sample_after_a_recorded_first_injection_is_on_treatment():
    case = make_case(IL1B, given=[(0, 21.5, 100), (1, 21, 100)])
    fmt = date_format(case, relative=True)
    base = baseline_il1b(case, fmt)
    # Pre-treatment: 1000 (day -10) and 800 (day 0, 09:00, before the 21:30 injection);
    # median 900, fold 90.
    assert base.number == 900
    assert [s.t for s in base.samples] == [at(-10, 9), at(0, 9)]
    # On treatment from 21:30: the 22:00 sample, 30 pg/mL, is the lowest.
    best = best_response(case, fmt)
    assert best.number == 30 and best.day == 0
    assert "recorded with its time" in best.definition
    # Time since dose says the same: 09:00 before anakinra, 22:00 on it (day 7: stopped
    # after the last dose, day 1).
    ctx = dose_context(case, case.series("IL1B")["t"])
    assert ctx.state.tolist() == [BEFORE, BEFORE, ON, STOPPED]


def test_a_first_day_from_a_period_keeps_every_day_0_sample_pre_treatment():
    # The period starts on day 0 (a date: dosing time assumed); the first recorded dose
    # is on day 1. Day 0's 22:00 sample is pre-treatment.
    case = make_case(IL1B, [(0, 9, 100)], given=[(1, 21, 100)])
    assert case.day0 == DAY0 and case.treatment_start == at(1)
    fmt = date_format(case, relative=True)
    assert baseline_il1b(case, fmt).number == 800  # median of 1000, 800 and 30
    assert best_response(case, fmt).number == 50  # day 7
    ctx = dose_context(case, case.series("IL1B")["t"])
    assert ctx.state.tolist() == [BEFORE, BEFORE, BEFORE, ON]


@pytest.mark.parametrize(("periods", "given", "day0", "start"), [
    # A recorded dose two days before the period: it is the first administration.
    ([(2, 9, 100)], [(0, 21.5, 100)], at(0), at(0, 21.5)),
    # On the period's first day, recorded: it replaces the assumed dose there.
    ([(0, 9, 100)], [(0, 21.5, 100)], at(0), at(0, 21.5)),
    # Periods only: day 1 (nothing recorded with a time).
    ([(0, 9, 100)], [], at(0), at(1)),
])
def test_day_0_is_the_earlier_of_the_first_period_and_the_first_recorded_dose(
        periods, given, day0, start):
    case = make_case(IL1B, periods, given=given)
    assert (case.day0, case.treatment_start) == (day0, start)


def test_without_anakinra_nothing_is_on_treatment():
    case = make_case(IL1B)
    assert case.day0 is None and case.treatment_start is None and case.last_dose is None
    assert case.anchor.event == FIRST_RECORD and case.anchor.t == at(-10)


# --- the same rule through a hospital's files, the case list and the views ------------

LAB = """patient,date,code,value,unit,specimen
GIV-01,2024-03-01T09:00,IL1B,900,pg/mL,pbmc-spont
GIV-01,2024-03-05T09:00,IL1B,700,pg/mL,pbmc-spont
GIV-01,2024-03-05T23:00,IL1B,40,pg/mL,pbmc-spont
GIV-01,2024-03-20T09:00,IL1B,20,pg/mL,pbmc-spont
COL-01,2024-02-10T10:00,CRP,40,mg/L,serum
COL-01,2024-02-20T10:00,CRP,12,mg/L,serum
COL-01,2024-01-15T10:00,WEIGHT,30,kg,
"""
# GIV-01: anakinra recorded dose by dose only, from 5 March 21:30.
GIVEN = """patient,date,time,drug,dose,unit,route
GIV-01,2024-03-05,21:30,anakinra,100,mg,SC
GIV-01,2024-03-06,21:00,anakinra,100,mg,SC
GIV-01,2024-03-07,21:10,anakinra,100,mg,SC
"""
# COL-01: never on anakinra; colchicine from 1 February, before the first measurement.
DOSES = """patient,drug,dose,unit,start,end
COL-01,colchicine,1,mg,2024-02-01,2024-02-28
"""


@pytest.fixture
def hospital(engine, tmp_path):
    import_texts(engine, tmp_path, {"lab.csv": LAB, "given.csv": GIVEN, "doses.csv": DOSES})
    ids = list_cases(engine).set_index("pseudonym")["id"]
    return engine, {p: int(ids[p]) for p in ("GIV-01", "COL-01")}


def test_a_case_given_anakinra_dose_by_dose_has_its_day_0_everywhere(hospital, capsys):
    engine, ids = hospital
    case = Case.from_frames(load_case(engine, ids["GIV-01"]))
    assert case.day0 == utc("2024-03-05") and case.anchor.on_anakinra
    # The 23:00 sample on day 0 came after the 21:30 injection: the best response.
    fmt = date_format(case, relative=False)
    assert baseline_il1b(case, fmt).number == 800  # median of 900 and 700
    assert best_response(case, fmt).day == 0
    # The overlay's anakinra start and the cohort align it there.
    assert [e.anchor.t for e in episodes_of(case, ANAKINRA_START)] == [utc("2024-03-05")]
    cohort = load_cohort(engine, [ids["GIV-01"]])
    assert not cohort.not_alignable
    assert [m.anchor.t for m in cohort.members] == [utc("2024-03-05")]
    capsys.readouterr()
    assert main(["--db", target(engine), "summary", "GIV-01", "--json"]) == 0
    assert '"described": "day 0 = first anakinra dose"' in capsys.readouterr().out


def test_an_untreated_case_s_day_0_is_the_first_record_of_the_case_list(hospital, capsys):
    engine, ids = hospital
    case = Case.from_frames(load_case(engine, ids["COL-01"]))
    # Colchicine from 1 February comes before the first CRP (10 February); the weighing
    # on 15 January is no clinical record.
    assert case.anchor.event == FIRST_RECORD and case.anchor.t == utc("2024-02-01")
    rows = {r.pseudonym: r for r in case_list_rows(engine)}
    assert rows["COL-01"].first == "2024-02-01"
    assert rows["GIV-01"].first == "2024-03-01"  # its first measurement, before day 0
    capsys.readouterr()
    assert main(["--db", target(engine), "cases"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("COL-01"))
    assert "2024-02-01" in line.split()
    assert case.anchor.t - utc("2024-02-01") == 0 * DAY


def test_the_case_list_finds_the_first_dose_given_of_any_drug(engine, tmp_path):
    # Three drugs recorded dose by dose; the earliest dose is the middle drug's by name.
    given = """patient,date,time,drug,dose,unit,route
MIX-01,2024-02-01,08:00,anakinra,100,mg,SC
MIX-01,2024-01-20,08:00,anakinra,100,mg,SC
MIX-01,2024-01-15,21:00,colchicine,1,mg,PO
MIX-01,2024-03-01,08:00,prednisone,5,mg,PO
MIX-02,2024-04-02,08:00,prednisone,5,mg,PO
"""
    lab = """patient,date,code,value,unit,specimen
MIX-01,2024-02-10T09:00,CRP,40,mg/L,serum
MIX-02,2024-04-05T09:00,CRP,40,mg/L,serum
MIX-03,2024-04-05T09:00,CRP,40,mg/L,serum
"""
    import_texts(engine, tmp_path, {"lab.csv": lab, "given.csv": given})
    rows = {r.pseudonym: r.first for r in case_list_rows(engine)}
    assert rows == {"MIX-01": "2024-01-15", "MIX-02": "2024-04-02", "MIX-03": "2024-04-05"}
    ids = list_cases(engine).set_index("pseudonym")["id"]
    first = Case.from_frames(load_case(engine, int(ids["MIX-01"])))
    assert first.day0 == utc("2024-01-20")  # anakinra's first dose, not colchicine's
    second = Case.from_frames(load_case(engine, int(ids["MIX-02"])))
    assert second.anchor.event == FIRST_RECORD and second.anchor.t == utc("2024-04-02")
