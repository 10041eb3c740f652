"""Two reviewers' windows on one database (each its own engine, as two Flarescopes are):
the second to save an edit of the same episode is refused, shown the first's change, and
chooses. On both back-ends."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from data.alignment import DAY
from db.engine import open_database
from db.episodes import get_episode
from tests.backend import target
from tests.gui.conftest import LANE_Y, open_case, show
from tests.gui.drag import drag
from tests.gui.test_annotation import audit


@pytest.fixture
def two_windows(qtbot, make_window, demo_engine, settings, tmp_path):
    from gui.settings import Settings

    settings.set("reviewer/name", "Dr Martin")
    first = make_window()
    # Side by side, as on one desk: a window under the other would take its mouse events.
    first.setGeometry(0, 0, 960, 1000)
    other_engine = open_database(target(demo_engine))
    other_settings = Settings(QtCore.QSettings(str(tmp_path / "other.ini"),
                                               QtCore.QSettings.Format.IniFormat))
    other_settings.set("reviewer/name", "Dr Leroy")
    second = make_window(other_engine, other_settings)
    second.setGeometry(960, 0, 960, 1000)
    yield first, second
    second.loader.wait()
    second.close()
    other_engine.dispose()


def test_the_second_to_save_is_refused_and_shown_the_firsts_change(qtbot, two_windows,
                                                                    demo_engine):
    first, second = two_windows
    for w in (first, second):
        open_case(qtbot, w, "NLRP12-02")
    row = first.case.episodes.iloc[0]
    eid, onset = int(row["id"]), int(row["onset"])
    # Dr Leroy starts typing a note on the relapse …
    second.episode_feature.controller.select(eid)
    note = second.episode_feature.properties.note
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClick(note, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(note, " Rash on day 3.")
    # … while Dr Martin moves its onset ten days earlier in the other window (on another
    # desk: this one's activation would take the focus from the note, which saves it).
    show(qtbot, first, onset - 30 * DAY, onset + 50 * DAY)
    drag(qtbot, first.timeline, "episodes", onset, onset - 10 * DAY, y=LANE_Y)
    assert get_episode(demo_engine, eid)["onset"] == onset - 10 * DAY
    qtbot.wait(1500)  # Dr Leroy's window waits: a note is being typed
    assert note.toPlainText().endswith(" Rash on day 3.")

    qtbot.keyClick(note, QtCore.Qt.Key.Key_Return)  # based on the old version: refused
    qtbot.waitUntil(lambda: second.conflict_dialog is not None)
    box = second.conflict_dialog
    theirs, mine = box.informativeText().split("Your change")
    assert "Dr Martin (" in theirs and "onset: 2010-03-14 → 2010-03-04" in theirs
    assert "Rash on day 3." in mine
    assert int(second.case.episodes.iloc[0]["onset"]) == onset - 10 * DAY  # theirs shown
    assert get_episode(demo_engine, eid)["note"] == row["note"]  # nothing overwritten

    qtbot.mouseClick(box.apply_button, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: get_episode(demo_engine, eid)["version"] == 3)
    ep = get_episode(demo_engine, eid)
    assert ep["onset"] == onset - 10 * DAY and ep["note"].endswith(" Rash on day 3.")
    assert [a["actor"] for a in audit(demo_engine, eid)][-2:] == ["Dr Martin", "Dr Leroy"]
    # And Dr Martin's window shows Dr Leroy's note within seconds.
    qtbot.waitUntil(lambda: first.case.episodes.iloc[0]["note"].endswith(" Rash on day 3."),
                    timeout=5000)
