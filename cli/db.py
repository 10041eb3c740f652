"""`flarescope db upgrade`: create a database's tables or bring them to this version.

A SQLite file does this itself when opened; a server database only ever by this command,
run by whoever looks after the server (the schema is the department's, not a reviewer's).
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="the database's schema")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    upgrade = verbs.add_parser(
        "upgrade", help="create the tables in an empty database, or bring an older schema up "
                        "to this version's (Alembic migrations, in one transaction)")
    upgrade.set_defaults(run=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database, upgrade_schema
    from db.schema_version import HEAD_REVISION

    engine = open_database(args.db, migrate=False)
    try:
        before = upgrade_schema(engine)
    finally:
        engine.dispose()
    where = display_name(engine)
    if before == HEAD_REVISION:
        print(f"{where}: the schema is up to date ({HEAD_REVISION})")
    else:
        print(f"{where}: schema {before or '(none)'} upgraded to {HEAD_REVISION}")
    return 0
