"""An audit row a login wrote by hand with values no date can print (1e400, 1e300, text)
stops no export: the attacker's row made every PDF of its case fail with OverflowError."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from db.audit import audited_transaction, record
from db.episodes import create_episode
from db.queries import list_cases
from gui.pdf import export_case_pdf


@pytest.mark.parametrize("odd", [float("inf"), 1e300, -1e300, "yesterday"])
@pytest.mark.parametrize("deidentify", [False, True])
def test_an_odd_audit_value_is_printed_or_withheld_and_the_pdf_is_written(
        qapp, demo_engine, tmp_path, odd, deidentify):
    cases = list_cases(demo_engine)
    pid = int(cases.loc[cases["pseudonym"] == "TRAPS-01", "id"].iloc[0])
    ep = create_episode(demo_engine, pid, actor="dr_a", kind="relapse", onset=1_300_000_000,
                        end=1_300_864_000)
    with audited_transaction(demo_engine) as conn:
        record(conn, actor="dr_b", entity="episode", entity_id=ep["id"], patient_id=pid,
               action="update", before={"onset": odd}, after={"kind": None, "end": odd})
    out = export_case_pdf(demo_engine, tmp_path / "t.pdf", patient_id=pid,
                          deidentify=deidentify, include_notes=True)
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "TRAPS-01" in text or deidentify
