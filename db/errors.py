"""Errors told to the user in one line: ours as they stand, a busy database in plain words,
anything else by its first line, never with the SQL or its parameters."""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys

log = logging.getLogger(__name__)


class UserFacingError(Exception):
    """An error whose message is fit for the user as it stands: one line, no traceback."""


def sqlite_errors(name: str) -> tuple[type[Exception], ...]:
    """The exception class `name` ("OperationalError", …) of each SQLite driver in this
    process: sqlite3's, and sqlcipher3's once an encrypted file was opened (its classes
    are its own, not sqlite3's)."""
    drivers = [sqlite3, sys.modules.get("sqlcipher3.dbapi2")]
    return tuple(getattr(d, name) for d in drivers if d is not None)


BUSY_MESSAGE = ("the database is busy: another Flarescope is writing to it; nothing was "
                "changed, try again when it has finished")


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__


# PostgreSQL's SQLSTATE for lock_timeout running out (lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"
LOCKED_MESSAGE = ("the server is busy: a table is locked by {}; nothing was read or "
                  "changed, try again (whoever looks after the server can end that session)")


WRITING_MESSAGE = ("the database is busy: {} is writing to it (another Flarescope, or a "
                   "session holding its write lock); nothing was changed, try again when it "
                   "has finished")


def locked_by(exc: BaseException, attribute: str = "locked_by") -> list[str]:
    """Who holds a table against this session's statement, when the server told
    (db.engine looks it up as the lock wait runs out); [] otherwise. ``writing``: who
    holds the write lock this session waited for."""
    return next((getattr(e, attribute) for e in _chain(exc) if getattr(e, attribute, None)),
                [])


def is_busy(exc: BaseException) -> bool:
    """The database gave up waiting for another connection's write lock."""
    return any((isinstance(e, sqlite_errors("OperationalError"))
                and str(e).startswith(("database is locked", "database is busy")))
               or getattr(e, "sqlstate", None) == LOCK_NOT_AVAILABLE
               for e in _chain(exc))


DAMAGED_MESSAGE = ("the database file is damaged ({}); nothing more was written. Restore it "
                   "from a backup, or open a copy with the sqlite3 tool's .recover")


def is_damaged(exc: BaseException) -> str | None:
    """SQLite met a damaged page while reading (before the first-write check could)."""
    for e in _chain(exc):
        if (isinstance(e, sqlite_errors("DatabaseError"))
                and not isinstance(e, sqlite_errors("OperationalError"))):
            text = str(e)
            if "malformed" in text or "file is not a database" in text:
                return text
    return None


FULL_MESSAGE = ("the disk holding the database is full; nothing was changed. Free some "
                "space and try again")


# PostgreSQL's SQLSTATE for a server out of disk space (disk_full).
_DISK_FULL = "53100"


def is_full(exc: BaseException) -> bool:
    """The database (or the file system under it) ran out of space during a write."""
    return any((isinstance(e, sqlite_errors("OperationalError"))
                and str(e).startswith("database or disk is full"))
               or (isinstance(e, OSError) and e.errno == errno.ENOSPC and not e.filename)
               or getattr(e, "sqlstate", None) == _DISK_FULL
               for e in _chain(exc))


# PostgreSQL's SQLSTATE for a privilege the login lacks (a grant, or the owner's rights).
INSUFFICIENT_PRIVILEGE = "42501"

DENIED_MESSAGE = ("the server refused the change: your login's role does not allow it "
                  "(read-only logins view and export, reviewers annotate; the schema, the "
                  "roles and a demo reset are the owner's); nothing was changed")


def is_denied(exc: BaseException) -> bool:
    """The server refused a statement for want of a privilege (db/roles.py)."""
    return any(getattr(e, "sqlstate", None) == INSUFFICIENT_PRIVILEGE for e in _chain(exc))


# The HINT a server-side guard (the a5_guards migration) sends with its refusal.
GUARD_HINT = "flarescope guard"


def denied_message(exc: BaseException) -> str:
    """The one line for a refusal: a guard's own reason, else what roles allow."""
    for e in _chain(exc):
        diag = getattr(e, "diag", None)
        if diag is not None and getattr(diag, "message_hint", None) == GUARD_HINT:
            return f"the server refused the change: {diag.message_primary}; nothing was changed"
    return DENIED_MESSAGE


def user_line(exc: BaseException) -> str | None:
    """The one line to show for an error the user can act on; None for an unexpected one."""
    if isinstance(exc, UserFacingError):
        return str(exc)
    if is_busy(exc):
        if holders := locked_by(exc):
            return LOCKED_MESSAGE.format(", ".join(holders))
        if writers := locked_by(exc, "writing"):
            return WRITING_MESSAGE.format(", ".join(writers))
        return BUSY_MESSAGE
    if is_full(exc):
        return FULL_MESSAGE
    if is_denied(exc):
        return denied_message(exc)
    if (damage := is_damaged(exc)) is not None:
        return DAMAGED_MESSAGE.format(damage)
    if isinstance(exc, OSError):  # a file or folder of the user's: named, with the reason
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return None


def user_message(exc: BaseException) -> str:
    """One line for the user; anything unexpected goes to the log with its traceback."""
    line = user_line(exc)
    if line is not None:
        return line
    from db.logfile import log_path

    log.error("unexpected error", exc_info=exc)
    return f"unexpected error ({one_line(exc)}); the details are in {log_path()}"


def one_line(exc: BaseException) -> str:
    """'Kind: first line of the message'. A database error is reported by the driver's
    own first line: SQLAlchemy's text adds the statement, and PostgreSQL's DETAIL line can
    quote a row's values."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0]}" if text else type(inner).__name__
