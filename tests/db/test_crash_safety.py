"""Crash safety (issue 16 item 5): a writer SIGKILLed while it saves episodes or imports
loses no committed change and leaves none half-written. benchmarks/bench_sigkill.py
does it 500 times per back-end and prints the figures; here a short run of it, and the
checker shown to catch what it is there to catch."""

from __future__ import annotations

from sqlalchemy import insert

from benchmarks.bench_sigkill import Expected, Figures, _setup, check, run
from benchmarks.sigkill_writer import ACTOR, CASE, IMPORTED
from db.episodes import create_episode
from db.models import Episode
from db.writes import insert_patient, patient_id_by_pseudonym
from tests.backend import target

DAY = 86_400
T0 = 1_700_000_000 // DAY * DAY


def test_a_writer_killed_twenty_times_loses_nothing_and_leaves_nothing_half(engine, tmp_path):
    where = target(engine)
    engine.dispose()

    figures = run(where, 20, folder=tmp_path)

    assert figures.findings == []
    assert figures.kills == 20 and figures.writer_errors == 0
    assert figures.committed_lost == figures.half_written == figures.audit_problems == 0
    assert figures.integrity_ok == 1
    # The kills hit a writer at work, not one idling or starting (on a loaded machine a
    # writer gets less done before its kill: 0.6 changes a round at load 12).
    assert figures.changes_committed > 0 and figures.kills_mid_write >= 5


def test_the_checker_counts_a_lost_change_and_half_written_ones(engine, tmp_path):
    _setup(target(engine), tmp_path)
    with engine.connect() as conn:
        case = patient_id_by_pseudonym(conn, CASE)
    saved = create_episode(engine, case, actor=ACTOR, kind="flare", onset=T0, end=T0 + DAY)
    figures = Figures()
    # The writer said it committed version 2; the database has version 1.
    check(engine, Expected(), [["update", str(saved["id"]), "2"]], None, figures)
    assert (figures.committed_lost, figures.half_written) == (1, 0)

    figures = Figures()
    with engine.begin() as conn:  # an episode without its audit row, a case without its import
        conn.execute(insert(Episode).values(patient_id=case, kind="flare", onset=T0, end=None,
                                            note="", author=ACTOR, version=1, created=T0,
                                            updated=T0, status="accepted", origin="reviewer"))
        insert_patient(conn, pseudonym=f"{IMPORTED}HALF")
    check(engine, Expected({saved["id"]: 1}), [], None, figures)
    assert figures.committed_lost == 0
    # The episode: no audit row, reported by no writer; the case: reported by no writer,
    # no import audit row.
    assert figures.half_written == 4, figures.findings
