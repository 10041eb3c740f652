"""A hospital's administration record in the case PDF: the doses listed or summarised
beside the dosing periods, and a first-page table that would run over follows the
timeline instead of leaving its last rows alone on page 2."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from gui.pdf import export_case_pdf
from tests.gui.hand_files import import_texts
from tests.gui.test_pdf_export import _pid

LAB = """patient,date,code,value,unit,specimen
ADM-02,2024-02-26T09:00,IL1B,900,pg/mL,pbmc-spont
ADM-02,2024-03-04T09:00,IL1B,60,pg/mL,pbmc-spont
ADM-02,2024-04-15T09:00,IL1B,30,pg/mL,pbmc-spont
"""
DOSES = """patient,drug,dose,unit,start,end
ADM-02,anakinra,100,mg,2024-03-01,2024-03-31
"""
# Three injections inside the period; then 20 days recorded dose by dose, no period.
GIVEN = "patient,date,time,drug,dose,unit,route\n" + "".join(
    f"ADM-02,2024-03-0{d},21:{10 * d:02d},anakinra,100,mg,SC\n" for d in (1, 2, 3)) + "".join(
    f"ADM-02,{dt.date(2024, 4, 1) + dt.timedelta(days=k)},08:00,anakinra,"
    f"{150 if k < 15 else 200},mg,SC\n" for k in range(20))


def _pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_the_pdf_lists_recorded_doses_beside_the_periods(qapp, engine, tmp_path):
    import_texts(engine, tmp_path, {"lab.csv": LAB, "doses.csv": DOSES, "given.csv": GIVEN})
    path = export_case_pdf(engine, tmp_path / "adm.pdf", patient_id=_pid(engine, "ADM-02"))
    pages = _pages(path)
    # Page 1 has no room left for it: it follows the timeline, before the long tables.
    assert "Dosing history" in pages[0] and "Administrations recorded" not in pages[0]
    assert pages[1].startswith("Timeline")
    third = pages[2]
    assert third.startswith("Administrations recorded")
    assert third.index("Administrations recorded") < third.index("Cytokine measurements")
    assert "2024-03-01 21:10 100 mg subcutaneous 2024-03-01 to 2024-03-31" in third
    # 1-20 April: 15 × 150 mg then 5 × 200 mg, no period around them.
    assert ("20 doses on 20 days, 2024-04-01 08:00 to 2024-04-20 08:00" in third
            and "150 mg ×15; 200 mg ×5 subcutaneous none: doses recorded one by one only"
            in third)


# 26 short periods: the dosing history cannot end on page 1.
MANY = "patient,drug,dose,unit,start,end\n" + "".join(
    f"ADM-03,anakinra,{100 + 10 * (k % 3)},mg,{dt.date(2024, 1, 1) + dt.timedelta(days=10 * k)},"
    f"{dt.date(2024, 1, 1) + dt.timedelta(days=10 * k + 7)}\n" for k in range(26))
LAB3 = """patient,date,code,value,unit,specimen
ADM-03,2024-01-01T09:00,IL1B,900,pg/mL,pbmc-spont
ADM-03,2024-03-04T09:00,IL1B,60,pg/mL,pbmc-spont
"""


def test_a_first_page_table_that_would_run_over_follows_the_timeline(qapp, engine, tmp_path):
    import_texts(engine, tmp_path, {"lab.csv": LAB3, "doses.csv": MANY})
    path = export_case_pdf(engine, tmp_path / "many.pdf", patient_id=_pid(engine, "ADM-03"))
    pages = _pages(path)
    assert "Dosing history" not in pages[0]
    assert pages[1].startswith("Timeline")  # page 2: the timeline, never a table's tail
    assert "Dosing history" in pages[2] and "Dosing history (continued)" not in pages[2]
