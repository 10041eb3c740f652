"""guards, fourth round: a reviewer's change needs an audit row about THAT row

Revision ID: a9_guards
Revises: a8_guards

a5_guards refused a reviewer's commit without any audit row of its own transaction: one
row about anything (an import of nothing, a note on another case) let a silent edit of a
colleague's episode through. Now every changed row owes an audit row naming it, from the
same transaction: an episode or a suggestion its own id, a case's details or review the
case (``patient``), its identity ``patient_identity``, a control reference its set; a
measurement or a series its case (a typed value, a weight in the patient details, or an
import naming that case as ``patient_id`` or in its ``cases``); a dose its case's import.

Statement triggers with transition tables note, per statement, the rows' keys in
audit_owed (one per case or entity, not per row: an import stays cheap); a row trigger
on audit_event notes what each audit row names in audit_said; the deferred check at
commit (audit_due's, as before) refuses the commit when something owed was not said.
The owner is let through, as everywhere (it could drop the triggers; verify reports it).
"""

from db.migrations.versions.a5_guards import AUDIT_DUE, PATH, REFUSE
from db.migrations.versions.a6_guards import SCHEMA, on_server
from db.migrations.versions.a7_admin_audit import upgrade as a7_upgrade

revision = "a9_guards"
down_revision = "a8_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
# Of each audited table: what a changed row owes its audit row to (a case or entity id;
# 0 for a table of no case), as "expression FROM changed c [JOIN …]".
OWED = {
    "patient": "c.id FROM changed c",
    "patient_identity": "c.patient_id FROM changed c",
    "series": "c.patient_id FROM changed c",
    "source": "0 FROM changed c",
    "observation": f"coalesce(s.patient_id, -1) FROM changed c LEFT JOIN {S}series s "
                   "ON s.id = c.series_id",
    "medication": "c.patient_id FROM changed c",
    "administration": "c.patient_id FROM changed c",
    "control_reference_set": "c.id FROM changed c",
    "control_reference": "coalesce(c.retired_set_id, c.set_id) FROM changed c",
    "episode": "c.id FROM changed c",
    "import_mapping": "0 FROM changed c",
    "suggestion": "c.id FROM changed c",
}
# An import's audit row accounts for the cases it names (its ``cases``: data.importing.commit,
# db.patients.import_patients).
_IMPORT = "(s.entity = 'import' AND (s.patient_id = o.key OR s.cases @> to_jsonb(o.key)))"
_NAMED = "s.entity_id = o.key"
# Which audit rows account for a row owed in each table (s: audit_said, o: audit_owed).
SAID = {
    "patient": f"(s.entity = 'patient' AND {_NAMED}) OR {_IMPORT}",
    "patient_identity": f"(s.entity = 'patient_identity' AND {_NAMED}) OR {_IMPORT}",
    "series": f"(s.entity IN ('patient', 'measurement') AND {_NAMED}) OR {_IMPORT}",
    "observation": f"(s.entity IN ('patient', 'measurement') AND {_NAMED}) OR {_IMPORT}",
    "medication": _IMPORT,
    "administration": _IMPORT,
    "source": "s.entity IN ('import', 'measurement', 'patient')",
    "import_mapping": "s.entity = 'import'",
    "control_reference_set": f"s.entity = 'control_reference_set' AND {_NAMED}",
    "control_reference": f"s.entity = 'control_reference_set' AND {_NAMED}",
    "episode": f"s.entity = 'episode' AND {_NAMED}",
    "suggestion": f"s.entity = 'suggestion' AND {_NAMED}",
}
EVENTS = {"": ("INSERT", "NEW"), "_update": ("UPDATE", "NEW"), "_delete": ("DELETE", "OLD")}
TRIGGERS = [(table, f"{table}_audit_due{suffix}") for table in OWED for suffix in EVENTS]

_branches = "\n".join(
    f"    {'IF' if i == 0 else 'ELSIF'} TG_TABLE_NAME = '{table}' THEN\n"
    f"        INSERT INTO {S}audit_owed SELECT DISTINCT txid_current(), TG_TABLE_NAME, "
    f"{key}\n            ON CONFLICT DO NOTHING;"
    for i, (table, key) in enumerate(OWED.items()))
_matches = "\n".join(f"            WHEN '{table}' THEN {said}" for table, said in SAID.items())

STATEMENTS = [
    f"CREATE TABLE {S}audit_owed (xid bigint, tbl text, key bigint, "
    "PRIMARY KEY (xid, tbl, key))",
    f"CREATE TABLE {S}audit_said (xid bigint, entity text, entity_id bigint, "
    "patient_id bigint, cases jsonb)",
    f"CREATE INDEX audit_said_xid ON {S}audit_said (xid)",
    f"""CREATE OR REPLACE FUNCTION flarescope_audit_owed() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF flarescope_owner_session() THEN RETURN NULL; END IF;
            INSERT INTO {S}audit_due VALUES (txid_current()) ON CONFLICT DO NOTHING;
        {_branches}
            END IF;
            RETURN NULL;
        END $$""",
    f"""CREATE OR REPLACE FUNCTION audit_event_said() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF flarescope_owner_session() THEN RETURN NULL; END IF;
            INSERT INTO {S}audit_due VALUES (txid_current()) ON CONFLICT DO NOTHING;
            INSERT INTO {S}audit_said VALUES (txid_current(), NEW.entity, NEW.entity_id,
                NEW.patient_id, CASE WHEN NEW.entity = 'import'
                                     THEN NEW."after"::jsonb -> 'cases' END);
            RETURN NULL;
        END $$""",
    f"""CREATE TRIGGER audit_event_said AFTER INSERT ON {S}audit_event FOR EACH ROW
        EXECUTE FUNCTION audit_event_said()""",
    f"""CREATE OR REPLACE FUNCTION audit_due_checked() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        DECLARE missing record;
        BEGIN
            DELETE FROM {S}audit_due WHERE xid = NEW.xid;
            SELECT o.tbl, o.key INTO missing FROM {S}audit_owed o WHERE o.xid = NEW.xid
            AND NOT EXISTS (SELECT 1 FROM {S}audit_said s WHERE s.xid = o.xid AND CASE o.tbl
{_matches}
            END) ORDER BY o.tbl, o.key LIMIT 1;
            DELETE FROM {S}audit_owed WHERE xid = NEW.xid;
            DELETE FROM {S}audit_said WHERE xid = NEW.xid;
            IF missing.tbl IS NOT NULL THEN
                RAISE EXCEPTION 'a change is saved together with an audit row about what it '
                                'changed: this one has none (%)', missing.tbl
                                || CASE WHEN missing.key = 0 THEN ''
                                        WHEN missing.tbl IN ('episode', 'suggestion',
                                             'control_reference_set', 'control_reference')
                                        THEN ' #' || missing.key
                                        ELSE ' of case #' || missing.key END {REFUSE};
            END IF;
            RETURN NULL;
        END $$""",
    *(f"DROP TRIGGER IF EXISTS {table}_audit_due ON {S}{table}" for table in OWED),
    *(f"""CREATE TRIGGER {table}_audit_due{suffix} AFTER {event} ON {S}{table}
          REFERENCING {side} TABLE AS changed FOR EACH STATEMENT
          EXECUTE FUNCTION flarescope_audit_owed()"""
      for table in OWED for suffix, (event, side) in EVENTS.items()),
    "DROP FUNCTION IF EXISTS flarescope_audit_due()",
]


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server([
        *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in TRIGGERS),
        "DROP TRIGGER IF EXISTS audit_event_said ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_said()",
        "DROP FUNCTION IF EXISTS flarescope_audit_owed()",
        "DROP TABLE IF EXISTS audit_owed",
        "DROP TABLE IF EXISTS audit_said",
        # a5_guards's check and statement triggers (a7_admin_audit's for administration)
        *(statement for statement in AUDIT_DUE
          if statement.startswith("CREATE OR REPLACE FUNCTION")
          or "_audit_due AFTER" in statement)])
    a7_upgrade()
