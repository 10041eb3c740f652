"""administrations audited on a server: a reviewer login adds a dose given only together
with its audit row, as for every other table it may write

Revision ID: a7_admin_audit
Revises: a6_guards

a5_doses made the table after a5_guards had listed the audited ones, so a reviewer could
insert administrations with raw SQL and no trace in the trail (attacker review of a6).
"""

from alembic import op

revision = "a7_admin_audit"
down_revision = "a6_guards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # a SQLite file is one person's (a5_guards)
    op.execute("CREATE TRIGGER administration_audit_due AFTER INSERT OR UPDATE OR DELETE "
               "ON administration FOR EACH STATEMENT EXECUTE FUNCTION flarescope_audit_due()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS administration_audit_due ON administration")
