"""The physician global in sight (clinician review): the readout gives the score the step
line shows under the cursor, with the day it was given."""

from __future__ import annotations

import re

from PySide6 import QtCore
from PySide6.QtTest import QTest

from data.alignment import DAY
from data.codes import PGA, pga_text
from gui.timeline.stack import data_to_viewport
from tests.gui.conftest import open_case
from tests.gui.test_readout_dates import _plain


def _pga_part(timeline) -> str:
    return next(p for p in _plain(timeline.readout.text()).split(" · ")
                if "Physician global" in p)


def test_the_readout_gives_the_score_the_step_shows(qtbot, make_window):
    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    t = w.timeline
    t.set_track_visible("pga", True)
    w.actions["relative_axis"].trigger()
    s = case.series(PGA)
    x, v = s["t"].to_numpy(dtype=float), s["value"].to_numpy(dtype=float)
    # Two visits with different scores far enough apart that the later one is nearer to a
    # day just before it: the step still shows the earlier one there.
    k = next(i for i in range(len(x) - 1) if v[i] != v[i + 1] and x[i + 1] - x[i] > 8 * DAY)
    cursor = x[k + 1] - 2 * DAY
    t.set_x_range(x[k] - 5 * DAY, x[k + 1] + 5 * DAY)
    qtbot.wait(30)
    QTest.mouseMove(t.view.viewport(), data_to_viewport(t, "pga", cursor, 1.0))
    qtbot.waitUntil(lambda: t.cursor_t is not None and abs(t.cursor_t - cursor) < DAY / 4,
                    timeout=3000)
    assert _pga_part(t) == f"■ Physician global {pga_text(v[k])} ({case.anchor.label(x[k])})"
    # On the day of the next visit, that visit's score, and it holds after it.
    for at in (x[k + 1] + 0.1 * DAY, x[k + 1] + 3 * DAY):
        QTest.mouseMove(t.view.viewport(), data_to_viewport(t, "pga", at, 1.0))
        qtbot.waitUntil(lambda at=at: abs(t.cursor_t - at) < DAY / 4, timeout=3000)
        assert _pga_part(t).startswith(f"■ Physician global {pga_text(v[k + 1])}")


VISITS = """patient,date,code,value,unit,specimen
H-31,2024-01-15T09:00,CRP,45,mg/L,serum
H-31,2024-01-15T09:00,PGA,3,{score},
H-31,2024-03-08T09:00,CRP,4,mg/L,serum
H-31,2024-03-08T09:00,PGA,1,{score},
H-31,2024-04-10T09:00,PGA,0,{score},
"""


def test_the_results_grid_and_the_pdf_have_a_physician_global_column(qtbot, make_window,
                                                                     demo_engine, tmp_path):
    from pypdf import PdfReader

    from data.importing import import_file
    from gui.pdf.export import export_case_pdf

    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    import_file(demo_engine, path)
    w = make_window()
    case = open_case(qtbot, w, "H-31")
    w.results_grid.dock.show()
    model = w.results_grid.panel.model
    titles = [model.headerData(c, QtCore.Qt.Orientation.Horizontal)
              for c in range(model.columnCount())]
    assert titles == ["CRP\nmg/L", "Physician global\n0–4"]
    assert [model.index(r, 1).data() for r in range(3)] == ["3 (moderate)", "1 (minimal)",
                                                            "0 (absent)"]
    # A score has no reference: nothing flagged, nothing coloured.
    assert model.index(0, 0).data().endswith("↑")
    assert model.index(0, 1).data(QtCore.Qt.ItemDataRole.ForegroundRole) is None

    pdf = export_case_pdf(demo_engine, tmp_path / "case.pdf", patient_id=case.id)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
    grid = text[text.index("Cytokine measurements"):]
    # The score over its word, as the window's grid reads it (the number alone was printed
    # for want of room, its words only in the note).
    assert "PGA 0–4" in grid and "45 ↑ 3 moderate no anakinra" in grid
    assert "4 1 minimal no anakinra" in grid and "0 absent no anakinra" in grid
    assert "PGA: physician global assessment, 0 absent, 1 minimal, 2 mild, 3 moderate, " \
        "4 severe; no reference, never flagged." in grid
    assert "Physician global no reference" not in grid


def test_the_physician_global_track_shows_by_default_where_every_track_fits(
        qtbot, make_window, demo_engine, tmp_path):
    from data.importing import import_file
    from tests.gui.test_main_window import _sized

    path = tmp_path / "visits.csv"
    path.write_text(VISITS, encoding="utf-8")
    import_file(demo_engine, path)
    w = _sized(qtbot, make_window, 1024, 700)
    t = w.timeline
    # NLRP12-01 fills a 1024×700 screen (six data tracks): the scores wait in View → Tracks.
    assert "pga" not in t.tracks and not t.shown("pga")
    assert t.scroll.verticalScrollBar().maximum() == 0
    # A hospital's case with markers and imported scores: there is room, it is shown.
    open_case(qtbot, w, "H-31")
    assert "pga" in t.tracks and t.shown("pga")
    assert t.scroll.verticalScrollBar().maximum() == 0
    assert t.plot_for("pga").vb.height() >= 52  # its five labels apart
    # A taller window gives the full case the room too.
    open_case(qtbot, w, "NLRP12-01")
    w.resize(1600, 1000)
    qtbot.waitUntil(lambda: "pga" in t.tracks, timeout=3000)
    assert t.scroll.verticalScrollBar().maximum() == 0
    # Back on the small screen it gives way, unless the reviewer asks for it.
    w.resize(1024, 700)
    qtbot.waitUntil(lambda: "pga" not in t.tracks, timeout=3000)
    w.tracks_menu.aboutToShow.emit()
    show = next(a for m in w.tracks_menu.actions() if m.menu() and m.text() == "Physician global"
                for a in m.menu().actions() if a.text() == "Show")
    assert not show.isChecked()
    show.trigger()
    assert "pga" in t.tracks  # it scrolls now, as asked
