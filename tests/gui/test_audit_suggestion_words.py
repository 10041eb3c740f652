"""Suggestion and typed-measurement rows of the PDF's audit trail in clinician words
(data.audit_text): what was done, to which suggestion (its onset, or day N when
de-identified), why; never the stored JSON (evidence arrays, epoch times, fingerprints)."""

from __future__ import annotations

import datetime as dt
import re

from pypdf import PdfReader
from PySide6 import QtCore
from PySide6.QtTest import QTest

from gui.pdf.export import export_case_pdf
from tests.data.relapse_cases import write_cases
from tests.gui.test_pga_entry import enter
from tests.gui.test_suggestions import click_row, open_dock, stored


def _audit_pages(path) -> str:
    """The audit trail's pages as one line of text (pypdf breaks lines where it likes)."""
    pages = [p.extract_text() for p in PdfReader(path).pages]
    text = re.sub(r"\s+", " ", " ".join(pages))
    return text[text.index("Reviewer notes and audit trail"):]


def test_suggestion_and_pga_rows_read_as_a_clinician_writes_them(qtbot, window, demo_engine,
                                                                 tmp_path, reviewer):
    from data.importing import import_file

    write_cases(demo_engine, tmp_path)
    window.refresh_case_list()
    qtbot.wait(50)
    case = open_dock(qtbot, window, "HOSP-01")
    panel = window.suggestions.panel
    click_row(qtbot, panel, 0)  # the May relapse: accepted
    QTest.mouseClick(panel.accept, QtCore.Qt.MouseButton.LeftButton)
    click_row(qtbot, panel, 1)  # the September visit: rejected, undone, redone
    qtbot.keyClicks(panel.reason, "CRP from a chest infection")
    qtbot.keyClick(panel.reason, QtCore.Qt.Key.Key_Return)
    window.actions["undo"].trigger()
    window.actions["redo"].trigger()
    late = tmp_path / "late_pga.csv"  # a re-import changes September's evidence
    late.write_text("patient,date,code,value\nHOSP-01,2024-09-12T10:00,PGA,3\n",
                    encoding="utf-8")
    import_file(demo_engine, late)
    with qtbot.waitSignal(window.caseOpened, timeout=10_000):
        window.reload_case()
    enter(qtbot, window, dt.date(2024, 11, 7), 1)  # a physician global typed in
    may, september = (s["onset"] for s in stored(demo_engine, case)[:2])
    episode = int(stored(demo_engine, case)[0]["episode_id"])

    text = _audit_pages(export_case_pdf(demo_engine, tmp_path / "case.pdf",
                                        patient_id=case.id))
    may_day = dt.datetime.fromtimestamp(may, dt.UTC).date().isoformat()
    sept_day = dt.datetime.fromtimestamp(september, dt.UTC).date().isoformat()
    assert f"{reviewer} suggested relapse, onset {may_day} by CAPS relapse" in text
    assert f"accepted suggested relapse, onset {may_day} became episode #{episode}" in text
    assert (f"rejected suggested flare, onset {sept_day} reason: CRP from a chest "
            "infection") in text
    assert f"reopened suggested flare, onset {sept_day} (by undo) open again (was " \
           "rejected)" in text
    assert f"rejected suggested flare, onset {sept_day} (by redo)" in text
    assert (f"evidence changed for suggested flare, onset {sept_day} evidence now: "
            "2024-09-12 10:00: CRP 45 mg/L, physician global 3 (moderate)") in text
    assert "marked changed for the reviewer" in text
    assert "recorded physician global, 2024-11-07 12:00 score: — → 1 (minimal)" in text
    for raw in ('"t"', "fingerprint", "{", "[", "episode id", "PGA 2024"):
        assert raw not in text, (raw, text[text.find(raw) - 80:text.find(raw) + 80])

    # De-identified: day N for the onsets and the typed score, the reason withheld.
    text = _audit_pages(export_case_pdf(demo_engine, tmp_path / "deid.pdf",
                                        patient_id=case.id, deidentify=True))
    assert re.search(r"rejected suggested flare, onset day \+\d+ reason: \(note withheld\)",
                     text)
    assert re.search(r"recorded physician global, day \+\d+ score: — → 1 \(minimal\)", text)
    assert "chest infection" not in text and not re.search(r"\b20\d\d-\d\d", text)
