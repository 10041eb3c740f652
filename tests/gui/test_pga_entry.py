"""The physician global assessment entered in the window (issue 15, item 1): Case →
Physician global assessment… (Ctrl+Shift+G) takes a date and a score 0-4 with its word,
writes a PGA measurement and its audit row, undo and redo put back what was there, and
the timeline draws the scores as their own track."""

from __future__ import annotations

import calendar
import datetime as dt
import json

from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest
from sqlalchemy import select

from data.codes import PGA
from db.models import AuditEvent, Observation, Series, Source
from db.typed_measures import TYPED_SOURCE
from gui.pga_dialog import PgaDialog
from tests.gui.conftest import open_case

CTRL_SHIFT = QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier
DAY = 86_400


def stored_pga(engine, pid) -> dict[int, tuple[float, str]]:
    o, s, src = Observation.__table__, Series.__table__, Source.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.t, o.c.value, src.c.name)
                            .join(s, s.c.id == o.c.series_id)
                            .outerjoin(src, src.c.id == o.c.source_id)
                            .where(s.c.patient_id == pid, s.c.code == PGA))
        return {int(t): (float(v), name) for t, v, name in rows}


def audited(engine) -> list[dict]:
    t = AuditEvent.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.entity == "measurement").order_by(t.c.id))
        return [dict(r._mapping) | {"after": json.loads(r.after), "before": json.loads(r.before)}
                for r in rows]


def enter(qtbot, window, day: dt.date, presses: int, *, replaces: str | None = None) -> None:
    """Ctrl+Shift+G, the date typed in full, the score chosen by arrow keys from 0, Enter."""
    # The offscreen platform does not give the window back its activation when a dialog
    # closes, as a desktop does: without it the shortcut goes nowhere.
    window.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window, timeout=3000)
    QTest.keyClick(window, QtCore.Qt.Key.Key_G, CTRL_SHIFT)
    def shown() -> list[PgaDialog]:
        return [d for d in window.findChildren(PgaDialog) if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=3000)
    [dialog] = shown()
    dialog.date.setFocus()
    dialog.date.setSelectedSection(QtWidgets.QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dialog.date, day.isoformat())
    assert dialog.date.date().toPython() == day
    if replaces is not None:
        assert dialog.was.text() == f"recorded that day: {replaces} (OK replaces it)"
    dialog.score.setFocus()
    QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_Home)
    for _ in range(presses):
        QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_Down)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_Return)


def test_a_physician_global_entered_audited_undone_and_drawn(qtbot, window, demo_engine,
                                                            reviewer):
    case = open_case(qtbot, window, "NLRP12-02")
    before = stored_pga(demo_engine, case.id)
    day = dt.datetime.fromtimestamp(min(before), dt.UTC).date() + dt.timedelta(days=3)
    t = calendar.timegm(day.timetuple()) + 12 * 3600
    assert t not in before

    enter(qtbot, window, day, 3)
    assert stored_pga(demo_engine, case.id)[t] == (3.0, TYPED_SOURCE)
    [row] = audited(demo_engine)
    assert (row["actor"], row["action"], row["patient_id"]) == (reviewer, "record", case.id)
    key = f"PGA {day.isoformat()}T12:00"
    assert (row["before"], row["after"]) == ({key: None}, {key: 3.0})
    # Drawn: the PGA track holds the new score, its axis in words.
    track = window.timeline.tracks["pga"]
    assert t in track.series[0].x.tolist()
    ticks = track.plot.getAxis("left")._tickLevels[0]
    assert [text for _, text in ticks] == ["0 (absent)", "1 (minimal)", "2 (mild)",
                                           "3 (moderate)", "4 (severe)"]
    assert window.actions["undo"].text() == "&Undo Physician global 3 (moderate)"

    # A second score for that date replaces the first; undo puts the first back.
    enter(qtbot, window, day, 1, replaces="3 (moderate)")
    assert stored_pga(demo_engine, case.id)[t] == (1.0, TYPED_SOURCE)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    assert stored_pga(demo_engine, case.id)[t][0] == 3.0
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    assert stored_pga(demo_engine, case.id) == before  # nothing was there
    assert t not in window.timeline.tracks["pga"].series[0].x.tolist()
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["redo"].trigger()
    assert stored_pga(demo_engine, case.id)[t][0] == 3.0
    assert [a["action"] for a in audited(demo_engine)] == [
        "record", "record", "undo:record", "undo:remove", "redo:record"]


def test_no_score_is_chosen_for_the_reviewer(qtbot, window, demo_engine, reviewer):
    """The dialog offered 0 (absent): Tab, Tab, Enter recorded 'absent' for a score never
    chosen. Now none is chosen and OK waits; a digit picks one; a date with a record
    shows it, another date without one drops it again."""
    case = open_case(qtbot, window, "NLRP12-02")
    before = stored_pga(demo_engine, case.id)
    recorded = dt.datetime.fromtimestamp(min(before), dt.UTC).date()
    day = recorded + dt.timedelta(days=3)
    window.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window, timeout=3000)
    QTest.keyClick(window, QtCore.Qt.Key.Key_G, CTRL_SHIFT)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PgaDialog)),
                    timeout=3000)
    [dialog] = [d for d in window.findChildren(PgaDialog) if d.isVisible()]
    dialog.date.setFocus()
    dialog.date.setSelectedSection(QtWidgets.QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dialog.date, day.isoformat())
    assert dialog.score.currentIndex() == -1 and dialog.score.currentText() == ""
    assert not dialog.ok.isEnabled()
    dialog.score.setFocus()
    QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_Return)  # nothing chosen: stays open
    assert dialog.isVisible() and stored_pga(demo_engine, case.id) == before

    # The date of a recorded score shows it; another date without one drops it.
    dialog.date.setFocus()
    dialog.date.setSelectedSection(QtWidgets.QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dialog.date, recorded.isoformat())
    assert dialog.score.currentIndex() == int(before[min(before)][0]) and dialog.ok.isEnabled()
    dialog.date.setSelectedSection(QtWidgets.QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dialog.date, day.isoformat())
    assert dialog.score.currentIndex() == -1 and not dialog.ok.isEnabled()

    dialog.score.setFocus()
    QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_2)
    assert dialog.score.currentText() == "2 (mild)" and dialog.ok.isEnabled()
    QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_4)
    assert dialog.score.currentText() == "4 (severe)"
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        QTest.keyClick(dialog.score, QtCore.Qt.Key.Key_Return)
    t = calendar.timegm(day.timetuple()) + 12 * 3600
    assert stored_pga(demo_engine, case.id)[t] == (4.0, TYPED_SOURCE)
