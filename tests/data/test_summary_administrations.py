"""The PDF's table of doses recorded one by one, against hand-written expectations: each
dose when a period has few, a summary (count, days, first and last, doses) when many."""

from __future__ import annotations

from data.summary import build_summary
from tests.data.insight_cases import make_case

# Day 0 is Monday 6 January 2020. Anakinra 100 mg/d from day 0 to day 29 (4 February);
# three injections recorded inside it; six on days 40-45 (15-20 February, 2020 is a leap
# year) and two on days 60-61 (6-7 March) without a period.
GIVEN = [(1, 21.5, 100), (2, 21, 150), (3, 7.25, 100),
         *[(d, 8, 100) for d in range(40, 45)], (45, 8, 200), (60, 9, 100), (61, 9, 100)]


def _table(summary):
    return next((t for t in summary.tables if t.title == "Administrations recorded"), None)


def test_few_doses_are_listed_and_many_are_summarised_per_period():
    table = _table(build_summary(make_case([], [(0, 29, 100)], given=GIVEN)))
    assert [c.name for c in table.columns] == ["Drug", "Given", "Dose", "Route",
                                               "Dosing period"]
    period, loose = "2020-01-06 to 2020-02-04", "none: doses recorded one by one only"
    assert table.rows == [
        ("anakinra", "2020-01-07 21:30", "100 mg", "subcutaneous", period),
        ("anakinra", "2020-01-08 21:00", "150 mg", "subcutaneous", period),
        ("anakinra", "2020-01-09 07:15", "100 mg", "subcutaneous", period),
        ("anakinra", "6 doses on 6 days, 2020-02-15 08:00 to 2020-02-20 08:00",
         "100 mg ×5; 200 mg ×1", "subcutaneous", loose),
        ("anakinra", "2020-03-06 09:00", "100 mg", "subcutaneous", loose),
        ("anakinra", "2020-03-07 09:00", "100 mg", "subcutaneous", loose),
    ]
    assert "More than 4 doses" in table.note


def test_de_identified_it_gives_days_and_no_time_of_day():
    table = _table(build_summary(make_case([], [(0, 29, 100)], given=GIVEN), deidentify=True))
    assert table.rows[0][1:] == ("day +1", "100 mg", "subcutaneous", "day 0 to day +29")
    assert table.rows[3][1] == "6 doses on 6 days, day +40 to day +45"
    assert not any(":" in row[1] for row in table.rows)
    assert "withheld" in table.note


def test_no_table_without_recorded_doses():
    assert _table(build_summary(make_case([], [(0, 29, 100)]))) is None


def test_doses_recorded_one_by_one_only_are_no_missing_medication():
    summary = build_summary(make_case([], given=GIVEN[:3]))
    dosing = next(t for t in summary.tables if t.title == "Dosing history")
    assert dosing.rows == [] and "recorded one by one" in dosing.empty
    assert len(_table(summary).rows) == 3
    assert next(t for t in build_summary(make_case([])).tables
                if t.title == "Dosing history").empty == "no medication recorded"


def test_the_de_identified_timeline_draws_the_recorded_doses_too():
    """Its case had no administrations: a patient dosed only so was 'no anakinra'."""
    case = make_case([], given=GIVEN[:3])
    drawn = build_summary(case, deidentify=True).case
    assert drawn.day0 == case.day0 and drawn.anchor.on_anakinra
    assert drawn.daily_dose()["dose"].tolist() == [100, 150, 100]
    assert drawn.recorded_doses("anakinra")["route"].tolist() == ["subcutaneous"] * 3


def test_the_cytokine_table_says_when_a_day_0_sample_came_after_the_first_injection():
    # IL-1β at 09:00 and 23:00 on day 0; the first dose recorded at 21:30 (DOMAIN.md).
    case = make_case([(0, 9, "IL1B", 700), (0, 23, "IL1B", 40)], given=[(0, 21.5, 100)])
    table = next(t for t in build_summary(case).tables if t.title == "Cytokine measurements")
    [row] = table.rows
    assert row[1].startswith("700 / 40")
    assert row[-1] == "before anakinra / 2 h after 100 mg"  # 21:30 → 23:00 is 1.5 h
    # Samples on one side of it keep one text.
    one = make_case([(1, 9, "IL1B", 70), (1, 23, "IL1B", 40)], given=[(0, 21.5, 100)])
    [row] = next(t for t in build_summary(one).tables
                 if t.title == "Cytokine measurements").rows
    assert " / " not in row[-1]


def test_the_period_covered_reaches_the_last_dose_given():
    # IL-1β on day 0 only; doses to day 61 (7 March 2020): 62 days covered.
    header = dict(build_summary(make_case([(0, 9, "IL1B", 70)], given=GIVEN)).header)
    assert header["Period covered"] == "2020-01-06 to 2020-03-07 (62 days)"
