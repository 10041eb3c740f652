"""Every field of every audited entity in clinician words, on screen (History) and in the
PDF's audit trail (data.audit_text): no "birth_year" or "review_version: 0 → 1"."""

from __future__ import annotations

import re

from data.audit_text import change_lines, headline
from data.patients import save_details
from data.summary import build_summary, load_audit, load_case
from db.engine import open_database
from db.episodes import mark_case_reviewed
from db.patients import get_patient
from db.writes import insert_patient


def _trail(engine, pid, **kw):
    case = load_case(engine, pid)
    summary = build_summary(case, audit=load_audit(engine, case), **kw)
    return next(t for t in summary.tables if t.title == "Reviewer notes and audit trail").rows


def test_patient_details_identity_weights_and_review_are_worded(tmp_path):
    engine = open_database(str(tmp_path / "words.db"))
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="W-01", sex="F", name="Ann Lee",
                             record_number="MRN-1")
    p = get_patient(engine, pid)
    save_details(engine, pid, p["version"], actor="Dr Martin", birth_year=1990,
                 genotype="NLRP12 R352C", weights={"2026-01-02": 60.0},
                 record_number="MRN-2")
    mark_case_reviewed(engine, pid, "Dr Martin", True, version=0, actor="Dr Martin")
    rows = _trail(engine, pid)
    changes = [line for r in rows for line in r[3].split("; ")]
    assert "birth year: — → 1990" in changes
    assert "record number: MRN-1 → MRN-2" in changes
    assert "weight 2026-01-02: — → 60 kg" in changes
    assert "reviewed by: — → Dr Martin" in changes
    assert "marked reviewed patient #1" in [r[2] for r in rows]
    text = " ".join(cell for r in rows for cell in r[2:])
    assert "_" not in text and "review version" not in text
    # De-identified: the same words, the values withheld.
    changes = [line for r in _trail(engine, pid, deidentify=True) for line in r[3].split("; ")]
    assert "record number changed (withheld)" in changes
    assert not any("_" in line for line in changes)


def test_control_reference_sets_are_worded():
    after = {"lab": "CHU Lyon", "source": "refs.csv", "added": [4, 5]}
    assert headline("import", "control_reference_set", 2, after) == \
        "imported control reference set #2"
    lines = change_lines("edit", "control_reference_set", {"retired": [3]}, after)
    assert lines == ["laboratory: — → CHU Lyon", "source: — → refs.csv",
                     "references added: — → #4, #5", "references retired: #3 → —"]
    assert headline("edit", "control_reference_set", 2, after) == \
        "edited control reference set #2"
    assert not any(re.search(r"\w_\w", line) for line in lines)


def test_a_typed_physician_global_gives_no_date_away_when_de_identified(tmp_path):
    """The PGA dialog's audit field is named by its date ("PGA 2009-11-30T12:00"): the
    de-identified trail printed it (clinician review); it reads as day N there."""
    import datetime as dt

    from db.typed_measures import set_typed_value
    from db.writes import insert_observations

    engine = open_database(str(tmp_path / "pga.db"))
    day0 = int(dt.datetime(2009, 3, 2, tzinfo=dt.UTC).timestamp())
    with engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="G-01")
        insert_observations(conn, [(pid, day0, "CRP", 12.0, None, "mg/L", "", "lab")])
    noon = int(dt.datetime(2009, 11, 30, 12, tzinfo=dt.UTC).timestamp())
    set_typed_value(engine, pid, code="PGA", unit="1", t=noon, value=2, actor="Dr Martin")
    plain = " ".join(c for r in _trail(engine, pid) for c in r[2:])
    assert "recorded physician global, 2009-11-30 12:00 score: — → 2 (mild)" in plain
    deid = " ".join(c for r in _trail(engine, pid, deidentify=True) for c in r[2:])
    assert "recorded physician global, day +273 score: — → 2 (mild)" in deid, deid
    assert not re.search(r"20\d\d|11-30", deid), deid


def test_suggestion_and_typed_rows_of_a_foreign_shape_print_as_they_stand():
    """Rows written outside Flarescope (an onset as text, evidence times as text, a score
    as a word) still read, never a traceback that stops the export."""
    from data.audit_text import change_lines, headline, suggestions_named

    rows = [("suggestion", 4, None, '{"kind": "relapse", "onset": "soon"}'),
            ("suggestion", 5, None, '{"kind": "flare", "onset": 1262304000}')]
    named = suggestions_named(rows)
    assert named == {5: ("flare", 1262304000.0)}
    assert headline("accept", "suggestion", 4, "{}", suggested=named) == \
        "accepted suggestion #4"
    assert headline("accept", "suggestion", 5, "{}", suggested=named) == \
        "accepted suggested flare, onset 2010-01-01"
    after = ('{"evidence": [{"text": "CRP 45 mg/L", "samples": [{"t": "x"}]}], '
             '"criteria": [{"a": 1}], "changed": 1}')
    assert change_lines("evidence changed", "suggestion", "{}", after) == [
        "evidence now: CRP 45 mg/L", "criteria now: {'a': 1}",
        "marked changed for the reviewer"]
    assert change_lines("record", "measurement", '{"PGA 2010-01-01T12:00": null}',
                        '{"PGA 2010-01-01T12:00": "high"}') == ["score: — → high"]


def test_keeping_a_decision_whose_evidence_changed_reads_in_words():
    from data.audit_text import change_lines, headline

    named = {5: ("relapse", 1262304000.0)}
    assert headline("keep", "suggestion", 5, '{"changed": 0}', suggested=named) == \
        "decision kept for suggested relapse, onset 2010-01-01"
    assert change_lines("keep", "suggestion", '{"changed": 1}', '{"changed": 0}') == [
        "its evidence changed since the decision; the reviewer keeps the decision"]
    assert headline("undo:mark changed", "suggestion", 5, '{"changed": 1}',
                    suggested=named) == \
        "evidence marked changed for suggested relapse, onset 2010-01-01 (by undo)"
    assert change_lines("undo:mark changed", "suggestion", '{"changed": 0}',
                        '{"changed": 1}') == ["marked changed for the reviewer"]
