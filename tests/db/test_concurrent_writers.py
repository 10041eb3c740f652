"""Several reviewers' processes editing the same episodes at once on a server (issue 16,
load): no edit is laid silently over another, every refusal is reported as a conflict.
benchmarks/bench_pg_writers.py runs 8 writers × 500 edits and prints the figures; here a
small run of it, and its judge shown to catch an overwrite."""

from __future__ import annotations

import pytest

from benchmarks.bench_pg_writers import Load, judge, run
from db.episodes import create_episode, update_episode
from db.writes import insert_patient
from tests.backend import target

DAY = 86_400
T0 = 1_700_000_000 // DAY * DAY


@pytest.mark.pg_only
def test_three_writers_on_two_episodes_overwrite_nothing_and_report_every_conflict(
        engine, tmp_path):
    load = run(target(engine), writers=3, edits=30, episodes=2, think_s=0.01, folder=tmp_path)

    assert load.findings == []
    assert load.attempts == 90 and load.accepted + load.conflicts == 90
    assert load.silent_overwrites == load.unreported == load.false_conflicts == 0
    assert load.audit_problems == 0
    assert load.conflicts > 0 and load.accepted > 0  # they did collide, and got work done


def test_the_judge_counts_an_edit_laid_over_another(engine):
    with engine.begin() as conn:
        case = insert_patient(conn, pseudonym="P-01")
    eid = create_episode(engine, case, actor="a", kind="flare", onset=T0, end=T0 + DAY)["id"]
    update_episode(engine, eid, 1, actor="writer-0", note="first")
    # Two writers say they saved version 1: only one edit from it is in the trail.
    reports = [{"accepted": [[eid, 1, 2]], "conflicts": [], "errors": []},
               {"accepted": [[eid, 1, 2]], "conflicts": [[eid, 2]], "errors": []}]
    load = Load(seconds=1.0)

    judge(engine, reports, load)

    assert load.silent_overwrites == 1, load.findings  # the one the trail does not have
    assert load.false_conflicts == 1  # nobody moved version 2 on
