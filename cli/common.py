"""What every command shares: opening the database with a one-line error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine

from db.errors import UserFacingError


class CommandError(UserFacingError):
    """An error whose message is already fit for the user."""


def open_db(args: argparse.Namespace, *, with_demo: bool = True) -> Engine:
    """Open --db (or the default), creating the demo cohort when the default database is
    new and empty. A database chosen with --db or FLARESCOPE_DB starts empty: demo patients
    and demo control references must not mix with a hospital's cases."""
    from db.engine import is_default_database, open_database

    engine = open_database(args.db)
    if with_demo and is_default_database(args.db):
        from data.demo import ensure_demo

        if ensure_demo(engine):
            print("created the demo cohort in a new database", file=sys.stderr)
    return engine


def input_file(name: str) -> Path:
    """The file a command reads, or the one line saying why it cannot be read as one (a
    folder, a device such as /dev/zero, nothing there)."""
    from data.importing.safe_text import printable

    path = Path(name)
    if path.is_file():
        return path
    shown = printable(name)
    if path.is_dir():
        raise CommandError(f"{shown}: is a folder, not a file; give the file inside it")
    if path.exists():
        raise CommandError(f"{shown}: not a regular file (a device, a pipe or a socket); "
                           "give a CSV or Excel file")
    raise CommandError(f"{shown}: no such file")


def find_patient_id(engine: Engine, pseudonym: str) -> int:
    from db.patients import all_pseudonyms, patient_id

    pid = patient_id(engine, pseudonym)
    if pid is None:
        known = all_pseudonyms(engine)
        if not known:
            raise CommandError(f"no case {pseudonym!r}: the database has no cases yet; import "
                               "a file with `import FILE` (or `patients import FILE`), or load "
                               "the demo cohort with `demo --reset`")
        raise CommandError(f"no case {pseudonym!r}; known cases: {', '.join(known)}")
    return int(pid)
