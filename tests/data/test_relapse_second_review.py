"""What the second clinician review of the suggestions found, on a case written by hand
(tests/data/relapse_second_review_cases.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.relapse_criteria import CAPS_RELAPSE, CLUSTER_FLARE, CYTOKINE_SIGNAL, suggest
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
