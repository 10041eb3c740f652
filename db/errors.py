"""Database errors told to the user in one line, never with the SQL or its parameters."""

from __future__ import annotations

import sqlite3

BUSY_MESSAGE = ("the database is busy: another Flarescope is writing to it; nothing was "
                "changed, try again when it has finished")


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another connection's write lock."""
    return any(isinstance(e, sqlite3.OperationalError)
               and str(e).startswith(("database is locked", "database is busy"))
               for e in _chain(exc))


def one_line(exc: BaseException) -> str:
    """'Kind: first line of the message'. A database error is reported by the driver's
    own first line: SQLAlchemy's text adds the statement, and PostgreSQL's DETAIL line can
    quote a row's values."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {text[0]}" if text else type(inner).__name__
