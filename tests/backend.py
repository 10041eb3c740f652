"""What tests need to know about the database back-end they run on."""

from __future__ import annotations

from sqlalchemy import Engine


def target(engine: Engine) -> str:
    """What --db and FLARESCOPE_DB take to reach this engine's database: its file, or
    (on a server) its URL."""
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=False)


def another_writer(engine: Engine):
    """A connection of 'another Flarescope' in the middle of a write: it holds the write
    lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the audit table locked) until its
    rollback(), which may be called from another thread."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        other = sqlite3.connect(engine.url.database, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        return other
    import psycopg

    url = engine.url
    other = psycopg.connect(host=url.query["host"], port=int(url.query["port"]),
                            user=url.username, dbname=url.database)
    other.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
    return other
