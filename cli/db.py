"""`flarescope db upgrade|roles|grant|revoke|encrypt|decrypt`: a server database's schema and
who may change it; a SQLite file's encryption.

A SQLite file upgrades itself when opened and has no roles; a server database's schema
changes only by `db upgrade`, and its logins get a role by `db grant`, both run by whoever
looks after the server (db/roles.py says what each role may do).

encrypt turns a plain SQLite file into an encrypted one (SQLCipher 4), decrypt back
(db/cipher_convert.py); the key is kept in the OS keyring or is a passphrase.
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
    encrypt = verbs.add_parser(
        "encrypt", help="encrypt a SQLite database file (SQLCipher 4): its key goes in the "
                        "OS keyring, or is a passphrase",
        description="Writes an encrypted copy beside the file, checks it, then puts it in the "
                    "file's place; until then the file is untouched. The key is a random one "
                    "kept in the OS keyring; with --passphrase (or when there is no keyring) "
                    "a passphrase you type, or FLARESCOPE_DB_KEY for scripts. Lose the key and "
                    "the data are lost.")
    encrypt.add_argument("--passphrase", action="store_true",
                         help="use a passphrase (asked for, or FLARESCOPE_DB_KEY) instead of a "
                              "key kept in the OS keyring")
    encrypt.set_defaults(run=run_encrypt)
    decrypt = verbs.add_parser(
        "decrypt", help="turn an encrypted SQLite database file back into a plain one",
        description="Needs the file's key (OS keyring, FLARESCOPE_DB_KEY or the passphrase, "
                    "asked for); removes the key from the OS keyring afterwards.")
    decrypt.set_defaults(run=run_decrypt)


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
    from db.roles import create_roles, dba_commands, members

    engine = open_database(args.db)
    try:
        groups = create_roles(engine)
        logins = members(engine)
        superuser_must = dba_commands(engine)
    finally:
        engine.dispose()
    print(f"{display_name(engine)}: roles {groups['reviewer']} (annotates) and "
          f"{groups['read-only']} (views and exports) granted on every table; only their "
          "logins, the owner and superusers may connect")
    for who, role in logins:
        print(f"{who}\t{role}")
    if not logins:
        print("no login has a role yet: `db grant LOGIN --reviewer` or `--read-only`")
    _print_dba(superuser_must)
    return 0


def _print_dba(commands: list[str]) -> None:
    """What only a superuser may do, to hand to whoever looks after the server."""
    if commands:
        print("a superuser must still run, in this database (psql), to limit what a login "
              "can use up:")
        for sql in commands:
            print(f"  {sql}")


def run_grant(args: argparse.Namespace) -> int:
    from db.engine import display_name, open_database
    from db.roles import dba_commands, grant

    engine = open_database(args.db)
    try:
        group = grant(engine, args.login, args.role)
        superuser_must = dba_commands(engine)
    finally:
        engine.dispose()
    print(f"{display_name(engine)}: {args.login} is now {args.role} ({group})")
    _print_dba(superuser_must)
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


def _database_file(args: argparse.Namespace):
    from pathlib import Path

    from cli.common import CommandError
    from db import cipher
    from db.engine import resolve_url

    url = resolve_url(args.db)
    if isinstance(url, str) or url.get_backend_name() != "sqlite" or not url.database:
        raise CommandError("only a SQLite database file can be encrypted here; a server "
                           "database is protected by its server")
    path = Path(url.database)
    if not path.is_file():
        raise CommandError(f"{path}: no such database file")
    if not cipher.available():
        raise CommandError("encryption is unavailable here: the sqlcipher3 package is not "
                           "installed")
    return path


def run_encrypt(args: argparse.Namespace) -> int:
    from cli.passphrase import ask_new
    from db import cipher
    from db.cipher_convert import encrypt

    path = _database_file(args)
    if cipher.is_encrypted(path):
        print(f"{path} is encrypted already; nothing was changed")
        return 0
    in_keyring = not args.passphrase and cipher.keyring_usable()
    if in_keyring:
        secret = cipher.new_random_secret()
        cipher.store_in_keyring(path, secret)
    else:
        secret = cipher.from_environment() or cipher.Secret(passphrase=ask_new(path))
    try:
        encrypt(path, secret)
    except BaseException:
        if in_keyring:
            cipher.forget_in_keyring(path)
        raise
    if in_keyring:
        print(f"{path} encrypted; its key is in the OS keyring ({cipher.KEYRING_SERVICE!r}, "
              "under this path). Without that key the data cannot be read.")
    else:
        print(f"{path} encrypted with the passphrase. Without it the data cannot be read.")
    return 0


def run_decrypt(args: argparse.Namespace) -> int:
    from db import cipher
    from db.cipher_convert import decrypt

    path = _database_file(args)
    if not cipher.is_encrypted(path):
        print(f"{path} is not encrypted; nothing was changed")
        return 0
    secret = cipher.find_secret(path)
    cipher.check_key(path, secret)
    decrypt(path, secret)
    cipher.forget_in_keyring(path)
    print(f"{path} decrypted: it is a plain SQLite file again")
    return 0
