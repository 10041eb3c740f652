"""doses: anakinra (or any drug's) administrations recorded one by one, with their time

A dosing period gives one assumed administration a day at the usual dosing time; a
hospital's administration record gives each injection's real time and dose, which
time-since-dose then uses on the days it covers (data.dose_context).

Revision ID: a5_doses
Revises: a5_dense
"""
import sqlalchemy as sa
from alembic import op

revision = "a5_doses"
down_revision = "a5_dense"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "administration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(length=64), nullable=False),
        sa.Column("t", sa.BigInteger(), nullable=False),
        sa.Column("dose", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], ondelete="CASCADE",
                                name="fk_administration_patient_id_patient"),
        sa.PrimaryKeyConstraint("id", name="pk_administration"),
        sa.UniqueConstraint("patient_id", "drug", "t", name="uq_administration_time"),
    )


def downgrade() -> None:
    op.drop_table("administration")
