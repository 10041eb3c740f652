"""The Episode overlay window: a hospital's hand-written files, two relapses annotated; the
reviewer opens the overlay, reads the episodes, hovers and clicks a line, exports the page
(issue 14, item 5)."""

from __future__ import annotations

import subprocess

from PySide6 import QtCore
from PySide6.QtTest import QTest

from data.alignment import DAY
from db.episodes import create_episode
from gui.timeline.stack import data_to_viewport
from tests.gui.conftest import open_case
from tests.gui.hand_files import import_texts, utc
from tests.gui.test_timeline import readout_text

LAB = """patient,date,code,value,unit,specimen
H-30,2024-02-26T09:00,IL1B,20,pg/mL,pbmc-spont
H-30,2024-03-04T09:00,IL1B,200,pg/mL,pbmc-spont
H-30,2024-03-18T09:00,IL1B,40,pg/mL,pbmc-spont
H-30,2024-06-10T09:00,IL1B,10,pg/mL,pbmc-spont
H-30,2024-06-17T09:00,IL1B,100,pg/mL,pbmc-spont
H-30,2024-07-01T09:00,IL1B,30,pg/mL,pbmc-spont
"""
DOSES = """patient,drug,dose,unit,start,end
H-30,anakinra,100,mg,2024-01-01,
"""


def _window(qtbot, make_window, demo_engine, tmp_path):
    import_texts(demo_engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES})
    w = make_window()
    case = open_case(qtbot, w, "H-30")
    for onset in ("2024-03-04", "2024-06-17"):
        create_episode(demo_engine, case.id, actor="dr", kind="relapse", onset=int(utc(onset)))
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        w.reload_case()
    return w


def _open_overlay(qtbot, w):
    QTest.keyClick(w, QtCore.Qt.Key.Key_O, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.overlay.dock.isVisible())
    return w.overlay.panel


def test_the_overlay_lists_each_relapse_and_draws_one_line_each(qtbot, make_window,
                                                                demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    panel = _open_overlay(qtbot, w)
    texts = [panel.episodes.item(i).text() for i in range(panel.episodes.count())]
    # Anakinra from 1 January 2024: the relapses start on days +63 and +168.
    assert texts == ["#1 relapse, day +63 · 3 values", "#2 relapse, day +168 · 3 values"]
    [key] = panel.stack.tracks
    track = panel.stack.tracks[key]
    assert [ln.values.tolist() for ln in track.panel.lines] == [[20, 200, 40], [10, 100, 30]]
    assert "Median" in panel.message.text()


def test_hovering_a_line_names_its_episode_and_a_click_shows_that_day(qtbot, make_window,
                                                                      demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    panel = _open_overlay(qtbot, w)
    qtbot.wait(50)
    stack = panel.stack
    [key] = stack.tracks
    # The second relapse's own day 0 value: 100 pg/mL at 09:00 (day 0.375).
    x, y = 0.375 * DAY, 2.0
    pos = data_to_viewport(stack, key, x, y)
    QTest.mouseMove(stack.view.viewport(), pos)
    qtbot.waitUntil(lambda: stack.hovered_line is not None)
    assert stack.hovered_line.name == "#2 relapse, day +168"
    text = readout_text(stack)
    assert "#2 relapse, day +168: IL-1β, PBMC, spontaneous 100 pg/mL" in text
    # Day 0 on the grid: both lines read on the log axis 6.625/7 of the way from their
    # day -6.625 value (20, 10) to their day 0.375 value (200, 100); the median of two
    # on a log axis is their geometric mean.
    a, b = 10 ** (1.30103 + 6.625 / 7), 10 ** (1 + 6.625 / 7)
    assert f"median of 2 {round((a * b) ** 0.5)} pg/mL" in text
    with qtbot.waitSignal(stack.lineClicked) as clicked:
        QTest.mouseClick(stack.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    member, t = clicked.args
    assert member == 2
    assert abs(t - (utc("2024-06-17") + 0.375 * DAY)) < DAY / 4
    lo, hi = w.timeline.x_range()
    assert lo <= t <= hi and w.timeline.cursor_t == t


def test_the_overlay_page_names_the_episodes_and_the_definition(qtbot, make_window,
                                                                 demo_engine, tmp_path):
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    _open_overlay(qtbot, w)
    path = tmp_path / "overlay.pdf"
    w.overlay.write_pdf(str(path))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Episode overlay · H-30" in text
    assert "#1 relapse, day +63" in text and "#2 relapse, day +168" in text
    assert "Days from each relapse onset" in text
    assert "IL-1β, PBMC, spontaneous" in text
    # The page's axis spans the whole window, as the screen's does (it stopped at the
    # values: day -7 … +14).
    lines = [ln for ln in text.splitlines() if ln.strip()]
    ticks = lines[lines.index(next(ln for ln in lines if "Days from each relapse onset" in ln))
                  - 1].split()
    assert ticks[0] == "-28" and ticks[-1] == "56"


def test_the_axis_spans_the_whole_window_and_labels_its_edges(qtbot, make_window,
                                                              demo_engine, tmp_path):
    # A clinician found the axis ending at the samples (-20 … +40), never showing -28.
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    panel = _open_overlay(qtbot, w)
    qtbot.wait(50)
    stack = panel.stack
    lo, hi = stack.x_range()
    assert lo < -28 * DAY and hi > 56 * DAY
    axis = stack.time_axes()[0]
    [(_, ticks)] = axis.tickValues(lo, hi, axis.geometry().width())
    labels = axis.tickStrings(ticks, 1, DAY)
    assert labels[0] == "-28" and labels[-1] == "56" and "0" in labels
    panel.from_box.setValue(-90)  # the reviewer widens it: the axis follows
    qtbot.waitUntil(lambda: stack.x_range()[0] < -90 * DAY)


def test_panels_keep_a_readable_height_in_the_dock(qtbot, make_window, demo_engine,
                                                   tmp_path):
    from gui.overlay.panel import PANEL_HEIGHT

    w = _window(qtbot, make_window, demo_engine, tmp_path)
    # Five more analytes around the first relapse (4 March): six panels in the dock. No
    # SAA near the second relapse: its SAA line is empty (that crashed the overlay).
    more = "patient,date,code,value,unit,specimen\n" + "".join(
        f"H-30,2024-03-0{d}T09:00,{c},{v},{u},{s}\n" for d in (2, 6) for c, v, u, s in (
            ("TNFA", 30, "pg/mL", "pbmc-spont"), ("IL6", 40, "pg/mL", "pbmc-spont"),
            ("CRP", 12, "mg/L", "serum"), ("SAA", 20, "mg/L", "serum"),
            ("IL1RA", 900, "pg/mL", "pbmc-spont")))
    import_texts(demo_engine, tmp_path, {"more.csv": more})
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        w.reload_case()
    panel = _open_overlay(qtbot, w)
    qtbot.wait(50)
    assert len(panel.stack.tracks) == 6
    heights = [plot.height() for _key, plot in panel.stack.visible_plots()]
    assert min(heights) >= PANEL_HEIGHT - 1  # they scroll rather than squeeze


STOPPED = """patient,date,code,value,unit,specimen
H-31,2024-02-20T09:00,IL1B,20,pg/mL,pbmc-spont
H-31,2024-03-05T09:00,IL1B,150,pg/mL,pbmc-spont
H-31,2024-07-08T09:00,IL1B,300,pg/mL,pbmc-spont
"""
STOPPED_DOSES = """patient,drug,dose,unit,start,end
H-31,anakinra,100,mg,2024-01-01,2024-02-29
H-31,anakinra,150,mg,2024-03-10,2024-06-30
"""


def test_the_reviewer_chooses_each_anakinra_stop_and_the_choices_say_how_many(
        qtbot, make_window, demo_engine, tmp_path):
    import_texts(demo_engine, tmp_path, {"lab.csv": STOPPED, "doses.csv": STOPPED_DOSES})
    w = make_window()
    open_case(qtbot, w, "H-31")
    panel = _open_overlay(qtbot, w)
    box = panel.anchor_box
    # No relapse; 100 → 0 on 1 March and 0 → 150 on 10 March; one start; two stops.
    assert [box.itemText(i) for i in range(box.count())] == [
        "Each relapse onset (0)", "Each dose change (2)", "Anakinra start (1)",
        "Each anakinra stop (2)"]
    assert "interruption" in box.itemData(3, QtCore.Qt.ItemDataRole.ToolTipRole)
    box.setFocus()
    for _ in range(3):
        QTest.keyClick(box, QtCore.Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: panel.episodes.count() == 2)
    # 1 March 2024 is day +60 (31 + 29 days); the last dose on 30 June: day +182 is 1 July.
    texts = [panel.episodes.item(i).text() for i in range(2)]
    assert texts == ["#1 interrupted after 100 mg/d, day +60 · 2 values",
                     "#2 end of treatment after 150 mg/d, day +182 · 1 value"]
    assert "the first day without anakinra" in box.toolTip()
    [track] = panel.stack.tracks.values()
    # 20 on day -10 and 150 on day +4 of the interruption; 300 on day +7 after the end.
    assert [ln.values.tolist() for ln in track.panel.lines] == [[20, 150], [300]]
    assert [round(d, 3) for d in track.panel.lines[1].days] == [7.375]


def test_export_pdf_starts_in_documents_and_the_main_export_follows(
        qtbot, make_window, demo_engine, tmp_path, monkeypatch):
    """The overlay's file dialog opened in the program's folder (a bare file name)."""
    from gui import export_dialog
    from tests.gui import save_dialog

    documents = save_dialog.documents(monkeypatch)
    w = _window(qtbot, make_window, demo_engine, tmp_path)
    panel = _open_overlay(qtbot, w)
    chosen = documents / "Reviews" / "overlay H-30"
    starts = save_dialog.answer_with(monkeypatch, chosen)
    qtbot.mouseClick(panel.export_button, QtCore.Qt.MouseButton.LeftButton)
    assert starts == [str(documents / "H-30 overlay.pdf")]
    written = chosen.with_name("overlay H-30.pdf")  # ".pdf" added to a name without it
    assert written.is_file() and written.read_bytes().startswith(b"%PDF")
    # The next export, the case's own, starts where this one went.
    assert export_dialog._default_folder() == documents / "Reviews"


SINGLE = """patient,date,code,value,unit,specimen
H-31,2024-03-05T09:00,IL1B,200,pg/mL,pbmc-spont
H-31,2024-06-18T09:00,IL1B,100,pg/mL,pbmc-spont
H-31,2024-03-05T09:00,TNFA,700,pg/mL,pbmc-lps
H-31,2024-06-18T09:00,TNFA,500,pg/mL,pbmc-lps
"""


def test_a_panel_of_one_sample_per_relapse_is_titled_in_the_dock_and_on_the_page(
        qtbot, make_window, demo_engine, tmp_path):
    # LYON-07: one sample per relapse, so no median and no legend entry: eight panels read
    # only "pg/mL", in the dock and on the PDF page.
    import_texts(demo_engine, tmp_path, {"lab.csv": SINGLE, "doses.csv": DOSES.replace(
        "H-30", "H-31")})
    w = make_window()
    case = open_case(qtbot, w, "H-31")
    for onset in ("2024-03-04", "2024-06-17"):
        create_episode(demo_engine, case.id, actor="dr", kind="relapse", onset=int(utc(onset)))
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        w.reload_case()
    panel = _open_overlay(qtbot, w)
    titles = {key: track.plot.titleLabel.text.replace("&nbsp;", " ").replace("\u2060", "")
              for key, track in panel.stack.tracks.items()}
    assert len(titles) == 2
    assert all(track.plot.titleLabel.isVisible() for track in panel.stack.tracks.values())
    assert "IL-1β, PBMC, spontaneous" in titles["IL1B:pbmc-spont"]
    assert "TNF-α, PBMC, LPS-stimulated" in titles["TNFA:pbmc-lps"]
    path = tmp_path / "overlay.pdf"
    w.overlay.write_pdf(str(path))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "IL-1β, PBMC, spontaneous" in text and "TNF-α, PBMC, LPS-stimulated" in text


def test_the_view_menu_names_the_overlay_not_a_case_opened_earlier(qtbot, make_window):
    # "Episode overlay · LYON-07" stayed in the View menu with another case open.
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    _open_overlay(qtbot, w)
    w.overlay.dock.close()
    open_case(qtbot, w, "NLRP12-02")
    assert w.overlay.dock.toggleViewAction().text() == "Episode overlay"
