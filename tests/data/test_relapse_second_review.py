"""What the second clinician review of the suggestions found, on a case written by hand
(tests/data/relapse_second_review_cases.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.relapse_criteria import (
    AIDAI_ACTIVE,
    CAPS_RELAPSE,
    CLUSTER_FLARE,
    CYTOKINE_SIGNAL,
    SUBCLINICAL,
    CriteriaSettings,
    suggest,
)
from data.suggest_cases import load_case
from db.patients import patient_id
from tests.data.relapse_cases import epoch
from tests.data.relapse_second_review_cases import write_second_review_case


@pytest.fixture
def hosp05(engine, tmp_path):
    write_second_review_case(engine, tmp_path)
    return suggest(load_case(engine, patient_id(engine, "HOSP-05")))


def test_a_physician_global_without_its_marker_sets_no_onset(hosp05):
    flare, relapse, _ = hosp05.suggestions
    # Not 21 May, when only a physician global of 2 was recorded: both criteria need
    # the marker.
    assert (relapse.kind, relapse.onset, relapse.end) == (
        "relapse", epoch(dt.date(2024, 5, 28)), epoch(dt.date(2024, 6, 25)))
    assert relapse.summary == "CRP 60 mg/L, SAA 100 mg/L, physician global 2 (mild)"
    assert relapse.missing == ()
    assert relapse.criteria[:2] == (CAPS_RELAPSE, CLUSTER_FLARE)
    texts = [e.text for e in relapse.evidence]
    assert ("day +132: physician global 2 (mild); CRP and SAA not recorded: no criterion "
            "met, both need the inflammatory marker") in texts
    assert flare.onset == epoch(dt.date(2024, 4, 2))


def test_the_cytokine_signal_counts_for_every_candidate_whose_window_shows_it(hosp05):
    flare, relapse, _ = hosp05.suggestions
    assert CYTOKINE_SIGNAL in flare.criteria
    assert any(e.text.startswith("TNF-α ×5: 50 pg/mL on day +76") for e in flare.evidence)
    # The relapse's own rise, 21 May: not spent on the flare before it.
    assert CYTOKINE_SIGNAL in relapse.criteria
    assert any(e.text.startswith("TNF-α ×4.5: 45 pg/mL on day +132") for e in relapse.evidence)
    assert not any(s.t == epoch(dt.date(2024, 3, 26)) + 10 * 3600 for s in relapse.samples)


def test_a_flare_during_an_anakinra_interruption_says_so(hosp05):
    flare, relapse, interrupted = hosp05.suggestions
    assert interrupted.onset == epoch(dt.date(2024, 8, 13))
    texts = [e.text for e in interrupted.evidence]
    # Anakinra to 31 July and again from 1 September: interrupted from 1 August, day +204.
    assert texts[1] == "during anakinra interruption (since day +204)"
    assert not any("anakinra interruption" in e.text
                   for s in (flare, relapse) for e in s.evidence)


def _report_lines(engine, name, episodes):
    from data.suggest_report import case_record, text_lines
    from db.episodes import create_episode

    pid = patient_id(engine, name)
    for onset in episodes:
        create_episode(engine, pid, actor="Dr Hand", kind="flare", onset=epoch(onset))
    case = load_case(engine, pid)
    record = case_record(case, suggest(case), settings=CriteriaSettings())
    return record["agreement"]["per_criterion"], text_lines(record)


def test_the_agreement_says_what_cannot_miss_and_what_does_not_apply(engine, tmp_path):
    from tests.data.relapse_review_cases import write_review_cases

    write_review_cases(engine, tmp_path)
    # HOSP-04, never on anakinra: three flares marked, two suggested.
    per, lines = _report_lines(engine, "HOSP-04", [dt.date(2024, 3, 5), dt.date(2024, 5, 14),
                                                    dt.date(2024, 7, 20)])
    assert per[CYTOKINE_SIGNAL] == {"role": "does not apply", "why": "no anakinra recorded"}
    assert "    Cytokine relapse signal: does not apply (no anakinra recorded)" in lines
    # Supporting criteria never set an episode, so they miss none.
    assert per[SUBCLINICAL] == {"role": "supports", "suggested": 0, "matched": 0, "extra": 0,
                                "onset_days": []}
    assert per[AIDAI_ACTIVE]["role"] == "supports" and "missed" not in per[AIDAI_ACTIVE]
    assert ("    Active disease by diary: supports 1 suggestion, 1 of them matched (supports "
            "only: it never sets an episode, so it misses none); onset same day") in lines
    assert not any("missed" in line for line in lines
                   if line.lstrip().startswith(("Cytokine", "Subclinical", "Active")))
    assert per[CLUSTER_FLARE] == {"role": "sets edges", "suggested": 2, "matched": 2,
                                  "missed": 1, "extra": 0, "onset_days": [0, 0]}
    assert ("    CLUSTER flare: 2 suggested, 2 matched, 1 missed, 0 extra; onset same day"
            in lines)


def test_doses_recorded_one_by_one_count_in_suggest_all_as_in_the_window(engine, tmp_path):
    from data.case import Case
    from data.importing import import_file
    from data.suggest_cases import criteria_cases
    from db.queries import load_case as whole_case

    write_second_review_case(engine, tmp_path)
    # Two injections given in August, recorded one by one: 13 August is no interruption.
    given = tmp_path / "given.csv"
    given.write_text("patient,date,time,drug,dose,unit,route\n"
                     "HOSP-05,2024-08-12,08:00,anakinra,100,mg,SC\n"
                     "HOSP-05,2024-08-13,08:00,anakinra,100,mg,SC\n", encoding="utf-8")
    import_file(engine, given)
    pid = patient_id(engine, "HOSP-05")
    [part] = criteria_cases(engine, [pid])
    whole = Case.from_frames(whole_case(engine, pid))
    assert suggest(part) == suggest(whole)
    assert not any("interruption" in e.text for s in suggest(part).suggestions
                   for e in s.evidence)
