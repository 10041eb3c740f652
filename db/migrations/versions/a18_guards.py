"""guards, thirteenth round: a value typed in is saved as one, not as an import

Revision ID: a18_guards
Revises: a17_guards

a15_guards gave typed values a source no file's name has, but with psql a reviewer writes
the rows an import writes herself: a value inserted under the typed source with an
``import`` audit row was still taken for typed by her, and hers to change, the trail
calling it imported. Now a typed value owes an audit row of the typed kind
(``measurement``, naming its case: db.typed_measures), which an import row does not stand
in for.
"""

from db.migrations.versions.a6_guards import SCHEMA, on_server
from db.migrations.versions.a15_guards import TYPED_BY_KEPT as _A15_KEPT
from db.migrations.versions.a16_guards import _CHECK as _A16_CHECK
from db.typed_measures import TYPED_SOURCE

revision = "a18_guards"
down_revision = "a17_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
TYPED = "typed observation"
_KEPT_END = "ON CONFLICT DO NOTHING;\n"
_OWED = f"""ON CONFLICT DO NOTHING;
            IF NOT flarescope_owner_session() THEN
                INSERT INTO {S}audit_owed SELECT DISTINCT txid_current(), '{TYPED}',
                    r.patient_id FROM changed c JOIN {S}source s ON s.id = c.source_id
                    JOIN {S}series r ON r.id = c.series_id WHERE s.name = '{TYPED_SOURCE}'
                    ON CONFLICT DO NOTHING;
            END IF;
"""
_WHEN = "            WHEN 'episode' THEN"
STATEMENTS = [
    _A15_KEPT.replace(_KEPT_END, _OWED, 1),
    _A16_CHECK.replace(_WHEN, f"            WHEN '{TYPED}' THEN s.entity = 'measurement' "
                              f"AND s.entity_id = o.key\n{_WHEN}", 1),
]
assert STATEMENTS[0] != _A15_KEPT and STATEMENTS[1] != _A16_CHECK


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server([_A15_KEPT, _A16_CHECK])
