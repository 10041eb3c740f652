"""`flarescope suggest CASE|--all [--json]` on cases written by hand: the suggestions, their
evidence and the agreement with the reviewer's episodes, printed; nothing written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from db.episodes import create_episode
from db.models import AuditEvent, Episode
from db.patients import patient_id
from main import main
from tests.backend import target
from tests.data.relapse_cases import HOSP_01_RELAPSE_ONSET, epoch, write_cases


@pytest.fixture
def hand(engine, tmp_path):
    write_cases(engine, tmp_path)
    create_episode(engine, patient_id(engine, "HOSP-01"), actor="Dr Hand", kind="relapse",
                   onset=epoch(HOSP_01_RELAPSE_ONSET))
    return engine


def _counts(engine):
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (Episode.__table__, AuditEvent.__table__))


def test_one_case_as_text(hand, capsys):
    before = _counts(hand)
    assert main(["--db", target(hand), "suggest", "HOSP-01"]) == 0
    out = capsys.readouterr().out
    assert ("suggested relapse day +113 (2024-05-02) to day +168 (2024-06-26) — certain"
            in out)
    assert "evidence: CRP 45 mg/L; physician global not recorded" in out
    assert "1 matched, 0 missed, 1 extra" in out
    assert "(onset 4 days later)" in out
    assert "CLUSTER flare: 2 suggested, 1 matched, 0 missed, 1 extra; onset 4 days later" in out
    assert "CAPS relapse (sets episode edges): CRP and/or SAA > 30 mg/L" in out
    assert "N Engl J Med 2018;378:1908-19" in out
    assert _counts(hand) == before  # suggesting writes nothing


def test_all_cases_as_json(hand, capsys):
    assert main(["--db", target(hand), "suggest", "--all", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["case"] for c in doc["cases"]] == ["HOSP-01", "HOSP-02"]
    one = doc["cases"][0]
    first = one["suggestions"][0]
    assert (first["onset_day"], first["end_day"], first["kind"]) == (113, 168, "relapse")
    crp = first["evidence"][0]["samples"][0]
    assert (crp["code"], crp["value"], crp["unit"], crp["date"]) == ("CRP", 62.0, "mg/L",
                                                                      "2024-05-02")
    assert one["suggestions"][1]["missing"] == ["physician global not recorded"]
    assert one["agreement"]["matched"][0]["onset_difference_days"] == 4
    assert doc["totals"] == {"cases": 2, "suggested": 2, "matched": 1, "missed": 0, "extra": 1}
    assert {c["key"] for c in doc["criteria"]} >= {"caps_relapse", "cluster_flare"}


def test_within_widens_the_match(hand, capsys):
    assert main(["--db", target(hand), "suggest", "HOSP-01", "--within", "3", "--json"]) == 0
    a = json.loads(capsys.readouterr().out)["cases"][0]["agreement"]
    assert (len(a["matched"]), len(a["missed"]), len(a["extra"])) == (0, 1, 2)


@pytest.mark.parametrize("args, message", [
    ([], "give one case or --all"),
    (["HOSP-01", "--all"], "give one case or --all"),
    (["NOBODY"], "no case 'NOBODY'"),
])
def test_bad_arguments_are_one_line(hand, capsys, args, message):
    assert main(["--db", target(hand), "suggest", *args]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_within_must_be_days(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["suggest", "HOSP-01", "--within", "soon"])
    assert refused.value.code == 2
    assert "not a whole number of days: 'soon'" in capsys.readouterr().err
