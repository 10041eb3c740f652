"""`flarescope db upgrade|roles|grant|revoke`: a server database's schema and who may change it.

A SQLite file upgrades itself when opened and has no roles; a server database's schema
changes only by `db upgrade`, and its logins get a role by `db grant`, both run by whoever
looks after the server (db/roles.py says what each role may do).
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
    roles = verbs.add_parser(
        "roles", help="create this database's reviewer and read-only roles (or grant them "
                      "again), and list the logins in them")
    roles.set_defaults(run=run_roles)
    grant = verbs.add_parser("grant", help="give a server login the reviewer role (annotates) "
                                           "or the read-only role (views and exports)")
    grant.add_argument("login", metavar="LOGIN", help="an existing login on the server")
    which = grant.add_mutually_exclusive_group(required=True)
    which.add_argument("--reviewer", dest="role", action="store_const", const="reviewer")
    which.add_argument("--read-only", dest="role", action="store_const", const="read-only")
    grant.set_defaults(run=run_grant)
    revoke = verbs.add_parser("revoke", help="take a login's role away: it can no longer "
                                             "open this database")
    revoke.add_argument("login", metavar="LOGIN")
    revoke.set_defaults(run=run_revoke)


def run_upgrade(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database, upgrade_schema
    from db.roles import regrant_if_present
    from db.schema_version import HEAD_REVISION

    engine = open_database(args.db, migrate=False)
    try:
        before = upgrade_schema(engine)
        # Tables a migration added get the roles' grants now, not at the next `db roles`.
        groups = regrant_if_present(engine)
    finally:
        engine.dispose()
    where = display_name(engine)
    if before == HEAD_REVISION:
        print(f"{where}: the schema is up to date ({HEAD_REVISION})")
    else:
        print(f"{where}: schema {before or '(none)'} upgraded to {HEAD_REVISION}")
    if groups:
        print(f"roles {', '.join(groups.values())} granted on every table")
    return 0


def run_roles(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database
    from db.roles import create_roles, members

    engine = open_database(args.db)
    try:
        groups = create_roles(engine)
        logins = members(engine)
    finally:
        engine.dispose()
    print(f"{display_name(engine)}: roles {groups['reviewer']} (annotates) and "
          f"{groups['read-only']} (views and exports) granted on every table; only their "
          "logins, the owner and superusers may connect")
    for who, role in logins:
        print(f"{who}\t{role}")
    if not logins:
        print("no login has a role yet: `db grant LOGIN --reviewer` or `--read-only`")
    return 0


def run_grant(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database
    from db.roles import grant

    engine = open_database(args.db)
    try:
        group = grant(engine, args.login, args.role)
    finally:
        engine.dispose()
    print(f"{display_name(engine)}: {args.login} is now {args.role} ({group})")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database
    from db.roles import revoke

    engine = open_database(args.db)
    try:
        revoke(engine, args.login)
    finally:
        engine.dispose()
    print(f"{display_name(engine)}: {args.login} has no role here any more")
    return 0
