"""guards, twelfth round: only who withdrew a review or deleted an episode puts it back

Revision ID: a17_guards
Revises: a16_guards

a10_guards let an undo put back any review the server saw given and any episode a
reviewer deleted, whoever asks: a reviewer put a colleague's withdrawn review, or a
deleted episode, back under the colleague's name, though she had not withdrawn or deleted
it (third attacker review). The server now notes who withdrew each review (or replaced
it with another) in review_given, and who deleted each episode in episode_gone, and only
that login puts it back: an undo is of one's own step. What was withdrawn or deleted
before this upgrade is put back by the owner only.
"""

from db.migrations.versions.a5_guards import PATH
from db.migrations.versions.a6_guards import SCHEMA, on_server
from db.migrations.versions.a10_guards import STATEMENTS as A10

revision = "a17_guards"
down_revision = "a16_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."


def _a10(name: str) -> str:
    return next(s for s in A10 if f"FUNCTION {name}(" in s)


_BY_THE_UNDOER = [
    ("'back by an undo, the deleted episode as it was'",
     "'back by an undo of the login that deleted it, the deleted episode as it was'"),
    ("'an undo, as the deleted episode was'",
     "'an undo of the login that deleted it, as the deleted episode was'"),
    ("'server''s time' ,",
     "'server''s time, or put back by an undo of the login that withdrew it',"),
    ("-- an undo puts back a review the server saw given",
     "-- an undo puts back a review the server saw given, and saw this login withdraw"),
]


def _told(statement: str) -> str:
    for was, now in _BY_THE_UNDOER:
        statement = statement.replace(was, now)
    return statement


_GUARDS = ("episode_author_is_login", "episode_created_by_server", "patient_reviewer_is_login")

STATEMENTS = [
    f"ALTER TABLE {S}episode_gone ADD COLUMN deleted_by text",
    _a10("episode_gone_kept").replace("VALUES (OLD.id, to_jsonb(OLD))",
                                      "VALUES (OLD.id, to_jsonb(OLD), session_user::text)"),
    _a10("flarescope_episode_was_deleted").replace(
        "WHERE g.id = e.id", "WHERE g.id = e.id AND g.deleted_by = session_user::text"),
    f"ALTER TABLE {S}review_given ADD COLUMN withdrawn_by text",
    f"""CREATE OR REPLACE FUNCTION review_given_kept() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.reviewed_by IS NOT NULL
               AND (NEW.reviewed_by, NEW.reviewed_at)
                   IS DISTINCT FROM (OLD.reviewed_by, OLD.reviewed_at) THEN
                UPDATE {S}review_given SET withdrawn_by = session_user::text
                    WHERE patient_id = OLD.id AND reviewed_by = OLD.reviewed_by
                    AND reviewed_at = OLD.reviewed_at;
            END IF;
            IF NEW.reviewed_by IS NOT NULL AND (TG_OP = 'INSERT'
               OR (NEW.reviewed_by, NEW.reviewed_at)
                  IS DISTINCT FROM (OLD.reviewed_by, OLD.reviewed_at)) THEN
                INSERT INTO {S}review_given VALUES (NEW.id, NEW.reviewed_by, NEW.reviewed_at);
            END IF;
            RETURN NULL;
        END $$""",
    _a10("flarescope_review_was_given").replace(
        "AND reviewed_at = at", "AND reviewed_at = at AND withdrawn_by = session_user::text"),
    *(_told(_a10(name)) for name in _GUARDS),
]
assert all(s not in A10 for s in STATEMENTS)


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server([*(_a10(name) for name in ("episode_gone_kept", "flarescope_episode_was_deleted",
                                         "review_given_kept", "flarescope_review_was_given",
                                         *_GUARDS)),
               "ALTER TABLE episode_gone DROP COLUMN IF EXISTS deleted_by",
               "ALTER TABLE review_given DROP COLUMN IF EXISTS withdrawn_by"])
