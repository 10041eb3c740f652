"""A cohort's crowd of lines draws what is in view (issue 14, item 6 speed: cohort_frame_ms;
benchmarks/bench_aligned.py measures it): lines written here, not the demo generator."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from data.alignment import DAY
from data.cohort import build_cohort
from gui.cohort.window import CohortWindow
from gui.timeline.crowd import CrowdItem
from tests.data.insight_cases import DAY0, make_case


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


def _case(pid: int, obs: list[tuple], controls: list[dict] | None = None):
    case = make_case(obs, [(0, None, 100)], controls=controls)
    case.patient = {**case.patient, "id": pid, "pseudonym": f"C-{pid:02d}"}
    return case


def test_censored_values_are_hollow_and_panels_name_their_specimen(qtbot):
    # Two patients (coloured lines with markers): C-01's day-14 IL-1β was '<5'.
    few = [_case(1, [(7, 9, "IL1B", 30), (14, 9, "IL1B", 5, "<"), (21, 9, "IL1B", 8)]),
           _case(2, [(7, 9, "IL1B", 40), (14, 9, "IL1B", 20)])]
    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(build_cohort(few), "2 cases")
    view.show()
    track = view.stack.tracks["IL1B"]
    title = track.plot.titleLabel.item.toPlainText().replace("\xa0", " ").replace("\u2060", "")
    assert title.startswith("IL-1β fold, PBMC, spontaneous")
    assert "○ censored, at its limit" in title
    first = next(i for i in track.plot.items if isinstance(i, pg.PlotDataItem)
                 and i.opts["symbol"] == "o")
    brushes = [b.style() for b in first.scatter.data["brush"]]
    none, solid = QtCore.Qt.BrushStyle.NoBrush, QtCore.Qt.BrushStyle.SolidPattern
    assert brushes == [solid, none, solid]
    # Eight patients (one grey crowd, no markers): the censored values get hollow ones.
    crowd = [_case(i, [(7, 9, "IL1B", 30 + i), (14, 9, "IL1B", 5, "<" if i < 3 else "")])
             for i in range(1, 9)]
    view.show_cohort(build_cohort(crowd), "8 cases")
    [hollow] = [i for i in view.stack.tracks["IL1B"].plot.items
                if isinstance(i, pg.ScatterPlotItem) and i.opts["symbol"] == "o"]
    assert len(hollow.data) == 2  # C-01's and C-02's day 14
    assert hollow.opts["brush"].style() == none
    assert np.allclose(hollow.data["x"], 14.375 * DAY)


def test_a_patients_line_has_the_colour_of_their_row_in_every_panel(qtbot):
    from data.codes import PBMC_LPS, PBMC_SPONTANEOUS
    from gui.timeline.tracks.aligned import member_colour

    # C-03 has IL-1β only after LPS stimulation: the only line of its panel, still in the
    # third colour, as its row in the list (it was drawn in the first: C-01's blue).
    controls = [dict(code="IL1B", specimen=PBMC_SPONTANEOUS, mean=10.0),
                dict(code="IL1B", specimen=PBMC_LPS, mean=1000.0)]
    lps = [(7, 9, "IL1B", 4000, "", PBMC_LPS), (14, 9, "IL1B", 2000, "", PBMC_LPS)]
    cases = [_case(1, [(7, 9, "IL1B", 30), (14, 9, "IL1B", 20)], controls),
             _case(2, [(7, 9, "IL1B", 40), (14, 9, "IL1B", 20)], controls),
             _case(3, lps, controls)]
    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(build_cohort(cases), "3 cases")
    view.show()
    row = view.patients.item(2)
    assert row.text().startswith("C-03")
    [line] = [i for i in view.stack.tracks["IL1B:pbmc-lps"].plot.items
              if isinstance(i, pg.PlotDataItem) and i.opts["symbol"] == "o"]
    assert line.opts["pen"].color().name() == member_colour(2, 3).lower()
    swatch = row.icon().pixmap(12, 12).toImage().pixelColor(6, 6)
    assert swatch.name() == member_colour(2, 3).lower()


def test_painted_again_on_the_same_view_the_crowd_comes_from_an_image_of_the_same_pixels(
        qtbot):
    # Hovering repaints strips of the same view many times a second: the crowd is then
    # drawn from an image of its lines rather than stroked again.
    from PySide6 import QtGui

    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(build_cohort([_weekly_case(i) for i in range(8)]), "8 cases")
    view.show()
    [crowd] = [i for i in view.stack.tracks["IL1B"].plot.items if isinstance(i, CrowdItem)]
    view.stack.set_x_range(1000 * DAY, 1200 * DAY)
    viewport = view.stack.view.viewport()

    def painted() -> QtGui.QImage:
        """The crowd painted as the view paints it (a grab of the view crashed at exit)."""
        image = QtGui.QImage(viewport.size(), QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QtCore.Qt.GlobalColor.white)
        p = QtGui.QPainter(image)
        p.setTransform(crowd.deviceTransform(view.stack.view.viewportTransform()))
        crowd.paint(p, None, viewport)
        p.end()
        return image

    stroked = painted()  # a view not painted before: stroked
    assert crowd._image is None
    again = painted()  # the same view: from the image
    assert crowd._image is not None
    assert again == stroked
    assert again != QtGui.QImage(again.size(), again.format())  # lines drawn at all
    view.stack.set_x_range(1100 * DAY, 1300 * DAY)  # moved: stroked again
    painted()
    assert crowd._image is None


def test_a_first_relapse_is_marked_only_where_the_patients_line_runs(qtbot):
    relapse = dict(id=1, kind="relapse", onset=DAY0 + 10 * DAY, end=None, severity="",
                   certainty="", note="", author="dr", created=0, updated=0, status="accepted")
    case = make_case([(7, 9, "IL1B", 30), (14, 9, "IL1B", 20), (7, 9, "TNFA", 40)],
                     [(0, None, 100)], episodes=[relapse])
    view = CohortWindow()
    qtbot.addWidget(view)
    view.show_cohort(build_cohort([case]), "1 case")

    def marks(key):
        return [i for i in view.stack.tracks[key].plot.items
                if isinstance(i, pg.ScatterPlotItem) and i.opts["symbol"] == "t1"]

    [il1b] = marks("IL1B")  # day 10 lies between its values of day 7 and day 14
    assert np.allclose(il1b.data["x"], 10 * DAY)
    assert marks("TNFA") == []  # one value on day 7: no line runs on day 10
