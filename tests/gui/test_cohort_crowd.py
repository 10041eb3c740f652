"""A cohort's crowd of lines draws what is in view (issue 14, item 6 speed: cohort_frame_ms;
benchmarks/bench_aligned.py measures it): lines written here, not the demo generator."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from data.alignment import DAY
from data.cohort import build_cohort
from gui.cohort.window import CohortWindow
from gui.timeline.crowd import CrowdItem
from tests.data.insight_cases import make_case


def _drawn(item: CrowdItem) -> list[list[tuple[float, float]]]:
    """The item's path as its runs of (x, y) points."""
    path, runs = item._path, []
    for i in range(path.elementCount()):
        e = path.elementAt(i)
        if e.isMoveTo():
            runs.append([])
        runs[-1].append((e.x, e.y))
    return runs


def test_each_line_is_cut_to_the_view_keeping_one_point_beyond_either_edge(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    a = (np.array([0.0, 10, 20, 30]), np.array([1.0, 2, 3, 4]))
    b = (np.array([5.0, 15]), np.array([5.0, 6]))
    c = (np.array([100.0, 110]), np.array([7.0, 8]))  # wholly right of the view
    d = (np.array([13.0]), np.array([9.0]))  # a single point: no segment
    e = (np.array([11.0, np.nan, 14, 40]), np.array([1.0, 1, np.nan, 2]))  # gaps left out
    crowd = CrowdItem([a, b, c, d, e], pg.mkPen("k"))
    plot.addItem(crowd)
    plot.setXRange(12, 18, padding=0)
    crowd.viewRangeChanged()
    # A: no point in view, but its segment 10–20 crosses it; B: 5–15; E: 11–40 (its NaNs
    # dropped, the rest joined as drawn before).
    assert _drawn(crowd) == [[(10, 2), (20, 3)], [(5, 5), (15, 6)], [(11, 1), (40, 2)]]
    plot.setXRange(-50, 200, padding=0)
    crowd.viewRangeChanged()
    assert [len(run) for run in _drawn(crowd)] == [4, 2, 2, 2]
    plot.setXRange(500, 600, padding=0)
    crowd.viewRangeChanged()
    assert _drawn(crowd) == []


def _weekly_case(i: int):
    """Ten years of weekly IL-1β, anakinra from day 0."""
    obs = [(d, 9, "IL1B", 100 + 10 * i + d % 50) for d in range(-70, 3650, 7)]
    case = make_case(obs, [(0, None, 100)])
    case.patient = {**case.patient, "id": i + 1, "pseudonym": f"W-{i + 1:02d}"}
    return case


def test_zoomed_to_three_months_the_cohort_draws_a_few_of_its_points(qtbot):
    # Eight patients: drawn as one grey crowd (more than six colours would not read).
    cohort = build_cohort([_weekly_case(i) for i in range(8)])
    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(cohort, "8 cases")
    view.show()
    [crowd] = [i for i in view.stack.tracks["IL1B"].plot.items if isinstance(i, CrowdItem)]
    everything = sum(len(run) for run in _drawn(crowd))
    assert everything == 8 * len(range(-70, 3650, 7))
    view.stack.set_x_range(1000 * DAY, 1090 * DAY)
    runs = _drawn(crowd)
    assert len(runs) == 8
    # 13 weekly values in 90 days, and one beyond either edge.
    assert all(14 <= len(run) <= 15 for run in runs)
    assert all(run[0][0] < 1000 * DAY < run[1][0] and run[-2][0] < 1090 * DAY < run[-1][0]
               for run in runs)
