"""The Key figures panel beside the timeline: the PDF's figures, and a click rings the
samples behind a figure on the timeline (issue 14, item 4)."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore
from PySide6.QtTest import QTest

from data.alignment import DAY
from data.key_figure_samples import case_figures
from data.summary import build_summary
from gui.key_figures.panel import RECORD_ROLE, KeyFiguresPanel
from tests.data.insight_cases import make_case
from tests.gui.conftest import open_case

# Baseline 800, 1200 (median 1000); best <5 on day +40; near-normal day +14; TNF-α rise
# 90 (day +116) ÷ 10 (day +38) = 9.
HAND = [(-46, 9, "IL1B", 800), (-10, 9, "IL1B", 1200), (7, 9, "IL1B", 30),
        (14, 9, "IL1B", 15), (40, 9, "IL1B", 5, "<"), (92, 9, "IL1B", 40),
        (38, 9, "TNFA", 10), (80, 9, "TNFA", 60), (116, 9, "TNFA", 90)]


def _click(qtbot, panel: KeyFiguresPanel, name: str) -> None:
    row = next(i for i in range(panel.figures.count())
               if panel.figures.item(i).data(RECORD_ROLE)["name"] == name)
    rect = panel.figures.visualItemRect(panel.figures.item(row))
    QTest.mouseClick(panel.figures.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=rect.center())


def test_clicking_a_figure_announces_its_samples(qtbot):
    panel = KeyFiguresPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 700)
    panel.show()
    panel.show_record(case_figures(make_case(HAND, [(0, 120, 100)])))
    assert panel.figures.count() == 6
    with qtbot.waitSignal(panel.figureChosen) as sig:
        _click(qtbot, panel, "TNF-α rise")
    assert [(s["code"], s["day"]) for s in sig.args[0]["samples"]] == [
        ("IL1B", 40), ("TNFA", 38), ("TNFA", 116)]
    details = panel.details.text()
    assert "×9: 90 pg/mL on day +116 ÷ 10 pg/mL on day +38" in details
    assert "Definition." in details and "TNF-α (PBMC, spontaneous) 2020-02-13 (day +38): " \
        "10 pg/mL" in details
    panel.grab().save("/tmp/insight_shots/key_figures_panel.png")


def test_the_panel_shows_the_pdf_figures_and_rings_their_samples(qtbot, make_window):
    w = make_window()
    case = open_case(qtbot, w, "NLRP12-02")
    feature = w.key_figures
    assert not feature.dock.isVisible()  # closed until asked for: the timeline keeps its width
    assert feature.panel.record is None
    QTest.keyClick(w, QtCore.Qt.Key.Key_K, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert feature.dock.isVisible()
    panel = feature.panel
    shown = [panel.figures.item(i).data(RECORD_ROLE) for i in range(panel.figures.count())]
    assert [(f["name"], f["value"]) for f in shown] == \
        [(f.name, f.value) for f in build_summary(case).figures]
    w.timeline.set_x_range(case.anchor.t + 600 * DAY, case.anchor.t + 700 * DAY)
    _click(qtbot, panel, "Baseline IL-1β")
    baseline = next(f for f in shown if f["name"] == "Baseline IL-1β")
    ringed = feature.highlight.ringed
    assert [r.t for r in ringed] == [s["t"] for s in baseline["samples"]] and len(ringed) == 4
    assert {r.track for r in ringed} == {"cytokines"}
    # On the cytokine track's log axis, at the measured values.
    assert np.allclose([10 ** r.y for r in ringed], [s["value"] for s in baseline["samples"]])
    lo, hi = w.timeline.x_range()
    assert all(lo <= r.t <= hi for r in ringed)  # brought into view from day +600
    qtbot.wait(50)
    w.grab().save("/tmp/insight_shots/key_figures_window.png")
    # A figure without samples moves to its day and clears the rings.
    _click(qtbot, panel, "First relapse onset")
    assert feature.highlight.ringed == []
    lo, hi = w.timeline.x_range()
    assert lo <= case.anchor.t + 272 * DAY <= hi


def test_a_closed_dock_computes_nothing_until_opened(qtbot, make_window):
    w = make_window()
    feature = w.key_figures
    open_case(qtbot, w, "CAPS-01")
    assert feature.panel.record is None
    feature.dock.show()
    qtbot.waitUntil(lambda: feature.panel.record is not None)
    assert feature.panel.record["case"] == "CAPS-01"


def test_a_new_near_normal_threshold_recomputes_the_panel(qtbot, make_window, settings):
    w = make_window()
    w.key_figures.dock.show()
    open_case(qtbot, w, "NLRP12-02")
    settings.set("figures/near_normal_fold", 1.1)
    w.preferencesChanged.emit()
    near = next(f for f in w.key_figures.panel.record["figures"]
                if f["name"] == "Days to near-normal IL-1β")
    assert near["threshold"] == "fold ≤ 1.1"


def test_an_opened_dock_is_open_again_after_a_restart(qtbot, make_window, settings):
    w = make_window()
    w.key_figures.dock.show()
    w.close()
    again = make_window()
    assert again.key_figures.dock.isVisible()


def test_the_first_relapse_follows_an_episode_drawn_with_the_panel_open(qtbot, window,
                                                                       demo_engine):
    from tests.gui.drag import drag
    from tests.gui.test_annotation import annotate_in

    day0 = annotate_in(qtbot, window)  # NLRP12-01: no relapse annotated
    feature = window.key_figures
    feature.dock.show()
    qtbot.waitUntil(lambda: feature.panel.record is not None)

    def onset() -> str:
        return next(f["value"] for f in feature.panel.record["figures"]
                    if f["name"] == "First relapse onset")

    assert onset() == "no relapse annotated"
    drag(qtbot, window.timeline, "cytokines", day0 + 100 * DAY, day0 + 110 * DAY)
    assert onset() == "day +100"
    window.actions["undo"].trigger()
    assert onset() == "no relapse annotated"
