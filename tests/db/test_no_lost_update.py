"""No lost update between two writers, on both back-ends: a save based on what a reviewer
read is refused when a colleague's save committed meanwhile, even when that save is still
in flight (holding the write lock) as ours starts. The version is read after the lock is
taken, so the version checked is the one replaced."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import update

from db.audit import audited_transaction
from db.controls import StaleReference, change_references, load_references
from db.engine import open_database
from db.episodes import (
    StaleEpisodeError,
    StaleReviewError,
    create_episode,
    get_episode,
    mark_case_reviewed,
    update_episode,
)
from db.models import ControlReference, ControlReferenceSet, Episode, Patient
from db.patients import StalePatientError, get_patient, update_patient
from db.queries import patient_row
from tests.backend import target

T0 = 1_700_000_000 // 86_400 * 86_400


def _episode(engine, pid):
    eid = create_episode(engine, pid, actor="alice", kind="relapse", onset=T0)["id"]

    def colleague(conn):
        conn.execute(update(Episode).where(Episode.id == eid)
                     .values(note="bob's", version=Episode.version + 1))

    def ours():
        update_episode(engine, eid, 1, actor="alice", note="alice's")

    return colleague, ours, StaleEpisodeError, lambda: get_episode(engine, eid)["note"]


def _review(engine, pid):
    def colleague(conn):
        conn.execute(update(Patient).where(Patient.id == pid)
                     .values(reviewed_by="bob", reviewed_at=T0,
                             review_version=Patient.review_version + 1))

    def ours():
        mark_case_reviewed(engine, pid, "alice", False, version=0)

    return colleague, ours, StaleReviewError, lambda: patient_row(engine, pid)["reviewed_by"]


def _patient(engine, pid):
    def colleague(conn):
        conn.execute(update(Patient).where(Patient.id == pid)
                     .values(diagnosis="bob's", version=Patient.version + 1))

    def ours():
        update_patient(engine, pid, 1, actor="alice", diagnosis="alice's",
                       weights={"2024-01-01": 30.0})

    return colleague, ours, StalePatientError, lambda: (get_patient(engine, pid)["diagnosis"],
                                                        get_patient(engine, pid)["weights"])


def _control(engine, pid):
    with audited_transaction(engine) as conn:
        change_references(conn, add=[{"code": "IL1B", "specimen": "serum", "unit": "pg/mL",
                                      "mean": 2.0}], lab="lab", action="add", actor="alice")
    rid = int(load_references(engine)[0]["id"].iloc[0])

    def colleague(conn):
        sid = conn.execute(ControlReferenceSet.__table__.insert().values(
            lab="lab", action="retire", created_at=T0, created_by="bob")
            .returning(ControlReferenceSet.id)).scalar_one()
        conn.execute(update(ControlReference).where(ControlReference.id == rid)
                     .values(retired_set_id=sid))

    def ours():
        with audited_transaction(engine) as conn:
            change_references(conn, retire=[rid], add=[{
                "code": "IL1B", "specimen": "serum", "unit": "pg/mL", "mean": 3.0}],
                lab="lab", action="edit", actor="alice")

    return colleague, ours, StaleReference, lambda: list(load_references(engine)[0]["mean"])


@pytest.mark.parametrize("make", [_episode, _review, _patient, _control],
                         ids=["episode", "review", "patient details", "control reference"])
def test_a_save_waiting_on_a_colleagues_save_is_refused_once_it_commits(engine, pid, make):
    colleague, ours, stale, stored = make(engine, pid)
    before = stored()
    other = open_database(target(engine))
    outcome: list[BaseException | None] = []

    def save() -> None:
        try:
            ours()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    try:
        with audited_transaction(other) as conn:
            colleague(conn)
            thread = threading.Thread(target=save)
            thread.start()
            thread.join(0.5)
            # Ours waits for the colleague's write lock; it has not read the version yet.
            assert thread.is_alive() and not outcome
        thread.join(10)
    finally:
        other.dispose()
    assert len(outcome) == 1 and isinstance(outcome[0], stale), outcome
    assert stored() != before  # the colleague's change stands, ours wrote nothing
    assert "alice's" not in str(stored()) and "3.0" not in str(stored())
