"""One diagnosis under the names hospitals write it (issue 14, item 6: "all of a
diagnosis"), on texts written here as hospitals write them."""

import pytest

from data.diagnoses import canonical, same_diagnosis

CAPS = "Cryopyrin-associated periodic syndrome (CAPS)"
NLRP12 = "NLRP12-associated autoinflammatory disorder (NLRP12AD)"
TRAPS = "TNF receptor-associated periodic syndrome (TRAPS)"


@pytest.mark.parametrize("text, name", [
    ("CAPS", CAPS),
    ("CAPS (MWS)", CAPS),
    ("Muckle-Wells syndrome", CAPS),
    ("cryopyrin-associated periodic syndrome", CAPS),
    ("Cryopyrin-associated periodic syndrome (Muckle-Wells)", CAPS),  # the demo's
    ("  caps ", CAPS),
    ("Muckle–Wells  Syndrome", CAPS),  # an en dash, two spaces
    ("CAPS, confirmed", CAPS),
    ("NOMID/CINCA", CAPS),
    ("FCAS", CAPS),  # familial cold autoinflammatory syndrome (type 1) is CAPS…
    ("FCAS2", NLRP12),  # …type 2 is NLRP12-associated disease
    ("FCAS2 (NLRP12)", NLRP12),
    ("NLRP12-associated autoinflammatory disorder", NLRP12),
    ("TRAPS, confirmed by genetics", TRAPS),
    ("Hyper-IgD syndrome", "Mevalonate kinase deficiency (MKD, HIDS)"),
    ("Fièvre méditerranéenne familiale", "Fièvre méditerranéenne familiale"),  # not known
    ("suspected CAPS", "suspected CAPS"),  # not a diagnosis of CAPS
    ("Schnitzler syndrome ", "Schnitzler syndrome"),
])
def test_a_recorded_diagnosis_reads_as_its_disease(text, name):
    assert canonical(text) == name


@pytest.mark.parametrize("nothing", [None, "", "   ", float("nan")])
def test_nothing_recorded_is_no_diagnosis(nothing):
    assert canonical(nothing) is None


def test_every_case_of_a_diagnosis_takes_in_its_other_names_and_says_which():
    recorded = [(1, "CAPS"), (2, "CAPS (MWS)"), (3, "Muckle-Wells syndrome"),
                (4, "cryopyrin-associated periodic syndrome"), (5, "FCAS2"),
                (6, "suspected CAPS"), (7, "CAPS"), (8, "TRAPS")]
    ids, texts = same_diagnosis(recorded, "Muckle-Wells syndrome")
    assert ids == [1, 2, 3, 4, 7]
    assert texts == ["CAPS", "CAPS (MWS)", "Muckle-Wells syndrome",
                     "cryopyrin-associated periodic syndrome"]
    # A diagnosis no list knows groups its own spellings only.
    assert same_diagnosis([(1, "Schnitzler syndrome"), (2, "schnitzler  syndrome"),
                           (3, "CAPS")], "Schnitzler syndrome") == (
        [1, 2], ["Schnitzler syndrome", "schnitzler  syndrome"])
    assert same_diagnosis(recorded, None) == ([], [])
