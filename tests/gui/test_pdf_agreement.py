"""The case PDF's section on suggested episodes (issue 15, item 5): matched, missed and
extra against the reviewer's relapses and flares, the onset difference in days and the
agreement per criterion, read back from the file; the same report the command line prints."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from data.relapse_criteria import suggest
from data.suggest_cases import load_case as criteria_case
from data.suggest_report import agreement_report
from data.summary.dates import date_format
from db.episodes import create_episode
from db.patients import patient_id
from gui.pdf import export_case_pdf
from tests.data.relapse_cases import HOSP_01_RELAPSE_ONSET, epoch, write_cases


def stub_figure(painter, rect) -> None:
    painter.drawRect(rect)


def _text(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


@pytest.fixture
def hand(qapp, engine, tmp_path):
    write_cases(engine, tmp_path)
    pid = patient_id(engine, "HOSP-01")
    create_episode(engine, pid, actor="Dr Hand", kind="relapse",
                   onset=epoch(HOSP_01_RELAPSE_ONSET))
    # A flare the criteria do not see (no visit then): missed. It has an end, the relapse
    # none: the episode frame then holds the relapse's as NaN (the export failed on it).
    create_episode(engine, pid, actor="Dr Hand", kind="flare",
                   onset=epoch(HOSP_01_RELAPSE_ONSET.replace(month=8, day=1)),
                   end=epoch(HOSP_01_RELAPSE_ONSET.replace(month=8, day=5)))
    return engine, pid


def test_the_agreement_is_a_section_of_the_case_pdf(hand, tmp_path):
    engine, pid = hand
    pdf = export_case_pdf(engine, tmp_path / "case.pdf", patient_id=pid, figure=stub_figure)
    text = _text(pdf)
    assert "Suggested episodes compared with the reviewer's" in text
    assert "1 matched, 1 missed, 1 extra" in text
    # The reviewer's relapse from 28 April, suggested from 2 May: 4 days later.
    assert re.search(r"matched relapse day \+109 \(2024-04-28\) to ongoing relapse day "
                     r"\+113 \(2024-05-02\) to day \+168 \(2024-06-26\) 4 days later CAPS "
                     r"relapse, CLUSTER flare", text)
    assert "missed flare day +204 (2024-08-01) to day +207 (2024-08-04)" in text
    assert "extra none flare day +246 (2024-09-12)" in text
    assert "Agreement per criterion" in text
    # suggested, matched, missed, extra, onset difference
    assert "CLUSTER flare sets episode edges 2 1 1 1 4 days later" in text
    # A supporting criterion never sets an episode: it misses none.
    assert "Subclinical inflammation supports only 0 0 – 0 –" in text


def test_a_de_identified_pdf_gives_days_only(hand, tmp_path):
    engine, pid = hand
    pdf = export_case_pdf(engine, tmp_path / "deid.pdf", patient_id=pid, deidentify=True,
                          figure=stub_figure)
    text = _text(pdf)
    assert "matched relapse day +109 to ongoing relapse day +113 to day +168 4 days later" \
        in text
    assert "2024-04-28" not in text


def test_the_pdf_and_the_command_line_give_one_report(hand):
    engine, pid = hand
    case = criteria_case(engine, pid)
    report = agreement_report(case, suggest(case).suggestions,
                              date_format(case, relative=False))
    assert report["counts"] == {"matched": 1, "missed": 1, "extra": 1}
    assert [m["onset_difference_days"] for m in report["matched"]] == [4]
