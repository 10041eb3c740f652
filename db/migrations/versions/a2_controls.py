"""versioned healthy-control reference sets

A control reference now belongs to the set (import, edit, the demo) that added it and,
once replaced, to the set that retired it; rows are never updated in place, so a PDF
that names set N can always be checked against set N. Rows already stored become set 1
of lab "demo" (they could only have come from the demo generator).

Revision ID: a2_controls
Revises: a2_patient_details
"""
import time

import sqlalchemy as sa
from alembic import op

revision = "a2_controls"
down_revision = "a2_patient_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "control_reference_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lab", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_reference_set")),
    )
    conn = op.get_bind()
    had_rows = conn.execute(sa.text("SELECT count(*) FROM control_reference")).scalar()
    if had_rows:
        conn.execute(sa.text(
            "INSERT INTO control_reference_set (id, lab, action, source, created_at, created_by)"
            " VALUES (1, 'demo', 'migrated', 'demo healthy controls', :now, 'migration')"),
            {"now": int(time.time())})
    with op.batch_alter_table("control_reference") as batch:
        batch.add_column(sa.Column("set_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retired_set_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("range_low", sa.Float(), nullable=True))
        batch.add_column(sa.Column("range_high", sa.Float(), nullable=True))
        batch.add_column(sa.Column("assay", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("batch", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("lab", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("ref_date", sa.Date(), nullable=True))
        batch.drop_constraint("uq_control_code_specimen", type_="unique")
    if had_rows:
        conn.execute(sa.text("UPDATE control_reference SET set_id = 1, lab = 'demo'"))
    with op.batch_alter_table("control_reference") as batch:
        batch.alter_column("set_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(op.f("fk_control_reference_set_id_control_reference_set"),
                                 "control_reference_set", ["set_id"], ["id"])
        batch.create_foreign_key(
            op.f("fk_control_reference_retired_set_id_control_reference_set"),
            "control_reference_set", ["retired_set_id"], ["id"])
        batch.create_index("uq_control_in_force", ["code", "specimen"], unique=True,
                           sqlite_where=sa.text("retired_set_id IS NULL"),
                           postgresql_where=sa.text("retired_set_id IS NULL"))


def downgrade() -> None:
    # Back to one row per code and specimen: keep only the rows in force.
    op.execute("DELETE FROM control_reference WHERE retired_set_id IS NOT NULL")
    with op.batch_alter_table("control_reference") as batch:
        batch.drop_index("uq_control_in_force")
        batch.drop_constraint(op.f("fk_control_reference_set_id_control_reference_set"),
                              type_="foreignkey")
        batch.drop_constraint(op.f("fk_control_reference_retired_set_id_control_reference_set"),
                              type_="foreignkey")
        for col in ("set_id", "retired_set_id", "range_low", "range_high", "assay", "batch",
                    "lab", "ref_date"):
            batch.drop_column(col)
        batch.create_unique_constraint("uq_control_code_specimen", ["code", "specimen"])
    op.drop_table("control_reference_set")
