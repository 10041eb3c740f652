"""guards, fifth round: an undo puts back only what the server itself saw

Revision ID: a10_guards
Revises: a9_guards

An undo may write another person's name or an earlier time: an episode deleted and put
back keeps its author and creation time, a review withdrawn and put back its reviewer and
time. a5/a6_guards let that through when an audit row recorded it, but a reviewer appends
audit rows herself: one row of her own first, and she backdated an episode's ``created``
or a case's review, or put a deleted episode back under a colleague's name with content
of her choosing (second attacker review). Now the server keeps what an undo may put
back, in tables only its triggers write:

- ``episode_gone``: every episode a reviewer login deleted, as it was. An episode is
  inserted under another author or at another time than now only as exactly such a row
  (its version one past the deleted one's; ``updated`` is the server's time anyway).
- ``review_given``: every (reviewer, time) a case was marked reviewed with. A review is
  the login's own at the server's time, withdrawn, or one of those.

Neither holds anything a reviewer wrote herself that the guards had not already allowed.
"""

from db.migrations.versions.a5_guards import GUARDS, PATH, REFUSE
from db.migrations.versions.a6_guards import EPISODE_CREATED, SCHEMA, _guard, on_server

revision = "a10_guards"
down_revision = "a9_guards"
branch_labels = None
depends_on = None

S = SCHEMA + "."
# Columns an undo of a deletion gives new values: the version moves on, the time is now.
_MOVED = "'version' - 'updated'"

STATEMENTS = [
    f"CREATE TABLE {S}episode_gone (id bigint, was jsonb)",
    f"CREATE INDEX episode_gone_id ON {S}episode_gone (id)",
    f"""CREATE OR REPLACE FUNCTION episode_gone_kept() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF NOT flarescope_owner_session() THEN
                INSERT INTO {S}episode_gone VALUES (OLD.id, to_jsonb(OLD));
            END IF;
            RETURN OLD;
        END $$""",
    f"""CREATE TRIGGER episode_gone_kept AFTER DELETE ON {S}episode FOR EACH ROW
        EXECUTE FUNCTION episode_gone_kept()""",
    # Exactly a deleted episode: every column as it was, the version one past.
    f"""CREATE OR REPLACE FUNCTION flarescope_episode_was_deleted(e {S}episode)
        RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
        SELECT EXISTS (SELECT 1 FROM {S}episode_gone g WHERE g.id = e.id
                       AND g.was - {_MOVED} = to_jsonb(e) - {_MOVED}
                       AND (g.was ->> 'version')::bigint + 1 = e.version) $$""",
    f"CREATE TABLE {S}review_given (patient_id bigint, reviewed_by text, reviewed_at bigint)",
    f"CREATE INDEX review_given_patient ON {S}review_given (patient_id)",
    # The reviews standing now are the ones an undo may meet first.
    f"""INSERT INTO {S}review_given SELECT id, reviewed_by, reviewed_at FROM {S}patient
        WHERE reviewed_by IS NOT NULL""",
    f"""CREATE OR REPLACE FUNCTION review_given_kept() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER {PATH} AS $$
        BEGIN
            IF NEW.reviewed_by IS NOT NULL AND (TG_OP = 'INSERT'
               OR (NEW.reviewed_by, NEW.reviewed_at)
                  IS DISTINCT FROM (OLD.reviewed_by, OLD.reviewed_at)) THEN
                INSERT INTO {S}review_given VALUES (NEW.id, NEW.reviewed_by, NEW.reviewed_at);
            END IF;
            RETURN NULL;
        END $$""",
    f"""CREATE TRIGGER review_given_kept AFTER INSERT OR UPDATE ON {S}patient FOR EACH ROW
        EXECUTE FUNCTION review_given_kept()""",
    f"""CREATE OR REPLACE FUNCTION flarescope_review_was_given(pid bigint, who text,
        at bigint) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER {PATH} AS $$
        SELECT EXISTS (SELECT 1 FROM {S}review_given WHERE patient_id = pid
                       AND reviewed_by = who AND reviewed_at = at) $$""",
    _guard("episode_author_is_login", f"""
    -- Putting back a deleted episode (an undo) keeps the author who created it.
    IF NEW.author IS DISTINCT FROM session_user::text
       AND NOT flarescope_episode_was_deleted(NEW) THEN
        RAISE EXCEPTION 'an episode''s author is the login that creates it (%), or, put '
                        'back by an undo, the deleted episode as it was', session_user {REFUSE};
    END IF;
    RETURN NEW;"""),
    _guard("episode_created_by_server", f"""
    IF TG_OP = 'UPDATE' THEN
        IF NEW.created IS DISTINCT FROM OLD.created THEN
            RAISE EXCEPTION 'an episode''s creation time does not change' {REFUSE};
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.created IS DISTINCT FROM flarescope_now()
       AND NOT flarescope_episode_was_deleted(NEW) THEN
        RAISE EXCEPTION 'an episode is created at the server''s time (%), or, put back by '
                        'an undo, as the deleted episode was', flarescope_now() {REFUSE};
    END IF;
    RETURN NEW;"""),
    _guard("patient_reviewer_is_login", f"""
    IF TG_OP = 'UPDATE' AND NEW.reviewed_by IS NOT DISTINCT FROM OLD.reviewed_by
       AND NEW.reviewed_at IS NOT DISTINCT FROM OLD.reviewed_at THEN
        RETURN NEW;
    END IF;
    IF (NEW.reviewed_by IS NULL AND NEW.reviewed_at IS NULL)
       OR (NEW.reviewed_by = session_user::text AND NEW.reviewed_at = flarescope_now())
       -- an undo puts back a review the server saw given
       OR flarescope_review_was_given(NEW.id, NEW.reviewed_by, NEW.reviewed_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a case is marked reviewed by the login that reviews it (%), at the '
                    'server''s time' , session_user {REFUSE};"""),
]
TRIGGERS = [("episode", "episode_gone_kept"), ("patient", "review_given_kept")]


def upgrade() -> None:
    on_server(STATEMENTS)


def downgrade() -> None:
    on_server([
        *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in TRIGGERS),
        # a5/a6_guards's own, as a6_guards left them
        *(_guard(name, body) for _table, name, _when, body in GUARDS
          if name in ("episode_author_is_login", "patient_reviewer_is_login")),
        EPISODE_CREATED[0],
        *(f"DROP FUNCTION IF EXISTS {name}" for name in (
            "episode_gone_kept()", "review_given_kept()",
            "flarescope_episode_was_deleted(episode)",
            "flarescope_review_was_given(bigint, text, bigint)")),
        "DROP TABLE IF EXISTS episode_gone",
        "DROP TABLE IF EXISTS review_given"])
