"""guards, tenth round: an imported value is never taken for one typed in

Revision ID: a15_guards
Revises: a14_guards

a13_guards noted every value inserted under the source 'typed in Flarescope' as typed by
the login, so a reviewer who imported a file of that name could then change or delete
the values it held (third attacker review). Typed values now have the source
'typed in Flarescope/': no file's name holds a '/', so no import writes under it. The
values typed before keep what they are, under the new name (on a SQLite file too, so
both read alike).
"""

from alembic import op
from sqlalchemy import text

from db.migrations.versions.a6_guards import on_server
from db.migrations.versions.a13_guards import STATEMENTS as A13
from db.migrations.versions.a13_guards import TYPED_SOURCE as WAS
from db.typed_measures import TYPED_SOURCE

revision = "a15_guards"
down_revision = "a14_guards"
branch_labels = None
depends_on = None

_A13_KEPT = next(s for s in A13 if "FUNCTION typed_by_kept()" in s)
TYPED_BY_KEPT = _A13_KEPT.replace(f"'{WAS}'", f"'{TYPED_SOURCE}'")


def _rename(was: str, now: str) -> None:
    # Back down, a file named as the old source may have been imported meanwhile: the
    # typed values then keep the new name (no longer taken for typed: the safe side).
    op.get_bind().execute(text("UPDATE source SET name = :now WHERE name = :was AND NOT "
                               "EXISTS (SELECT 1 FROM source WHERE name = :now)"),
                          {"now": now, "was": was})


def upgrade() -> None:
    _rename(WAS, TYPED_SOURCE)
    on_server([TYPED_BY_KEPT])


def downgrade() -> None:
    on_server([_A13_KEPT])
    _rename(TYPED_SOURCE, WAS)
