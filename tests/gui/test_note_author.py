"""A note is credited to whoever wrote it (the login in force), not to the login that
created its episode: the same reviewer in the notes row and in the audit row, in the
identified and the de-identified PDF."""

from __future__ import annotations

from PySide6 import QtCore

from db.episodes import get_episode
from tests.data.test_audit_field_words import _trail
from tests.gui.conftest import open_case
from tests.gui.test_annotation import fit_screen, type_note


def test_a_note_typed_on_anothers_episode_is_its_typists(qtbot, make_window, reviewer,
                                                         demo_engine):
    window = make_window()
    fit_screen(window)
    open_case(qtbot, window, "NLRP12-02")
    row = window.case.episodes.iloc[0].to_dict()
    assert row["author"] == "demo reviewer"  # the episode was created by another login
    props = type_note(qtbot, window, row, "Fever back since the last visit")
    qtbot.keyClick(props.note, QtCore.Qt.Key.Key_Return)
    assert get_episode(demo_engine, row["id"])["note"] == "Fever back since the last visit"

    pid = window.case.id
    rows = _trail(demo_engine, pid)
    note = [r for r in rows if r[2].startswith("note on relapse")]
    change = [r for r in rows if r[3].startswith("note: ")]
    assert [r[1] for r in note] == [reviewer]
    assert [r[1] for r in change][-1] == reviewer
    assert note[0][0] == change[-1][0]  # written when the audit row says

    rows = _trail(demo_engine, pid, deidentify=True, include_notes=True)
    note = [r for r in rows if r[2].startswith("note on relapse")]
    change = [r for r in rows if r[3].startswith("note")]
    # One reviewer label for the note and its audit row, not "reviewer A" and "reviewer B".
    assert [r[1] for r in note] == [change[-1][1]]
    assert note[0][1] != next(r[1] for r in rows if r[2].startswith("created episode"))
