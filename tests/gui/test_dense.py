"""A dense series (a thermometer's minute readings) drawn from its min/max pyramid: what is
drawn at any zoom keeps every peak and only ever shows measured points."""

import numpy as np
import pandas as pd
import pytest
from PySide6 import QtCore, QtGui

from data.case import Case
from gui.palette import OKABE_ITO
from gui.timeline.dense import MinMaxPyramid, sorted_index
from gui.timeline.widget import TimelineWidget

N = 1_000_000
T0 = 1_600_000_000
SPIKE = 613_577  # one reading of 41.5 °C among a million near 36.8 °C


def _thermometer():
    rng = np.random.default_rng(7)
    t = T0 + np.arange(N, dtype=np.int64) * 60
    y = np.round(36.8 + 0.2 * np.sin(np.arange(N) / 720) + rng.normal(0, 0.05, N), 2)
    y[SPIKE] = 41.5
    return t, y


def test_the_search_on_integer_times_matches_numpy_on_floats():
    x = np.array([-120, -60, 0, 60, 61, 120], dtype=np.int64)
    for v in (-200, -60.5, -60, -59.9, 0, 0.1, 60.5, 61, 119.99, 120, 500):
        assert sorted_index(x, v) == np.searchsorted(x.astype(float), v)
    assert list(sorted_index(x, [-1e300, 1e300])) == [0, len(x)]


@pytest.mark.parametrize("columns", [1, 300, 1400])
def test_every_zoom_draws_the_extremes_and_only_measured_points(columns):
    t, y = _thermometer()
    y[100_000:100_050] = np.nan  # the device off for 50 minutes: a gap, never an extreme
    pyramid = MinMaxPyramid(t, y)
    for span_min in (N, N // 4, 90 * 1440, 14 * 1440, 1440, 60):
        for start in (SPIKE - span_min // 3, SPIKE - span_min + 2, SPIKE - 1):
            lo, hi = T0 + start * 60, T0 + (start + span_min) * 60
            xs, ys = pyramid.visible(lo, hi, columns)
            assert np.all(np.diff(xs) >= 0)
            drawn = np.searchsorted(t, xs.astype(np.int64))
            assert np.array_equal(t[drawn], xs) and np.array_equal(y[drawn], ys, equal_nan=True)
            assert np.nanmax(ys) == 41.5
            inside = y[max(start, 0):start + span_min + 1]
            assert np.nanmin(ys) <= np.nanmin(inside)
            assert len(xs) <= max(2 * 8 * columns, 2 * span_min) + 4


def test_a_gap_is_drawn_as_a_gap_only_where_nothing_was_measured():
    t = np.arange(4096, dtype=np.int64)
    y = np.full(4096, 37.0)
    y[8:16] = np.nan  # a whole first-level bucket without a value
    y[17] = np.nan
    y[18] = 39.0
    xs, ys = MinMaxPyramid(t, y).visible(0, 4095, 200)
    assert np.isnan(ys[xs == 8]).all() and 39.0 in ys


def _temperature_case():
    t, y = _thermometer()
    n = len(t)
    obs = pd.DataFrame({
        "t": t, "code": pd.Categorical(["TEMP"] * n), "value": y,
        "censor": pd.Categorical([""] * n, categories=["<", "", ">"]),
        "unit": pd.Categorical(["Cel"] * n), "specimen": pd.Categorical(["device"] * n),
        "source": pd.Categorical(["thermometer.csv"] * n)})
    return Case({"id": 1, "pseudonym": "THERMO-01"}, obs, pd.DataFrame(), pd.DataFrame(),
                pd.DataFrame())


def _spike_on_screen(w) -> bool:
    """A vermillion pixel where 41.5 °C at the spike's minute is drawn on the screen."""
    plot = w.plot_for("temperature")
    image = w.view.grab().toImage()
    where = w.view.mapFromScene(plot.vb.mapViewToScene(
        QtCore.QPointF(T0 + SPIKE * 60, 41.5)))
    want = QtGui.QColor(OKABE_ITO["vermillion"])
    for dx in range(-2, 3):
        for dy in range(-2, 3):
            c = image.pixelColor(where.x() + dx, where.y() + dy)
            if abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(
                    c.blue() - want.blue()) < 40:
                return True
    return False


def test_a_single_spike_in_a_million_points_is_on_screen_at_every_zoom(qtbot):
    w = TimelineWidget()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.set_case(_temperature_case())
    qtbot.waitExposed(w)
    spike = T0 + SPIKE * 60
    for span_days in (N / 1440, 180, 90, 14, 1, 1 / 24):
        span = span_days * 86_400
        for before in (0.5, 0.1, 0.9):
            w.set_x_range(spike - before * span, spike + (1 - before) * span)
            assert _spike_on_screen(w), (span_days, before)
    w.set_x_range(spike + 3600, spike + 7200)  # a view without it: no false alarm
    assert not _spike_on_screen(w)
