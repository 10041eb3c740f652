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
