import pytest

from db.writes import insert_patient


@pytest.fixture
def pid(engine):
    """One patient in an empty database."""
    with engine.begin() as conn:
        return insert_patient(conn, pseudonym="P-01")
