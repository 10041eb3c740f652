"""Who may change a server database: two group roles, their grants, and the logins in them.

A department's PostgreSQL database has a *reviewer* role (annotates: episodes, notes,
review status, patient details, control references, imports) and a *read-only* role
(views and exports). They are group roles of that database (``<database>_reviewer``,
``<database>_read_only``: roles belong to the whole server, so one named per database
keeps a reviewer of one cohort read-only in another), created and granted by `db roles`;
`db grant LOGIN --reviewer|--read-only` puts a login in one of them. The server enforces
them (table grants); the window and the commands only ask what they allow, to grey out
what the login cannot do. A SQLite file has no roles: whoever can open it may change it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db.errors import INSUFFICIENT_PRIVILEGE, UserFacingError
from db.identity import login

REVIEWER, READ_ONLY = "reviewer", "read-only"

# What the reviewer role writes: the tables it inserts into, and of each the columns the
# program updates (None: none). A name, a time, a case or a measured value is never
# updated: who made a change is the login (the a5_guards triggers hold the values).
# Deleting is kept to what the program deletes: an episode, a weight (an observation)
# removed in the patient details, a suggestion withdrawn while still open; never a
# patient, so a demo reset (which empties every table) stays the owner's.
_WRITES: dict[str, tuple[str, ...] | None] = {
    "patient": ("pseudonym", "diagnosis", "sex", "birth_year", "onset_age", "genotype", "version",
                "reviewed_by", "reviewed_at", "review_version"),
    "patient_identity": ("name", "birth_date", "record_number"),
    "series": None, "source": None,
    "observation": ("value", "censor", "source_id"),  # a typed weight
    "medication": ("end",),  # an ongoing period ended by a later file
    "administration": None,
    "control_reference_set": None,
    "control_reference": ("retired_set_id",),
    "episode": ("kind", "onset", "end", "severity", "certainty", "note", "status", "origin",
                "updated", "version"),
    "import_mapping": ("code", "specimen"),
    "suggestion": ("kind", "onset", "end", "criteria", "certainty", "evidence",
                   "fingerprint", "state", "reason", "changed", "episode_id", "version",
                   "updated"),
}
_DELETE = ("episode", "observation", "suggestion")
# INSERT only in spirit: LOCK TABLE … IN EXCLUSIVE MODE, the write lock every change takes
# (db.engine.take_write_lock), needs UPDATE, DELETE or TRUNCATE on the table in PostgreSQL
# 15. UPDATE is granted for that lock; the append-only trigger refuses every UPDATE itself.
# An audit row's id is the sequence's, never the writer's: a row chained under id
# 2147483647 would leave every later one (which must follow the newest) refused for good.
_AUDIT_INSERTED = ("at", "actor", "entity", "entity_id", "patient_id", "action", "before",
                   "after", "prev_hash", "hash")


# What every reviewer and read-only session starts with. A role's settings do not pass to
# its members, so they are set on each login, in this database only. temp_file_limit
# needs a superuser to set, and so to lift: no login raises it for its own session.
# lock_timeout and idle_in_transaction_session_timeout are defaults a login may change
# for its own session (PostgreSQL has no hard per-login limit for them; postgresql.conf
# sets the server's defaults): they stop a raw session of psql, which does not set its
# own as the program does (db.engine), from holding a table for ever by mistake.
SESSION_LIMITS = {"temp_file_limit": "2GB", "lock_timeout": "5s",
                  "idle_in_transaction_session_timeout": "5min"}
# Large objects are no part of Flarescope; a login that creates them fills the server's
# disk outside every table. Revoking them takes their owner (a superuser): `db roles`
# tries, and prints the command for whoever can when it cannot.
LARGE_OBJECT_WRITERS = ("lo_create(oid)", "lo_creat(integer)", "lo_import(text)",
                        "lo_import(text, oid)", "lo_from_bytea(oid, bytea)",
                        "lo_put(oid, bigint, bytea)", "lowrite(integer, bytea)")


class RolesError(UserFacingError):
    """A roles command that cannot be done (SQLite, no such login, not allowed)."""


@dataclass(frozen=True)
class Access:
    """What this connection's login may do here, as the window and commands show it."""

    login: str
    can_write: bool
    role: str  # "reviewer", "read-only", "owner", or "local file" for SQLite

    @property
    def label(self) -> str:
        return f"{self.login} · {self.role}"

    @property
    def why_not(self) -> str:
        """Why a change is greyed out, for tooltips and the status bar."""
        return (f"Read-only: {self.login} may view and export this database, not change it "
                "(ask whoever looks after the server for the reviewer role)")


def access(engine: Engine) -> Access:
    """The login and what it may change: asked of the server, which decides anyway."""
    if engine.dialect.name != "postgresql":
        return Access(login(engine), True, "local file")
    with engine.connect() as conn:
        who = login(conn)
        # A change writes its table and an audit row under the write lock: all three needed.
        # The owner (or a member of it, or a superuser) is told apart: it may do anything.
        can_write, owner = conn.execute(text(
            "SELECT has_table_privilege('episode', 'INSERT') "
            "AND has_any_column_privilege('audit_event', 'INSERT') "
            "AND has_table_privilege('audit_event', 'UPDATE'), "
            "pg_has_role(session_user, relowner, 'MEMBER') "
            "FROM pg_class WHERE oid = 'audit_event'::regclass")).one()
    role = "owner" if owner else REVIEWER if can_write else READ_ONLY
    return Access(who, can_write, role)


def group_names(conn: Connection) -> dict[str, str]:
    """The two group roles of the connected database, by role."""
    db = str(conn.execute(text("SELECT current_database()")).scalar_one())
    names = {REVIEWER: f"{db}_reviewer", READ_ONLY: f"{db}_read_only"}
    if max(len(n.encode()) for n in names.values()) > 63:  # PostgreSQL's name limit
        raise RolesError(f"the database name {db!r} is too long for its roles' names "
                         "(at most 51 bytes)")
    return names


def _server_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise RolesError("a SQLite file has no roles: whoever can open the file may change "
                         "it (it is readable by its owner only); roles are for a PostgreSQL "
                         "server")


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def create_roles(engine: Engine) -> dict[str, str]:
    """Create the database's two group roles if missing and (re)grant their privileges on
    every table and sequence there now; returns their names by role. Run again after
    `db upgrade` (which does so itself when the roles exist) so new tables are covered."""
    _server_only(engine)
    with _as_administrator(engine, "create the roles") as conn:
        groups = group_names(conn)
        for name in groups.values():
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                                  {"n": name}).first()
            if not exists:
                conn.exec_driver_sql(f"CREATE ROLE {_quote(conn, name)} NOLOGIN")
        _grant_privileges(conn, groups)
        _revoke_large_objects(conn)
        for who in _logins(conn, groups):
            _limit_sessions(conn, who)
    return groups


def _logins(conn: Connection, groups: dict[str, str]) -> list[str]:
    return list(conn.execute(text(
        "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
        "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname IN (:a, :b) "
        "AND NOT m.rolsuper ORDER BY m.rolname"),
        {"a": groups[REVIEWER], "b": groups[READ_ONLY]}).scalars())


def _limits_sql(conn: Connection, who: str) -> list[str]:
    db = _quote(conn, str(conn.execute(text("SELECT current_database()")).scalar_one()))
    return [f"ALTER ROLE {_quote(conn, who)} IN DATABASE {db} SET {name} = '{value}'"
            for name, value in SESSION_LIMITS.items()]


def _large_objects_sql() -> str:
    listed = ", ".join(f"pg_catalog.{f}" for f in LARGE_OBJECT_WRITERS)
    return f"REVOKE EXECUTE ON FUNCTION {listed} FROM PUBLIC"


def _limit_sessions(conn: Connection, who: str) -> None:
    """Set a login's session limits here, as far as this administrator may."""
    for statement in _limits_sql(conn, who):
        _if_allowed(conn, statement)


def _revoke_large_objects(conn: Connection) -> None:
    _if_allowed(conn, _large_objects_sql())


def _if_allowed(conn: Connection, statement: str) -> None:
    """Run it if this administrator may; what only a superuser may do is left to
    dba_commands, which looks at the result (a REVOKE by a non-owner may only warn)."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise


def dba_commands(engine: Engine) -> list[str]:
    """What `db roles` and `db grant` could not do themselves (it takes a superuser), as
    the SQL to give whoever can; none when everything is in place."""
    _server_only(engine)
    with engine.connect() as conn:
        groups = group_names(conn)
        commands = []
        for who in _logins(conn, groups):
            stored = set(conn.execute(text(
                "SELECT unnest(setconfig) FROM pg_db_role_setting WHERE setrole = "
                "(SELECT oid FROM pg_roles WHERE rolname = :who) AND setdatabase = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"),
                {"who": who}).scalars())
            commands += [sql for (name, value), sql in zip(
                SESSION_LIMITS.items(), _limits_sql(conn, who), strict=True)
                if f"{name}={value}" not in stored]
        if conn.execute(text(
                "SELECT bool_or(has_function_privilege('public', 'pg_catalog.' || f, "
                "'EXECUTE')) FROM unnest(CAST(:fs AS text[])) f"),
                {"fs": list(LARGE_OBJECT_WRITERS)}).scalar():
            commands.append(_large_objects_sql())
    return [f"{sql};" for sql in commands]


def regrant_if_present(engine: Engine) -> dict[str, str] | None:
    """After an upgrade: grant the roles on the tables as they are now, if `db roles` has
    made them; None when there are none (or on SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        groups = group_names(conn)
        found = conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname IN (:a, :b)"),
                             {"a": groups[REVIEWER], "b": groups[READ_ONLY]}).scalar()
    return create_roles(engine) if found == 2 else None


def _grant_privileges(conn: Connection, groups: dict[str, str]) -> None:
    reviewer, read_only = (_quote(conn, groups[r]) for r in (REVIEWER, READ_ONLY))
    db = _quote(conn, str(conn.execute(text("SELECT current_database()")).scalar_one()))
    schema = _quote(conn, str(conn.execute(text("SELECT current_schema()")).scalar_one()))
    run = conn.exec_driver_sql
    # Health data: only logins given a role connect (the owner and superusers always can).
    run(f"REVOKE CONNECT ON DATABASE {db} FROM PUBLIC")
    run(f"GRANT CONNECT ON DATABASE {db} TO {reviewer}, {read_only}")
    # No temporary tables for anyone but the owner: a session's own tables come first in
    # its search path, where a function that forgot its own path would take them for ours
    # (the guards set theirs; this is the second lock). The program needs none.
    run(f"REVOKE TEMPORARY ON DATABASE {db} FROM PUBLIC, {reviewer}, {read_only}")
    run(f"GRANT USAGE ON SCHEMA {schema} TO {reviewer}, {read_only}")
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {reviewer}, {read_only}")
    run(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {reviewer}, {read_only}")
    for table, columns in _WRITES.items():
        run(f"GRANT INSERT ON {_quote(conn, table)} TO {reviewer}")
        if columns:
            listed = ", ".join(_quote(conn, c) for c in columns)
            run(f"GRANT UPDATE ({listed}) ON {_quote(conn, table)} TO {reviewer}")
    for table in _DELETE:
        run(f"GRANT DELETE ON {_quote(conn, table)} TO {reviewer}")
    listed = ", ".join(_quote(conn, c) for c in _AUDIT_INSERTED)
    run(f"GRANT INSERT ({listed}), UPDATE ON audit_event TO {reviewer}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {reviewer}")


def grant(engine: Engine, who: str, role: str) -> str:
    """Put login ``who`` in this database's ``role`` group (and out of the other); returns
    the group's name. Creates the groups first if `db roles` has not."""
    _server_only(engine)
    if role not in (REVIEWER, READ_ONLY):
        raise RolesError(f"unknown role {role!r}: reviewer or read-only")
    groups = create_roles(engine)
    with _as_administrator(engine, "grant roles") as conn:
        _existing_login(conn, who)
        other = groups[READ_ONLY if role == REVIEWER else REVIEWER]
        conn.exec_driver_sql(f"REVOKE {_quote(conn, other)} FROM {_quote(conn, who)}")
        conn.exec_driver_sql(f"GRANT {_quote(conn, groups[role])} TO {_quote(conn, who)}")
        _limit_sessions(conn, who)
    return groups[role]


def revoke(engine: Engine, who: str) -> None:
    """Take login ``who`` out of both groups: it can no longer connect to this database."""
    _server_only(engine)
    with _as_administrator(engine, "revoke roles") as conn:
        _existing_login(conn, who)
        for name in group_names(conn).values():
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                            {"n": name}).first():
                conn.exec_driver_sql(f"REVOKE {_quote(conn, name)} FROM {_quote(conn, who)}")


def members(engine: Engine) -> list[tuple[str, str]]:
    """(login, role) for every login directly in one of this database's groups."""
    _server_only(engine)
    with engine.connect() as conn:
        groups = group_names(conn)
        rows = conn.execute(text(
            "SELECT m.rolname, g.rolname FROM pg_auth_members a "
            "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
            "WHERE g.rolname IN (:reviewer, :read_only) ORDER BY m.rolname"),
            {"reviewer": groups[REVIEWER], "read_only": groups[READ_ONLY]}).all()
    by_name = {v: k for k, v in groups.items()}
    return [(m, by_name[g]) for m, g in rows]


def _existing_login(conn: Connection, who: str) -> None:
    row = conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"),
                       {"n": who}).first()
    if row is None:
        raise RolesError(f"there is no login {who!r} on this server: create it first "
                         f"(e.g. CREATE ROLE \"{who}\" LOGIN PASSWORD '…' in psql)")
    if not row[0]:
        raise RolesError(f"{who!r} is a role that cannot log in, not a login")


@contextmanager
def _as_administrator(engine: Engine, what: str) -> Iterator[Connection]:
    """A transaction for an administrator's change; the server's refusal said in one line.

    Checked first: a GRANT or REVOKE by someone without the right only warns."""
    try:
        with engine.begin() as conn:
            if not conn.execute(text(
                    "SELECT pg_has_role(session_user, relowner, 'MEMBER') "
                    "AND pg_has_role(session_user, (SELECT datdba FROM pg_database "
                    "WHERE datname = current_database()), 'MEMBER') "
                    "FROM pg_class WHERE oid = 'audit_event'::regclass")).scalar():
                raise RolesError(_not_allowed(engine, what))
            yield conn
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise RolesError(_not_allowed(engine, what)) from exc


def _not_allowed(engine: Engine, what: str) -> str:
    return (f"{login(engine)} may not {what} here: run this as the database's owner with "
            "the CREATEROLE attribute, or as a superuser; nothing was changed")
