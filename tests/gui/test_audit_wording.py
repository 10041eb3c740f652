"""The audit trail in the PDF is complete and worded as the History dialog words it."""

from __future__ import annotations

import datetime as dt

from data.audit_text import change_lines, when
from data.summary import build_summary, load_audit, load_case
from db.episodes import create_episode, episode_history, update_episode
from db.queries import list_cases
from gui.episodes.history_dialog import HistoryDialog

T0 = int(dt.datetime(2026, 11, 30, 9, 15, 7, tzinfo=dt.UTC).timestamp())


def _pid(engine, pseudonym: str) -> int:
    cases = list_cases(engine)
    return int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])


def test_every_change_is_printed_to_the_second_as_the_history_dialog_shows_it(
        qtbot, demo_engine):
    pid = _pid(demo_engine, "TRAPS-01")
    case = load_case(demo_engine, pid)
    onset = int(case.time_range[0]) // 86_400 * 86_400 + 30 * 86_400
    ep = create_episode(demo_engine, pid, actor="Dr A", kind="flare", onset=onset,
                        severity="moderate", at=T0)
    ep = update_episode(demo_engine, ep["id"], ep["version"], actor="Dr A", at=T0 + 5,
                        note="rash on both arms")
    ep = update_episode(demo_engine, ep["id"], ep["version"], actor="Dr B", at=T0 + 9,
                        severity=None)
    case = load_case(demo_engine, pid)
    rows = [r for r in next(t for t in build_summary(case, audit=load_audit(demo_engine, case))
                                 .tables if t.title == "Reviewer notes and audit trail").rows
            if f"episode #{ep['id']}" in r[2]]
    assert [r[:3] for r in rows] == [
        ("2026-11-30 09:15:07 UTC", "Dr A", f"created episode #{ep['id']}"),
        ("2026-11-30 09:15:12 UTC", "Dr A", f"changed episode #{ep['id']}"),
        ("2026-11-30 09:15:16 UTC", "Dr B", f"changed episode #{ep['id']}"),
    ]
    # The note change says what the note became; a cleared severity is a dash, not None.
    assert rows[1][3] == "note: — → rash on both arms"
    assert rows[2][3] == "severity: moderate → —"
    # The History dialog shows the same time and the same words.
    dialog = HistoryDialog(episode_history(demo_engine, ep["id"]), "flare")
    qtbot.addWidget(dialog)
    cells = [[dialog.table.item(r, c).text() for c in range(4)]
             for r in range(dialog.table.rowCount())]
    assert [c[0] for c in cells] == [when(T0), when(T0 + 5), when(T0 + 9)]
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
