"""Every word of an exported case summary, timeline included, prints at 8 pt or more
(issue 11 item 7), measured in the PDF itself: the font size each text operator sets,
times the scale of the text and transformation matrices it is drawn under."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pypdf import PdfReader

from data.importing import import_file
from db.episodes import create_episode
from db.queries import list_cases
from gui.pdf import export_case_pdf

MIN_PT = 8.0

# A hospital's own files for a patient never given anakinra (colchicine only): written by
# hand, as a lab and a pharmacy export them.
HAND_LAB = """patient,date,code,value,unit,specimen
HOSP-11,2023-01-09T08:30:00Z,CRP,48,mg/L,serum
HOSP-11,2023-01-09T08:30:00Z,SAA,310,mg/L,serum
HOSP-11,2023-01-09T08:30:00Z,IL-1β,160,pg/mL,PBMC spontaneous
HOSP-11,2023-01-09T08:30:00Z,TNF-α,35,pg/mL,PBMC spontaneous
HOSP-11,2023-01-09,Fever,yes,,
HOSP-11,2023-01-10,Fever,yes,,
HOSP-11,2023-01-10,Rash,yes,,
HOSP-11,2023-01-09T20:00:00Z,TEMP,38.9,Cel,
HOSP-11,2023-01-10T08:00:00Z,TEMP,38.2,Cel,
HOSP-11,2023-02-13T09:00:00Z,CRP,6,mg/L,serum
HOSP-11,2023-02-13T09:00:00Z,SAA,9,mg/L,serum
HOSP-11,2023-02-13T09:00:00Z,IL-1β,<5,pg/mL,PBMC spontaneous
HOSP-11,2023-02-13T09:00:00Z,TNF-α,12,pg/mL,PBMC spontaneous
HOSP-11,2023-02-13T09:00:00Z,TEMP,36.8,Cel,
HOSP-11,2023-04-03T09:00:00Z,CRP,3,mg/L,serum
HOSP-11,2023-04-03T09:00:00Z,SAA,5,mg/L,serum
HOSP-11,2023-04-03T09:00:00Z,IL-1β,40,pg/mL,PBMC spontaneous
HOSP-11,2023-06-19T09:00:00Z,CRP,72,mg/L,serum
HOSP-11,2023-06-19T09:00:00Z,SAA,540,mg/L,serum
HOSP-11,2023-06-19T09:00:00Z,IL-1β,210,pg/mL,PBMC spontaneous
HOSP-11,2023-06-19T09:00:00Z,TNF-α,41,pg/mL,PBMC spontaneous
HOSP-11,2023-06-19,Fever,yes,,
HOSP-11,2023-06-20,Abdominal pain,yes,,
HOSP-11,2023-06-19T21:00:00Z,TEMP,39.4,Cel,
HOSP-11,2023-08-28T09:00:00Z,CRP,4,mg/L,serum
HOSP-11,2023-08-28T09:00:00Z,SAA,7,mg/L,serum
HOSP-11,2023-08-28T09:00:00Z,IL-1β,22,pg/mL,PBMC spontaneous
"""
HAND_DOSING = """drug,dose,unit,start,end,route
Colchicine,0.5,mg/d,2023-01-05,2023-01-11,oral
Colchicine,1,mg/d,2023-01-12,2023-05-31,oral
Colchicine,1.5,mg/d,2023-06-21,,oral
Prednisolone,20,mg/d,2023-06-19,2023-06-30,oral
Ibuprofen,400,mg/d,2023-08-25,2023-08-28,oral
"""


def hand_made_case(engine, folder: Path) -> int:
    """HOSP-11: no anakinra, colchicine raised after a week (two labels on one lane),
    stopped and restarted, a short steroid course, ibuprofen in the last days of the
    record (its label starts at the plot's right edge), a flare."""
    lab, dosing = folder / "lab_hosp11.csv", folder / "dosing_hosp11.csv"
    lab.write_text(HAND_LAB, encoding="utf-8")
    dosing.write_text(HAND_DOSING, encoding="utf-8")
    import_file(engine, lab, actor="Dr Lab")
    import_file(engine, dosing, patient="HOSP-11", actor="Dr Lab")
    cases = list_cases(engine)
    pid = int(cases.loc[cases["pseudonym"] == "HOSP-11", "id"].iloc[0])
    day = 86_400
    onset = 1_687_132_800  # 2023-06-19
    create_episode(engine, pid, actor="Dr Reviewer", kind="flare", onset=onset,
                   end=onset + 9 * day, severity="severe", certainty="certain",
                   note="Fever and abdominal pain off steroids")
    return pid


def printed_sizes(path: Path) -> list[list[tuple[float, str]]]:
    """(size in pt, text) of every piece of text, page by page.

    pypdf hands each text run its Tf size and the text (tm) and current transformation
    (cm) matrices; the printed size is the Tf size times the matrices' scale.
    """
    pages = []
    for page in PdfReader(path).pages:
        runs: list[tuple[float, str]] = []

        def visit(text, cm, tm, _font, size, runs=runs) -> None:
            if not text.strip():
                return
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            runs.append((size * math.sqrt(abs(a * d - b * c)), text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _pid(engine, pseudonym: str) -> int:
    cases = list_cases(engine)
    return int(cases.loc[cases["pseudonym"] == pseudonym, "id"].iloc[0])


def _assert_readable(path: Path) -> None:
    pages = printed_sizes(path)
    assert len(pages) >= 2 and all(pages)
    small = [(n, round(size, 2), text) for n, runs in enumerate(pages, start=1)
             for size, text in runs if size < MIN_PT]
    assert not small, small[:10]


@pytest.mark.parametrize("deidentify", [False, True])
def test_every_word_of_the_demo_summary_prints_at_8_pt_or_more(qapp, demo_engine, tmp_path,
                                                               deidentify):
    pid = _pid(demo_engine, "NLRP12-02")
    path = export_case_pdf(demo_engine, tmp_path / "s.pdf", patient_id=pid,
                           deidentify=deidentify)
    _assert_readable(path)
    timeline = next(runs for runs in printed_sizes(path)
                    if any(t == "Timeline" for _, t in runs))
    words = " ".join(t for _, t in timeline)
    # The timeline's own text is measured, not only the page's: titles, ticks, labels.
    for text in ("Cytokines", "Rash", "relapse", "ibuprofen"):
        assert text in words, text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_hand_made_case_without_anakinra_prints_at_8_pt_or_more(qapp, engine, tmp_path,
                                                                  paper):
    pid = hand_made_case(engine, tmp_path)
    path = export_case_pdf(engine, tmp_path / "h.pdf", patient_id=pid, paper=paper)
    _assert_readable(path)
    words = " ".join(t for runs in printed_sizes(path) for _, t in runs)
    assert "colchicine" in words and "flare" in words
