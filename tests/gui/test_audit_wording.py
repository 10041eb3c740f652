"""The audit trail in the PDF is complete and worded as the History dialog words it."""

from __future__ import annotations

import re

from data.audit_text import change_lines, when
from data.summary import build_summary, load_audit, load_case
from db.episodes import create_episode, episode_history, update_episode
from db.queries import list_cases
from gui.episodes.history_dialog import HistoryDialog


def _pid(engine, pseudonym: str) -> int:
    cases = list_cases(engine)
    return int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])


def test_every_change_is_printed_to_the_second_as_the_history_dialog_shows_it(
        qtbot, demo_engine):
    pid = _pid(demo_engine, "TRAPS-01")
    case = load_case(demo_engine, pid)
    onset = int(case.time_range[0]) // 86_400 * 86_400 + 30 * 86_400
    ep = create_episode(demo_engine, pid, actor="Dr A", kind="flare", onset=onset,
                        severity="moderate")
    ep = update_episode(demo_engine, ep["id"], ep["version"], actor="Dr A",
                        note="rash on both arms")
    ep = update_episode(demo_engine, ep["id"], ep["version"], actor="Dr B", severity=None)
    case = load_case(demo_engine, pid)
    audit = load_audit(demo_engine, case)
    ats = list(audit.loc[audit["entity_id"] == ep["id"], "at"])  # the database's clock
    rows = [r for r in next(t for t in build_summary(case, audit=audit).tables
                            if t.title == "Reviewer notes and audit trail").rows
            if f"episode #{ep['id']}" in r[2]]
    assert [r[:3] for r in rows] == [
        (f"{when(ats[0])} UTC", "Dr A", f"created episode #{ep['id']}"),
        (f"{when(ats[1])} UTC", "Dr A", f"changed episode #{ep['id']}"),
        (f"{when(ats[2])} UTC", "Dr B", f"changed episode #{ep['id']}"),
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", rows[0][0])  # to the second
    # The note change says what the note became; a cleared severity is a dash, not None.
    assert rows[1][3] == "note: — → rash on both arms"
    assert rows[2][3] == "severity: moderate → —"
    # The History dialog shows the same time and the same words.
    dialog = HistoryDialog(episode_history(demo_engine, ep["id"]), "flare")
    qtbot.addWidget(dialog)
    cells = [[dialog.table.item(r, c).text() for c in range(4)]
             for r in range(dialog.table.rowCount())]
    assert [c[0] for c in cells] == [when(t) for t in ats]
    assert [c[3].split("\n") for c in cells[1:]] == [r[3].split("; ") for r in rows[1:]]
    assert cells[0][3].split("\n") == rows[0][3].split("; ")


def test_a_creation_lists_what_it_set_and_a_change_only_what_changed():
    lines = change_lines("create", "episode", None,
                         {"kind": "relapse", "onset": 0, "end": 2 * 86_400, "severity": None,
                          "certainty": "probable", "status": "accepted", "note": ""})
    assert lines == ["kind: relapse", "onset: 1970-01-01", "end: 1970-01-02", "severity: —",
                     "certainty: probable", "status: accepted", "note: —"]
    assert change_lines("update", "episode", '{"note": "", "version": 1}',
                        '{"note": "seen", "version": 2}') == ["note: — → seen"]
