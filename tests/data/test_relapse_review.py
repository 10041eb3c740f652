"""What the clinician review of the suggestions found, on cases written by hand
(tests/data/relapse_review_cases.py): a flare credited with the evidence of the relapse
before it, and an untreated patient's flares not suggested at all."""

from __future__ import annotations

import datetime as dt

import pytest

from data.relapse_criteria import (
    AIDAI_ACTIVE,
    CAPS_RELAPSE,
    CLUSTER_FLARE,
    CYTOKINE_SIGNAL,
    suggest,
)
from data.suggest_cases import load_case
from db.patients import patient_id
from tests.data.relapse_cases import epoch
from tests.data.relapse_review_cases import write_review_cases


@pytest.fixture
def review(engine, tmp_path):
    write_review_cases(engine, tmp_path)
    return engine


def _found(engine, name):
    return suggest(load_case(engine, patient_id(engine, name)))


def test_the_relapse_keeps_its_evidence(review):
    relapse, _ = _found(review, "HOSP-03").suggestions
    assert (relapse.kind, relapse.onset, relapse.end) == (
        "relapse", epoch(dt.date(2024, 5, 2)), epoch(dt.date(2024, 6, 13)))
    assert relapse.criteria == (CAPS_RELAPSE, CLUSTER_FLARE, AIDAI_ACTIVE, CYTOKINE_SIGNAL)
    assert relapse.certainty == "certain"
    texts = [e.text for e in relapse.evidence]
    assert any(t.startswith("TNF-α ×4.5: 45 pg/mL") for t in texts)
    assert any(t.startswith("diary: symptoms on 5 of") for t in texts)


def test_a_flare_after_a_relapse_is_not_credited_with_the_relapse_s_evidence(review):
    _, flare = _found(review, "HOSP-03").suggestions
    assert (flare.kind, flare.onset, flare.end) == (
        "flare", epoch(dt.date(2024, 6, 20)), epoch(dt.date(2024, 7, 4)))
    # The fevers of 8-12 June, their active diary month and the TNF-α rise of April
    # belong to the relapse, which ended on 13 June.
    assert flare.criteria == (CAPS_RELAPSE, CLUSTER_FLARE)
    assert flare.certainty == "probable"  # the criteria met, nothing else behind it
    [diary] = [e for e in flare.evidence if e.text.startswith("diary")]
    assert diary.samples == ()
    assert "no symptom on its 15 days from day +155" in diary.text
    assert "from the end of the relapse before it, day +155, to 7 after" in diary.text
    assert not any(s.t < epoch(dt.date(2024, 6, 13)) for s in flare.samples)


def test_an_untreated_patient_s_flares_are_suggested(review):
    result = _found(review, "HOSP-04")
    first, second = result.suggestions
    assert (first.onset, first.end) == (epoch(dt.date(2024, 3, 5)), epoch(dt.date(2024, 4, 2)))
    assert (second.onset, second.end) == (epoch(dt.date(2024, 5, 14)),
                                          epoch(dt.date(2024, 6, 11)))
    assert first.kind == second.kind == "flare"
    assert first.criteria[:2] == (CAPS_RELAPSE, CLUSTER_FLARE)
    assert AIDAI_ACTIVE in first.criteria  # fevers 2-6 March in the diary
    assert first.certainty == "certain"


def test_a_criterion_that_cannot_apply_says_why(review):
    for s in _found(review, "HOSP-04").suggestions:
        assert CYTOKINE_SIGNAL not in s.criteria
        assert any(e.text == ("cytokine relapse signal: does not apply, no anakinra recorded "
                              "(it is measured from the best IL-1β response on treatment)")
                   for e in s.evidence)


def test_a_flare_before_any_response_on_anakinra_is_named_not_dropped(review):
    notes = _found(review, "HOSP-03").notes
    assert ("CRP 85 mg/L, physician global 3 (moderate) on day -21 meets a criterion before "
            "any response on anakinra: not suggested, a relapse needs a response first"
            in notes)
