"""The cohort view as a reviewer uses it: several cases chosen in the case list (or every case
of the open case's diagnosis), one line per patient, hover names the patient, a click opens
the case on that day (issue 14, item 6)."""

from __future__ import annotations

import gc
import subprocess

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest

from data.alignment import DAY
from gui.timeline.stack import data_to_viewport
from tests.gui.conftest import open_case
from tests.gui.hand_files import import_texts, utc
from tests.gui.test_timeline import readout_text

# Two patients on anakinra from different dates, one never on it. IL-1β in PBMC
# spontaneous secretion (the demo's control mean applies), CRP in serum.
LAB = """patient,date,code,value,unit,specimen
H-41,2024-01-08T09:00,IL1B,900,pg/mL,pbmc-spont
H-41,2024-01-22T09:00,IL1B,60,pg/mL,pbmc-spont
H-41,2024-02-05T09:00,IL1B,30,pg/mL,pbmc-spont
H-41,2024-01-22T09:00,CRP,12,mg/L,serum
H-42,2024-05-06T09:00,IL1B,700,pg/mL,pbmc-spont
H-42,2024-05-20T09:00,IL1B,600,pg/mL,pbmc-spont
H-42,2024-06-03T09:00,IL1B,500,pg/mL,pbmc-spont
H-43,2024-03-04T09:00,IL1B,50,pg/mL,pbmc-spont
"""
DOSES = """patient,drug,dose,unit,start,end
H-41,anakinra,100,mg,2024-01-15,
H-42,anakinra,100,mg,2024-05-13,
"""


def _window(qtbot, make_window, demo_engine, tmp_path):
    import_texts(demo_engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES})
    w = make_window()
    open_case(qtbot, w, "H-41")
    return w


def _ctrl_click(qtbot, w, pseudonym):
    table = w.browser.table
    proxy = w.browser.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == pseudonym)
    QTest.mouseClick(table.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     QtCore.Qt.KeyboardModifier.ControlModifier,
                     table.visualRect(proxy.index(row, 0)).center())


def _send(widget, kind, pos, button=QtCore.Qt.MouseButton.NoButton):
    """A mouse event sent to the widget itself: the cohort window is a top-level window of
    its own, and the offscreen platform, which stacks no windows, hands QTest's events
    to the main window under it."""
    local = QtCore.QPointF(pos)
    buttons = button if kind == QtCore.QEvent.Type.MouseButtonPress else \
        QtCore.Qt.MouseButton.NoButton
    event = QtGui.QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons,
                              QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(widget, event)


def _hover(widget, pos):
    _send(widget, QtCore.QEvent.Type.MouseMove, pos)


def _click(widget, pos):
    left = QtCore.Qt.MouseButton.LeftButton
    _send(widget, QtCore.QEvent.Type.MouseButtonPress, pos, left)
    _send(widget, QtCore.QEvent.Type.MouseButtonRelease, pos, left)


def _open_cohort(qtbot, w):
    QTest.keyClick(w, QtCore.Qt.Key.Key_C, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.cohort.view is not None and w.cohort.view.isVisible())
    view = w.cohort.view
    # The AIDAI panel fills once the first frame is on screen.
    qtbot.waitUntil(lambda: not any("summing" in n for p in view.cohort.panels
                                    for n in p.notes))
    return view


def test_cases_chosen_in_the_list_are_aligned_and_one_is_listed_as_not_alignable(
        qtbot, make_window, demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    _ctrl_click(qtbot, w, "H-42")
    _ctrl_click(qtbot, w, "H-43")
    assert len(w.browser.selected_ids()) == 3
    view = _open_cohort(qtbot, w)
    items = [view.patients.item(i).text() for i in range(view.patients.count())]
    assert items == ["H-41 · no relapse", "H-42 · no relapse",
                     "H-43: not alignable (no anakinra recorded: nothing to align at its "
                     "start)"]
    assert "3 cases selected" in view.windowTitle()
    il1b = view.stack.tracks["IL1B"].panel
    assert [ln.name for ln in il1b.lines] == ["H-41", "H-42"]
    # H-41's day 0 is 15 January: its first sample (8 January, 09:00) is day -6.625.
    assert il1b.lines[0].days.tolist() == [-6.625, 7.375, 21.375]


def test_hovering_names_the_patient_and_a_click_opens_the_case_on_that_day(
        qtbot, make_window, demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    _ctrl_click(qtbot, w, "H-42")
    view = _open_cohort(qtbot, w)
    view.resize(1200, 820)
    qtbot.wait(50)
    stack = view.stack
    # Ctrl+click made H-42 the case on screen: point at H-41's line. Its second sample,
    # 22 January 09:00, is day +7.375 (anakinra from 15 January), at its fold on the log
    # axis.
    line = stack.tracks["IL1B"].panel.lines[0]
    pos = data_to_viewport(stack, "IL1B", 7.375 * DAY, float(np.log10(line.values[1])))
    _hover(stack.view.viewport(), pos)
    qtbot.waitUntil(lambda: stack.hovered_line is not None)
    assert stack.hovered_line.name == "H-41"
    assert stack.view.toolTip() == "H-41"
    assert "H-41: IL-1β fold" in readout_text(stack)
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        _click(stack.view.viewport(), pos)
    assert w.case.pseudonym == "H-41"
    qtbot.waitUntil(lambda: w.timeline.cursor_t is not None)
    assert abs(w.timeline.cursor_t - utc("2024-01-22T09:00")) < DAY / 4
    lo, hi = w.timeline.x_range()
    assert lo < w.timeline.cursor_t < hi


def test_one_case_chosen_shows_every_case_of_its_diagnosis(qtbot, make_window):
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    view = _open_cohort(qtbot, w)
    assert [m.pseudonym for m in view.cohort.members] == ["NLRP12-01", "NLRP12-02"]
    assert "every case of NLRP12-associated autoinflammatory disorder" in view.windowTitle()
    # Each demo case has a diary: one AIDAI line each.
    assert len(view.stack.tracks["AIDAI"].panel.lines) == 2


def test_the_cohort_page_lists_the_patients(qtbot, make_window, demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    _ctrl_click(qtbot, w, "H-42")
    _ctrl_click(qtbot, w, "H-43")
    _open_cohort(qtbot, w)
    path = tmp_path / "cohort.pdf"
    w.cohort.write_pdf(str(path))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Cohort · 3 cases selected" in text
    assert "H-41" in text and "H-43: not alignable" in text
    assert "IL-1β fold" in text and "Days from anakinra start" in text


def test_the_about_line_stops_saying_the_diaries_are_being_summed(qtbot, make_window):
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    view = _open_cohort(qtbot, w)
    assert "AIDAI" in view.stack.tracks and "summing" not in view.about.text()


def test_closing_the_window_leaves_no_live_plot_item_to_the_garbage_collector(
        qtbot, demo_engine, settings):
    # The interquartile band was pyqtgraph's FillBetweenItem over two curves no scene
    # owned: after the window was deleted they lived on in a reference loop until the
    # garbage collector deleted them, live, at any moment (the suite segfaulted, mid-run
    # or at exit).
    import pyqtgraph as pg
    import shiboken6

    from gui.main_window import MainWindow

    gc.collect()  # what earlier tests left
    w = MainWindow(demo_engine, settings)  # deleted here, as the app does at exit
    w.show()
    open_case(qtbot, w, "NLRP12-01")
    view = _open_cohort(qtbot, w)
    assert view.stack.tracks["CRP"].band  # drawn
    w.loader.wait()
    view.close()
    w.close()
    w.deleteLater()
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    del view, w
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
        gc.collect()
        live = [type(o).__name__ for o in gc.garbage
                if isinstance(o, pg.PlotDataItem | pg.PlotCurveItem | pg.ScatterPlotItem)
                and shiboken6.isValid(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert live == []


# One disease as three hospitals wrote it, and another disease (issue 14, item 6: "all of
# a diagnosis" grouped on the exact text).
PATIENTS = """pseudonym,diagnosis
H-41,CAPS (MWS)
H-42,Muckle-Wells syndrome
H-43,cryopyrin-associated periodic syndrome
H-44,TRAPS
"""
TRAPS_LAB = """patient,date,code,value,unit,specimen
H-44,2024-03-04T09:00,IL1B,50,pg/mL,pbmc-spont
"""


def test_every_case_of_a_diagnosis_takes_in_the_names_it_was_recorded_under(
        qtbot, make_window, demo_engine, tmp_path):
    from data.patient_file import read_patient_file
    from db.patients import import_patients

    import_texts(demo_engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES,
                                         "traps.csv": TRAPS_LAB})
    (tmp_path / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    checked = read_patient_file(tmp_path / "patients.csv", engine=demo_engine)
    import_patients(demo_engine, checked.records, actor="test", source=checked.file)
    w = make_window()
    open_case(qtbot, w, "H-41")  # one case selected: every case of its diagnosis
    view = _open_cohort(qtbot, w)
    # The demo's CAPS-01 too: "Cryopyrin-associated periodic syndrome (Muckle-Wells)".
    assert [m.pseudonym for m in view.cohort.members] == ["CAPS-01", "H-41", "H-42"]
    assert [p for p, _why in view.cohort.not_alignable] == ["H-43"]
    assert view.windowTitle() == (
        "Cohort · every case of Cryopyrin-associated periodic syndrome (CAPS) — recorded as "
        "Cryopyrin-associated periodic syndrome (Muckle-Wells), CAPS (MWS), Muckle-Wells "
        "syndrome, cryopyrin-associated periodic syndrome")
    assert "every case of Cryopyrin-associated periodic syndrome (CAPS)" in view.about.text()


def test_a_selection_nobody_can_be_aligned_in_is_said_in_words_not_drawn_as_empty_axes(
        qtbot, make_window, demo_engine, tmp_path):
    import_texts(demo_engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES,
                                         "traps.csv": TRAPS_LAB})
    w = make_window()
    open_case(qtbot, w, "H-43")
    _ctrl_click(qtbot, w, "H-44")
    view = _open_cohort(qtbot, w)
    view.resize(1000, 600)
    message = ("No case in this selection has anakinra recorded: H-43, H-44. Each line "
               "starts at a patient's first anakinra dose (day 0), so there is nothing to "
               "draw.")
    assert view.pages.currentWidget() is view.nothing and view.nothing.isVisible()
    assert view.nothing.text() == message
    assert not view.stack.isVisible() and view.stack.tracks == {}  # no axes, no ticks
    assert view.export_button.isEnabled()
    path = tmp_path / "cohort.pdf"
    w.cohort.write_pdf(str(path))
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert message in text
    assert "H-43: not alignable" in text
    assert "Days from anakinra start" not in text and "× controls" not in text
    # A cohort with a case to align draws again, in the same window (View → Cohort view…:
    # the shortcut belongs to the main window, which the cohort window now covers).
    _ctrl_click(qtbot, w, "H-41")
    w.cohort.action.trigger()
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.stack)
    assert [m.pseudonym for m in view.cohort.members] == ["H-41"]
    qtbot.waitUntil(lambda: "AIDAI" in view.stack.tracks and "summing" not in
                    view.about.text())


def test_export_pdf_starts_in_the_last_export_folder_else_documents_and_remembers_it(
        qtbot, make_window, monkeypatch):
    """The cohort's file dialog opened in the program's folder (a bare file name)."""
    from gui import export_dialog
    from tests.gui import save_dialog

    documents = save_dialog.documents(monkeypatch)
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    view = _open_cohort(qtbot, w)
    chosen = documents / "Cohorts" / "NLRP12 cohort"
    starts = save_dialog.answer_with(monkeypatch, chosen)
    qtbot.mouseClick(view.export_button, QtCore.Qt.MouseButton.LeftButton)
    assert starts == [str(documents / "cohort.pdf")]
    written = chosen.with_name("NLRP12 cohort.pdf")  # ".pdf" added to a name without it
    assert written.is_file() and written.read_bytes().startswith(b"%PDF")
    # The next export, a case's or the overlay's, starts where this one went.
    assert export_dialog._default_folder() == documents / "Cohorts"
    # ... and so does the cohort's next one.
    qtbot.mouseClick(view.export_button, QtCore.Qt.MouseButton.LeftButton)
    assert starts[1] == str(documents / "Cohorts" / "cohort.pdf")


def test_esc_closes_the_cohort_window(qtbot, make_window):
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    view = _open_cohort(qtbot, w)
    view.activateWindow()
    QTest.keyClick(view, QtCore.Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible())
