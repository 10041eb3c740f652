import pytest

from gui.timeline.navigation import DAY, MIN_SPAN, clamp, months_around, pan, zoom


def test_zoom_keeps_the_centre_where_it_is_on_screen():
    lo, hi = zoom(0, 100 * DAY, 0.5, centre=25 * DAY)
    assert hi - lo == pytest.approx(50 * DAY)
    assert (25 * DAY - lo) / (hi - lo) == pytest.approx(0.25)


def test_zoom_never_below_an_hour():
    lo, hi = zoom(0, 2 * 3600, 0.01)
    assert hi - lo == pytest.approx(MIN_SPAN)


def test_pan_and_months():
    assert pan(0, 10, 0.1) == (1, 11)
    lo, hi = months_around(1000 * DAY, 12)
    assert (hi - lo) / DAY == pytest.approx(365.25)


def test_clamp():
    assert clamp(-5, 5, (0, 100)) == (0, 10)
    assert clamp(95, 105, (0, 100)) == (90, 100)
    assert clamp(-5, 500, (0, 100)) == (0, 100)
