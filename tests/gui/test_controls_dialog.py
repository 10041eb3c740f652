"""Case → Control references…: add, edit and retire through real clicks and keys, then
check the database; the open case follows, and the timeline says why a fold is missing."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from db.controls import history, references
from gui.controls_dialog import ControlsDialog
from tests.gui.conftest import open_case

LEFT = QtCore.Qt.MouseButton.LeftButton


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, LEFT)


def click_row(qtbot, dialog: ControlsDialog, code_text: str, specimen_text: str) -> None:
    table = dialog.table
    for i in range(table.rowCount()):
        if (table.item(i, 0).text(), table.item(i, 1).text()) == (code_text, specimen_text):
            rect = table.visualItemRect(table.item(i, 0))
            qtbot.mouseClick(table.viewport(), LEFT, pos=rect.center())
            assert dialog.selected() is not None
            return
    raise AssertionError(f"no row {code_text} {specimen_text}")


def type_into(qtbot, edit: QtWidgets.QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


@pytest.fixture
def dialog(qtbot, engine):
    d = ControlsDialog(engine, "dr tester")
    qtbot.addWidget(d)
    d.show()
    return d


def in_force(engine):
    with engine.connect() as conn:
        return references(conn)


def test_add_edit_retire_through_the_dialog(qtbot, dialog, engine):
    assert dialog.table.rowCount() == 0
    assert dialog.set_label.text() == "In force: no reference set"

    click(qtbot, dialog.add_button)
    editor = dialog.editor
    assert editor.isVisible() and editor.unit.text() == "pg/mL"  # IL-1β's stored unit
    for name, text in (("n", "18"), ("mean", "-3"), ("sd", "4,2"), ("lab", "CHU Test"),
                       ("ref_date", "2026-03-01")):
        type_into(qtbot, editor.edits[name], text)
    click(qtbot, editor.ok_button)
    # a negative mean is refused with its reason; nothing written
    assert editor.isVisible()
    assert "Mean: the mean must be above 0" in editor.problems.text()
    assert history(engine)[1].empty
    type_into(qtbot, editor.edits["mean"], "10,5")
    click(qtbot, editor.ok_button)
    assert not editor.isVisible()
    rows = in_force(engine)
    assert rows[["code", "specimen", "n", "mean", "sd", "lab"]].values.tolist() == [
        ["IL1B", "pbmc-spont", 18, 10.5, 4.2, "CHU Test"]]
    assert str(rows["ref_date"].iloc[0]) == "2026-03-01"
    assert dialog.table.rowCount() == 1 and "reference set 1 (CHU Test)" in dialog.set_label.text()

    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    click(qtbot, dialog.edit_button)
    editor = dialog.editor
    assert editor.edits["mean"].text() == "10.5" and editor.edits["n"].text() == "18"
    type_into(qtbot, editor.edits["mean"], "12")
    type_into(qtbot, editor.edits["batch"], "B-7")
    qtbot.keyClick(editor.edits["batch"], QtCore.Qt.Key.Key_Return)  # Enter is OK
    assert not editor.isVisible()
    all_rows, sets = history(engine)
    assert list(sets["action"]) == ["add", "edit"] and set(sets["created_by"]) == {"dr tester"}
    old, new = all_rows.sort_values("id").to_dict("records")
    assert (old["mean"], old["retired_set_id"]) == (10.5, 2)
    assert (new["mean"], new["batch"], new["set_id"], new["n"]) == (12.0, "B-7", 2, 18)
    assert pd_isna(new["retired_set_id"])

    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    click(qtbot, dialog.retire_button)
    assert in_force(engine).empty
    all_rows, sets = history(engine)
    assert list(sets["action"]) == ["add", "edit", "retire"] and len(all_rows) == 2
    assert dialog.status.text() == "Retired IL-1β (PBMC, spontaneous): reference set 3"
    assert dialog.table.rowCount() == 0
    click(qtbot, dialog.show_retired)
    assert dialog.table.rowCount() == 2
    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    assert not dialog.edit_button.isEnabled()  # a retired reference stays as it was


def pd_isna(v) -> bool:
    return v is None or v != v


def test_a_second_reference_for_the_same_analyte_and_specimen_is_refused(qtbot, dialog, engine):
    for mean in ("10", "11"):
        click(qtbot, dialog.add_button)
        type_into(qtbot, dialog.editor.edits["n"], "5")
        type_into(qtbot, dialog.editor.edits["mean"], mean)
        type_into(qtbot, dialog.editor.edits["lab"], "Lab")
        click(qtbot, dialog.editor.ok_button)
    assert dialog.status.text().startswith("Not saved: a IL1B reference for specimen "
                                           "'pbmc-spont' is already in force")
    assert in_force(engine)["mean"].tolist() == [10.0]


def test_the_open_case_follows_an_edit_and_the_timeline_says_why_a_fold_is_missing(
        qtbot, make_window):
    w = make_window()
    case = open_case(qtbot, w, "NLRP12-01")
    assert case.control_mean("IL1B", "pbmc-spont") == 12.0
    assert w.actions["control_references"] in w.menu("&Case").actions()
    w.actions["control_references"].trigger()
    dialog = w.controls_dialog
    assert dialog.isVisible() and dialog.table.rowCount() == 7
    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    click(qtbot, dialog.edit_button)
    type_into(qtbot, dialog.editor.edits["mean"], "24")
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        click(qtbot, dialog.editor.ok_button)
    assert w.case.control_mean("IL1B", "pbmc-spont") == 24.0
    assert w.case.reference_set["id"] == 2

    click_row(qtbot, dialog, "IL-1β", "PBMC, LPS-stimulated")
    with qtbot.waitSignal(w.caseOpened, timeout=10_000):
        click(qtbot, dialog.retire_button)
    w.timeline.set_fold(True)
    legend = [text for _, _, text in w.timeline.tracks["cytokines"].legend_entries]
    assert "no IL-1β control for LPS-stimulated PBMC (not shown)" in legend


def test_import_a_file_from_the_dialog(qtbot, dialog, engine, tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("analyte,specimen,unit,n,mean,lab\nIL6,spontaneous,pg/mL,0,120,Lab\n",
                   encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("analyte,specimen,unit,n,mean,lab\nIL6,spontaneous,pg/mL,10,120,Lab\n",
                    encoding="utf-8")
    chosen = [str(bad)]
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        lambda *a, **k: (chosen[0], ""))
    click(qtbot, dialog.import_button)
    status = dialog.status.text()
    assert 'bad.csv, row 2, column "n", value "0": n must be a whole number above 0' in status
    assert "nothing was imported" in status
    assert history(engine)[1].empty
    chosen[0] = str(good)
    click(qtbot, dialog.import_button)
    assert dialog.status.text() == "Imported good.csv: reference set 1"
    assert in_force(engine)[["code", "mean", "n"]].values.tolist() == [["IL6", 120.0, 10]]
    assert dialog.table.rowCount() == 1
    click(qtbot, dialog.import_button)
    assert "nothing changed" in dialog.status.text()


def _colleague_sets_mean(engine, mean: float) -> None:
    """Another reviewer replaces the IL-1β reference in force (their own window)."""
    from data.controls import Reference, store_references

    with engine.connect() as conn:
        [old] = references(conn)["id"].tolist()
    store_references(engine, [Reference(code="IL1B", specimen="pbmc-spont", unit="pg/mL",
                                        n=30, mean=mean, sd=2.0, lab="Lab B",
                                        source="dialog")],
                     actor="Dr Colleague", action="edit", retire=[int(old)], lab="Lab B")


def _add_il1b(qtbot, dialog, mean: str) -> None:
    click(qtbot, dialog.add_button)
    for name, text in (("n", "18"), ("mean", mean), ("lab", "CHU Test")):
        type_into(qtbot, dialog.editor.edits[name], text)
    click(qtbot, dialog.editor.ok_button)


def _conflict_box(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None)
    box = dialog.conflict_dialog
    qtbot.waitExposed(box)
    return box


def test_an_edit_over_a_colleagues_shows_who_and_when_and_applies_mine_on_top(
        qtbot, dialog, engine):
    _add_il1b(qtbot, dialog, "10")
    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    _colleague_sets_mean(engine, 14.0)  # while this window still shows 10
    click(qtbot, dialog.edit_button)
    type_into(qtbot, dialog.editor.edits["mean"], "12")
    click(qtbot, dialog.editor.ok_button)

    box = _conflict_box(qtbot, dialog)
    told = box.informativeText()
    theirs, mine = told.split("Your change")
    assert "Dr Colleague (" in theirs and "UTC): edited" in theirs
    assert "retired: CHU Test: n = 18, mean 10 pg/mL" in theirs
    assert "added: Lab B: n = 30, mean 14 pg/mL" in theirs
    assert "edited<br>· from: CHU Test: n = 18, mean 10 pg/mL" in mine
    assert "· to: CHU Test: n = 18, mean 12 pg/mL" in mine
    assert in_force(engine)["mean"].tolist() == [14.0]  # refused: theirs stands
    assert "14" in [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]

    click(qtbot, box.apply_button)
    qtbot.waitUntil(lambda: in_force(engine)["mean"].tolist() == [12.0])
    all_rows, sets = history(engine)
    assert list(sets["created_by"]) == ["dr tester", "Dr Colleague", "dr tester"]
    # Mine replaced theirs (retired by my set), not the row I had read.
    theirs_row = all_rows[all_rows["mean"] == 14.0].iloc[0]
    assert int(theirs_row["retired_set_id"]) == int(sets["id"].iloc[-1])
    assert dialog.status.text().startswith("Edited IL-1β (PBMC, spontaneous)")


def test_keep_theirs_writes_nothing_and_a_retire_of_a_retired_one_offers_nothing(
        qtbot, dialog, engine):
    _add_il1b(qtbot, dialog, "10")
    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    _colleague_sets_mean(engine, 14.0)
    click(qtbot, dialog.edit_button)
    type_into(qtbot, dialog.editor.edits["mean"], "12")
    click(qtbot, dialog.editor.ok_button)
    box = _conflict_box(qtbot, dialog)
    qtbot.keyClick(box, QtCore.Qt.Key.Key_Escape)  # Escape keeps theirs
    qtbot.waitUntil(lambda: dialog.conflict_dialog is None)
    assert len(history(engine)[1]) == 2 and in_force(engine)["mean"].tolist() == [14.0]

    # They retire it while this window still offers Retire: nothing left to apply mine to.
    click_row(qtbot, dialog, "IL-1β", "PBMC, spontaneous")
    from data.controls import store_references

    with engine.connect() as conn:
        [rid] = references(conn)["id"].tolist()
    store_references(engine, [], actor="Dr Colleague", action="retire", retire=[int(rid)],
                     lab="Lab B")
    click(qtbot, dialog.retire_button)
    box = _conflict_box(qtbot, dialog)
    assert box.apply_button is None and "UTC): retired" in box.informativeText()
