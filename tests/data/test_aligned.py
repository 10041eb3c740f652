"""The median and quartiles across aligned lines, and which line a hover names (data.aligned)."""

import numpy as np
import pytest

from data.aligned import Line, nearest_line, spread, time_at


def _line(name, days, values, member=0):
    days = np.asarray(days, dtype=float)
    return Line(name, days, np.asarray(values, dtype=float), np.full(days.size, ""),
                1_000_000 + days * 86_400, member)


A = _line("A", [0, 2], [10, 1000], 1)
B = _line("B", [0, 2], [100, 100], 2)
C = _line("C", [1, 3], [1, 1], 3)


def test_median_and_quartiles_on_a_log_panel_read_each_line_on_the_log_axis():
    s = spread([A, B, C], 0, 3, 1, log=True)
    assert s.days.tolist() == [0, 1, 2, 3]
    assert s.n.tolist() == [2, 3, 3, 1]
    # Day 0: 10 and 100, the middle of their logs: 10^1.5. Day 1: A halfway from 10 to
    # 1000 on the log axis is 100; 100, 100, 1 → median 100, quartiles of the logs
    # [0, 2, 2] at positions 0.5 and 1.5 → 10^1 and 10^2.
    assert s.median.tolist() == pytest.approx([10 ** 1.5, 100, 100, 1])
    assert s.q1[1] == pytest.approx(10) and s.q3[1] == pytest.approx(100)


def test_median_on_a_linear_panel():
    s = spread([_line("a", [0, 2], [0, 10]), _line("b", [0, 2], [10, 10])], 0, 2, 1,
               log=False)
    assert s.median.tolist() == [5.0, 7.5, 10.0]


def test_a_single_value_and_a_zero_on_a_log_panel_make_no_course():
    s = spread([_line("one", [1], [5]), _line("zero", [0, 1], [0, 5])], 0, 2, 1, log=True)
    assert s.days.size == 0


def test_the_nearest_line_is_named_only_within_the_tolerance():
    # At day 1 on the log axis: A at 2 (100), B at 2 (100), C at 0 (1).
    assert nearest_line([A, C], 1.0, 0.1, log=True, tol_days=0.1, tol_y=0.2) is C
    assert nearest_line([A, C], 1.0, 1.0, log=True, tol_days=0.1, tol_y=0.2) is None
    # C runs from day 1: at day 0.5 it is not there.
    assert nearest_line([C], 0.5, 0.0, log=True, tol_days=0.1, tol_y=0.2) is None


def test_a_click_on_a_line_gives_that_day_on_the_members_own_calendar():
    assert time_at(C, 2.5) == 1_000_000 + 2.5 * 86_400
