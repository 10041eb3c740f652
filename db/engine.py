"""Opening a database: URL resolution, SQLite pragmas, schema brought to head."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from db.schema_version import HEAD_REVISION

log = logging.getLogger(__name__)

ENV_VAR = "FLARESCOPE_DB"


class DatabaseOpenError(Exception):
    """A database could not be opened; the message is meant for the user, in one line."""


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Flarescope", appauthor=False)) / "flarescope.db"


def resolve_url(path_or_url: str | None = None) -> str | URL:
    """``--db`` wins, then ``FLARESCOPE_DB``, then the user data folder.

    A file path becomes a URL object, not text: '?' or '#' in a folder name would
    otherwise be read as the start of URL query options.
    """
    target = path_or_url or os.environ.get(ENV_VAR) or str(default_database_path())
    if "://" in target:
        return target
    return URL.create("sqlite", database=str(Path(target).expanduser().resolve()))


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def sqlite_path(engine: Engine) -> str | None:
    """The file behind a SQLite engine, for the fast read path; None for other databases."""
    if engine.dialect.name != "sqlite":
        return None
    return engine.url.database or None


def open_database(path_or_url: str | None = None, *, migrate: bool = True) -> Engine:
    """Open (creating if needed) a database and bring its schema to head.

    Raises DatabaseOpenError with a one-line message for the user on any failure.
    """
    target = resolve_url(path_or_url)
    url_text = target if isinstance(target, str) else str(target.database)
    try:
        url = make_url(target)
    except ArgumentError as exc:
        raise DatabaseOpenError(f"Not a database path or URL: {url_text!r}") from exc
    if url.get_backend_name() == "sqlite" and url.database:
        db_file = Path(url.database)
        try:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseOpenError(f"Cannot create folder {db_file.parent}: {exc.strerror}") from exc
        if db_file.exists() and db_file.is_dir():
            raise DatabaseOpenError(f"{db_file} is a folder, not a database file")
    try:
        engine = create_engine(url)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise DatabaseOpenError(f"Unsupported database URL {url_text!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if migrate:
                _bring_to_head(engine)
    except DatabaseOpenError:
        engine.dispose()
        raise
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise DatabaseOpenError(f"Cannot open database {_display(url_text)}: {reason}") from exc
    return engine


def _display(url_text: str) -> str:
    return url_text.removeprefix("sqlite:///")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _bring_to_head(engine: Engine) -> None:
    # Alembic costs ~0.1 s to import: only pay for it when the schema is not at head.
    if current_revision(engine) == HEAD_REVISION:
        return
    from db.migrate import upgrade_to_head

    log.info("migrating %s to %s", engine.url, HEAD_REVISION)
    upgrade_to_head(engine)
