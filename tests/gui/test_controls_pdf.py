"""Every PDF names the control reference set it used, and a later change of the
references leaves an exported PDF's stated references as they were."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from data.controls import Reference, store_references
from db.controls import references
from db.queries import list_cases
from gui.pdf import export_case_pdf


def _text(path: Path) -> str:
    # pypdf breaks lines where Qt changes script (before "β"): compare without spaces.
    return re.sub(r"\s+", "", " ".join(p.extract_text() for p in PdfReader(path).pages))


def test_a_changed_reference_set_leaves_the_exported_pdf_and_names_the_new_one(
        qapp, demo_engine, tmp_path):
    cases = list_cases(demo_engine)
    pid = int(cases.loc[cases["pseudonym"] == "NLRP12-01", "id"].iloc[0])
    first = tmp_path / "before.pdf"
    export_case_pdf(demo_engine, first, patient_id=pid)
    before_bytes = first.read_bytes()
    text = _text(first)
    assert "referenceset1(demo" in text
    assert "spontaneousdemo2012SD5pg/mL" in text  # lab, n, mean, SD of IL-1β spontaneous

    with demo_engine.connect() as conn:
        old = references(conn)
    il1b = int(old[(old.code == "IL1B") & (old.specimen == "pbmc-spont")]["id"].iloc[0])
    store_references(demo_engine, [Reference("IL1B", "pbmc-spont", "pg/mL", n=31, mean=16.5,
                                             sd=6.25, lab="Lab Two", batch="B-9")],
                     actor="tester", action="edit", retire=[il1b])

    second = tmp_path / "after.pdf"
    export_case_pdf(demo_engine, second, patient_id=pid)
    assert first.read_bytes() == before_bytes
    assert "spontaneousdemo2012SD5pg/mL" in _text(first)
    new = _text(second)
    assert "referenceset2(LabTwo" in new
    assert "spontaneousLabTwo3116.5SD6.25pg/mL" in new and "spontaneousdemo2012SD5pg/mL" not in new
    # set 1 can still be read back exactly as the first PDF states it
    with demo_engine.connect() as conn:
        set1 = references(conn, as_of=1)
    row = set1[(set1.code == "IL1B") & (set1.specimen == "pbmc-spont")].iloc[0]
    assert (row["lab"], row["n"], row["mean"], row["sd"]) == ("demo", 20, 12.0, 5.0)
