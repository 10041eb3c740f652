"""Who and when come from the database side, on both back-ends: the time of every audit row
is the database's clock, never the program's; who is the login (the server's, or the
computer's for a SQLite file), never a name the program was told."""

from __future__ import annotations

import time

from sqlalchemy import select, text

import main
from db.audit import db_now
from db.episodes import create_episode
from db.identity import login
from db.models import AuditEvent
from db.patients import patient_id
from tests.backend import target

A_WRONG_CLOCK = 946_684_800.0  # 2000-01-01: the program's clock, set far back


def _last_audit(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(AuditEvent).order_by(AuditEvent.id.desc())
                                 .limit(1)).mappings().one())


def test_an_audit_row_carries_the_databases_time_not_the_programs(demo_engine, monkeypatch,
                                                                  reviewer):
    monkeypatch.setattr(time, "time", lambda: A_WRONG_CLOCK)
    pid = int(patient_id(demo_engine, "NLRP12-01"))
    row = create_episode(demo_engine, pid, actor=login(demo_engine), kind="flare",
                         onset=1_500_000_000)
    with demo_engine.connect() as conn:
        now = db_now(conn)
        # The database's own clock, read without the program's help.
        server = conn.execute(text(
            "SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)" if conn.dialect.name ==
            "postgresql" else "SELECT CAST(strftime('%s', 'now') AS INTEGER)")).scalar()
    audit = _last_audit(demo_engine)
    assert abs(audit["at"] - server) < 120 and abs(now - server) < 120
    assert audit["at"] == row["created"] == row["updated"]
    assert audit["at"] > A_WRONG_CLOCK + 10 * 365 * 86_400
    assert audit["actor"] == row["author"] == reviewer


def test_commands_record_the_login_as_who_changed_what(demo_engine, reviewer, capsys):
    assert main.main(["--db", target(demo_engine), "patients", "set", "NLRP12-01",
                      "--diagnosis", "CAPS"]) == 0
    audit = _last_audit(demo_engine)
    assert (audit["entity"], audit["actor"]) == ("patient", reviewer)
