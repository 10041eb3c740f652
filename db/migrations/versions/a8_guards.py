"""guards, third round: what a second attacker's review found a reviewer login could still
do with raw SQL (psql), closed on the server

Revision ID: a8_guards
Revises: a7_admin_audit

- Only the owner appends a row about the whole database (entity 'database': a reset).
  `audit verify` compares the tables with the trail from the newest such row on, so one
  row a reviewer appended made verify report nothing.
- The audit trail's ids are 64-bit: a reviewer may draw ids from their sequence (an
  insert needs it), and two sessions of nextval() exhausted a 32-bit one in minutes,
  after which nobody, the owner included, could save anything.
"""

from alembic import op

from db.migrations.versions.a5_guards import PATH, REFUSE
from db.migrations.versions.a6_guards import _guard

revision = "a8_guards"
down_revision = "a7_admin_audit"
branch_labels = None
depends_on = None

DATABASE_ROWS = [
    _guard("audit_event_whole_database", """
    IF NEW.entity = 'database' THEN
        RAISE EXCEPTION 'only the database''s owner records a change to the whole database' """
           + REFUSE + """;
    END IF;
    RETURN NEW;"""),
    """CREATE TRIGGER audit_event_whole_database BEFORE INSERT ON audit_event FOR EACH ROW
        EXECUTE FUNCTION audit_event_whole_database()""",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # a SQLite file is one person's (a5_guards); its ids are 64-bit already
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
    path = f'SET search_path = pg_catalog, "{schema}", pg_temp'
    for statement in DATABASE_ROWS:
        op.execute(statement.replace(PATH, path))
    sequence = bind.exec_driver_sql(
        "SELECT pg_get_serial_sequence('audit_event', 'id')").scalar()
    op.execute("ALTER TABLE audit_event ALTER COLUMN id TYPE bigint")
    if sequence:
        op.execute(f"ALTER SEQUENCE {sequence} AS bigint MAXVALUE 9223372036854775807")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_whole_database ON audit_event")
    op.execute("DROP FUNCTION IF EXISTS audit_event_whole_database()")
    # The ids stay 64-bit: narrowing them could fail, and nothing needs it.
