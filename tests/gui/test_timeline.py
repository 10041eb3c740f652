import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui
from PySide6.QtTest import QTest

from data.alignment import DAY
from data.case import Case
from data.codes import PBMC_SPONTANEOUS
from data.numbers import fmt_number
from db.queries import list_cases, load_case
from gui.timeline.axis import RELATIVE
from gui.timeline.widget import TimelineWidget, data_x_to_widget
from tests.gui.conftest import click_case


def readout_text(timeline) -> str:
    """The readout as the reviewer reads it (non-breaking spaces as spaces)."""
    doc = QtGui.QTextDocument()
    doc.setHtml(timeline.readout.text())
    return doc.toRawText().replace("\u00a0", " ").replace("\u2060", "")


@pytest.fixture
def case(demo_engine):
    cases = list_cases(demo_engine)
    pid = int(cases[cases["pseudonym"] == "NLRP12-01"]["id"].iloc[0])
    return Case.from_frames(load_case(demo_engine, pid))


@pytest.fixture
def timeline(qtbot, case):
    return _shown(qtbot, case)


def _ranges(w):
    return [tuple(np.round(p.vb.viewRange()[0], 3)) for p in w.plots()]


def test_wheel_zoom_keeps_every_track_on_the_same_time_range(qtbot, timeline):
    before = timeline.x_range()
    pos = data_x_to_widget(timeline, "cytokines", sum(before) / 2, 1.0)
    event = QtGui.QWheelEvent(QtCore.QPointF(pos), QtCore.QPointF(timeline.view.mapToGlobal(pos)),
                              QtCore.QPoint(), QtCore.QPoint(0, 240),
                              QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                              QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtCore.QCoreApplication.sendEvent(timeline.view.viewport(), event)
    after = timeline.x_range()
    assert after[1] - after[0] < 0.9 * (before[1] - before[0])  # it zoomed in
    assert len(set(_ranges(timeline))) == 1  # and every track followed
    # Wheel zooms time only: the symptom rows keep their fixed y range.
    assert timeline.plot_for("symptoms").vb.viewRange()[1] == pytest.approx([0, 12])


def test_keyboard_navigation(qtbot, make_window):
    from tests.gui.conftest import open_case

    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    timeline = w.timeline
    timeline.view.setFocus()
    qtbot.waitUntil(timeline.view.hasFocus)
    lo, hi = timeline.x_range()
    QTest.keyClick(timeline.view, QtCore.Qt.Key.Key_Plus)
    zlo, zhi = timeline.x_range()
    assert (zhi - zlo) == pytest.approx((hi - lo) / 2, rel=1e-3)
    QTest.keyClick(timeline.view, QtCore.Qt.Key.Key_Right)
    plo, phi = timeline.x_range()
    assert plo == pytest.approx(zlo + 0.1 * (zhi - zlo), rel=1e-6)
    cursor = plo + 0.3 * (phi - plo)
    timeline.set_cursor(cursor)
    QTest.keyClick(timeline.view, QtCore.Qt.Key.Key_3)
    mlo, mhi = timeline.x_range()
    assert (mhi - mlo) / DAY == pytest.approx(91.3, abs=0.5)
    assert (mlo + mhi) / 2 == pytest.approx(cursor)  # months around the cursor
    QTest.keyClicks(timeline.view, "12")
    ylo, yhi = timeline.x_range()
    assert (yhi - ylo) / DAY == pytest.approx(365.25, abs=0.5)
    QTest.keyClick(timeline.view, QtCore.Qt.Key.Key_2)  # a 2 on its own does nothing
    assert timeline.x_range() == pytest.approx((ylo, yhi))
    QTest.keyClick(timeline.view, QtCore.Qt.Key.Key_Home)
    flo, fhi = timeline.x_range()
    assert flo <= case.time_range[0] and fhi >= case.time_range[1]
    # Linked plots follow the first once the window's layout has settled.
    qtbot.waitUntil(lambda: len(set(_ranges(timeline))) == 1)


def test_crosshair_readout_shows_the_nearest_value_with_unit_and_date(qtbot, timeline, case):
    il1b = case.series("IL1B", PBMC_SPONTANEOUS)
    row = il1b.iloc[3]
    timeline.set_cursor(float(row["t"]) + 3600)  # an hour after the sample
    lines = [ln for ln in timeline.readout_lines(float(row["t"]) + 3600)
             if ln.label == "IL-1β spont." and ln.unit == "pg/mL"]
    expected_value = fmt_number(row["value"])  # as written, never 1.44e+03
    assert any(ln.value == expected_value for ln in lines), lines
    text = readout_text(timeline)
    assert "pg/mL" in text and expected_value in text
    day = QtCore.QDateTime.fromSecsSinceEpoch(int(row["t"]), QtCore.QTimeZone.utc())
    assert day.toString("yyyy-MM-dd") in text


def test_crosshair_follows_the_mouse(qtbot, timeline, case):
    t = case.day0 + 30 * DAY
    pos = data_x_to_widget(timeline, "markers", t, 1.0)
    QTest.mouseMove(timeline.view.viewport(), pos)
    qtbot.waitUntil(lambda: timeline.cursor_t is not None)
    assert abs(timeline.cursor_t - t) < DAY
    assert "Anakinra" in readout_text(timeline)


def test_fold_toggle_divides_by_the_control_mean(qtbot, timeline, case):
    t = float(case.series("IL1B", PBMC_SPONTANEOUS)["t"].iloc[0])
    absolute = _il1b_spont(timeline, t)
    timeline.set_fold(True)
    fold = _il1b_spont(timeline, t)
    mean = case.control_mean("IL1B", PBMC_SPONTANEOUS)
    assert fold.unit == "× controls"
    assert float(fold.value) == pytest.approx(float(absolute.value) / mean, rel=5e-3)
    # The plotted markers moved too: log10(fold) on the cytokine track.
    ys = [item.getData()[1] for item in timeline.plot_for("cytokines").items
          if hasattr(item, "getData") and item.getData()[1] is not None]
    assert any(np.isclose(y, np.log10(float(fold.value)), atol=0.01).any() for y in ys)


def _il1b_spont(timeline, t):
    track = timeline.tracks["cytokines"]
    series = next(s for s in track.series if s.label == "IL-1β spont." and
                  s.records[0]["specimen"] == PBMC_SPONTANEOUS)
    j = series.nearest(t, *timeline.x_range())
    from gui.timeline.readout import ReadoutLine

    return ReadoutLine(series.label, series.value_text(j), series.unit, "", "", "cytokines")


def test_relative_axis_puts_anakinra_start_at_zero(qtbot, timeline, case):
    timeline.set_axis_mode(RELATIVE)
    axis = timeline.bottom_axis()
    lo, hi = case.day0 - 100 * DAY, case.day0 + 100 * DAY
    ticks = axis.tickValues(lo, hi, 1000)
    values = [v for _, level in ticks for v in level]
    assert case.day0 in values
    labels = axis.tickStrings([case.day0, case.day0 + 50 * DAY], 1, 50 * DAY)
    assert labels == ["0", "50"]
    timeline.set_cursor(case.day0 + 14 * DAY)
    assert "day +14" in readout_text(timeline)


def test_hidden_tracks_stay_hidden_after_a_restart(qtbot, make_window, settings):
    from tests.gui.conftest import open_case

    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    w.timeline.set_track_visible("temperature", False)
    w.timeline.move_track("markers", -1)
    assert "temperature" not in w.timeline.tracks
    order = list(w.timeline.tracks)
    w.close()
    w2 = make_window()
    qtbot.waitUntil(lambda: w2.case is not None, timeout=10_000)
    assert "temperature" not in w2.timeline.tracks
    assert list(w2.timeline.tracks) == order


def test_tracks_menu_hides_a_track(qtbot, make_window):
    from tests.gui.conftest import open_case

    w = make_window()
    open_case(qtbot, w, "CAPS-01")
    w._fill_tracks_menu()
    sub = next(a.menu() for a in w.tracks_menu.actions() if a.text() == "Body temperature")
    show = next(a for a in sub.actions() if a.text() == "Show")
    show.trigger()
    assert "temperature" not in w.timeline.tracks


def test_point_click_opens_its_full_record(qtbot, make_window):
    from tests.gui.conftest import open_case

    w = make_window()
    case = open_case(qtbot, w, "NLRP12-02")
    record = {"analyte": "IL-1β", "t": case.day0, "value": 5.0, "censor": "<", "unit": "pg/mL",
              "specimen": PBMC_SPONTANEOUS, "source": "lab.csv", "shown": 5.0,
              "shown_unit": "pg/mL"}
    w.timeline.pointClicked.emit(record)
    from gui.dialogs import PointDialog

    dialog = w.findChild(PointDialog)
    assert dialog is not None and dialog.isVisible()
    texts = [lbl.text() for lbl in dialog.findChildren(type(w.header).__mro__[1])]
    joined = " ".join(texts)
    assert "&lt;5 pg/mL" in joined or "<5 pg/mL" in joined
    assert "PBMC, spontaneous" in joined and "lab.csv" in joined
    dialog.close()


def test_a_censored_point_keeps_its_limit_sign_when_shown_as_fold():
    from gui.timeline.tracks.points import measured_text, shown_text, tip

    record = {"analyte": "TNF-α", "t": 1_262_304_000.0, "value": 5.0, "censor": "<",
              "unit": "pg/mL", "specimen": "pbmc-spont", "source": "", "shown": 0.2,
              "shown_unit": "× controls"}
    assert measured_text(record) == "<5 pg/mL"
    assert shown_text(record) == "<0.2 × controls"
    assert "<0.2 × controls" in tip(0, 0, record)
    record["value"] = 1440.0
    record["censor"] = ""
    assert measured_text(record) == "1440 pg/mL"  # never 1.44e+03


def test_clicking_a_marker_emits_its_full_record(qtbot, timeline, case):
    row = case.series("CRP", "serum").iloc[5]
    timeline.set_x_range(row["t"] - 20 * DAY, row["t"] + 20 * DAY)
    qtbot.wait(50)
    pos = data_x_to_widget(timeline, "markers", float(row["t"]), float(np.log10(row["value"])))
    with qtbot.waitSignal(timeline.pointClicked, timeout=3000) as clicked:
        QTest.mouseClick(timeline.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    record = clicked.args[0]
    assert record["analyte"] == "CRP" and record["value"] == pytest.approx(row["value"])
    assert record["unit"] == "mg/L" and record["specimen"] == "serum"
    assert record["source"] == "demo"


def _hover(qtbot, timeline, key, t):
    qtbot.wait(50)  # let a freshly opened case's plots take their place
    pos = data_x_to_widget(timeline, key, t, timeline.plot_for(key).vb.viewRange()[1][0])
    QTest.mouseMove(timeline.view.viewport(), pos + QtCore.QPoint(0, -5))
    qtbot.waitUntil(lambda: timeline.cursor_t is not None and abs(timeline.cursor_t - t) < DAY)


def test_readout_is_cleared_when_another_case_opens(qtbot, make_window, demo_engine):
    with demo_engine.begin() as conn:  # TRAPS-01 never had anakinra
        conn.exec_driver_sql("DELETE FROM medication WHERE patient_id = (SELECT id FROM "
                             "patient WHERE pseudonym = 'TRAPS-01')")
    w = make_window()
    click_case(qtbot, w, "NLRP12-01")
    _hover(qtbot, w.timeline, "treatment", w.case.day0 + 30 * DAY)
    assert "Anakinra 100 mg/d" in readout_text(w.timeline)
    click_case(qtbot, w, "TRAPS-01")
    assert "Anakinra" not in readout_text(w.timeline)
    assert w.timeline.cursor_t is None
    assert not any(line.isVisible() for line in w.timeline._cursor_lines)


def test_readout_follows_key_zoom_and_pan(qtbot, make_window):
    w = make_window()
    click_case(qtbot, w, "NLRP12-01")
    t = w.timeline
    sample = float(w.case.series("IL1B", PBMC_SPONTANEOUS)["t"].iloc[4])
    _hover(qtbot, t, "cytokines", sample + 3 * DAY)
    assert "IL-1β spont." in readout_text(t)
    while t.x_range()[1] - t.x_range()[0] > 4 * DAY:  # zoom in around the cursor with +
        QTest.keyClick(w.timeline.view, QtCore.Qt.Key.Key_Plus)
    qtbot.wait(20)
    # The sample three days away is off screen now: the readout no longer shows it.
    assert t.x_range()[0] > sample
    assert "IL-1β spont." not in readout_text(t)
    for _ in range(3):  # 1.5 screens later: the cursor's time is off screen too
        QTest.keyClick(w.timeline.view, QtCore.Qt.Key.Key_Right,
                       QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.wait(20)
    assert t.cursor_t is None
    assert "Anakinra" not in readout_text(t) and "Move the mouse" in readout_text(t)


def test_readout_keeps_its_height_and_fits_on_a_small_screen(qtbot, make_window):
    w = make_window()
    w.resize(1024, 700)
    qtbot.waitUntil(lambda: w.size() == QtCore.QSize(1024, 700))
    click_case(qtbot, w, "NLRP12-01")
    qtbot.wait(50)
    t = w.timeline
    height = t.readout.height()
    plot_heights = [p.geometry().height() for p in t.plots()]
    _hover(qtbot, t, "treatment", w.case.day0 + 30 * DAY)
    qtbot.wait(50)
    assert t.readout.height() == height
    assert [p.geometry().height() for p in t.plots()] == plot_heights


def test_readout_items_never_break_between_swatch_and_label():
    from gui.timeline.readout import ReadoutLine, readout_html

    lines = [ReadoutLine("TNF-α spont.", "27", "pg/mL", "", "#CC79A7", "cytokines"),
             ReadoutLine("IL-1β spont.", "1 440", "pg/mL", "2009-07-12", "#D55E00", "cytokines"),
             ReadoutLine("Anakinra", "100", "mg/d", "", "#0072B2", "treatment")]
    doc = QtGui.QTextDocument()
    doc.setHtml(readout_html("2009-07-13 10:00", lines))
    items = doc.toRawText().split(" · ")
    assert len(items) == 4
    assert all(" " not in item.strip() for item in items), items  # only non-breaking spaces
    assert items[2].replace("\u00a0", " ").replace("\u2060", "").strip() == \
        "■ IL-1β spont. 1 440 pg/mL (2009-07-12)"
    assert items[3].replace("\u00a0", " ").replace("\u2060", "").strip() == "■ Anakinra 100 mg/d"
    # Qt may break a line after "/" or "-" (pg/mL, TNF-α): a word joiner forbids it.
    assert "/\u2060" in items[2] and "F-\u2060α" in items[1]


def test_after_a_reload_the_y_axes_fit_the_new_data(qtbot, make_window, demo_engine):
    w = make_window()
    case = click_case(qtbot, w, "NLRP12-01")
    crp = case.series("CRP", "serum")
    t = float(crp["t"].iloc[len(crp) // 2]) + DAY
    top = w.timeline.plot_for("markers").vb.viewRange()[1][1]
    assert top < np.log10(5000)
    from sqlalchemy import text

    with demo_engine.begin() as conn:  # as an import of a lab file would
        conn.execute(text(
            "INSERT INTO observation (series_id, t, value, censor) SELECT id, :t, 5000, 0 "
            "FROM series WHERE code = 'CRP' AND patient_id = :pid"), {"t": int(t), "pid": case.id})
    before = w.timeline.x_range()
    w.timeline.view.setFocus()
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        QTest.keyClick(w.timeline.view, QtCore.Qt.Key.Key_F5)
    assert w.timeline.x_range() == pytest.approx(before)  # the same view, new data
    lo, hi = w.timeline.plot_for("markers").vb.viewRange()[1]
    assert lo < np.log10(5000) < hi


def test_the_drag_caption_stays_on_screen_at_the_right_edge(qtbot, make_window):
    from tests.gui.drag import drag

    w = make_window()
    w.resize(1400, 900)
    w.move(0, 0)
    click_case(qtbot, w, "NLRP12-01")
    qtbot.wait(50)
    t = w.timeline
    QTest.keyClick(t.view, QtCore.Qt.Key.Key_A)
    lo, hi = t.x_range()
    seen = {}

    def look():
        plot = t.plot_for("markers")
        preview = next(pv for p, pv in t.episode_layer._previews if p is plot)
        qtbot.wait(30)
        t.view.viewport().repaint()
        visible = t.view.mapFromScene(plot.vb.sceneBoundingRect()).boundingRect()
        seen["caption"], seen["plot"] = preview.caption_rect, QtCore.QRectF(visible)

    drag(qtbot, t, "markers", lo + 0.93 * (hi - lo), lo + 0.985 * (hi - lo),
         before_release=look)
    caption, plot = seen["caption"], seen["plot"]
    assert caption is not None and caption.width() > 150  # dates, length, day N
    assert plot.left() <= caption.left() and caption.right() <= plot.right() + 1


def test_place_caption_moves_left_at_the_right_edge_only():
    from gui.episodes.graphics import place_caption

    bounds = QtCore.QRectF(100, 0, 800, 200)
    size = QtCore.QSizeF(240, 18)
    inside = place_caption(QtCore.QRectF(300, 10, 50, 100), size, bounds)
    assert inside.left() == 304 and inside.top() == 14
    edge = place_caption(QtCore.QRectF(850, 10, 40, 100), size, bounds)
    assert edge.right() == 898
    wide = place_caption(QtCore.QRectF(850, 10, 40, 100), QtCore.QSizeF(900, 18), bounds)
    assert wide.left() == 102  # wider than the plot: its start stays readable


def test_leaving_annotate_mode_clears_its_status_message(qtbot, make_window):
    w = make_window()
    click_case(qtbot, w, "CAPS-01")
    QTest.keyClick(w.timeline.view, QtCore.Qt.Key.Key_A)
    assert w.statusBar().currentMessage() == "Annotate mode on"
    assert w.episode_feature.hint.isVisible()
    QTest.keyClick(w.timeline.view, QtCore.Qt.Key.Key_Escape)
    assert w.statusBar().currentMessage() == ""
    assert not w.episode_feature.hint.isVisible()


def _hospital_case(engine, tmp_path, text: str) -> Case:
    """A case imported from a hand-written lab export into an empty database."""
    from data.importing import import_file

    path = tmp_path / "lab.csv"
    path.write_text(text, encoding="utf-8")
    import_file(engine, path)
    cases = list_cases(engine)
    pseudonym = text.splitlines()[1].split(",")[0]
    pid = int(cases[cases["pseudonym"] == pseudonym]["id"].iloc[0])
    return Case.from_frames(load_case(engine, pid))


def _shown(qtbot, case) -> TimelineWidget:
    w = TimelineWidget()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.set_case(case)
    qtbot.waitExposed(w)
    return w


def _legend(w, key) -> str:
    doc = QtGui.QTextDocument()
    doc.setHtml(w.plot_for(key).titleLabel.text)
    return doc.toPlainText().replace("\u00a0", " ").replace("\u2060", "")


SERUM_LAB = """patient,date,code,value,unit,specimen
H-07,2024-02-01,IL6,12,pg/mL,serum
H-07,2024-02-15,IL6,30,pg/mL,serum
H-07,2024-03-01,IL6,0,pg/mL,serum
H-07,2024-03-15,IL6,45,pg/mL,serum
H-07,2024-02-01,CRP,27,mg/L,serum
H-07,2024-02-15,CRP,0,mg/L,serum
H-07,2024-03-01,CRP,56,mg/L,serum
H-07,2024-03-15,CRP,31,mg/L,serum
"""


def test_zero_on_a_log_axis_sits_at_the_floor_and_does_not_stretch_it(qtbot, engine, tmp_path):
    case = _hospital_case(engine, tmp_path, SERUM_LAB)
    w = _shown(qtbot, case)
    lo, hi = w.plot_for("markers").vb.viewRange()[1]
    # One stored 0 once stretched the axis down to 10⁻⁶; the positive values span 27–56.
    assert lo > np.log10(27) - 1.0 and hi >= np.log10(56)
    track = w.tracks["markers"]
    assert track.floor == pytest.approx(np.log10(27) - 0.5)
    assert lo <= track.floor  # the zero is drawn, at the floor
    floor_points = [i for i in w.plot_for("markers").items
                    if isinstance(i, pg.ScatterPlotItem) and len(i.data)
                    and np.allclose(i.data["y"], track.floor)]
    assert len(floor_points) == 1 and floor_points[0].data["data"][0]["value"] == 0
    assert "≤0" in _legend(w, "markers")
    # The readout gives the stored value, not the floor.
    zero_t = float(case.series("CRP")["t"].iloc[1])
    w.set_cursor(zero_t)
    assert "CRP 0 mg/L" in readout_text(w)


def test_track_titles_and_legends_describe_what_is_drawn(qtbot, engine, tmp_path):
    case = _hospital_case(engine, tmp_path, SERUM_LAB + "H-07,2024-02-01,IL1B,3,pg/mL,\n")
    w = _shown(qtbot, case)
    legend = _legend(w, "cytokines")
    assert not legend.startswith("Cytokines, ex vivo PBMC")  # serum and unspecified values
    assert "IL-1β unspecified" in legend and "IL-6 serum" in legend
    assert "control means" not in legend  # no control reference: no mean line drawn
    assert "normal range" not in _legend(w, "markers")  # and no normal range either
    case2 = _hospital_case(engine, tmp_path, SERUM_LAB.replace(",serum", ",pbmc-spont")
                           .replace("CRP", "TNFA").replace("mg/L", "pg/mL")
                           .replace("H-07", "H-08"))
    assert _legend(_shown(qtbot, case2), "cytokines").startswith("Cytokines, ex vivo PBMC")


def test_demo_case_keeps_its_control_means_and_normal_range(qtbot, timeline):
    assert _legend(timeline, "cytokines").startswith("Cytokines, ex vivo PBMC")
    assert "control means" in _legend(timeline, "cytokines")
    assert "normal range" in _legend(timeline, "markers")


def _drawn_labels(axis) -> list[tuple[QtCore.QRectF, str]]:
    """The tick labels an axis paints, with their rectangles (pyqtgraph's own draw specs)."""
    image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(QtCore.QRectF(rect), text) for rect, _flags, text in specs[2]]


def _overlaps(drawn) -> list[tuple[str, str]]:
    return [(a, b) for i, (ra, a) in enumerate(drawn) for rb, b in drawn[i + 1:]
            if ra.intersects(rb)]


@pytest.mark.parametrize("months", [1, 3, 12, 0])
def test_axes_labels_never_overlap_and_the_year_is_on_screen(qtbot, make_window, months):
    w = make_window()
    w.resize(1024, 700)
    case = click_case(qtbot, w, "NLRP12-01")
    t = w.timeline
    if months:
        t.set_cursor(case.day0 + 40 * DAY)
        QTest.keyClick(t.view, {1: QtCore.Qt.Key.Key_1, 3: QtCore.Qt.Key.Key_3,
                                12: QtCore.Qt.Key.Key_6}[months])
    qtbot.wait(50)
    bottom = _drawn_labels(t.bottom_axis())
    assert len(bottom) >= 2 and not _overlaps(bottom)
    assert any(any(str(y) in text for y in range(2008, 2012)) for _r, text in bottom)
    for key in ("cytokines", "markers", "treatment", "temperature", "activity"):
        left = _drawn_labels(t.plot_for(key).getAxis("left"))
        assert len(left) >= 2 and not _overlaps(left), (key, [x for _r, x in left])
        for _r, text in left:  # round values: 1, 2, 5 or tens of them, never 47.5
            digits = text.replace("\u2009", "").replace("·10", "e").split("e")[0]
            if digits.replace(".", "").isdigit() and float(digits):
                assert str(digits).strip("0.")[0] in "12345", (key, text)


def test_a_daily_value_is_read_on_its_day_only(qtbot, timeline, case):
    """Before day 0 the readout said 'Anakinra 100 mg/d' (the nearest dose, months later);
    a day without a diary read 'AIDAI daily sum nan'."""
    timeline.set_x_range(case.time_range[0], case.time_range[1])
    before = case.day0 - 30 * DAY
    labels = {ln.label: ln.value for ln in timeline.readout_lines(before)}
    assert "Anakinra" not in labels
    on = {ln.label: ln.value for ln in timeline.readout_lines(case.day0 + 30 * DAY + DAY / 3)}
    assert on.get("Anakinra") not in (None, "", "0")
    assert "nan" not in [*labels.values(), *on.values()]


def test_a_short_last_phase_label_stays_inside_the_plot(qtbot):
    # Anakinra days 0–400, record ends day 408: "after stopping" started at day 401 and
    # ran off the right edge.
    from tests.data.insight_cases import make_case

    case = make_case([(d, 9, "CRP", 10) for d in (-30, 100, 300, 408)], [(0, 400, 100)])
    w = _shown(qtbot, case)
    w.grab()  # a TextItem places itself when painted
    plot = w.plot_for("episodes")
    labels = {i.toPlainText(): i for i in plot.items if isinstance(i, pg.TextItem)}
    view = plot.vb.sceneBoundingRect()
    for name in ("before treatment", "on anakinra", "after stopping"):
        box = labels[name].sceneBoundingRect()
        assert view.left() - 1 <= box.left() and box.right() <= view.right() + 1, name
