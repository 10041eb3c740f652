"""guards, seventh round: every change of a versioned row moves its version on

Revision ID: a12_guards
Revises: a11_guards

a6_guards kept a version from going back or jumping; a raw UPDATE that left it as it was
still changed the row unseen by the stale-save check (second attacker review): a save
based on the version read before it then went through over it. Now a reviewer's UPDATE
that changes an episode, a suggestion or a case's details must move ``version`` on (by
one, a6_guards), one that changes a case's review ``review_version``; and a case's
identity (patient_identity, versioned with the case's details) changes only together with
its case's row, in the same transaction (the program moves the version there).
"""

from db.migrations.versions.a5_guards import REFUSE
from db.migrations.versions.a6_guards import SCHEMA, _guard, on_server

revision = "a12_guards"
down_revision = "a11_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
# Of each versioned table: its version columns, each with the columns it covers (None:
# every other column).
VERSIONED = {"episode": {"version": None}, "suggestion": {"version": None},
             "patient": {"review_version": ("reviewed_by", "reviewed_at"), "version": None}}


def _check(version: str, covers: tuple[str, ...] | None, others: list[str]) -> str:
    if covers is None:
        cut = "".join(f" - '{c}'" for c in others)
        changed = f"(to_jsonb(NEW){cut}) IS DISTINCT FROM (to_jsonb(OLD){cut})"
    else:
        changed = (f"({', '.join(f'NEW.{c}' for c in covers)}) IS DISTINCT FROM "
                   f"({', '.join(f'OLD.{c}' for c in covers)})")
    return f"""
        IF {changed} AND NEW.{version} IS NOT DISTINCT FROM OLD.{version} THEN
            RAISE EXCEPTION 'a change moves its version on by one (%.{version} stays %): a '
                            'save based on the old one would go through unseen',
                            TG_TABLE_NAME, OLD.{version} {REFUSE};
        END IF;"""


def _body() -> str:
    branches = []
    for i, (table, versions) in enumerate(VERSIONED.items()):
        # every version column, and what the others cover, left out of "every other column"
        others = [*versions, *(c for covers in versions.values() if covers for c in covers)]
        checks = "".join(_check(v, covers, others) for v, covers in versions.items())
        branches.append(f"    {'IF' if i == 0 else 'ELSIF'} TG_TABLE_NAME = '{table}' THEN"
                        f"{checks}")
    return "\n" + "\n".join(branches) + "\n    END IF;\n    RETURN NEW;"


VERSION_MOVES = [
    _guard("flarescope_version_moves", _body()),
    *(f"""CREATE TRIGGER {table}_version_moves BEFORE UPDATE ON {S}{table} FOR EACH ROW
          EXECUTE FUNCTION flarescope_version_moves()""" for table in VERSIONED),
    _guard("patient_identity_with_its_case", f"""
    IF (SELECT xmin::text::bigint FROM {S}patient
        WHERE id = CASE TG_OP WHEN 'DELETE' THEN OLD.patient_id ELSE NEW.patient_id END)
       IS DISTINCT FROM txid_current() % 4294967296 THEN
        RAISE EXCEPTION 'a case''s identity changes together with its details, which move '
                        'the case''s version on' {REFUSE};
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;"""),
    f"""CREATE TRIGGER patient_identity_with_its_case BEFORE INSERT OR UPDATE OR DELETE
        ON {S}patient_identity FOR EACH ROW
        EXECUTE FUNCTION patient_identity_with_its_case()""",
]
TRIGGERS = [*((table, f"{table}_version_moves") for table in VERSIONED),
            ("patient_identity", "patient_identity_with_its_case")]


def upgrade() -> None:
    on_server(VERSION_MOVES)


def downgrade() -> None:
    on_server([*(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in TRIGGERS),
               "DROP FUNCTION IF EXISTS flarescope_version_moves()",
               "DROP FUNCTION IF EXISTS patient_identity_with_its_case()"])
