"""One "day N" (data.alignment): whole UTC calendar days from anakinra start, or from the
first record for a case never on anakinra, the same in the key figures and the tables."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from data.alignment import ANAKINRA_START, DAY, FIRST_RECORD, anchor_of, day_text
from data.summary import build_summary, load_case
from db.engine import open_database
from db.episodes import create_episode
from db.queries import list_cases
from main import main

# A hospital's lab export for a patient never given anakinra: the first record is at 10:30.
LAB = """patient,date,code,value,unit,specimen
NOANA-01,2021-03-01T10:30:00Z,CRP,40,mg/L,serum
NOANA-01,2021-03-05T09:00:00Z,CRP,8,mg/L,serum
NOANA-01,2021-03-12T16:00:00Z,CRP,55,mg/L,serum
"""


def utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


def test_days_are_whole_utc_calendar_days_from_the_anchor():
    a = anchor_of(utc(2024, 1, 10), utc(2023, 5, 1, 12))
    assert a.event == ANAKINRA_START and a.t == utc(2024, 1, 10)
    assert a.day(utc(2024, 10, 7)) == 271
    assert a.day(utc(2024, 1, 1)) == -9
    assert a.day(utc(2024, 1, 9, 23, 59)) == -1  # the evening before: day -1, not "-0.0"
    assert a.day(utc(2024, 1, 10, 8)) == 0  # a sample on day 0
    assert a.label(utc(2024, 12, 13, 21, 30)) == "day +338"  # not "+338.9"
    assert day_text(0) == "day 0" and day_text(-3) == "day -3"
    # No anakinra: the first record's calendar day, whatever the hour.
    b = anchor_of(None, utc(2021, 3, 1, 10, 30))
    assert b.event == FIRST_RECORD and b.t == utc(2021, 3, 1)
    assert b.day(utc(2021, 3, 11)) == 10
    assert list(b.days([utc(2021, 3, 1, 23), utc(2021, 3, 2, 1)])) == [0, 1]


def no_anakinra_db(tmp_path) -> tuple[Engine, int]:
    """The lab export imported from the command line, a relapse marked on 11 March."""
    path = tmp_path / "lab.csv"
    path.write_text(LAB, encoding="utf-8")
    db = str(tmp_path / "case.db")
    open_database(db).dispose()
    assert main(["--db", db, "import", str(path)]) == 0
    engine = open_database(db)
    pid = int(list_cases(engine).set_index("pseudonym").loc["NOANA-01", "id"])
    create_episode(engine, pid, actor="Dr Test", kind="relapse", onset=int(utc(2021, 3, 11)),
                   end=int(utc(2021, 3, 14)), severity="moderate")
    return engine, pid


@pytest.fixture
def no_anakinra(tmp_path):
    engine, pid = no_anakinra_db(tmp_path)
    yield engine, pid
    engine.dispose()


def test_a_case_without_anakinra_has_one_day_n_in_the_whole_summary(no_anakinra):
    engine, pid = no_anakinra
    case = load_case(engine, pid)
    assert case.anchor.event == FIRST_RECORD
    for deidentify in (False, True):
        s = build_summary(case, deidentify=deidentify)
        relapse = next(f for f in s.figures if f.name == "First relapse onset")
        assert relapse.value == "day +10" and relapse.day == 10
        assert "first record" in relapse.definition
        assert dict(s.header)["Day 0"].startswith("no anakinra: days count from the first record")
    episodes = next(t for t in build_summary(case, deidentify=True).tables
                    if t.title == "Episodes")
    assert episodes.rows[0][1] == "day +10"
    assert episodes.rows[0][2] == "day +12"  # last day covered: 13 March
    assert case.anchor.day(utc(2021, 3, 12, 16)) == 11 == (utc(2021, 3, 12) - case.anchor.t) / DAY


def test_a_weighing_before_the_first_measurement_does_not_move_day_0(no_anakinra, capsys):
    """Reviewer: a weight dated three months before the lab values moved the same sample
    from day 0 to day +90; day 0 without anakinra is the first clinical record."""
    from tests.backend import target

    engine, pid = no_anakinra
    db = target(engine)
    assert main(["--db", db, "patients", "set", "NOANA-01", "--weight", "60",
                 "--weight-date", "2020-12-01"]) == 0
    case = load_case(engine, pid)
    assert case.time_range[0] == utc(2020, 12, 1)  # the weight is still on the axis
    assert case.anchor.event == FIRST_RECORD and case.anchor.t == utc(2021, 3, 1)
    relapse = next(f for f in build_summary(case).figures if f.name == "First relapse onset")
    assert relapse.value == "day +10"
    capsys.readouterr()
    assert main(["--db", db, "summary", "NOANA-01", "--json"]) == 0
    assert '"day +10"' in capsys.readouterr().out


def test_a_dose_is_a_clinical_record_and_weighings_alone_still_have_a_day_0():
    assert anchor_of(None, None, utc(2020, 1, 1, 9)).t == utc(2020, 1, 1)
    from data.first_record import first_record
    assert first_record(utc(2021, 3, 1), utc(2021, 2, 1), None) == utc(2021, 2, 1)
    assert first_record(None, None, utc(2021, 1, 5, 21)) == utc(2021, 1, 5, 21)
    assert first_record(None, None, None) is None
