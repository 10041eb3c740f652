"""Drawing and adjusting an episode, as arithmetic: no Qt, no database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from data.episode_edit import (
    DAY,
    OPEN_STUB,
    Span,
    bounds,
    check,
    close_ongoing,
    drawn_end,
    duration_days,
    end_for_last_day,
    format_days,
    from_drag,
    is_missing,
    last_day,
    move_body,
    move_edge,
    shown_end,
    snap,
)


def epoch(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> float:
    return dt.datetime(y, m, d, h, mi, tzinfo=dt.UTC).timestamp()


LIMITS = bounds((epoch(2024, 1, 1), epoch(2024, 12, 31)))


def test_snap_goes_to_the_nearest_utc_midnight_unless_free():
    assert snap(epoch(2024, 3, 3, 11, 59)) == epoch(2024, 3, 3)
    assert snap(epoch(2024, 3, 3, 12, 1)) == epoch(2024, 3, 4)
    assert snap(epoch(2024, 3, 3, 11, 59), free=True) == epoch(2024, 3, 3, 11, 59)


def test_bounds_widen_the_case_range_to_whole_days():
    lo, hi = bounds((epoch(2024, 1, 1, 8), epoch(2024, 2, 1, 8)), margin=2 * DAY)
    assert (lo, hi) == (epoch(2023, 12, 30), epoch(2024, 2, 4))


def test_a_drag_snaps_both_edges_and_may_go_leftwards():
    span = from_drag(epoch(2024, 3, 10, 20), epoch(2024, 3, 3, 2), LIMITS)
    assert span == Span(epoch(2024, 3, 3), epoch(2024, 3, 11))
    assert span.ok and span.duration_days == 8


def test_shift_drag_keeps_the_exact_times():
    span = from_drag(epoch(2024, 3, 3, 2), epoch(2024, 3, 10, 20), LIMITS, free=True)
    assert (span.onset, span.end) == (epoch(2024, 3, 3, 2), epoch(2024, 3, 10, 20))


def test_a_short_stroke_marks_the_whole_day():
    span = from_drag(epoch(2024, 3, 3, 1), epoch(2024, 3, 3, 9), LIMITS)
    assert (span.onset, span.end) == (epoch(2024, 3, 3), epoch(2024, 3, 4))


def test_a_drag_past_the_case_is_clamped_to_the_margin():
    span = from_drag(epoch(2024, 12, 1), epoch(2026, 6, 1), LIMITS)
    assert span.end == LIMITS[1] == epoch(2025, 1, 30)


def test_moving_the_onset_keeps_the_end():
    span = move_edge(epoch(2024, 3, 3), epoch(2024, 3, 11), "onset", epoch(2024, 3, 1, 3), LIMITS)
    assert (span.onset, span.end, span.reason) == (epoch(2024, 3, 1), epoch(2024, 3, 11), None)


def test_end_before_onset_is_refused_with_a_reason():
    span = move_edge(epoch(2024, 3, 3), epoch(2024, 3, 11), "end", epoch(2024, 2, 20), LIMITS)
    assert not span.ok
    assert "before the onset" in span.reason
    onset_past_end = move_edge(epoch(2024, 3, 3), epoch(2024, 3, 11), "onset",
                               epoch(2024, 3, 20), LIMITS)
    assert "before the onset" in onset_past_end.reason
    assert "no time" in move_edge(epoch(2024, 3, 3), epoch(2024, 3, 11), "end",
                                  epoch(2024, 3, 3, 5), LIMITS).reason
    assert check(epoch(2024, 3, 3), None) is None


def test_unknown_edge_is_a_programming_error():
    with pytest.raises(ValueError):
        move_edge(0, DAY, "middle", 0, LIMITS)


def test_moving_the_body_keeps_the_duration_and_snaps_the_onset():
    span = move_body(epoch(2024, 3, 3), epoch(2024, 3, 11), 10.4 * DAY, LIMITS)
    assert (span.onset, span.end) == (epoch(2024, 3, 13), epoch(2024, 3, 21))
    free = move_body(epoch(2024, 3, 3), epoch(2024, 3, 11), 0.5 * DAY, LIMITS, free=True)
    assert (free.onset, free.end) == (epoch(2024, 3, 3, 12), epoch(2024, 3, 11, 12))


def test_moving_the_body_stops_at_the_limits_without_shrinking():
    span = move_body(epoch(2024, 3, 3), epoch(2024, 3, 11), 400 * DAY, LIMITS)
    assert span.end == LIMITS[1]
    assert span.duration_days == 8
    early = move_body(epoch(2024, 3, 3), epoch(2024, 3, 11), -400 * DAY, LIMITS)
    assert early.onset == LIMITS[0] and early.duration_days == 8


def test_an_ongoing_episode_moves_by_its_onset_and_has_no_duration():
    span = move_body(epoch(2024, 3, 3), None, 2 * DAY, LIMITS)
    assert (span.onset, span.end, span.ok) == (epoch(2024, 3, 5), None, True)
    assert span.duration_days is None
    assert duration_days(epoch(2024, 3, 3), None) is None


def test_an_ongoing_episode_is_drawn_to_the_horizon_or_a_stub():
    horizon = epoch(2024, 12, 31)
    assert drawn_end(epoch(2024, 3, 3), None, horizon) == horizon
    assert drawn_end(epoch(2024, 3, 3), epoch(2024, 3, 5), horizon) == epoch(2024, 3, 5)
    late = epoch(2025, 1, 10)
    assert drawn_end(late, None, horizon) == late + OPEN_STUB
    # Closing it puts the end where it was drawn, on a whole day.
    assert close_ongoing(epoch(2024, 3, 3), epoch(2024, 12, 30, 15)) == epoch(2024, 12, 31)


def test_format_days():
    assert format_days(7.0) == "7"
    assert format_days(272.0, signed=True) == "+272"
    assert format_days(-9.0, signed=True) == "-9"
    assert format_days(2.5) == "2.5"
    assert format_days(None, missing="ongoing") == "ongoing"


def test_an_end_is_shown_as_its_last_day_and_a_typed_last_day_stored_a_day_later():
    # A one-day episode on 14 March: 14 Mar 00:00 → 15 Mar 00:00 (ends are exclusive).
    end = epoch(2024, 3, 15)
    assert last_day(end) == epoch(2024, 3, 14)
    assert shown_end(end) == epoch(2024, 3, 14)
    assert duration_days(epoch(2024, 3, 14), end) == 1
    # Typing 20 March as the last day stores 21 March 00:00; typing it back round-trips.
    assert end_for_last_day(end, epoch(2024, 3, 20)) == epoch(2024, 3, 21)
    assert end_for_last_day(end, last_day(end)) == end
    # An end within a day (Shift-drag) is a moment: shown as itself, its time kept.
    exact = epoch(2024, 3, 14, 7)
    assert last_day(exact) == epoch(2024, 3, 14) and shown_end(exact) == exact
    assert end_for_last_day(exact, epoch(2024, 3, 16)) == epoch(2024, 3, 16, 7)


def test_is_missing_knows_none_and_nan_only():
    for v in (None, float("nan"), np.nan, np.float32("nan")):
        assert is_missing(v), v
    for v in (0, 0.0, 1_700_000_000, np.int64(3), "", "relapse"):
        assert not is_missing(v), v
