"""Axis ticks a clinician can read: round values, no crowding, the year on screen."""

import datetime as dt
import math

import pytest

from gui.timeline.ticks import (
    calendar_labels,
    calendar_level,
    calendar_ticks,
    linear_ticks,
    log_ticks,
    value_label,
)


def labels(values):
    return [value_label(10 ** v).replace("\u2009", " ") for v in values]


def test_a_log_axis_over_a_small_range_labels_round_values_not_every_minor_tick():
    # CRP 27–56 mg/L: once "5·10¹ 4·10¹ 3·10¹ 2·10¹"; now round linear steps.
    assert labels(log_ticks(math.log10(27), math.log10(56), 5)) == ["30", "40", "50"]
    # A few decades: 1, 2, 5 in each when they fit, decades when they do not.
    assert labels(log_ticks(math.log10(8), math.log10(600), 8)) == \
        ["10", "20", "50", "100", "200", "500"]
    assert labels(log_ticks(math.log10(8), math.log10(600), 4)) == ["10", "100"]
    assert labels(log_ticks(-1.2, 6.3, 4)) == ["1", "100", "10 000", "10⁶"]


def test_never_more_labels_than_fit_and_never_fewer_than_two():
    for lo, hi in ((0.1, 0.3), (0.5, 4.6), (-3, 7), (1.43, 1.75)):
        for fits in (2, 3, 5, 9):
            ticks = log_ticks(lo, hi, fits)
            assert len(ticks) >= 2, (lo, hi, fits)
            assert len(ticks) <= max(fits, 3), (lo, hi, fits, ticks)
    for lo, hi in ((0, 62), (35.4, 41), (0, 1.37), (1, 1.0001)):
        assert len(linear_ticks(lo, hi, 3)) >= 2


def test_dose_axes_tick_at_round_doses():
    # Once 0 / 0.68 / 1.37 mg/kg/d and 0 / 47.5 / 95 mg/d (top ÷ 2).
    assert linear_ticks(0, 1.37, 4) == [0, 0.5, 1.0]
    assert linear_ticks(0, 95, 4) == [0, 50]
    assert linear_ticks(0, 200, 4) == [0, 100, 200]


def test_value_labels_read_as_written():
    assert [value_label(v) for v in (0, 0.5, 0.05, 20, 100)] == ["0", "0.5", "0.05", "20", "100"]
    assert value_label(20_000) == "20\u2009000"
    assert value_label(1e5) == "10⁵" and value_label(2e-4) == "2·10⁻⁴"


def _t(*args):
    return dt.datetime(*args, tzinfo=dt.UTC).timestamp()


def test_three_months_show_one_level_of_dates_and_the_year():
    lo, hi = _t(2009, 2, 10), _t(2009, 5, 12)
    unit, n = calendar_level(lo, hi, {"hour": 4, "day": 8, "month": 12, "year": 20})
    assert (unit, n) == ("day", 14)
    texts = calendar_labels(calendar_ticks(lo, hi, unit, n), unit)
    assert texts == ["15 Feb 2009", "1 Mar", "15 Mar", "1 Apr", "15 Apr", "1 May"]


def test_the_year_is_named_where_it_starts():
    lo, hi = _t(2009, 9, 20), _t(2010, 8, 1)
    texts = calendar_labels(calendar_ticks(lo, hi, "month", 2), "month")
    assert texts == ["Nov 2009", "Jan 2010", "Mar", "May", "Jul"]
    texts = calendar_labels(calendar_ticks(_t(2009, 12, 31), _t(2010, 1, 1, 18), "hour", 6),
                            "hour")
    assert texts == ["31 Dec 2009 00:00", "06:00", "12:00", "18:00", "1 Jan 2010 00:00",
                     "06:00", "12:00", "18:00"]


@pytest.mark.parametrize("days", [1, 10, 40, 91, 400, 3650])
def test_calendar_ticks_lie_inside_and_are_increasing(days):
    lo = _t(2009, 3, 2, 7)
    hi = lo + days * 86_400
    unit, n = calendar_level(lo, hi, 8)
    ticks = calendar_ticks(lo, hi, unit, n)
    assert 1 <= len(ticks) <= 9
    assert all(lo <= t <= hi for t in ticks) and ticks == sorted(ticks)
    assert any(str(y) in " ".join(calendar_labels(ticks, unit)) for y in range(2009, 2020))


def test_week_ticks_label_an_overlays_window_edges():
    from gui.timeline.ticks import week_ticks

    assert week_ticks(-30, 58, 13) == [-28, -21, -14, -7, 0, 7, 14, 21, 28, 35, 42, 49, 56]
    assert week_ticks(-30, 58, 7) == [-28, -14, 0, 14, 28, 42, 56]
    assert week_ticks(-95, 60, 5) == [-56, 0, 56]
    assert week_ticks(1, 5, 10) == []  # no two whole weeks: the caller's 1-2-5 steps
