"""guards, second round: what an attacker's review of a5_guards found a reviewer login
could still do with raw SQL (psql), closed on the server

Revision ID: a6_guards
Revises: a5_doses

- Every function of the schema keeps its own search path (pg_catalog, the schema, the
  session's temporary schema last) and names the schema's tables with the schema: a
  login's temporary table must never stand in for one of ours (`db roles` also takes
  the right to make temporary tables from every login but the owner).
- A decided suggestion remembers on the server who decided it (``decided_by``, kept by a
  trigger, not in the model: the program never writes it). Only that login reopens it
  (the undo of its own decision), and its reason and episode change only with its state:
  an audit row naming oneself no longer passes for the decision.
- A dose period does not end before it starts.
- A version (episode, suggestion, case details, case review) only goes up, by one.
- An episode's ``created`` is the server's time when it is made, the recorded one when
  an undo puts it back, and never changes afterwards.

Each refusal is SQLSTATE 42501 with GUARD_HINT, told as one line (db.errors.denied_message).
"""
import re

from alembic import op

from db.migrations.versions.a5_guards import (
    AUDIT_DUE,
    FROM_SERVER,
    GUARDS,
    HELPERS,
    PASS,
    PATH,
    REFUSE,
)

revision = "a6_guards"
down_revision = "a5_doses"
branch_labels = None
depends_on = None

SCHEMA = "{SCHEMA}"
# The schema's tables named in the guards' bodies, qualified where a statement reads or
# writes them; a regclass literal too.
_TABLES = ("audit_event", "audit_due", "series", "control_reference_set", "suggestion",
           "episode", "medication", "patient")
_USE = re.compile(r"\b(FROM|INTO|TABLE|JOIN|UPDATE)\s+(" + "|".join(_TABLES) + r")\b")


def qualified(sql: str) -> str:
    """A guard's statement with the schema's tables named with the schema."""
    sql = _USE.sub(lambda m: f'{m[1]} {SCHEMA}.{m[2]}', sql)
    return sql.replace("'audit_event'::regclass", f"'{SCHEMA}.audit_event'::regclass")


def _guard(name: str, body: str, declare: str = "") -> str:
    """A trigger function the owner passes (as a5_guards's: it could drop it anyway)."""
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql {PATH} "
            f"AS $$\n{declare}BEGIN\n    IF flarescope_owner_session() THEN {PASS} END IF;"
            f"{body}\nEND $$")


# Who decided a suggestion, kept by the server for everyone (the owner's app included).
DECIDED_BY = [
    "ALTER TABLE suggestion ADD COLUMN decided_by text",
    # The decisions before this upgrade: whoever the trail says made them.
    """UPDATE suggestion s SET decided_by = (SELECT actor FROM audit_event
           WHERE entity = 'suggestion' AND entity_id = s.id
           AND action ~ '(^|:)(accept|reject)$' ORDER BY id DESC LIMIT 1)
       WHERE state <> 'open'""",
    f"""CREATE OR REPLACE FUNCTION suggestion_decided_by() RETURNS trigger
        LANGUAGE plpgsql {PATH} AS $$
        BEGIN
            IF NEW.state = 'open' THEN
                NEW.decided_by := NULL;
            ELSIF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
                NEW.decided_by := session_user::text;
            ELSE
                NEW.decided_by := OLD.decided_by;
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER suggestion_decided_by BEFORE INSERT OR UPDATE ON suggestion
        FOR EACH ROW EXECUTE FUNCTION suggestion_decided_by()""",
]

SUGGESTION = _guard("suggestion_decision_stays", f"""
    IF TG_OP = 'UPDATE' AND NEW.state = OLD.state THEN
        IF NEW.reason IS DISTINCT FROM OLD.reason
           OR NEW.episode_id IS DISTINCT FROM OLD.episode_id THEN
            RAISE EXCEPTION 'a suggestion''s reason and episode change only with its '
                            'decision' {REFUSE};
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.state = 'open' THEN
        {PASS}
    END IF;
    -- Only an undo reopens a decided suggestion: of the decision its own login made.
    IF TG_OP = 'UPDATE' AND NEW.state = 'open' AND OLD.decided_by = session_user::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a decided suggestion is reopened only by an undo of whoever '
                    'decided it' {REFUSE};""")

# For everyone: a period that ends before it starts is no period (an import's included).
ENDS_AFTER_START = [
    f"""CREATE OR REPLACE FUNCTION medication_ends_after_start() RETURNS trigger
        LANGUAGE plpgsql {PATH} AS $$
        BEGIN
            IF NEW."end" < NEW.start THEN
                RAISE EXCEPTION 'a dose period ends on or after the day it starts (% before '
                                '%)', NEW."end", NEW.start {REFUSE};
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER medication_ends_after_start BEFORE INSERT OR UPDATE ON medication
        FOR EACH ROW EXECUTE FUNCTION medication_ends_after_start()""",
]

# A version set back would let a stale save through as if nothing had happened meanwhile.
VERSIONS = {"episode": ("version",), "suggestion": ("version",),
            "patient": ("version", "review_version")}
VERSIONS_GO_UP = [
    _guard("flarescope_version_goes_up", """
    FOREACH col IN ARRAY TG_ARGV LOOP
        was := (to_jsonb(OLD) ->> col)::bigint;
        now_ := (to_jsonb(NEW) ->> col)::bigint;
        IF now_ IS DISTINCT FROM was AND now_ IS DISTINCT FROM was + 1 THEN
            RAISE EXCEPTION 'a version only goes up, by one at each change (%.% % to %)',
                            TG_TABLE_NAME, col, was, now_ """ + REFUSE + """;
        END IF;
    END LOOP;
    RETURN NEW;""", "DECLARE col text; was bigint; now_ bigint;\n"),
    *(f"""CREATE TRIGGER {table}_version_goes_up BEFORE UPDATE ON {table} FOR EACH ROW
          EXECUTE FUNCTION flarescope_version_goes_up({", ".join(f"'{c}'" for c in cols)})"""
      for table, cols in VERSIONS.items()),
]

EPISODE_CREATED = [
    _guard("episode_created_by_server", f"""
    IF TG_OP = 'UPDATE' THEN
        IF NEW.created IS DISTINCT FROM OLD.created THEN
            RAISE EXCEPTION 'an episode''s creation time does not change' {REFUSE};
        END IF;
        RETURN NEW;
    END IF;
    -- An undo puts a deleted episode back with the time its first audit row recorded.
    IF NEW.created IS DISTINCT FROM flarescope_now() AND NEW.created::text IS DISTINCT FROM (
            SELECT coalesce("after"::jsonb ->> 'created', "before"::jsonb ->> 'created')
            FROM audit_event WHERE entity = 'episode' AND entity_id = NEW.id
            AND coalesce("after"::jsonb ->> 'created', "before"::jsonb ->> 'created')
                IS NOT NULL
            ORDER BY id LIMIT 1) THEN
        RAISE EXCEPTION 'an episode is created at the server''s time (%)',
                        flarescope_now() {REFUSE};
    END IF;
    RETURN NEW;"""),
    """CREATE TRIGGER episode_created_by_server BEFORE INSERT OR UPDATE ON episode
        FOR EACH ROW EXECUTE FUNCTION episode_created_by_server()""",
]

TRIGGERS = [("suggestion", "suggestion_decided_by"),
            ("medication", "medication_ends_after_start"),
            *((table, f"{table}_version_goes_up") for table in VERSIONS),
            ("episode", "episode_created_by_server")]
FUNCTIONS = ("suggestion_decided_by", "medication_ends_after_start",
             "flarescope_version_goes_up", "episode_created_by_server")


def _a5_functions():
    """a5_guards's functions again, their tables named with the schema."""
    yield from HELPERS
    yield FROM_SERVER
    for _table, name, _when, body in GUARDS:
        if name != "suggestion_decision_stays":
            yield _guard(name, body, "DECLARE newest_id integer; newest text; body text;\n")
    yield from (s for s in AUDIT_DUE if s.startswith("CREATE OR REPLACE FUNCTION"))


def _statements():
    yield from _a5_functions()
    yield from DECIDED_BY
    yield SUGGESTION
    yield from ENDS_AFTER_START
    yield from VERSIONS_GO_UP
    yield from EPISODE_CREATED


def _fill(bind, statement: str) -> str:
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    path = f'SET search_path = pg_catalog, "{schema}", pg_temp'
    return qualified(statement).replace(SCHEMA, f'"{schema}"').replace(PATH, path)


def on_server(statements) -> None:
    """A later round's statements, filled in as these are, run on a server only (a SQLite
    file is one person's: whoever opens it may change anything in it anyway)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in statements:
            op.execute(_fill(bind, statement))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # a SQLite file is one person's, as for a5_guards
    for statement in _statements():
        op.execute(_fill(bind, statement))
    # Any function of the schema still without a path of its own (a2_audit_chain's).
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    for (signature,) in bind.exec_driver_sql(
            "SELECT oid::regprocedure::text FROM pg_proc WHERE pronamespace = "
            "current_schema()::regnamespace AND proconfig IS NULL").all():
        op.execute(f'ALTER FUNCTION {signature} SET search_path = pg_catalog, "{schema}", '
                   "pg_temp")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.execute("ALTER TABLE suggestion DROP COLUMN IF EXISTS decided_by")
    # a5_guards's functions as it made them (unqualified, its own path each).
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    path = f'SET search_path = pg_catalog, "{schema}", pg_temp'
    for _table, name, _when, body in GUARDS:
        if name == "suggestion_decision_stays":
            op.execute(_guard(name, body).replace(PATH, path))
