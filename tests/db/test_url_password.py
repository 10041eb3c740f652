"""A server URL in a message never shows its password, written either way libpq takes it."""

from sqlalchemy.engine import make_url

from db.engine import _display


def test_the_password_is_hidden_in_the_user_part_and_in_the_query():
    shown = _display(make_url(
        "postgresql+psycopg://ghost:S3cret@/cohort?host=/tmp/pg&password=S3cretPW&port=5"))
    assert "S3cret" not in shown
    assert "host=%2Ftmp%2Fpg" in shown and "port=5" in shown and "ghost" in shown


def test_a_malformed_server_url_is_one_line_without_its_password(capsys):
    import main

    for url in ("postgresql+psycopg://ghost:S3cret@dbhost:notaport/cohort",
                "postgresql+psycopg://ghost@dbhost:99999999999999999999/cohort?password=S3cret",
                "postgresql+psycopg://ghost:S3cret@dbhost:5432:5433/cohort"):
        assert main.main(["--db", url, "cases"]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Malformed database URL" in err[0], err
        assert "S3cret" not in err[0] and "unexpected" not in err[0]
        assert "ghost" in err[0] and "dbhost" in err[0]
