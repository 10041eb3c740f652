"""import specimen: the specimen chosen at import, remembered per column mapping

Revision ID: a2_import_specimen
Revises: a2_audit_chain
"""
import sqlalchemy as sa
from alembic import op

revision = "a2_import_specimen"
down_revision = "a2_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: no specimen chosen for the column; 'unspecified' is an explicit choice.
    with op.batch_alter_table("import_mapping") as batch_op:
        batch_op.add_column(sa.Column("specimen", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_mapping") as batch_op:
        batch_op.drop_column("specimen")
