"""dense: a dense series' rows kept again as packed chunks (series_chunk), read with numpy

Revision ID: a5_dense
Revises: a5_guards
"""
import sqlalchemy as sa
from alembic import op

revision = "a5_dense"
down_revision = "a5_guards"
branch_labels = None
depends_on = None

# A series' chunks go as soon as one of its rows is inserted, changed or deleted, by
# whatever program writes it: they are never older than the rows (an insert into a series
# without chunks checks one index entry). SQLite files only: on a server the rows already
# travel as byte strings (db.queries), and chunks a reviewer's login could write would
# let it show values the rows (guarded by a5_guards) do not hold; the table stays empty.
TRIGGERS = [
    """CREATE TRIGGER series_chunk_stale_insert AFTER INSERT ON observation
        WHEN EXISTS (SELECT 1 FROM series_chunk WHERE series_id = NEW.series_id)
        BEGIN DELETE FROM series_chunk WHERE series_id = NEW.series_id; END""",
    """CREATE TRIGGER series_chunk_stale_update AFTER UPDATE ON observation
        BEGIN DELETE FROM series_chunk WHERE series_id IN (OLD.series_id, NEW.series_id);
        END""",
    """CREATE TRIGGER series_chunk_stale_delete AFTER DELETE ON observation
        WHEN EXISTS (SELECT 1 FROM series_chunk WHERE series_id = OLD.series_id)
        BEGIN DELETE FROM series_chunk WHERE series_id = OLD.series_id; END""",
]
NAMES = ("series_chunk_stale_insert", "series_chunk_stale_update", "series_chunk_stale_delete")


def upgrade() -> None:
    op.create_table(
        "series_chunk",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("first_t", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("packed", sa.LargeBinary(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="CASCADE",
                                name="fk_series_chunk_series_id_series"),
        sa.PrimaryKeyConstraint("series_id", "first_t", name="pk_series_chunk"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in TRIGGERS:
            op.execute(statement)
        from db.dense import pack_missing

        pack_missing(bind)  # the dense series stored so far


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("series_chunk")
