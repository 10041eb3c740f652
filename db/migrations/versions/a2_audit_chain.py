"""audit chain: append-only hash-chained audit trail, database-assigned episode ids,
episode vocabularies as CHECK constraints, a review version on patient

Revision ID: a2_audit_chain
Revises: a2_controls
Create Date: 2026-11-30 02:50:00
"""
import json
import time

import sqlalchemy as sa
from alembic import op

from db.audit import GENESIS, HASHED, row_hash
from db.models import CERTAINTIES, EPISODE_CHECKS, KINDS, ORIGINS, SEVERITIES, STATUSES

revision = "a2_audit_chain"
down_revision = "a2_controls"
branch_labels = None
depends_on = None

ACTOR = "Flarescope upgrade"
APPEND_ONLY = "audit_event is append-only: its rows cannot be changed or deleted"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC",
]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    with op.batch_alter_table("patient") as batch:
        batch.add_column(sa.Column("review_version", sa.Integer(), nullable=False,
                                   server_default="0"))

    repairs = _repair_episode_values(bind)
    # SQLite only gets AUTOINCREMENT (ids never reused) by recreating the table.
    with op.batch_alter_table("episode", recreate="always" if sqlite else "auto",
                              table_kwargs={"sqlite_autoincrement": True}) as batch:
        for name, condition in EPISODE_CHECKS.items():
            batch.create_check_constraint(name, sa.text(condition))
    if sqlite:
        # Ids of episodes deleted before this upgrade live on in the audit trail.
        top = bind.exec_driver_sql(
            "SELECT max(coalesce((SELECT max(id) FROM episode), 0), coalesce((SELECT "
            "max(entity_id) FROM audit_event WHERE entity = 'episode'), 0))").scalar()
        bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'episode'")
        bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('episode', ?)",
                             (int(top),))

    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    prev = _hash_existing_rows(bind)
    _record_repairs(bind, repairs, prev)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def _repair_episode_values(bind) -> list[tuple[int, int, dict, dict]]:
    """Values outside the vocabularies (typed into the file by hand, or by an old build)
    would stop the CHECK constraints: an unknown status becomes 'suggested' (not counted
    as accepted, as before, but now listed for review), and so on. Each repair is
    recorded in the audit trail with the value it replaced."""
    fixes = {"kind": (KINDS, "note"), "severity": (SEVERITIES, None),
             "certainty": (CERTAINTIES, None), "status": (STATUSES, "suggested"),
             "origin": (ORIGINS, "reviewer")}
    repairs = []
    for row in bind.exec_driver_sql(
            "SELECT id, patient_id, kind, severity, certainty, status, origin FROM episode"
    ).mappings().all():
        before, after = {}, {}
        for field, (allowed, fallback) in fixes.items():
            value = row[field]
            if value is None and fallback is None:
                continue
            cleaned = value.strip().lower() if isinstance(value, str) else value
            if cleaned not in allowed:
                cleaned = fallback
            if cleaned != value:
                before[field], after[field] = value, cleaned
        if after:
            repairs.append((row["id"], row["patient_id"], before, after))
            sets = ", ".join(f'"{k}" = :{k}' for k in after)
            bind.execute(sa.text(f"UPDATE episode SET {sets} WHERE id = :id"),
                         {**after, "id": row["id"]})
    return repairs


def _hash_existing_rows(bind) -> str:
    """Chain the rows written before this upgrade, in id order; returns the newest hash."""
    cols = ", ".join(f'"{c}"' for c in ("id", *HASHED))
    prev = GENESIS
    updates = []
    for row in bind.exec_driver_sql(f"SELECT {cols} FROM audit_event ORDER BY id").mappings():
        digest = row_hash(prev, row)
        updates.append({"id": row["id"], "prev_hash": prev, "hash": digest})
        prev = digest
    if updates:
        bind.execute(sa.text("UPDATE audit_event SET prev_hash = :prev_hash, hash = :hash "
                             "WHERE id = :id"), updates)
    return prev


def _record_repairs(bind, repairs, prev: str) -> None:
    now = int(time.time())
    for eid, pid, before, after in repairs:
        values = dict(at=now, actor=ACTOR, entity="episode", entity_id=eid, patient_id=pid,
                      action="update", before=json.dumps(before, sort_keys=True),
                      after=json.dumps(after, sort_keys=True))
        values["prev_hash"], values["hash"] = prev, row_hash(prev, values)
        prev = values["hash"]
        bind.execute(sa.text(
            'INSERT INTO audit_event (at, actor, entity, entity_id, patient_id, action, '
            '"before", "after", prev_hash, hash) VALUES (:at, :actor, :entity, :entity_id, '
            ':patient_id, :action, :before, :after, :prev_hash, :hash)'), values)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    with op.batch_alter_table("episode") as batch:
        for name in EPISODE_CHECKS:
            batch.drop_constraint(name, type_="check")
    with op.batch_alter_table("patient") as batch:
        batch.drop_column("review_version")
