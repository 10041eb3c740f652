"""The weight table of Case → Patient details…: typed, corrected and removed by keyboard,
saved with its audit row, followed by the mg/kg/day dose axis; bad rows refused."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from db.patients import get_patient
from tests.data.test_import_helpers import dump
from tests.db.test_patients_db import _audit
from tests.gui.test_patient_dialog import _open_dialog as _open_case_dialog

LEFT = QtCore.Qt.MouseButton.LeftButton
KEY = QtCore.Qt.Key
CASE = "NLRP12-02"  # anakinra in mg/d from 2009-06-15, weighed about monthly


def _epoch(day: str) -> float:
    return float(calendar.timegm(dt.date.fromisoformat(day).timetuple()))


def _click_cell(qtbot, table, row: int, col: int) -> None:
    item = table.item(row, col)
    table.scrollToItem(item)
    qtbot.mouseClick(table.viewport(), LEFT, pos=table.visualItemRect(item).center())


def _open_dialog(qtbot, window, pseudonym: str):
    """The dialog as the active window, so keys go where a reviewer's would."""
    dialog = _open_case_dialog(qtbot, window, pseudonym)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is dialog)
    return dialog


def _editor(table) -> QtWidgets.QLineEdit:
    editor = QtWidgets.QApplication.focusWidget()
    assert isinstance(editor, QtWidgets.QLineEdit) and editor.parent() is table.viewport()
    return editor


def _enter(qtbot, table, editor) -> None:
    """Enter in a cell editor; the delegate commits and closes it from the event loop."""
    qtbot.keyClick(editor, KEY.Key_Return)
    qtbot.waitUntil(lambda: table.state() != QtWidgets.QAbstractItemView.State.EditingState)


def _type_in_cell(qtbot, table, row: int, col: int, text: str) -> None:
    """Click the cell, F2, replace its text, Enter: as a reviewer corrects a value."""
    _click_cell(qtbot, table, row, col)
    qtbot.keyClick(table, KEY.Key_F2)
    editor = _editor(table)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    _enter(qtbot, table, editor)


def _add_row(qtbot, dialog, day: str, kg: str) -> None:
    """Insert in the table opens a new row on its date; Enter, → and F2 reach the kg."""
    table = dialog.weights.table
    table.setFocus()
    qtbot.keyClick(table, KEY.Key_Insert)
    editor = _editor(table)
    assert editor.placeholderText() == "YYYY-MM-DD or DD/MM/YYYY"
    qtbot.keyClicks(editor, day)
    _enter(qtbot, table, editor)
    qtbot.keyClick(table, KEY.Key_Right)
    qtbot.keyClick(table, KEY.Key_F2)
    editor = _editor(table)
    qtbot.keyClicks(editor, kg)
    _enter(qtbot, table, editor)


def _row_of(table, day: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == day)


def _plotted_dose(window, day: str) -> float:
    """The anakinra value the treatment track draws on that day (its readout series)."""
    series = window.timeline.tracks["treatment"].series[0]
    i = int(np.searchsorted(series.x, _epoch(day) + 43_200))
    assert series.x[i] == _epoch(day) + 43_200
    return float(series.y[i])


def test_weights_added_corrected_and_removed_by_keyboard_are_saved_audited_and_drawn(
        qtbot, make_window, demo_engine, settings, reviewer):
    window = make_window()
    dialog = _open_dialog(qtbot, window, CASE)
    pid = window.case.id
    window.actions["per_kg"].setChecked(True)
    stored = get_patient(demo_engine, pid)["weights"]
    table = dialog.weights.table
    assert table.rowCount() == len(stored) == 30

    on_day = "2009-07-01"  # on anakinra; the weight in force is the last one before it
    in_force = max(d for d in stored if d <= on_day)
    mg = float(window.case.daily_dose().set_index("t")["dose"][_epoch(on_day)])
    assert _plotted_dose(window, on_day) == pytest.approx(mg / stored[in_force])

    _type_in_cell(qtbot, table, _row_of(table, in_force), 1, "50")
    _add_row(qtbot, dialog, "2008-11-20", "73,5")
    last = list(stored)[-1]
    _click_cell(qtbot, table, _row_of(table, last), 0)
    qtbot.keyClick(table, KEY.Key_Delete)
    assert table.rowCount() == 30
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)

    row = get_patient(demo_engine, pid)
    expected = {**stored, in_force: 50.0, "2008-11-20": 73.5}
    del expected[last]
    assert row["weights"] == dict(sorted(expected.items())) and row["version"] == 2
    [event] = _audit(demo_engine, pid)
    assert (event["entity"], event["action"], event["actor"]) == ("patient", "update",
                                                                  reviewer)
    assert json.loads(event["before"]) == {
        "weights": {"2008-11-20": None, in_force: stored[in_force], last: stored[last]},
        "version": 1}
    assert json.loads(event["after"]) == {
        "weights": {"2008-11-20": 73.5, in_force: 50.0, last: None}, "version": 2}
    # The mg/kg/day axis follows the edit.
    assert _plotted_dose(window, on_day) == pytest.approx(mg / 50.0)
    assert window.timeline.tracks["treatment"].series[0].unit == "mg/kg/d"

    # One undo step puts every weight back; redo makes the edit again.
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    assert get_patient(demo_engine, pid)["weights"] == stored
    assert _plotted_dose(window, on_day) == pytest.approx(mg / stored[in_force])
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["redo"].trigger()
    assert get_patient(demo_engine, pid)["weights"] == dict(sorted(expected.items()))


@pytest.mark.parametrize(("day", "kg", "message"), [
    ("2009-03-01", "heavy", "weight row 31: weight 'heavy' is not a number (kg)"),
    ("2009-03-01", "0", "weight row 31: implausible weight 0 kg (accepted 0.3–500 kg)"),
    ("2009-03-01", "-2", "implausible weight -2 kg"),
    ("2009-03-01", "900", "implausible weight 900 kg"),
    ("2009-03-01", "", "weight row 31: no weight for 2009-03-01"),
    ("2099-03-01", "60", "weight row 31: implausible weight date 2099-03-01 (in the future)"),
    ("31/02/2009", "60", "weight row 31: weight date '31/02/2009'"),
    ("yesterday", "60", "weight row 31: weight date 'yesterday'"),
    ("", "60", "weight row 31: a weight needs its date"),
    ("2008-12-02", "60", "weight row 31: a second weight on 2008-12-02 (row 1)"),
    ("02/12/2008", "60", "a second weight on 2008-12-02 (row 1); one weight per date"),
])
def test_a_bad_weight_row_is_refused_inline_and_nothing_is_written(
        qtbot, make_window, demo_engine, day, kg, message):
    window = make_window()
    dialog = _open_dialog(qtbot, window, CASE)
    pid = window.case.id
    before = dump(demo_engine)
    _add_row(qtbot, dialog, day, kg)
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert message in dialog.error.text()
    assert dump(demo_engine) == before and _audit(demo_engine, pid) == []
    assert window.undo_stack.count() == 0
    # The row the message names is numbered on screen.
    table = dialog.weights.table
    assert table.verticalHeader().isVisible()
    assert table.model().headerData(30, QtCore.Qt.Orientation.Vertical) == 31


def test_a_bad_correction_keeps_the_other_fields_unsaved_too(qtbot, make_window, demo_engine):
    window = make_window()
    dialog = _open_dialog(qtbot, window, CASE)
    before = dump(demo_engine)
    dialog.diagnosis.setFocus()
    dialog.diagnosis.selectAll()
    qtbot.keyClicks(dialog.diagnosis, "FCAS2")
    _type_in_cell(qtbot, dialog.weights.table, 0, 1, "0,1")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "weight row 1: implausible weight 0.1 kg" in dialog.error.text()
    assert dump(demo_engine) == before


def test_two_weighings_of_one_day_are_two_rows_and_one_is_corrected_alone(
        qtbot, make_window, demo_engine, tmp_path):
    """Reviewer: the table showed one of two weighings of 3 February, and saving a
    correction changed both (the audit and undo knew one)."""
    from data.importing import import_file
    from tests.cli.test_patients_cli import TWO_A_DAY

    lab = tmp_path / "lab.csv"
    lab.write_text(TWO_A_DAY, encoding="utf-8")
    import_file(demo_engine, lab)
    window = make_window()
    dialog = _open_dialog(qtbot, window, "CASE-L")
    pid = window.case.id
    table = dialog.weights.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [
        "2026-02-02T08:00", "2026-02-03T08:00", "2026-02-03T20:00"]
    _type_in_cell(qtbot, table, 1, 1, "61")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    stored = {"2026-02-02T08:00": 61.5, "2026-02-03T08:00": 60.0, "2026-02-03T20:00": 62.0}
    assert get_patient(demo_engine, pid)["weights"] == {**stored, "2026-02-03T08:00": 61.0}
    [event] = [e for e in _audit(demo_engine, pid) if e["action"] == "update"]
    assert json.loads(event["before"])["weights"] == {"2026-02-03T08:00": 60.0}
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    assert get_patient(demo_engine, pid)["weights"] == stored
