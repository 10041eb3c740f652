"""The Results grid dock: a hospital's hand-written file as a date × analyte table; a click
on a cell moves the timeline there and rings the sample (issue 14, item 3)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui
from PySide6.QtTest import QTest

from data.results_grid import HIGH
from gui.palette import OKABE_ITO
from tests.gui.conftest import open_case

LAB = """patient,date,code,value,unit,specimen
H-20,2024-01-15T09:00,IL1B,800,pg/mL,pbmc-spont
H-20,2024-03-08T09:00,IL1B,30,pg/mL,pbmc-spont
H-20,2024-03-15T09:00,IL1B,15,pg/mL,pbmc-spont
H-20,2024-04-10T09:00,IL1B,<5,pg/mL,pbmc-spont
H-20,2024-03-08T09:00,CRP,45,mg/L,serum
H-20,2024-09-01T09:00,CRP,3,mg/L,serum
"""


def _window(qtbot, make_window, demo_engine, tmp_path):
    from data.importing import import_file

    path = tmp_path / "lab.csv"
    path.write_text(LAB, encoding="utf-8")
    import_file(demo_engine, path)
    w = make_window()
    open_case(qtbot, w, "H-20")
    return w


def test_the_grid_lists_every_value_and_a_click_moves_the_timeline(qtbot, make_window,
                                                                   demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    feature = w.results_grid
    assert not feature.dock.isVisible()
    QTest.keyClick(w, QtCore.Qt.Key.Key_R, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert feature.dock.isVisible()
    model = feature.panel.model
    heads = [model.headerData(r, QtCore.Qt.Orientation.Vertical) for r in
             range(model.rowCount())]
    assert heads == ["2024-01-15 · day 0", "2024-03-08 · day +53", "2024-03-15 · day +60",
                     "2024-04-10 · day +86", "2024-09-01 · day +230"]  # no anakinra
    titles = [model.headerData(c, QtCore.Qt.Orientation.Horizontal) for c in
              range(model.columnCount())]
    assert titles == ["IL-1β spont.\npg/mL", "CRP\nmg/L"]
    text = [[model.index(r, c).data() for c in range(2)] for r in range(5)]
    # Demo references: IL-1β spontaneous 12 ± 2×5 (2–22 pg/mL), CRP normal below 5 mg/L.
    assert text == [[f"800 {HIGH}", ""], [f"30 {HIGH}", f"45 {HIGH}"], ["15", ""],
                    ["<5", ""], ["", "3"]]
    colour = model.index(0, 0).data(QtCore.Qt.ItemDataRole.ForegroundRole)
    assert isinstance(colour, QtGui.QColor) and colour.name().upper() == \
        OKABE_ITO["vermillion"].upper()
    qtbot.wait(50)
    w.grab().save("/tmp/insight_shots/results_grid_window.png")

    t = w.case.anchor.t + 60 * 86_400 + 9 * 3600  # 15 March 09:00
    w.timeline.set_x_range(t + 100 * 86_400, t + 130 * 86_400)  # far from it
    table = feature.panel.table
    rect = table.visualRect(model.index(2, 0))
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    lo, hi = w.timeline.x_range()
    assert abs((lo + hi) / 2 - t) < 60 and abs((hi - lo) - 30 * 86_400) < 60
    assert [(r.track, r.t) for r in w.timeline.highlight.ringed] == [("cytokines", t)]


def test_an_empty_cell_does_nothing(qtbot, make_window, demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    w.results_grid.dock.show()
    before = w.timeline.x_range()
    table = w.results_grid.panel.table
    rect = table.visualRect(table.model().index(0, 1))  # CRP on 15 January: none
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.timeline.x_range() == before and w.timeline.highlight.ringed == []


def test_on_a_small_screen_a_click_scrolls_the_track_into_sight_and_reads_that_day(
        qtbot, make_window):
    from tests.gui.test_main_window import _sized
    from tests.gui.test_readout_dates import _plain
    from tests.gui.test_small_screen import _visible_in

    w = _sized(qtbot, make_window, 1024, 700)  # NLRP12-01: every track, the ratios too
    w.results_grid.dock.show()
    qtbot.wait(100)
    t, panel = w.timeline, w.results_grid.panel
    model, table = panel.model, panel.table
    header = table.horizontalHeader()
    for c in range(model.columnCount()):  # "IL-1β LPS ÷ spont." was cut to "-1β LPS ÷ spon"
        lines = model.headerData(c, QtCore.Qt.Orientation.Horizontal).split("\n")
        widest = max(header.fontMetrics().horizontalAdvance(line) for line in lines)
        assert widest + 8 <= header.sectionSize(c), (lines, header.sectionSize(c))
    assert any("LPS ÷ spont." in model.headerData(c, QtCore.Qt.Orientation.Horizontal)
               for c in range(model.columnCount()))

    def in_sight(key: str) -> bool:
        plot = t.plot_for(key)
        box = t.view.mapFromScene(plot.mapRectToScene(plot.boundingRect())).boundingRect()
        return _visible_in(t.view, t.scroll.viewport(), QtCore.QRectF(box))

    assert t.scroll.verticalScrollBar().maximum() > 0  # the grid took the room: it scrolls
    col = next(c for c in range(model.columnCount())
               if model.headerData(c, QtCore.Qt.Orientation.Horizontal).startswith("CRP"))
    assert not in_sight("markers")
    row = next(r for r in range(model.rowCount()) if model.index(r, col).data())
    table.scrollTo(model.index(row, col))
    rect = table.visualRect(model.index(row, col))
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    [ring] = t.highlight.ringed
    assert ring.track == "markers" and in_sight("markers")
    assert t.cursor_t == ring.t
    value = model.index(row, col).data().split()[0]
    assert f"CRP {value} mg/L" in _plain(t.readout.text())


def test_the_il1ra_header_says_the_assay_measures_the_drug(qtbot, make_window, demo_engine):
    w = make_window()
    open_case(qtbot, w, "NLRP12-02")
    QTest.keyClick(w, QtCore.Qt.Key.Key_R, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    model = w.results_grid.panel.model
    qtbot.waitUntil(lambda: model.columnCount() > 0, timeout=10_000)
    tips = [model.headerData(i, QtCore.Qt.Orientation.Horizontal,
                             QtCore.Qt.ItemDataRole.ToolTipRole)
            for i in range(model.columnCount())]
    il1ra = [t for t in tips if t.startswith("<qt>IL-1Ra")]
    assert il1ra and all("measure the drug too" in t for t in il1ra)
    assert not any("measure the drug" in t for t in tips if t.startswith("<qt>IL-1β"))
