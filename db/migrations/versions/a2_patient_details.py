"""patient details: a version column for optimistic locking of patient edits

Revision ID: a2_patient_details
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "a2_patient_details"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("patient") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                      server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("patient") as batch_op:
        batch_op.drop_column("version")
