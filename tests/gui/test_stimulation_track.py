"""The stimulation index as its own line, shown from View → Tracks (issue 14, item 2)."""

from __future__ import annotations

from data.codes import PBMC_LPS, PBMC_SPONTANEOUS
from gui.timeline.widget import TimelineWidget
from tests.data.insight_cases import at, make_case
from tests.gui.conftest import open_case
from tests.gui.test_timeline import _shown, readout_text

S, L = PBMC_SPONTANEOUS, PBMC_LPS
OBS = [(3, 9, "IL1B", 100, "", S), (3, 11, "IL1B", 1200, "", L),
       (30, 9, "IL1B", 50, "", S), (30, 9, "IL1B", 150, "", L),
       (3, 9, "TNFA", 20, "", S), (3, 9, "TNFA", 90, "", L)]


def _timeline(qtbot, case) -> TimelineWidget:
    return _shown(qtbot, case)


def test_the_index_track_is_hidden_until_shown_then_reads_the_ratio(qtbot):
    w = _timeline(qtbot, make_case(OBS, [(0, None, 100)]))
    assert "stimulation" in w.available_tracks() and "stimulation" not in w.tracks
    w.set_track_visible("stimulation", True)
    track = w.tracks["stimulation"]
    il1b = next(s for s in track.series if s.label.startswith("IL-1β"))
    assert list(il1b.y) == [12, 3]  # 1200 ÷ 100 on day 3, 150 ÷ 50 on day 30
    w.set_cursor(at(3, 11))
    text = readout_text(w)
    assert "IL-1β LPS ÷ spont. 12 × spont." in text and "TNF-α LPS ÷ spont. 4.5" in text
    qtbot.wait(100)  # the new plot takes its place in the layout
    w.grab().save("/tmp/insight_shots/stimulation_track.png")


def test_a_case_without_both_stimulations_offers_no_index_track(qtbot):
    w = _timeline(qtbot, make_case([(3, 9, "IL1B", 100, "", S)]))
    w.set_track_visible("stimulation", True)
    assert "stimulation" not in w.available_tracks() and "stimulation" not in w.tracks


def test_view_tracks_shows_the_index_and_remembers_it(qtbot, make_window, settings):
    w = make_window()
    open_case(qtbot, w, "NLRP12-01")
    assert "stimulation" not in w.timeline.tracks
    w._fill_tracks_menu()
    sub = next(a.menu() for a in w.tracks_menu.actions()
               if a.text() == "Stimulation index (LPS ÷ spontaneous)")
    next(a for a in sub.actions() if a.text() == "Show").trigger()
    assert "stimulation" in w.timeline.tracks
    order, hidden = settings.track_config()
    assert "stimulation" in order and "stimulation" not in hidden
