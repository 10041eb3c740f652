"""roles: on a server, an audit row names the login that writes it, at the server's time

Revision ID: a4_roles
Revises: a2_import_specimen
"""
from alembic import op

revision = "a4_roles"
down_revision = "a2_import_specimen"
branch_labels = None
depends_on = None

# Who and when come from the server: a row whose actor is not the session's login, or
# whose time is not the transaction's, is refused. The table's owner (and its members,
# and superusers) are let through: they can drop this trigger anyway, which `audit
# verify` reports, and the migrations write as "Flarescope upgrade".
FROM_SERVER = [
    """CREATE OR REPLACE FUNCTION audit_event_from_server() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.actor IS DISTINCT FROM session_user::text
                OR NEW.at IS DISTINCT FROM CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))
               AND NOT pg_has_role(session_user, (SELECT relowner FROM pg_class
                                                  WHERE oid = TG_RELID), 'MEMBER') THEN
                RAISE EXCEPTION 'an audit row names the login that writes it (%) and the '
                                'server''s time', session_user;
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER audit_event_from_server BEFORE INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_from_server()""",
]


def upgrade() -> None:
    # A SQLite file has one person and one clock: nothing to check against.
    if op.get_bind().dialect.name == "postgresql":
        for statement in FROM_SERVER:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_from_server ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_from_server()")
