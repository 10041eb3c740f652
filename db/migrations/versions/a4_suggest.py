"""suggest: relapses the published criteria suggested, with their evidence and the
reviewer's decision (open, accepted into an episode, rejected with a reason)

Revision ID: a4_suggest
Revises: a4_roles
"""
import sqlalchemy as sa
from alembic import op

revision = "a4_suggest"
down_revision = "a4_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("onset", sa.BigInteger(), nullable=False),
        sa.Column("end", sa.BigInteger(), nullable=True),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("certainty", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, server_default="open"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed", sa.SmallInteger(), nullable=False, server_default="0"),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("updated", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("\"state\" IN ('open', 'accepted', 'rejected')",
                           name="ck_suggestion_state"),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], ondelete="CASCADE",
                                name="fk_suggestion_patient_id_patient"),
        sa.PrimaryKeyConstraint("id", name="pk_suggestion"),
        sa.UniqueConstraint("patient_id", "onset", name="uq_suggestion_onset"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("suggestion")
