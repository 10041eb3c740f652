"""guards, eighth round: a reviewer replaces or removes a score she typed in herself

Revision ID: a13_guards
Revises: a12_guards

a5_guards kept every measurement but a weight as imported, so on a server a reviewer
could not replace or undo a physician global (PGA) she had typed in the window
(db.typed_measures). The server now notes who typed each value in (``typed_by``: an
observation inserted with the source TYPED_SOURCE, by that login; only its trigger writes
the table), and lets that login, and only that one, change its value or delete it, the
source staying the typed one. Values typed before this upgrade stay as they are for
reviewers (the owner, as always, may change them). The audit row each change owes names
the case (a9_guards).
"""

from db.migrations.versions.a5_guards import GUARDS, PASS, REFUSE
from db.migrations.versions.a6_guards import SCHEMA, _guard, on_server

revision = "a13_guards"
down_revision = "a12_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
# The typed values' source name then (a15_guards gave them one no file can have).
TYPED_SOURCE = "typed in Flarescope"

STATEMENTS = [
    f"CREATE TABLE {S}typed_by (observation_id bigint PRIMARY KEY, login text NOT NULL)",
    f"""CREATE OR REPLACE FUNCTION typed_by_kept() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {{PATH}} AS $$
        BEGIN
            INSERT INTO {S}typed_by SELECT c.id, session_user::text FROM changed c
                JOIN {S}source s ON s.id = c.source_id WHERE s.name = '{TYPED_SOURCE}'
                ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
    f"""CREATE TRIGGER typed_by_kept AFTER INSERT ON {S}observation
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION typed_by_kept()""",
    f"""CREATE OR REPLACE FUNCTION flarescope_typed_by_me(observation bigint)
        RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER {{PATH}} AS $$
        SELECT EXISTS (SELECT 1 FROM {S}typed_by WHERE observation_id = observation
                       AND login = session_user::text) $$""",
    _guard("observation_measured_stays", f"""
    -- Measurements are the import's; a weight is typed (the patient details), and so is a
    -- score, which only whoever typed it replaces or removes.
    IF EXISTS (SELECT 1 FROM series WHERE id = OLD.series_id AND code = 'WEIGHT')
       OR (flarescope_typed_by_me(OLD.id)
           AND (TG_OP = 'DELETE' OR NEW.source_id IS NOT DISTINCT FROM OLD.source_id)) THEN
        {PASS}
    END IF;
    RAISE EXCEPTION 'a measurement is not changed or deleted by a reviewer (a weight, or a '
                    'value she typed in herself, excepted): the imported value stands'
                    {REFUSE};"""),
]
TRIGGERS = [("observation", "typed_by_kept")]


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server([
        *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in TRIGGERS),
        # a5_guards's, as a6_guards left it
        *(_guard(name, body) for _table, name, _when, body in GUARDS
          if name == "observation_measured_stays"),
        "DROP FUNCTION IF EXISTS typed_by_kept()",
        "DROP FUNCTION IF EXISTS flarescope_typed_by_me(bigint)",
        "DROP TABLE IF EXISTS typed_by"])
