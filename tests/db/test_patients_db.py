"""Patient detail writes: version guard, audit rows in the same transaction, identity apart."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Patient, PatientIdentity
from db.patients import PatientError, StalePatientError, get_patient, update_patient
from db.writes import insert_patient


@pytest.fixture
def pid(engine):
    with engine.begin() as conn:
        return insert_patient(conn, pseudonym="HOP-01")


def _audit(engine, pid):
    t = AuditEvent.__table__
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(t).where(t.c.entity_id == pid, t.c.entity.like("patient%"))
            .order_by(t.c.id)).mappings()]


def test_a_new_patient_starts_at_version_1_with_nothing_recorded(engine, pid):
    row = get_patient(engine, pid)
    assert row["version"] == 1
    assert [row[k] for k in ("diagnosis", "sex", "birth_year", "genotype", "name")] == \
        [None] * 5


def test_update_writes_the_change_and_its_audit_row(engine, pid):
    row = update_patient(engine, pid, 1, actor="dr.martin", diagnosis="FCAS2", sex="F")
    assert (row["diagnosis"], row["sex"], row["version"]) == ("FCAS2", "F", 2)
    [event] = _audit(engine, pid)
    assert (event["actor"], event["action"], event["entity"]) == \
        ("dr.martin", "update", "patient")
    assert abs(event["at"] - time.time()) < 60  # the database clock, never the caller's
    assert json.loads(event["before"]) == {"diagnosis": None, "sex": None, "version": 1}
    assert json.loads(event["after"]) == {"diagnosis": "FCAS2", "sex": "F", "version": 2}


def test_identifying_fields_go_to_their_own_table_and_audit_entity(engine, pid):
    update_patient(engine, pid, 1, actor="dr.martin", name="Jean Dupont",
                   birth_date=dt.date(1975, 11, 2))
    with engine.connect() as conn:
        ident = conn.execute(select(PatientIdentity.__table__)).mappings().one()
        assert conn.execute(select(Patient.version)).scalar() == 2
    assert (ident["name"], ident["birth_date"]) == ("Jean Dupont", dt.date(1975, 11, 2))
    entities = [e["entity"] for e in _audit(engine, pid)]
    assert entities == ["patient", "patient_identity"]
    assert "Dupont" not in _audit(engine, pid)[0]["after"]  # the patient row stays clean


def test_a_stale_version_is_refused_and_nothing_changes(engine, pid):
    update_patient(engine, pid, 1, actor="a", diagnosis="FCAS2")
    with pytest.raises(StalePatientError, match="changed meanwhile.*not saved"):
        update_patient(engine, pid, 1, actor="b", diagnosis="CAPS")
    assert get_patient(engine, pid)["diagnosis"] == "FCAS2"
    assert len(_audit(engine, pid)) == 1


def test_no_change_writes_nothing(engine, pid):
    update_patient(engine, pid, 1, actor="a", diagnosis=None)
    assert get_patient(engine, pid)["version"] == 1
    assert _audit(engine, pid) == []


def test_a_pseudonym_taken_by_another_case_is_refused(engine, pid):
    with engine.begin() as conn:
        insert_patient(conn, pseudonym="HOP-02")
    with pytest.raises(PatientError, match="already another case's"):
        update_patient(engine, pid, 1, actor="a", pseudonym="HOP-02")
    assert get_patient(engine, pid)["pseudonym"] == "HOP-01"


def test_a_field_that_is_not_a_detail_is_refused(engine, pid):
    with pytest.raises(PatientError, match="Cannot change reviewed_by"):
        update_patient(engine, pid, 1, actor="a", reviewed_by="x")
