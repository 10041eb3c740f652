"""`demo --reset` rebuilds the demo, but never destroys a reviewer's work by surprise."""

from sqlalchemy import func, insert, select

from db.audit import record
from db.models import Patient, Series, Source
from main import main
from tests.backend import target


def _count(engine, model):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def test_reset_refuses_when_other_cases_exist_and_force_overrides(demo_engine, capsys):
    db = target(demo_engine)
    with demo_engine.begin() as conn:
        conn.execute(insert(Patient).values(pseudonym="REAL-01", diagnosis="CAPS"))
    assert main(["--db", db, "demo", "--reset"]) == 1
    err = capsys.readouterr().err
    assert "REAL-01" in err and "--force" in err and "Traceback" not in err
    assert _count(demo_engine, Patient) == 5  # nothing deleted

    assert main(["--db", db, "demo", "--reset", "--force"]) == 0
    with demo_engine.connect() as conn:
        names = set(conn.execute(select(Patient.pseudonym)).scalars())
    assert "REAL-01" not in names and len(names) == 4


def test_reset_refuses_when_a_reviewer_changed_the_demo(demo_engine, capsys):
    db = target(demo_engine)
    with demo_engine.begin() as conn:
        record(conn, actor="dr.martin", entity="episode", entity_id=None, patient_id=None,
               action="create", before=None, after=None)
    assert main(["--db", db, "demo", "--reset"]) == 1
    assert "dr.martin" in capsys.readouterr().err


def test_plain_reset_of_the_demo_rebuilds_it(demo_engine):
    db = target(demo_engine)
    series, sources = _count(demo_engine, Series), _count(demo_engine, Source)
    assert main(["--db", db, "demo", "--reset"]) == 0
    assert _count(demo_engine, Patient) == 4
    assert (_count(demo_engine, Series), _count(demo_engine, Source)) == (series, sources)
