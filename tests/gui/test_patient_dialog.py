"""Case → Patient details…: typed, saved, audited, shown in the header; refusals shown."""

from __future__ import annotations

import datetime as dt
import json

from PySide6 import QtCore, QtWidgets

from db.patients import get_patient, update_patient
from tests.db.test_patients_db import _audit
from tests.gui.conftest import not_shown_yet, open_case

LEFT = QtCore.Qt.MouseButton.LeftButton


def _open_dialog(qtbot, window, pseudonym: str):
    open_case(qtbot, window, pseudonym)
    action = window.actions["patient_details"]
    assert action.isEnabled()
    assert action in window.menu("&Case").actions()
    action.trigger()
    dialog = window.patient_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, QtCore.Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_typed_details_are_saved_audited_and_shown_in_the_header(qtbot, make_window,
                                                                  demo_engine, reviewer):
    window = make_window()
    dialog = _open_dialog(qtbot, window, "NLRP12-01")
    pid = window.case.id
    _retype(qtbot, dialog.diagnosis, "FCAS2 (NLRP12)")
    _retype(qtbot, dialog.genotype, "NLRP12 c.1054C>T")
    _retype(qtbot, dialog.birth_year, "1982")
    dialog.sex.setFocus()
    qtbot.keyClicks(dialog.sex, "X")
    _retype(qtbot, dialog.record_number, "IPP-5521")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)

    row = get_patient(demo_engine, pid)
    assert (row["diagnosis"], row["genotype"], row["birth_year"], row["sex"],
            row["record_number"]) == ("FCAS2 (NLRP12)", "NLRP12 c.1054C>T", 1982, "X", "IPP-5521")
    assert row["version"] == 2
    events = _audit(demo_engine, pid)
    assert [(e["entity"], e["action"], e["actor"]) for e in events] == \
        [("patient", "update", reviewer), ("patient_identity", "update", reviewer)]
    assert json.loads(events[0]["after"])["diagnosis"] == "FCAS2 (NLRP12)"
    assert json.loads(events[1]["after"]) == {"record_number": "IPP-5521", "version": 2}

    header = window.header.text()
    assert "FCAS2 (NLRP12)" in header and "NLRP12 c.1054C&gt;T" in header
    assert "unknown or other, born 1982" in header and "IPP" not in header
    rows = {r.pseudonym: r for r in window.browser.model.rows}
    assert rows["NLRP12-01"].diagnosis == "FCAS2 (NLRP12)"
    assert window.patient_dialog is None  # closed


def test_a_bad_value_is_shown_and_nothing_is_written(qtbot, make_window, demo_engine):
    window = make_window()
    dialog = _open_dialog(qtbot, window, "NLRP12-02")
    pid = window.case.id
    before = get_patient(demo_engine, pid)
    _retype(qtbot, dialog.birth_year, "3000")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert "implausible birth year 3000" in dialog.error.text()
    assert dialog.error.isVisible()
    assert get_patient(demo_engine, pid) == before and _audit(demo_engine, pid) == []


def test_an_identifying_pseudonym_is_refused(qtbot, make_window, demo_engine):
    window = make_window()
    dialog = _open_dialog(qtbot, window, "CAPS-01")
    _retype(qtbot, dialog.name, "Lucas Bernard")
    _retype(qtbot, dialog.pseudonym, "BERNARD-L")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert "the name part 'bernard'" in dialog.error.text()
    assert get_patient(demo_engine, window.case.id)["pseudonym"] == "CAPS-01"


def _stale_save(qtbot, window, demo_engine):
    """Another reviewer saves the diagnosis and a weight while this dialog is open; this
    one then saves its own diagnosis and genotype."""
    dialog = _open_dialog(qtbot, window, "TRAPS-01")
    pid = window.case.id
    not_shown_yet(window)  # else the open dialog follows their save (test_live_refresh)
    update_patient(demo_engine, pid, 1, actor="Dr Other", diagnosis="TRAPS, confirmed",
                   weights={"2020-01-06": 41.5})
    _retype(qtbot, dialog.diagnosis, "TRAPS, doubtful")
    _retype(qtbot, dialog.genotype, "TNFRSF1A R92Q")
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None)
    box = dialog.conflict_dialog
    told = box.informativeText()
    theirs, mine = told.split("Your change")
    assert "Dr Other (" in theirs and "→ TRAPS, confirmed" in theirs
    assert "weight 2020-01-06: — → 41.5 kg" in theirs
    assert "→ TRAPS, doubtful" in mine and "→ TNFRSF1A R92Q" in mine
    assert "Not saved" in dialog.error.text()
    assert get_patient(demo_engine, pid)["diagnosis"] == "TRAPS, confirmed"
    return dialog, box, pid


def test_a_stale_save_shows_theirs_and_keep_theirs_writes_nothing(qtbot, make_window,
                                                                  demo_engine):
    window = make_window()
    dialog, box, pid = _stale_save(qtbot, window, demo_engine)
    qtbot.mouseClick(box.keep_button, LEFT)
    assert dialog.isVisible()  # showing theirs: edit again, or Cancel
    row = get_patient(demo_engine, pid)
    assert (row["diagnosis"], row["version"]) == ("TRAPS, confirmed", 2)
    assert dialog.diagnosis.text() == "TRAPS, confirmed"
    assert dialog.genotype.text() == row["genotype"] != "TNFRSF1A R92Q"
    assert ("2020-01-06", "41.5") in dialog.weights.rows()


def test_a_stale_save_can_be_applied_on_top_of_theirs(qtbot, make_window, demo_engine,
                                                       reviewer):
    window = make_window()
    dialog, box, pid = _stale_save(qtbot, window, demo_engine)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(box.apply_button, LEFT)
    row = get_patient(demo_engine, pid)
    # Mine where I typed, theirs elsewhere: their weight stays.
    assert (row["diagnosis"], row["genotype"], row["version"]) == \
        ("TRAPS, doubtful", "TNFRSF1A R92Q", 3)
    assert row["weights"]["2020-01-06"] == 41.5
    assert [(e["actor"], e["action"]) for e in _audit(demo_engine, pid)][-2:] == \
        [("Dr Other", "update"), (reviewer, "update")]
    assert "TRAPS, doubtful" in window.header.text()


def test_the_action_waits_for_a_case(qtbot, make_window):
    window = make_window()
    assert window.case is None
    assert not window.actions["patient_details"].isEnabled()



def test_a_saved_edit_is_one_undo_step(qtbot, make_window, demo_engine):
    window = make_window()
    dialog = _open_dialog(qtbot, window, "TRAPS-01")
    pid = window.case.id
    old = get_patient(demo_engine, pid)["diagnosis"]
    _retype(qtbot, dialog.diagnosis, "TRAPS, confirmed by genetics")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert window.actions["undo"].text() == "&Undo Edit details of TRAPS-01"

    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    row = get_patient(demo_engine, pid)
    assert (row["diagnosis"], row["version"]) == (old, 3)
    assert old in window.header.text()
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["redo"].trigger()
    assert get_patient(demo_engine, pid)["diagnosis"] == "TRAPS, confirmed by genetics"
    assert [e["action"] for e in _audit(demo_engine, pid)] == ["update", "undo:update",
                                                               "redo:update"]


def test_an_undo_over_someone_elses_change_is_refused(qtbot, make_window, demo_engine,
                                                      monkeypatch):
    window = make_window()
    dialog = _open_dialog(qtbot, window, "CAPS-01")
    pid = window.case.id
    _retype(qtbot, dialog.genotype, "NLRP3 p.Arg260Trp")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    not_shown_yet(window)
    update_patient(demo_engine, pid, 2, actor="other", genotype="NLRP3 p.Thr348Met")
    shown = []
    monkeypatch.setattr(window, "show_error", lambda title, msg: shown.append(msg))
    window.actions["undo"].trigger()
    assert "changed meanwhile" in shown[0]
    assert get_patient(demo_engine, pid)["genotype"] == "NLRP3 p.Thr348Met"


def test_a_save_the_server_refuses_is_one_line_without_the_sql(qtbot, make_window,
                                                               monkeypatch):
    """A refusal (here the login's role) reads as the one line the terminal gives, never
    the statement SQLAlchemy quotes."""
    from sqlalchemy.exc import ProgrammingError

    from db.errors import DENIED_MESSAGE

    class Refused(Exception):
        sqlstate = "42501"  # insufficient_privilege

    def refuse(*_args, **_kwargs):
        raise ProgrammingError("UPDATE patient SET diagnosis=%(diagnosis)s WHERE …", {},
                               Refused("permission denied for table patient"))

    window = make_window()
    dialog = _open_dialog(qtbot, window, "CAPS-01")
    monkeypatch.setattr("gui.patient_command.save_details", refuse)
    _retype(qtbot, dialog.diagnosis, "CAPS, doubtful")
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.error.text() == f"Not saved: {DENIED_MESSAGE}"
    assert dialog.isVisible()


def test_age_at_onset_is_typed_saved_and_printed_in_the_summary(qtbot, make_window,
                                                                  demo_engine):
    # "Age at onset —" in the PDF had no field to fill anywhere in the window.
    window = make_window()
    dialog = _open_dialog(qtbot, window, "NLRP12-01")
    pid = window.case.id
    _retype(qtbot, dialog.onset_age, "0,5")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert get_patient(demo_engine, pid)["onset_age"] == 0.5
    assert json.loads(_audit(demo_engine, pid)[0]["after"])["onset_age"] == 0.5

    from data.summary.build import build_summary
    facts = dict(build_summary(window.case).header)
    assert facts["Age at onset"] == "0.5 years"

    window.actions["patient_details"].trigger()
    again = window.patient_dialog
    qtbot.waitExposed(again)
    assert again.onset_age.text() == "0.5"
    _retype(qtbot, again.onset_age, "200")
    qtbot.mouseClick(again.save_button, LEFT)
    assert "implausible age at onset 200" in again.error.text()
    assert get_patient(demo_engine, pid)["onset_age"] == 0.5


def test_an_onset_age_after_today_is_refused_naming_birth_and_age(qtbot, make_window,
                                                                  demo_engine):
    # The reviewer typed 45 years for a patient born 1988 (onset 2033): it was saved.
    window = make_window()
    dialog = _open_dialog(qtbot, window, "NLRP12-02")
    pid = window.case.id
    before = get_patient(demo_engine, pid)
    born = before["birth_date"]  # the demo's cases have one
    _retype(qtbot, dialog.onset_age, str(dt.date.today().year - born.year + 2))
    qtbot.mouseClick(dialog.save_button, LEFT)
    assert dialog.isVisible()
    assert f"with born {born.isoformat()} puts the onset in" in dialog.error.text()
    assert "after today" in dialog.error.text() and "\n" not in dialog.error.text()
    assert get_patient(demo_engine, pid) == before and _audit(demo_engine, pid) == []


def test_alt_s_saves(qtbot, make_window, demo_engine):
    # Alt+S went to the Sex field, whose label took the same letter (clinician review).
    window = make_window()
    dialog = _open_dialog(qtbot, window, "NLRP12-01")
    pid = window.case.id
    _retype(qtbot, dialog.genotype, "NLRP12 c.2072+3insT")
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is dialog)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.keyClick(dialog.genotype, QtCore.Qt.Key.Key_S, QtCore.Qt.KeyboardModifier.AltModifier)
    assert get_patient(demo_engine, pid)["genotype"] == "NLRP12 c.2072+3insT"
