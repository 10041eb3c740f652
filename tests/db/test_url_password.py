"""A server URL in a message never shows its password, written either way libpq takes it."""

from sqlalchemy.engine import make_url

from db.engine import _display


def test_the_password_is_hidden_in_the_user_part_and_in_the_query():
    shown = _display(make_url(
        "postgresql+psycopg://ghost:S3cret@/cohort?host=/tmp/pg&password=S3cretPW&port=5"))
    assert "S3cret" not in shown
    assert "host=%2Ftmp%2Fpg" in shown and "port=5" in shown and "ghost" in shown
