"""The audit trail in clinician words (History dialog and PDF, data.audit_text): an undo or
a redo says so instead of a plain "changed", and an import says what it brought in, not
its internal field names ("medications_added: 2")."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6 import QtCore

from data.alignment import DAY
from data.importing import import_file
from data.summary import build_summary, load_audit, load_case
from db.episodes import episode_history
from gui.episodes.history_dialog import HistoryDialog
from tests.gui.drag import drag
from tests.gui.test_annotation import annotate_in, episodes, fit_screen

CTRL = QtCore.Qt.KeyboardModifier.ControlModifier
SHIFT = QtCore.Qt.KeyboardModifier.ShiftModifier


def _trail(engine, pid: int, *, deidentify: bool = False) -> list[tuple[str, ...]]:
    case = load_case(engine, pid)
    summary = build_summary(case, audit=load_audit(engine, case), deidentify=deidentify)
    return next(t for t in summary.tables if t.title == "Reviewer notes and audit trail").rows


def test_undo_and_redo_say_so_on_screen_and_in_the_pdf(qtbot, make_window, settings,
                                                       demo_engine):
    window = make_window()
    fit_screen(window)
    day0 = annotate_in(qtbot, window)
    drag(qtbot, window.timeline, "cytokines", day0 + 100 * DAY, day0 + 104 * DAY)
    [ep] = episodes(demo_engine, window)
    qtbot.keyClick(window.timeline.view, QtCore.Qt.Key.Key_Z, CTRL)  # undo the creation
    qtbot.keyClick(window.timeline.view, QtCore.Qt.Key.Key_Z, CTRL | SHIFT)  # and redo it
    assert len(episodes(demo_engine, window)) == 1

    dialog = HistoryDialog(episode_history(demo_engine, ep["id"]), "relapse")
    qtbot.addWidget(dialog)
    actions = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert actions == ["created", "deleted (by undo)", "restored (by redo)"]
    what = [r[2] for r in _trail(demo_engine, window.case.id) if f"#{ep['id']}" in r[2]]
    assert what == [f"created episode #{ep['id']}", f"deleted episode #{ep['id']} (by undo)",
                    f"restored episode #{ep['id']} (by redo)"]


def test_an_undone_details_edit_says_undo(qtbot, make_window, demo_engine):
    from tests.gui.test_patient_dialog import LEFT, _open_dialog, _retype

    window = make_window()
    dialog = _open_dialog(qtbot, window, "TRAPS-01")
    _retype(qtbot, dialog.diagnosis, "TRAPS, confirmed by genetics")
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, LEFT)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.actions["undo"].trigger()
    rows = [r for r in _trail(demo_engine, window.case.id) if r[2].startswith("changed")]
    assert [r[2] for r in rows][-2:] == [f"changed patient #{window.case.id}",
                                         f"changed patient #{window.case.id} (by undo)"]
    assert rows[-1][3] == "diagnosis: TRAPS, confirmed by genetics → " + \
        rows[-2][3].split(": ", 1)[1].split(" → ")[0]


LAB = """patient,date,code,value,unit,specimen
HOSP-3,2024-01-08T09:00:00Z,CRP,31,mg/L,serum
HOSP-3,2024-01-08T09:00:00Z,IL-1β,152,pg/mL,PBMC spontaneous
HOSP-3,2024-02-05T09:00:00Z,CRP,4,mg/L,serum
"""
DOSING = """drug,dose,unit,start,end,route
Kineret,100,mg/d,2024-01-10,2024-03-31,SC
Colchicine,1,mg/d,2023-10-01,2024-01-09,oral
"""


@pytest.mark.parametrize("deidentify", [False, True])
def test_an_import_reads_as_what_it_brought_in(engine, tmp_path: Path, deidentify):
    lab, dosing = tmp_path / "lab_jan.csv", tmp_path / "pharmacy.csv"
    lab.write_text(LAB, encoding="utf-8")
    dosing.write_text(DOSING, encoding="utf-8")
    import_file(engine, lab, actor="Dr Lab")
    import_file(engine, dosing, patient="HOSP-3", actor="Dr Lab")
    import_file(engine, lab, actor="Dr Lab")  # again: nothing new
    from db.queries import list_cases

    pid = int(list_cases(engine)["id"].iloc[0])
    rows = [r for r in _trail(engine, pid, deidentify=deidentify) if "import" in r[2]]
    first, second = ("file 1", "file 2") if deidentify else ("lab_jan.csv", "pharmacy.csv")
    assert [(r[2], r[3]) for r in rows] == [
        (f"import of {first}", "3 measurements, 1 new case"),
        (f"import of {second}", "2 medication periods"),
        (f"import of {first}", "3 measurements already stored"),
    ]
    text = " ".join(" ".join(r) for r in rows)
    assert "_" not in text.replace("lab_jan", "")  # no field name such as observations_added


def test_counts_in_words():
    from data.audit_text import action_text, import_counts

    assert import_counts({"observations_added": 120, "medications_added": 2,
                          "observations_skipped": 0}) == "120 measurements, 2 medication periods"
    assert import_counts({"patients_created": ["A-1"], "weights_added": 1}) == \
        "1 weight, 1 new case"
    assert import_counts({"observations_added": 0}) == "nothing new"
    # A ward's injection record read "nothing new" (clinician review).
    assert import_counts({"observations_added": 0, "administrations_added": 9,
                          "administrations_skipped": 1}) == \
        "9 doses given, 1 dose given already stored"
    assert action_text("update") == "changed"
    assert action_text("undo:update") == "changed (by undo)"
