"""Noticing another connection's commit (db.changes), on both back-ends: a cheap look says
nothing while nothing happens, something once a change commits, never for a rollback."""

from __future__ import annotations

import time

import pytest

from db.changes import Watch, changes_after, newest_change
from db.engine import open_database
from db.episodes import create_episode, update_episode
from tests.backend import target

T0 = 1_700_000_000 // 86_400 * 86_400


def _woken(watch: Watch, within: float = 2.0) -> bool:
    """The server's notification travels on a socket: give it a moment."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if watch.changed():
            return True
        time.sleep(0.01)
    return False


def test_a_commit_by_another_connection_wakes_the_watch_once(engine, pid):
    start = newest_change(engine)
    watch = Watch(engine)
    other = open_database(target(engine))
    try:
        assert not _woken(watch, 0.3)
        eid = create_episode(other, pid, actor="bob", kind="flare", onset=T0)["id"]
        update_episode(other, eid, 1, actor="bob", note="ICU")
        assert _woken(watch)
        # Two commits, two notices: on a busy machine they can arrive apart. Once both
        # are read, nothing more wakes the watch.
        time.sleep(0.3)
        watch.changed()
        assert not _woken(watch, 0.3)
        changes = changes_after(engine, start)
        assert [(c.actor, c.entity, c.entity_id, c.patient_id, c.action) for c in changes] == [
            ("bob", "episode", eid, pid, "create"), ("bob", "episode", eid, pid, "update")]
        assert changes_after(engine, changes[-1].id) == []
        assert newest_change(engine) == changes[-1].id
    finally:
        other.dispose()
        watch.close()


def test_a_rolled_back_change_wakes_nobody(engine, pid):
    from db.audit import audited_transaction, record

    watch = Watch(engine)
    try:
        with audited_transaction(engine) as conn:
            record(conn, actor="bob", entity="patient", entity_id=pid, patient_id=pid,
                   action="update", before=None, after=None)
            conn.get_transaction().rollback()
        assert not _woken(watch, 0.5)
    finally:
        watch.close()


@pytest.mark.pg_only
def test_a_filling_notification_queue_stops_the_hint_not_the_save(engine, pid, monkeypatch):
    """A login that LISTENs without reading lets a NOTIFY flood fill the server's queue, and
    a full queue refuses every commit that notifies: past NOTIFY_QUEUE_SHARE of it the
    program saves without telling (item 4). Here the share is set to 0: the queue is
    always 'too full'."""
    import db.changes

    watch = Watch(engine)
    try:
        monkeypatch.setattr(db.changes, "NOTIFY_QUEUE_SHARE", 0.0)
        eid = create_episode(engine, pid, actor="bob", kind="flare", onset=T0)["id"]
        assert not _woken(watch, 0.5)
        assert changes_after(engine, 0)[-1].entity_id == eid  # saved all the same
        monkeypatch.setattr(db.changes, "NOTIFY_QUEUE_SHARE", 0.5)
        update_episode(engine, eid, 1, actor="bob", note="ICU")
        assert _woken(watch)
    finally:
        watch.close()
