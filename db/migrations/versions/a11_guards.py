"""guards, sixth round: a decided suggestion keeps what was decided about

Revision ID: a11_guards
Revises: a10_guards

A reviewer moved a colleague's rejected suggestion to another onset (and the criteria's
next run made it again, open, where it was), or rewrote its criteria, evidence, onset or
end with the rejection standing (second attacker review). Now, once a suggestion is
accepted or rejected:

- its case and onset (what identifies it: one per case and onset) never change;
- its kind, end, criteria, certainty, evidence and fingerprint change only as a re-run of
  the criteria changes them (db.suggestions.store_suggestions): with its decision kept
  and marked ``changed``, a mark only a new decision clears, so its decider sees it;
- a decision changes nothing else (the undo of one included);
- it is not deleted (the program withdraws only open ones).

a6_guards's rules stay: reason and episode change only with the decision, and only the
decider reopens it.
"""

from db.migrations.versions.a5_guards import PASS, REFUSE
from db.migrations.versions.a6_guards import SUGGESTION, _guard, on_server

revision = "a11_guards"
down_revision = "a10_guards"
branch_labels = None
depends_on = None

# What the criteria found: a re-run may change these of a decided suggestion, marked.
FOUND = ("kind", "end", "criteria", "certainty", "evidence", "fingerprint")
_new = ", ".join(f'NEW."{c}"' for c in FOUND)
_old = ", ".join(f'OLD."{c}"' for c in FOUND)

DECIDED_STAYS = _guard("suggestion_decision_stays", f"""
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = 'open' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'a decided suggestion is not deleted' {REFUSE};
    END IF;
    IF OLD.state <> 'open' THEN
        IF (NEW.patient_id, NEW.onset) IS DISTINCT FROM (OLD.patient_id, OLD.onset) THEN
            RAISE EXCEPTION 'a decided suggestion keeps its case and onset' {REFUSE};
        END IF;
        IF ({_new}) IS DISTINCT FROM ({_old})
           AND (NEW.state IS DISTINCT FROM OLD.state OR NEW.changed IS DISTINCT FROM 1) THEN
            RAISE EXCEPTION 'a decided suggestion''s findings change only as a new run of '
                            'the criteria changes them: its decision kept, marked changed'
                            {REFUSE};
        END IF;
        IF NEW.state = OLD.state AND OLD.changed = 1 AND NEW.changed IS DISTINCT FROM 1 THEN
            RAISE EXCEPTION 'a decided suggestion stays marked changed until it is decided '
                            'again' {REFUSE};
        END IF;
    END IF;
    IF NEW.state = OLD.state THEN
        IF NEW.reason IS DISTINCT FROM OLD.reason
           OR NEW.episode_id IS DISTINCT FROM OLD.episode_id THEN
            RAISE EXCEPTION 'a suggestion''s reason and episode change only with its '
                            'decision' {REFUSE};
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.state = 'open' THEN
        {PASS}
    END IF;
    -- Only an undo reopens a decided suggestion: of the decision its own login made.
    IF NEW.state = 'open' AND OLD.decided_by = session_user::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a decided suggestion is reopened only by an undo of whoever '
                    'decided it' {REFUSE};""")


def upgrade() -> None:
    on_server([DECIDED_STAYS])


def downgrade() -> None:
    on_server([SUGGESTION])
