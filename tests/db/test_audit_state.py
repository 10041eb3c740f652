"""`audit verify` compares the tables with what the audit trail's last changes left them as:
a hand edit of the data (the sqlite3 tool) writes no audit row, and the chain alone calls
such a database intact (found by the attacker review)."""

from __future__ import annotations

import pytest

from data.patients import save_details
from db import episodes as ep
from db.episodes import create_episode, delete_episode, mark_case_reviewed, update_episode
from db.patients import get_patient
from main import main
from tests.backend import target

T0, DAY = 1_700_000_000, 86_400
NAME, RECORD = "Ada Lovelace", "MRN-4471"


def _hand_edit(engine, *sql: str) -> None:
    """What someone with the sqlite3 tool (or psql) does: change a table, no audit row."""
    with engine.begin() as conn:
        for statement in sql:
            conn.exec_driver_sql(statement)


def _verify(engine, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--db", target(engine), "audit", "verify"])
    return code, capsys.readouterr().out


def _first(engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT min(id) FROM {table}").scalar())


@pytest.fixture
def detailed(engine, pid):
    """A case whose details, identity and one weight were saved as the details dialog
    saves them."""
    version = get_patient(engine, pid)["version"]
    save_details(engine, pid, version, actor="dr. ward", diagnosis="FMF", sex="F",
                 birth_year=1990, name=NAME, record_number=RECORD, birth_date="1990-05-04",
                 weights={"2024-03-01": 70.0})
    return engine


@pytest.mark.parametrize(("sql", "says"), [
    ("UPDATE observation SET value = 95 WHERE series_id = (SELECT id FROM series WHERE "
     "code = 'WEIGHT') AND t = 1709251200",
     "case P-01 (#{pid}) weight on 2024-03-01 (kg): the table says 95.0, the audit trail's "
     "last change left 70.0: changed outside Flarescope"),
    ("DELETE FROM observation",
     "case P-01 (#{pid}) weight on 2024-03-01 (kg): the table says nothing, the audit trail's "
     "last change left 70.0: changed outside Flarescope"),
    ("UPDATE patient SET diagnosis = 'NAID'",
     "case P-01 (#{pid}) diagnosis: the table says 'NAID', the audit trail's last change left "
     "'FMF': changed outside Flarescope"),
    ("UPDATE patient SET sex = 'M', birth_year = 1980",
     "case P-01 (#{pid}) sex: the table says 'M', the audit trail's last change left 'F'"),
    ("UPDATE patient SET sex = 'M', birth_year = 1980",
     "case P-01 (#{pid}) birth_year: the table says 1980, the audit trail's last change left "
     "1990"),
])
def test_a_hand_edit_of_a_case_is_reported(detailed, pid, capsys, sql, says):
    _hand_edit(detailed, sql)
    code, out = _verify(detailed, capsys)
    assert code == 1
    assert says.format(pid=pid) in out


@pytest.mark.parametrize(("sql", "field"), [
    ("UPDATE patient_identity SET name = 'X'", "name"),
    ("UPDATE patient_identity SET record_number = 'MRN-0001'", "record_number"),
    ("UPDATE patient_identity SET birth_date = '1980-01-01'", "birth_date"),
    ("DELETE FROM patient_identity", "name"),
])
def test_a_hand_edit_of_an_identity_names_the_field_not_the_values(detailed, pid, capsys,
                                                                   sql, field):
    _hand_edit(detailed, sql)
    code, out = _verify(detailed, capsys)
    assert code == 1
    assert (f"case P-01 (#{pid}) {field}: the table differs from what the audit trail's last "
            "change left: changed outside Flarescope") in out
    for identifying in (NAME, RECORD, "1990-05-04", "'X'", "MRN-0001", "1980-01-01"):
        assert identifying not in out


def test_a_hand_edit_of_an_episode_is_reported(demo_engine, capsys):
    eid = _first(demo_engine, "episode")
    _hand_edit(demo_engine, f"UPDATE episode SET note = 'x', onset = onset + 86400 WHERE id = {eid}")
    code, out = _verify(demo_engine, capsys)
    assert code == 1
    assert (f"episode #{eid} note: the table says 'x', the audit trail's last change left "
            "'Progressive return of fevers and rash on anakinra.': changed outside "
            "Flarescope") in out
    assert f"episode #{eid} onset: the table says " in out


def test_a_hand_edit_of_an_edited_episode_is_compared_with_every_change(engine, pid,
                                                                        capsys):
    """An update's audit row holds only what it changed: the onset is the create's, the
    note the first update's, though the newest row is about the severity."""
    row = create_episode(engine, pid, actor="alice", kind="flare", onset=T0)
    update_episode(engine, row["id"], 1, actor="bob", note="fevers")
    update_episode(engine, row["id"], 2, actor="bob", severity="mild")
    _hand_edit(engine, f"UPDATE episode SET note = 'x', onset = {T0 + DAY}")
    code, out = _verify(engine, capsys)
    assert code == 1
    assert (f"episode #{row['id']} onset: the table says {T0 + DAY}, the audit trail's last "
            f"change left {T0}: changed outside Flarescope") in out
    assert f"episode #{row['id']} note: the table says 'x', the audit trail's last change " \
           "left 'fevers'" in out


def test_an_episode_deleted_by_hand_is_reported(demo_engine, capsys):
    eid = _first(demo_engine, "episode")
    _hand_edit(demo_engine, f"DELETE FROM episode WHERE id = {eid}")
    code, out = _verify(demo_engine, capsys)
    assert code == 1
    assert (f"episode #{eid}: the table has no such episode, the audit trail's last change left "
            "it in place: deleted outside Flarescope") in out


def test_an_episode_put_back_by_hand_after_its_deletion_is_reported(engine, pid, capsys):
    row = create_episode(engine, pid, actor="alice", kind="flare", onset=T0)
    delete_episode(engine, row["id"], 1, actor="alice")
    cols = ", ".join(f'"{k}"' for k in row)
    values = ", ".join("NULL" if v is None else repr(v) for v in row.values())
    _hand_edit(engine, f"INSERT INTO episode ({cols}) VALUES ({values})")
    code, out = _verify(engine, capsys)
    assert code == 1
    assert (f"episode #{row['id']}: the table has it, the audit trail's last change deleted "
            "it: changed outside Flarescope") in out


def test_a_hand_edit_of_a_review_is_reported(engine, pid, capsys):
    mark_case_reviewed(engine, pid, "dr. ward", True, version=0)
    _hand_edit(engine, "UPDATE patient SET reviewed_by = 'dr. evil'")
    code, out = _verify(engine, capsys)
    assert code == 1
    assert (f"case P-01 (#{pid}) reviewed_by: the table says 'dr. evil', the audit trail's last "
            "change left 'dr. ward'") in out


def test_a_hand_edit_of_a_control_reference_set_is_reported(demo_engine, capsys):
    sid = _first(demo_engine, "control_reference_set")
    _hand_edit(demo_engine, "UPDATE control_reference_set SET lab = 'Other lab'",
               "DELETE FROM control_reference WHERE id = (SELECT max(id) FROM "
               "control_reference)")
    code, out = _verify(demo_engine, capsys)
    assert code == 1
    assert f"control reference set #{sid} lab: the table says 'Other lab'" in out
    assert "references added: the table says" in out


def test_an_untouched_demo_database_verifies_clean(demo_engine, capsys):
    code, out = _verify(demo_engine, capsys)
    assert (code, "problem" in out) == (0, False), out


def test_ordinary_edits_undos_and_redos_verify_clean(demo_engine, capsys):
    """What the details dialog, the weights dialog, the timeline and Edit → Undo/Redo
    write: every change goes with its audit row, so nothing differs."""
    engine = demo_engine
    pid = _first(engine, "patient")
    row = get_patient(engine, pid)
    v = save_details(engine, pid, row["version"], actor="dr. ward", diagnosis="FMF",
                     name=NAME, birth_date="1982-05-04", weights={"2024-03-01": 70.0,
                                                                  "2024-03-02": 71.5})["version"]
    v = save_details(engine, pid, v, actor="dr. ward", weights={"2024-03-01": 72.0,
                                                                "2024-03-02": None})["version"]
    # Edit → Undo, then Redo, of the last edit (gui.patient_command writes these).
    v = save_details(engine, pid, v, actor="dr. ward", step="undo",
                     weights={"2024-03-01": 70.0, "2024-03-02": 71.5})["version"]
    v = save_details(engine, pid, v, actor="dr. ward", step="redo",
                     weights={"2024-03-01": 72.0, "2024-03-02": None})["version"]
    save_details(engine, pid, v, actor="dr. ward", step="undo", name=None, sex="M")
    new = create_episode(engine, pid, actor="dr. ward", kind="flare", onset=T0, note="rash")
    moved = update_episode(engine, new["id"], 1, actor="dr. ward", onset=T0 + DAY)
    back = update_episode(engine, new["id"], moved["version"], actor="dr. ward", step="undo",
                          onset=T0)
    gone = delete_episode(engine, new["id"], back["version"], actor="dr. ward")
    ep.restore_episode(engine, gone, actor="dr. ward", step="undo")
    demo = ep.get_episode(engine, _first(engine, "episode"))
    update_episode(engine, demo["id"], demo["version"], actor="dr. ward", severity="severe")
    after = mark_case_reviewed(engine, pid, "dr. ward", True, version=0)
    mark_case_reviewed(engine, pid, "dr. ward", False, version=after["review_version"])
    code, out = _verify(engine, capsys)
    assert (code, "problem" in out) == (0, False), out


@pytest.mark.sqlite_only
def test_sqlite_and_any_database_fold_the_trail_alike(demo_engine):
    """SQLite folds the trail in SQL; other databases (and a SQLite without JSON) decode
    every row in Python. Both must leave each entity the same."""
    from db.audit_state import _newest_decoded, _newest_sqlite

    pid = _first(demo_engine, "patient")
    row = get_patient(demo_engine, pid)
    v = save_details(demo_engine, pid, row["version"], actor="dr. ward", diagnosis="FMF",
                     weights={"2024-03-01": 70.0})["version"]
    save_details(demo_engine, pid, v, actor="dr. ward", weights={"2024-03-01": None})
    new = create_episode(demo_engine, pid, actor="dr. ward", kind="flare", onset=T0)
    gone = delete_episode(demo_engine, new["id"], 1, actor="dr. ward")
    def scalars(newest):  # SQLite gives a nested object as text: it has its own member
        return {eid: {k: v for k, v in keys.items() if k != "weights"}
                for eid, keys in newest.items()}

    with demo_engine.connect() as conn:
        for entity, member in (("episode", "$"), ("patient", "$"), ("patient", "$.weights"),
                               ("patient_identity", "$")):
            assert scalars(_newest_sqlite(conn, entity, 0, member)) \
                == scalars(_newest_decoded(conn, entity, 0, member))
    assert gone["id"] == new["id"]


def test_a_hand_edit_of_a_suggestion_s_decision_is_reported(engine, pid, capsys):
    from db import suggestions as store

    found = {"kind": "flare", "onset": T0, "end": T0 + 7 * DAY, "criteria": ["cluster_flare"],
             "certainty": "probable", "fingerprint": "f1",
             "evidence": [{"text": "CRP 45 mg/L", "samples": []}]}
    store.store_suggestions(engine, pid, [found, found | {"onset": T0 + 60 * DAY,
                                                        "end": None}], actor="alice")
    first, second = store.load_suggestions(engine, pid).to_dict("records")
    store.reject_suggestion(engine, first["id"], first["version"], actor="alice",
                            reason="a single attack")
    assert _verify(engine, capsys)[0] == 0
    _hand_edit(engine, f"UPDATE suggestion SET state = 'open', reason = 'never seen' "
                       f"WHERE id = {first['id']}",
               f"UPDATE suggestion SET state = 'accepted' WHERE id = {second['id']}")
    code, out = _verify(engine, capsys)
    assert code != 0
    assert (f"suggestion #{first['id']} state: the table says 'open', the audit trail's last "
            "change left 'rejected': changed outside Flarescope") in out
    assert (f"suggestion #{first['id']} reason: the table says 'never seen', the audit "
            "trail's last change left 'a single attack'") in out
    assert f"suggestion #{second['id']} state: the table says 'accepted'" in out


def test_a_suggestion_deleted_by_hand_is_reported(engine, pid, capsys):
    from db import suggestions as store

    store.store_suggestions(engine, pid, [{
        "kind": "flare", "onset": T0, "end": None, "criteria": ["caps_relapse"],
        "certainty": "uncertain", "fingerprint": "f", "evidence": []}], actor="alice")
    [row] = store.load_suggestions(engine, pid).to_dict("records")
    _hand_edit(engine, f"DELETE FROM suggestion WHERE id = {row['id']}")
    assert (f"suggestion #{row['id']}: the table has no such suggestion, the audit trail's "
            "last change left it in place: deleted outside Flarescope") in _verify(engine,
                                                                                   capsys)[1]


def test_audit_rows_of_shapes_flarescope_never_writes_break_neither_verify_nor_export(
        demo_engine, capsys, tmp_path):
    """A login with psql can append a well-chained audit row whose before/after is JSON of
    any shape; verify and every case export failed on it, for everyone, for good (second
    attacker review)."""
    from db.audit import audited_transaction, record
    from db.identity import login

    engine = demo_engine
    pid = _first(engine, "patient")
    episode = create_episode(engine, pid, actor="dr. ward", kind="flare", onset=1_250_000_000)
    with audited_transaction(engine) as conn:
        me = login(conn) if engine.dialect.name == "postgresql" else "dr. ward"
        record(conn, actor=me, entity="patient", entity_id=pid, patient_id=pid, action="edit",
               before={"weights": "x"}, after={"weights": [1]})
    with audited_transaction(engine) as conn:
        record(conn, actor=me, entity="episode", entity_id=episode["id"], patient_id=pid,
               action="edit", before={"onset": "abc"}, after={"onset": {"a": 1}})
    code, out = _verify(engine, capsys)
    assert "unexpected error" not in out and "Traceback" not in out, out
    pseudonym = get_patient(engine, pid)["pseudonym"]
    for extra in ([], ["--deidentify"]):
        capsys.readouterr()
        assert main(["--db", target(engine), "export", pseudonym, "-o", str(tmp_path) + "/",
                     *extra]) == 0, capsys.readouterr().err
