"""Opening a database: URL resolution, SQLite pragmas, the write lock, the schema check.

A SQLite file is one reviewer's: it is brought to the newest schema when opened. A
server database (PostgreSQL) is the department's: it is never migrated by opening it,
only by `flarescope db upgrade`, and one whose schema is not the newest is refused with
a line naming that command.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from db import cipher
from db.errors import (
    BUSY_MESSAGE,
    LOCK_NOT_AVAILABLE,
    UserFacingError,
    is_busy,
    is_denied,
    one_line,
    sqlite_errors,
)
from db.files import create_private, private_folder
from db.schema_version import HEAD_REVISION

log = logging.getLogger(__name__)

ENV_VAR = "FLARESCOPE_DB"


class DatabaseOpenError(UserFacingError):
    """A database could not be opened; the message is meant for the user, in one line."""


def default_database_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("Flarescope", appauthor=False)) / "flarescope.db"


def is_default_database(path_or_url: str | None = None) -> bool:
    """Neither --db nor FLARESCOPE_DB chose the database: the demo cohort belongs only
    here, never in a database someone created for real cases."""
    return not path_or_url and not os.environ.get(ENV_VAR)


def resolve_url(path_or_url: str | None = None) -> str | URL:
    """``--db`` wins, then ``FLARESCOPE_DB``, then the user data folder.

    A file path becomes a URL object, not text: '?' or '#' in a folder name would
    otherwise be read as the start of URL query options.
    """
    target = path_or_url or os.environ.get(ENV_VAR) or str(default_database_path())
    if "://" in target:
        return target
    return URL.create("sqlite", database=str(Path(target).expanduser().resolve()))


# SQLite waits this long for another connection's write lock before giving up with
# "database is locked" (told to the user as db.errors.BUSY_MESSAGE).
BUSY_TIMEOUT_S = 5.0
# A server session of the program left inside a transaction this long is ended by the
# server (its locks go with it): the program's transactions never wait on a person.
IDLE_IN_TRANSACTION_MS = 300_000

# Execution option: begin transactions holding the write lock (SQLite: BEGIN IMMEDIATE;
# PostgreSQL: the audit table locked against other writers, see take_write_lock).
WRITE_LOCK = "flarescope_write_lock"

UPGRADE_COMMAND = "python main.py db upgrade"

# A server login in neither of the database's roles (db/roles.py) is refused at the door.
NO_ROLE_MESSAGE = ("your login has no role in this database: whoever looks after the server "
                   "can give it one (`python main.py db grant LOGIN --reviewer` or "
                   "`--read-only`)")

# Tables every Flarescope database has had since its first migration.
OUR_TABLES = frozenset({"patient", "episode", "audit_event"})


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # The driver's own transaction handling leaves DDL outside any transaction, so a
    # failed migration would leave half its tables behind. Transactions are opened by
    # _sqlite_begin instead (SQLAlchemy's documented recipe for pysqlite).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # On the driver's connection: an infrastructure statement, not one of ours to count.
    # An audited write takes the write lock at once (db.audit.audited_transaction).
    immediate = conn.get_execution_options().get(WRITE_LOCK)
    conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


def take_write_lock(conn: Connection) -> None:
    """PostgreSQL: hold the write lock until the transaction ends. Every change writes an
    audit row, so locking the audit table (EXCLUSIVE lets readers in, queues every other
    writer) serialises writers as SQLite's BEGIN IMMEDIATE does, and keeps the audit
    chain from forking. Taking it again in the same transaction is free."""
    try:
        conn.connection.driver_connection.execute("LOCK TABLE audit_event IN EXCLUSIVE MODE")
    except Exception as exc:
        # The driver's own statement, which SQLAlchemy's error hook never sees: the writer
        # is told here who holds the lock (a psql session's login too).
        if getattr(exc, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            exc.writing = _lock_holders(conn.engine, _AGAINST_WRITERS, "audit_event")
        raise


def _postgresql_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE_LOCK):
        take_write_lock(conn)


def _terse_postgresql_errors(context) -> Exception | None:
    """Keep only PostgreSQL's primary message, as SQLite gives: its DETAIL line quotes the
    row's values (a duplicate key's, a failed check's) and would carry a patient's data
    into the terminal and the log, parameters hidden or not."""
    orig = context.original_exception
    if getattr(orig, "sqlstate", None) == LOCK_NOT_AVAILABLE and context.engine is not None:
        orig.locked_by = _lock_holders(context.engine)  # told by db.errors.user_line
    primary = getattr(getattr(orig, "diag", None), "message_primary", None)
    raised = context.sqlalchemy_exception
    if not primary or raised is None:
        return None
    orig.args = (primary,)
    return type(raised)(context.statement, None, orig, hide_parameters=True,
                        connection_invalidated=raised.connection_invalidated)


def _postgresql_connect(dbapi_conn, _record: object) -> None:
    with dbapi_conn.cursor() as cur:
        # Gives up waiting for a lock as SQLite does, told as busy (db.errors.is_busy):
        # a reader too, when any login holds a table with LOCK TABLE … ACCESS EXCLUSIVE.
        cur.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        # Never holds a lock for others to wait on while the program waits on nothing.
        cur.execute(f"SET idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}")
    dbapi_conn.commit()


# The table locks that hold back every reader; and the write lock (EXCLUSIVE on audit_event).
_AGAINST_READERS = ("AccessExclusiveLock",)
_AGAINST_WRITERS = ("AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock",
                    "ShareLock", "ShareUpdateExclusiveLock", "RowExclusiveLock")


def _lock_holders(engine: Engine, modes: tuple[str, ...] = _AGAINST_READERS,
                  table: str | None = None) -> list[str]:
    """Who holds one of the schema's tables (or ``table``) in one of ``modes``: "dr_x
    (episode)" against every reader; the logins alone for ``table``. As the server shows
    any login; [] when it cannot tell."""
    try:
        with engine.connect() as conn:
            return [f"{who} ({name})" if table is None else who
                    for who, name in conn.exec_driver_sql(
                "SELECT DISTINCT a.usename, c.relname FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.granted AND l.mode = ANY(%(modes)s::text[]) "
                "AND c.relnamespace = current_schema()::regnamespace "
                "AND (%(table)s::text IS NULL OR c.relname = %(table)s::text) "
                "AND l.pid <> pg_backend_pid() ORDER BY 1, 2",
                {"modes": list(modes), "table": table})]
    except Exception:  # the lookup is a courtesy: the busy line stands without it
        log.debug("cannot tell who holds the lock", exc_info=True)
        return []


def is_personal(engine: Engine) -> bool:
    """A SQLite file, one reviewer's: it migrates itself on open. A server database's
    schema changes only by `db upgrade`."""
    return engine.dialect.name == "sqlite"


def sqlite_path(engine: Engine) -> str | None:
    """The file behind a SQLite engine, for the fast read path; None for other databases."""
    if engine.dialect.name != "sqlite":
        return None
    return engine.url.database or None


def open_database(path_or_url: str | None = None, *, migrate: bool = True) -> Engine:
    """Open a database (a SQLite file is created if needed) at the newest schema.

    A SQLite file is brought to head; a server database must already be there (its
    schema changes only by `db upgrade`). ``migrate=False`` opens either as it stands,
    for `db upgrade` itself and for tests of old schemas.
    Raises DatabaseOpenError with a one-line message for the user on any failure.
    """
    target = resolve_url(path_or_url)
    url_text = target if isinstance(target, str) else str(target.database)
    try:
        url = make_url(target)
        if url.port is not None and not 0 < url.port < 65536:
            raise ValueError(f"port {url.port}")
    except ArgumentError as exc:
        raise DatabaseOpenError(f"Not a database path or URL: {_unparsed(url_text)!r}") from exc
    except ValueError as exc:  # a port that is not a number, or two of them
        raise DatabaseOpenError(
            f"Malformed database URL {_unparsed(url_text)!r}: expected "
            "postgresql+psycopg://USER@HOST[:PORT]/DATABASE, a port a number up to "
            "65535") from exc
    shown = _display(url)
    sqlite_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if sqlite_file:
        db_file = Path(url.database)
        if db_file.is_dir():
            raise DatabaseOpenError(f"{db_file} is a folder, not a database file")
        try:
            private_folder(db_file.parent)
            create_private(db_file)  # SQLite gives its -wal and -shm files the same mode
        except OSError as exc:
            raise DatabaseOpenError(f"Cannot create {db_file}: {exc.strerror}") from exc
    secret = _encryption_key(db_file) if sqlite_file else None
    try:
        # hide_parameters: an error's text must never carry a patient's data to the
        # terminal or the log.
        engine = create_engine(url, hide_parameters=True, **(
            {"connect_args": {"timeout": BUSY_TIMEOUT_S}} if sqlite_file else {}),
            **({"module": cipher.driver()} if secret else {}))
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise DatabaseOpenError(f"Unsupported database URL {shown!r}: {exc}") from exc
    if secret:
        cipher.attach(engine, db_file, secret)
    try:
        # Looked at before anything is changed: no WAL switch, no tables, no demo in a
        # database that is not ours, is newer than us, or is damaged.
        revision = _check_ours(engine, shown)
        if engine.dialect.name == "sqlite":
            engine.dispose()  # the probe's connection has no pragmas
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
            _refuse_writes_if_damaged(engine, shown)
        elif engine.dialect.name == "postgresql":
            engine.dispose()
            event.listen(engine, "connect", _postgresql_connect)
            event.listen(engine, "begin", _postgresql_begin)
            event.listen(engine, "handle_error", _terse_postgresql_errors)
        if migrate and revision != HEAD_REVISION:
            if not is_personal(engine):
                raise SchemaNotReadyError(_not_ready(shown, revision))
            _bring_to_head(engine, shown)
    except DatabaseOpenError:
        engine.dispose()
        raise
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        if is_busy(exc):
            raise DatabaseOpenError(f"{shown}: {BUSY_MESSAGE}") from exc
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        if is_denied(exc) or "permission denied for database" in reason:
            raise DatabaseOpenError(f"{shown}: {NO_ROLE_MESSAGE}") from exc
        raise DatabaseOpenError(f"Cannot open database {shown}: {reason}") from exc
    return engine


def _encryption_key(db_file: Path) -> cipher.Secret | None:
    """The key of an encrypted file (SQLCipher, db/cipher.py); None for a plain one."""
    try:
        return cipher.secret_for(db_file)
    except cipher.EncryptionError as exc:
        raise DatabaseOpenError(str(exc)) from exc


def _check_ours(engine: Engine, shown: str) -> str | None:
    """The database's revision, after refusing one that is another program's or newer."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = None
        if "alembic_version" in tables:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
    tables.discard("alembic_version")
    if not tables and revision is None:
        return None  # new and empty: ours to fill
    if revision is None or not tables >= OUR_TABLES:
        raise DatabaseOpenError(f"{shown} is not a Flarescope database (it holds other "
                                "tables); nothing was changed")
    if revision != HEAD_REVISION and revision not in _known_revisions():
        raise DatabaseOpenError(f"{shown} was made by a newer version of Flarescope "
                                f"(schema {revision}); update Flarescope to open it")
    return revision


class SchemaNotReadyError(DatabaseOpenError):
    """A server database whose schema is missing or older than this program's."""


def _not_ready(shown: str, revision: str | None) -> str:
    if revision is None:
        return (f"{shown} has no Flarescope tables yet: create them with "
                f"`{UPGRADE_COMMAND}` (same --db or FLARESCOPE_DB)")
    return (f"{shown} has an older Flarescope schema ({revision}): bring it up to date with "
            f"`{UPGRADE_COMMAND}` (same --db or FLARESCOPE_DB)")


def _known_revisions() -> set[str]:
    from db.migrate import known_revisions

    return known_revisions()


class DatabaseDamagedError(DatabaseOpenError):
    """The file failed SQLite's integrity check; nothing is written to it."""


def _refuse_writes_if_damaged(engine: Engine, shown: str) -> None:
    """Run PRAGMA quick_check before the first commit of this engine; refuse it (and every
    later one) if the file is damaged. Reading a damaged file is still allowed."""
    verdict: list[str] = []

    def check(conn: Connection) -> None:
        if not verdict:
            problem = _quick_check(conn.connection.driver_connection)
            if problem is not None and not _is_damage(problem):
                return  # unreadable now (locked, full disk): the commit says so; ask again
            verdict.append(problem or "ok")
        if verdict[0] != "ok":
            raise DatabaseDamagedError(
                f"{shown} is damaged ({verdict[0]}); nothing was written. Restore it "
                "from a backup, or open a copy with the sqlite3 tool's .recover")

    event.listen(engine, "commit", check)


# SQLite errors that say the file cannot be read now, not that it is damaged: another
# process holds it, the disk is full or gone, or it is no database at all. The command
# that goes on to use the file says which, in its own line; calling such a file damaged
# sent a reviewer to restore a sound file from a backup (attacker review).
_NOT_DAMAGE = ("locked", "busy", "disk I/O error", "unable to open", "readonly", "disk is full")


def _is_damage(problem: str) -> bool:
    return not any(s in problem for s in _NOT_DAMAGE)


def _quick_check(dbapi_conn: sqlite3.Connection) -> str | None:
    """SQLite's quick integrity check: None if the file is sound, else its first problem
    (which may be one that is not damage: see _is_damage)."""
    cur = dbapi_conn.cursor()
    try:
        rows = [r[0] for r in cur.execute("PRAGMA quick_check(3)").fetchall()]
    except sqlite_errors("DatabaseError") as exc:  # damage the check itself trips over
        rows = [str(exc)]
    finally:
        cur.close()
    return None if rows == ["ok"] else rows[0]


def damage(path_or_url: str | None = None) -> str | None:
    """The first problem SQLite's quick check finds in the database file, None if it is
    sound (or not a SQLite file). Read-only: asked after an unexpected error, because a
    damaged page can read as a missing row rather than as an error."""
    url = resolve_url(path_or_url)
    if isinstance(url, str) or not url.database or not Path(url.database).is_file():
        return None
    # A file without SQLite's header is another file (or, encrypted, needs another key),
    # not a damaged database; with the header, "not a database" is damage.
    encrypted = cipher.is_encrypted(url.database)
    plain = cipher.has_plain_header(url.database)
    try:
        if encrypted:
            conn = cipher.open_readonly(Path(url.database))
            if conn is None:  # no key at hand: unreadable is not damaged
                return None
        else:
            conn = sqlite3.connect(f"{Path(url.database).as_uri()}?mode=ro", uri=True)
    except sqlite_errors("Error") as exc:
        problem = str(exc)
    else:
        try:
            problem = _quick_check(conn)
        finally:
            conn.close()
    if problem is None or not _is_damage(problem) or (
            not plain and "file is not a database" in problem):
        return None
    return problem


def display_name(engine: Engine) -> str:
    """The database's name for a message: its file, or its URL without the password."""
    return _display(engine.url)


def _unparsed(text: str) -> str:
    """A URL that could not be parsed, for a message: its passwords starred all the same."""
    text = re.sub(r"(://[^:/@]*:).*@", r"\1***@", text)
    return re.sub(r"(password=)[^&]*", r"\1***", text, flags=re.IGNORECASE)


def _display(url: URL) -> str:
    """The file, or the URL without its password: messages reach terminals and logs."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return url.database
    # libpq also takes the password as ?password=…; it is hidden the same way.
    query = {k: ("***" if k.lower() == "password" else v) for k, v in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_schema(engine: Engine) -> str | None:
    """Bring the schema to head (`db upgrade`); returns the revision it had before."""
    before = current_revision(engine)
    if before != HEAD_REVISION:
        _bring_to_head(engine, _display(engine.url))
    return before


def _not_the_owner(engine: Engine) -> str:
    """Who may run `db upgrade` here, told to a login that may not."""
    with engine.connect() as conn:
        who, owner = conn.execute(text(
            "SELECT session_user, pg_get_userbyid(coalesce((SELECT relowner FROM pg_class "
            "WHERE oid = to_regclass('audit_event')), datdba)) FROM pg_database "
            "WHERE datname = current_database()")).one()
    return (f"{who} may not change this database's schema: `{UPGRADE_COMMAND}` is run by "
            f"its owner ({owner}) or a superuser; nothing was changed")


def _bring_to_head(engine: Engine, shown: str) -> None:
    # Alembic costs ~0.1 s to import: only paid for when the schema is not at head.
    from db.migrate import upgrade_to_head

    log.info("migrating %s to %s", shown, HEAD_REVISION)
    try:
        upgrade_to_head(engine)
    except DatabaseOpenError:
        raise
    except Exception as exc:
        if is_busy(exc):
            raise DatabaseOpenError(f"{shown}: {BUSY_MESSAGE}") from exc
        if is_denied(exc):  # a reviewer's login: the schema is the owner's to change
            raise DatabaseOpenError(f"{shown}: {_not_the_owner(engine)}") from exc
        log.error("migration of %s failed", shown, exc_info=exc)
        raise DatabaseOpenError(f"{shown} could not be brought up to date ({one_line(exc)}); "
                                "nothing was changed") from exc
