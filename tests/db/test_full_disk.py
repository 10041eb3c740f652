"""A database write that meets a full disk says so in plain words and changes nothing."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from data.patients import save_details
from db.errors import FULL_MESSAGE, user_message
from db.patients import all_patients, get_patient


@pytest.mark.sqlite_only  # SQLite's page limit stands in for a full disk
def test_a_full_disk_during_a_patient_edit_is_told_plainly(demo_engine):
    # SQLite's page limit gives the same SQLITE_FULL as a full file system does.
    before = all_patients(demo_engine)
    pid = before[0]["id"]
    version = get_patient(demo_engine, pid)["version"]
    demo_engine.dispose()

    @event.listens_for(demo_engine, "connect")
    def _no_room(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(Exception) as caught:  # noqa: PT011 - whatever the layer raises
        for i in range(200):  # until the audit trail needs a page it cannot have
            before = all_patients(demo_engine)
            save_details(demo_engine, pid, version + i, actor="Dr Test",
                         genotype=f"{i:03d}" + "x" * 190)
    assert isinstance(caught.value.__context__ or caught.value.__cause__ or caught.value,
                      sqlite3.OperationalError) or "full" in str(caught.value)
    assert user_message(caught.value) == FULL_MESSAGE
    event.remove(demo_engine, "connect", _no_room)
    demo_engine.dispose()
    assert all_patients(demo_engine) == before  # the failed save left nothing behind


def test_a_full_disk_on_the_server_is_told_plainly():
    """PostgreSQL says so with SQLSTATE 53100 (disk_full), in the server's own words."""
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    exc = OperationalError("INSERT …", {}, psycopg.errors.DiskFull("could not extend file"))
    assert user_message(exc) == FULL_MESSAGE
