"""The issue's check, as two reviewers meet it: two Flarescope processes on one database
edit the same episode; the second to save is refused and shown the first's change, then
applies its own on top. On both back-ends (on PostgreSQL: one server database)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

from data.alignment import DAY
from db.episodes import get_episode
from tests.backend import target
from tests.conftest import ON_POSTGRESQL
from tests.gui.conftest import LANE_Y, open_case, show
from tests.gui.drag import drag
from tests.gui.test_annotation import audit

ROOT = Path(__file__).resolve().parents[2]


def _answer(proc: subprocess.Popen, timeout: float = 60.0) -> dict:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the other Flarescope did not answer"
    line = proc.stdout.readline()
    assert line, f"the other Flarescope ended: {proc.stderr.read()}"
    return json.loads(line)


def _second_reviewer(request, demo_engine) -> tuple[str, str, dict[str, str]]:
    """Dr Leroy's database URL or file, login and environment: on the server a login of
    the reviewer role of its own, on a file another computer account (LOGNAME)."""
    env = dict(os.environ)
    if ON_POSTGRESQL:
        other = request.getfixturevalue("server_login")(demo_engine, "reviewer", "dr_leroy")
        return target(other), "dr_leroy", env
    env["LOGNAME"] = "Dr Leroy"
    return target(demo_engine), "Dr Leroy", env


def test_two_processes_edit_one_episode(qtbot, request, make_window, demo_engine, reviewer,
                                        tmp_path):
    db, leroy, env = _second_reviewer(request, demo_engine)
    first = make_window()
    first.setGeometry(0, 0, 960, 1000)
    case = open_case(qtbot, first, "NLRP12-02")
    row = case.episodes.iloc[0]
    eid, onset = int(row["id"]), int(row["onset"])
    with subprocess.Popen(
            [sys.executable, "-m", "tests.gui.reviewer_process", db, "NLRP12-02",
             str(tmp_path)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True) as other:
        _meet(qtbot, first, other, demo_engine, row, reviewer)
    ep = get_episode(demo_engine, eid)
    assert (ep["onset"], ep["version"]) == (onset - 10 * DAY, 3)
    assert ep["note"].endswith(" Rash on day 3.")
    assert [a["actor"] for a in audit(demo_engine, eid)][-2:] == [reviewer, leroy]
    # Dr Martin's window shows Dr Leroy's note within seconds, without F5.
    qtbot.waitUntil(lambda: first.case.episodes.iloc[0]["note"].endswith(" Rash on day 3."),
                    timeout=5000)


def _meet(qtbot, first, other: subprocess.Popen, demo_engine, row, martin: str) -> None:
    eid, onset = int(row["id"]), int(row["onset"])
    try:
        # Dr Leroy (the other process) is typing a note on the relapse …
        assert _answer(other)["typing"].endswith(" Rash on day 3.")
        # … when Dr Martin (``reviewer``), here, moves its onset ten days earlier and it is saved.
        show(qtbot, first, onset - 30 * DAY, onset + 50 * DAY)
        drag(qtbot, first.timeline, "episodes", onset, onset - 10 * DAY, y=LANE_Y)
        assert get_episode(demo_engine, eid)["onset"] == onset - 10 * DAY

        other.stdin.write("save\n")
        other.stdin.flush()
        refused = _answer(other)
        theirs, mine = refused["told"].split("Your change")
        assert "was changed by someone else" in refused["title"]
        assert f"{martin} (" in theirs and "onset: 2010-03-14 → 2010-03-04" in theirs
        assert "Rash on day 3." in mine
        assert refused["onset_shown"] == onset - 10 * DAY  # the first's change on screen
        assert get_episode(demo_engine, eid)["note"] == row["note"]  # nothing overwritten

        other.stdin.write("apply\n")
        other.stdin.flush()
        assert _answer(other)["note"].endswith(" Rash on day 3.")
        assert other.wait(60) == 0
    finally:
        if other.poll() is None:
            other.kill()
