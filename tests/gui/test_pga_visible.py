"""The physician global in sight (clinician review): the readout gives the score the step
line shows under the cursor, with the day it was given."""

from __future__ import annotations

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
