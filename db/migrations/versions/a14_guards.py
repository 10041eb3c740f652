"""guards, ninth round: a case's identity changes only with its details' version

Revision ID: a14_guards
Revises: a13_guards

a12_guards let a case's identity (patient_identity) change in a transaction that had
changed its case's row: one that moved only the review's version passed too, and a stale
save of the details then went over the new name unseen. Now the transaction must have
moved the case's ``version`` (or made the case): the server notes that in version_moved,
which only its triggers write and the commit check (a9_guards's) empties.
"""

from db.migrations.versions.a5_guards import PATH, REFUSE
from db.migrations.versions.a6_guards import SCHEMA, _guard, on_server
from db.migrations.versions.a9_guards import STATEMENTS as A9
from db.migrations.versions.a12_guards import VERSION_MOVES as A12

revision = "a14_guards"
down_revision = "a13_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
_A9_CHECK = next(s for s in A9 if "FUNCTION audit_due_checked()" in s)
_A9_CLEARS = f"DELETE FROM {S}audit_said WHERE xid = NEW.xid;"
_A12_IDENTITY = next(s for s in A12 if "FUNCTION patient_identity_with_its_case()" in s)

STATEMENTS = [
    f"CREATE TABLE {S}version_moved (xid bigint, patient_id bigint, "
    "PRIMARY KEY (xid, patient_id))",
    f"""CREATE OR REPLACE FUNCTION version_moved_kept() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF NOT flarescope_owner_session() AND (TG_OP = 'INSERT'
               OR NEW.version IS DISTINCT FROM OLD.version) THEN
                INSERT INTO {S}version_moved VALUES (txid_current(), NEW.id)
                    ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$""",
    f"""CREATE TRIGGER version_moved_kept AFTER INSERT OR UPDATE ON {S}patient FOR EACH ROW
        EXECUTE FUNCTION version_moved_kept()""",
    f"""CREATE OR REPLACE FUNCTION flarescope_case_version_moved(pid bigint)
        RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
        SELECT EXISTS (SELECT 1 FROM {S}version_moved WHERE xid = txid_current()
                       AND patient_id = pid) $$""",
    _guard("patient_identity_with_its_case", f"""
    IF NOT flarescope_case_version_moved(CASE TG_OP WHEN 'DELETE' THEN OLD.patient_id
                                         ELSE NEW.patient_id END) THEN
        RAISE EXCEPTION 'a case''s identity changes together with its details, which move '
                        'the case''s version on' {REFUSE};
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;"""),
    _A9_CHECK.replace(_A9_CLEARS,
                      f"{_A9_CLEARS}\n            DELETE FROM {S}version_moved WHERE xid = NEW.xid;"),
]


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server(["DROP TRIGGER IF EXISTS version_moved_kept ON patient", _A12_IDENTITY, _A9_CHECK,
               "DROP FUNCTION IF EXISTS version_moved_kept()",
               "DROP FUNCTION IF EXISTS flarescope_case_version_moved(bigint)",
               "DROP TABLE IF EXISTS version_moved"])
