"""guards, eleventh round: an import row no longer accounts for a case's details

Revision ID: a16_guards
Revises: a15_guards

a9_guards let an ``import`` audit row naming a case account for any change to its row
(``patient``) and its identity (``patient_identity``): with a forged import row of her
own a reviewer rewrote a case's details and name, the trail saying only "import" (third
attacker review). `patients import` writes a ``patient`` and a ``patient_identity`` row
per case it changes (db.patients.import_patients), so now only those account for them.
A measurement import still makes the cases it meets first, under its import row: a case
made is owed as 'patient created', which that row accounts for; nothing else is.
"""

from db.migrations.versions.a6_guards import SCHEMA, on_server
from db.migrations.versions.a9_guards import _IMPORT, SAID
from db.migrations.versions.a9_guards import STATEMENTS as A9
from db.migrations.versions.a14_guards import STATEMENTS as A14

revision = "a16_guards"
down_revision = "a15_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
_A9_OWED = next(s for s in A9 if "FUNCTION flarescope_audit_owed()" in s)
_A14_CHECK = next(s for s in A14 if "FUNCTION audit_due_checked()" in s)
_OWED_CASE = ("TG_TABLE_NAME = 'patient' THEN\n"
              f"        INSERT INTO {S}audit_owed SELECT DISTINCT txid_current(), TG_TABLE_NAME,")
CREATED = "patient created"


def _when(table: str, said: str) -> str:
    return f"            WHEN '{table}' THEN {said}\n"


def _said(table: str) -> str:
    return SAID[table].replace(f" OR {_IMPORT}", "")


_OWED = _A9_OWED.replace(
    _OWED_CASE, _OWED_CASE.replace(
        "TG_TABLE_NAME,", f"CASE TG_OP WHEN 'INSERT' THEN '{CREATED}' ELSE TG_TABLE_NAME END,"))
_CHECK = _A14_CHECK
for _table in ("patient", "patient_identity"):
    _CHECK = _CHECK.replace(_when(_table, SAID[_table]), _when(_table, _said(_table)))
_CHECK = _CHECK.replace(_when("patient", _said("patient")),
                        _when("patient", _said("patient")) + _when(CREATED, SAID["patient"]))
assert _OWED != _A9_OWED and _CHECK.count(_IMPORT) == _A14_CHECK.count(_IMPORT) - 1


def upgrade() -> None:
    on_server([_OWED, _CHECK])


def downgrade() -> None:
    on_server([_A9_OWED, _A14_CHECK])
