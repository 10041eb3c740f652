"""guards: on a server, a reviewer login changes only what the program changes, and only
as the program changes it, even with raw SQL (psql)

Revision ID: a5_guards
Revises: a4_suggest

The grants (db/roles.py) say which tables and columns a reviewer may write; these
triggers say which values: a name in ``author``, ``created_by`` or ``reviewed_by`` is the
login's own (or one the audit trail shows that person wrote, for an undo), an audit row
continues the chain with its true hash, a measurement other than a weight is the
import's, a decided suggestion is reopened only by whoever decided it. The owner (and its
members, superusers) is let through, as by a4_roles: it can drop the triggers anyway,
which `audit verify` reports. Nor does a reviewer login change anything without the
audit row that says so (audit_due, below). Each refusal is SQLSTATE 42501 with GUARD_HINT, so the
program shows the trigger's message as the one line (db.errors.denied_message).
"""
from alembic import op

from db.errors import GUARD_HINT

revision = "a5_guards"
down_revision = "a4_suggest"
branch_labels = None
depends_on = None

# Where each function's own search path goes (upgrade() puts it in: it names the schema).
PATH = "{PATH}"
# What a trigger returns to let the row through, whatever the operation.
PASS = "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
REFUSE = f"USING ERRCODE = 'insufficient_privilege', HINT = '{GUARD_HINT}'"

HELPERS = [
    """CREATE OR REPLACE FUNCTION flarescope_owner_session() RETURNS boolean
        LANGUAGE sql STABLE {PATH} AS $$
        SELECT pg_has_role(session_user, relowner, 'MEMBER') FROM pg_class
        WHERE oid = 'audit_event'::regclass $$""",
    """CREATE OR REPLACE FUNCTION flarescope_now() RETURNS bigint LANGUAGE sql STABLE
        {PATH} AS $$
        SELECT CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) $$""",
]

# a4_roles's check of an audit row's actor and time, its refusal now told as the others are.
FROM_SERVER = f"""CREATE OR REPLACE FUNCTION audit_event_from_server() RETURNS trigger
    LANGUAGE plpgsql {PATH} AS $$
    BEGIN
        IF (NEW.actor IS DISTINCT FROM session_user::text
            OR NEW.at IS DISTINCT FROM flarescope_now())
           AND NOT flarescope_owner_session() THEN
            RAISE EXCEPTION 'an audit row names the login that writes it (%) and the '
                            'server''s time', session_user {REFUSE};
        END IF;
        RETURN NEW;
    END $$"""

# (table, trigger and its function's name, timing and events, body between BEGIN and END)
GUARDS = [
    ("audit_event", "audit_event_chained", "BEFORE INSERT", f"""
        -- Serialise raw writers as the program's write lock does, so the chain cannot fork.
        LOCK TABLE audit_event IN EXCLUSIVE MODE;
        SELECT id, hash INTO newest_id, newest FROM audit_event ORDER BY id DESC LIMIT 1;
        BEGIN
            PERFORM NEW."before"::jsonb, NEW."after"::jsonb;
        EXCEPTION WHEN invalid_text_representation THEN
            RAISE EXCEPTION 'an audit row''s before and after are JSON' {REFUSE};
        END;
        -- db.audit._digest's canonical encoding: to_json escapes strings as Python's
        -- json module does.
        body := '[' || to_json(NEW.prev_hash)::text || ',' || NEW.at || ','
            || to_json(NEW.actor)::text || ',' || to_json(NEW.entity)::text || ','
            || coalesce(NEW.entity_id::text, 'null') || ','
            || coalesce(NEW.patient_id::text, 'null') || ',' || to_json(NEW.action)::text
            || ',' || coalesce(to_json(NEW."before")::text, 'null') || ','
            || coalesce(to_json(NEW."after")::text, 'null') || ']';
        IF NEW.id <= coalesce(newest_id, 0)
           OR NEW.prev_hash IS DISTINCT FROM coalesce(newest, repeat('0', 64))
           OR NEW.hash IS DISTINCT FROM encode(sha256(convert_to(body, 'UTF8')), 'hex') THEN
            RAISE EXCEPTION 'an audit row follows the newest one and carries its own hash: '
                            'this one does not' {REFUSE};
        END IF;
        RETURN NEW;"""),
    ("episode", "episode_author_is_login", "BEFORE INSERT", f"""
        -- Putting back a deleted episode (an undo) keeps the author who created it.
        IF NEW.author IS DISTINCT FROM session_user::text AND NOT EXISTS (
                SELECT 1 FROM audit_event WHERE entity = 'episode' AND entity_id = NEW.id
                AND action = 'create' AND actor = NEW.author) THEN
            RAISE EXCEPTION 'an episode''s author is the login that creates it (%)',
                            session_user {REFUSE};
        END IF;
        RETURN NEW;"""),
    ("patient", "patient_reviewer_is_login", "BEFORE INSERT OR UPDATE", f"""
        IF TG_OP = 'UPDATE' AND NEW.reviewed_by IS NOT DISTINCT FROM OLD.reviewed_by
           AND NEW.reviewed_at IS NOT DISTINCT FROM OLD.reviewed_at THEN
            RETURN NEW;
        END IF;
        IF (NEW.reviewed_by IS NULL AND NEW.reviewed_at IS NULL)
           OR (NEW.reviewed_by = session_user::text AND NEW.reviewed_at = flarescope_now())
           -- an undo puts back a review the reviewer recorded under their own login
           OR EXISTS (SELECT 1 FROM audit_event WHERE entity = 'patient'
                      AND entity_id = NEW.id AND actor = NEW.reviewed_by
                      AND action IN ('review', 'undo:review', 'redo:review')
                      AND "after"::jsonb ->> 'reviewed_by' = NEW.reviewed_by
                      AND "after"::jsonb ->> 'reviewed_at' = NEW.reviewed_at::text) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a case is marked reviewed by the login that reviews it (%), at the '
                        'server''s time' , session_user {REFUSE};"""),
    ("control_reference_set", "control_set_creator_is_login", "BEFORE INSERT", f"""
        IF NEW.created_by IS DISTINCT FROM session_user::text
           OR NEW.created_at IS DISTINCT FROM flarescope_now() THEN
            RAISE EXCEPTION 'a control reference change names the login that makes it (%) '
                            'and the server''s time', session_user {REFUSE};
        END IF;
        RETURN NEW;"""),
    ("control_reference", "control_reference_in_new_set", "BEFORE INSERT OR UPDATE", f"""
        -- A set's number is the version of the references it leaves in force: a reference
        -- joins or leaves only through a set this login makes now, never an older one.
        IF TG_OP = 'UPDATE' AND OLD.retired_set_id IS NOT NULL THEN
            RAISE EXCEPTION 'a retired control reference stays retired' {REFUSE};
        END IF;
        IF NOT EXISTS (SELECT 1 FROM control_reference_set WHERE id = CASE TG_OP
                       WHEN 'INSERT' THEN NEW.set_id ELSE NEW.retired_set_id END
                       AND created_by = session_user::text
                       AND created_at = flarescope_now()) THEN
            RAISE EXCEPTION 'a control reference is added or retired only by a new set of '
                            'references' {REFUSE};
        END IF;
        RETURN NEW;"""),
    ("observation", "observation_measured_stays", "BEFORE UPDATE OR DELETE", f"""
        -- Measurements are the import's; only a weight is typed (the patient details).
        IF NOT EXISTS (SELECT 1 FROM series WHERE id = OLD.series_id AND code = 'WEIGHT') THEN
            RAISE EXCEPTION 'a measurement is not changed or deleted by a reviewer (a '
                            'weight excepted): the imported value stands' {REFUSE};
        END IF;
        {PASS}"""),
    ("medication", "medication_period_stays", "BEFORE UPDATE", f"""
        -- A later file gives an ongoing period its end; nothing else changes a dose.
        IF OLD."end" IS NOT NULL THEN
            RAISE EXCEPTION 'a dose period that has ended is not changed by a reviewer: '
                            'the imported period stands' {REFUSE};
        END IF;
        RETURN NEW;"""),
    ("suggestion", "suggestion_decision_stays", "BEFORE UPDATE OR DELETE", f"""
        IF OLD.state = 'open' OR (TG_OP = 'UPDATE' AND NEW.state = OLD.state) THEN
            {PASS}
        END IF;
        -- Only an undo reopens a decided suggestion: of the decision its own login made.
        IF TG_OP = 'UPDATE' AND NEW.state = 'open' AND (
                SELECT actor = session_user::text AND action !~ 'reopen$'
                FROM audit_event WHERE entity = 'suggestion' AND entity_id = OLD.id
                AND action ~ '(^|:)(accept|reject|reopen)$' ORDER BY id DESC LIMIT 1) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a decided suggestion is reopened only by an undo of whoever '
                        'decided it' {REFUSE};"""),
]
TRIGGERS = [(table, name) for table, name, _, _ in GUARDS]

# No change without its audit row: whatever a reviewer login writes to these tables, the
# transaction must also append to the trail (a row naming that login, by a4_roles), or
# its commit is refused. A statement trigger notes the transaction in audit_due (once);
# a constraint trigger deferred to the commit then looks for the transaction's audit row
# (the newest row: the program holds the write lock until it commits).
# The tables as they were at this revision: a table a later migration creates (and adds to
# db.audit.AUDITED_TABLES) gets its trigger there, not here before it exists.
AUDITED = ("patient", "patient_identity", "series", "source", "observation", "medication",
           "control_reference_set", "control_reference", "episode", "import_mapping",
           "suggestion")
AUDIT_DUE = [
    "CREATE TABLE audit_due (xid bigint PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION flarescope_audit_due() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF NOT flarescope_owner_session() THEN
                INSERT INTO audit_due VALUES (txid_current()) ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$""",
    f"""CREATE OR REPLACE FUNCTION audit_due_checked() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            DELETE FROM audit_due WHERE xid = NEW.xid;
            -- xmin is the 32-bit transaction id, txid_current() the 64-bit one.
            IF (SELECT xmin::text::bigint FROM audit_event ORDER BY id DESC LIMIT 1)
               IS DISTINCT FROM NEW.xid % 4294967296 THEN
                RAISE EXCEPTION 'a change is saved together with its audit row: this one '
                                'has none' {REFUSE};
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE CONSTRAINT TRIGGER audit_due_checked AFTER INSERT ON audit_due
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_due_checked()""",
    *(f"""CREATE TRIGGER {table}_audit_due AFTER INSERT OR UPDATE OR DELETE ON {table}
          FOR EACH STATEMENT EXECUTE FUNCTION flarescope_audit_due()""" for table in AUDITED),
]


def _statements():
    yield from HELPERS
    yield FROM_SERVER
    for table, name, when, body in GUARDS:
        yield (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
               "{PATH} AS $$\n"
               "DECLARE newest_id integer; newest text; body text;\n"
               "BEGIN\n"
               f"    IF flarescope_owner_session() THEN {PASS} END IF;{body}\nEND $$")
        yield (f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW "
               f"EXECUTE FUNCTION {name}()")
    yield from AUDIT_DUE


def upgrade() -> None:
    # A SQLite file is one person's: whoever opens it may change anything in it anyway.
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Every function gets a search path of its own: a session's temporary schema comes
    # first in its path, and a temporary table named audit_event would otherwise stand in
    # for the trail (even make a reviewer its "owner"); pg_catalog first, so no object in
    # the schema shadows a built-in either.
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    path = f'SET search_path = pg_catalog, "{schema}", pg_temp'
    for statement in _statements():
        op.execute(statement.replace(PATH, path))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in AUDITED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_audit_due ON {table}")
        op.execute("DROP TABLE IF EXISTS audit_due")
        op.execute("DROP FUNCTION IF EXISTS audit_due_checked()")
        op.execute("DROP FUNCTION IF EXISTS flarescope_audit_due()")
        for table, name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        from db.migrations.versions.a4_roles import FROM_SERVER as A4_FROM_SERVER

        op.execute(A4_FROM_SERVER[0])  # before the helpers it would no longer need go
        op.execute("DROP FUNCTION IF EXISTS flarescope_owner_session()")
        op.execute("DROP FUNCTION IF EXISTS flarescope_now()")
