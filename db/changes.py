"""Noticing that another Flarescope changed the database, without Qt.

Every change writes an audit row (db.audit.record), so "what changed since I last looked"
is the audit rows after the newest one seen (``changes_after``). What wakes the reader:

- PostgreSQL: ``record`` issues ``pg_notify`` on CHANNEL in the change's transaction (the
  server delivers it at commit, once per transaction, never for a rolled-back one); a
  ``Watch`` holds its own connection LISTENing, whose socket (``fileno``) the window
  watches, so nothing is polled and nothing blocks.
- SQLite: no notifications between processes; ``PRAGMA data_version`` on a connection of
  its own changes when any other connection (another process's too) commits. Asking costs
  microseconds, so the window asks on a timer.

A wake-up only says "look": the reader then compares what the audit rows name with what it
shows, so a missed or extra wake-up costs nothing but one cheap query.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select, text

from db.models import AuditEvent

log = logging.getLogger(__name__)

CHANNEL = "flarescope_changes"
# Any login may NOTIFY, and one that LISTENs without reading holds the server's queue of
# notifications: filled by a flood, it would refuse the commit of every change that
# notifies. Past this share of the queue the program stops telling others (they see the
# change at their next look) rather than stop saving.
NOTIFY_QUEUE_SHARE = 0.5
_T = AuditEvent.__table__


def announce(conn: Connection) -> None:
    """Tell listening Flarescopes, at commit, that this transaction changed something
    (PostgreSQL; SQLite readers notice by themselves); never when the queue is filling."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '') WHERE pg_notification_queue_usage() "
                          "< :share"), {"channel": CHANNEL, "share": NOTIFY_QUEUE_SHARE})


@dataclass(frozen=True)
class Change:
    """One audit row, as much as a reader needs to know what to re-read."""

    id: int
    actor: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    action: str


def newest_change(engine: Engine) -> int:
    """The id of the newest audit row (0 for none): where a reader starts looking from."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(_T.c.id))).scalar() or 0)


def changes_after(engine: Engine, after_id: int, limit: int = 10_000) -> list[Change]:
    """The audit rows after ``after_id``, oldest first (at most ``limit``)."""
    stmt = (select(_T.c.id, _T.c.actor, _T.c.entity, _T.c.entity_id, _T.c.patient_id,
                   _T.c.action)
            .where(_T.c.id > after_id).order_by(_T.c.id).limit(limit))
    with engine.connect() as conn:
        return [Change(int(r.id), str(r.actor), str(r.entity),
                       None if r.entity_id is None else int(r.entity_id),
                       None if r.patient_id is None else int(r.patient_id), str(r.action))
                for r in conn.execute(stmt)]


class Watch:
    """Says whether another connection may have committed since it was last asked.

    ``fileno()`` is the socket to wait on (PostgreSQL) or None (SQLite: call ``changed``
    on a timer). ``changed`` never blocks. Holds one connection of its own until ``close``.
    """

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        # Its own connection, taken out of the pool: LISTEN (or the data version) belongs
        # to one connection for as long as the window is open.
        self._raw = engine.raw_connection()
        self._conn = self._raw.driver_connection
        self._raw.detach()
        self._version: int | None = None
        if self.dialect == "postgresql":
            self._conn.autocommit = True
            self._conn.execute(f"LISTEN {CHANNEL}")
        else:
            self._version = self._data_version()

    def fileno(self) -> int | None:
        return self._conn.fileno() if self.dialect == "postgresql" else None

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        if self.dialect == "postgresql":
            pg = self._conn.pgconn
            pg.consume_input()
            woken = False
            while pg.notifies() is not None:
                woken = True
            return woken
        version = self._data_version()
        moved, self._version = version != self._version, version
        return moved

    def close(self) -> None:
        try:
            self._raw.close()
        except Exception:  # closing a connection the server already dropped
            log.debug("closing the change watch failed", exc_info=True)
