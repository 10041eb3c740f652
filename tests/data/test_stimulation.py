"""Stimulation index (LPS ÷ spontaneous, same analyte, same day) against hand calculations."""

from __future__ import annotations

import math

from data.codes import PBMC_LPS, PBMC_SPONTANEOUS
from data.stimulation import stimulation_index, stimulation_indices
from tests.data.insight_cases import at, cytokine_cells, make_case

S, L = PBMC_SPONTANEOUS, PBMC_LPS
OBS = [
    (3, 9, "IL1B", 100, "", S), (3, 11, "IL1B", 1200, "", L),  # 1200 ÷ 100 = 12
    (5, 9, "IL1B", 700, "", L),  # no spontaneous that day: no index
    (7, 9, "IL1B", 5, "<", S), (7, 9, "IL1B", 600, "", L),  # 600 ÷ <5 = >120
    (9, 9, "IL1B", 50, "", S), (9, 10, "IL1B", 5, "<", L),  # <5 ÷ 50 = <0.1
    (11, 9, "IL1B", 5, "<", S), (11, 9, "IL1B", 5, "<", L),  # both censored: unknown
    (13, 23, "IL1B", 80, "", S), (14, 1, "IL1B", 800, "", L),  # two hours apart, two days
    # Two spontaneous samples on day 20: the LPS one at 15:00 pairs with the 14:00 one.
    (20, 8, "IL1B", 40, "", S), (20, 14, "IL1B", 200, "", S), (20, 15, "IL1B", 1000, "", L),
    (3, 9, "TNFA", 20, "", S), (3, 9, "TNFA", 90, "", L),  # 4.5
    (3, 9, "IL6", 30, "", S),  # IL-6 spontaneous only
]


def test_index_by_hand():
    si = stimulation_index(make_case(OBS), "IL1B")
    assert list(si["t"]) == [at(3, 11), at(7, 9), at(9, 10), at(11, 9), at(20, 15)]
    assert list(si["value"][:3]) == [12, 120, 0.1]
    assert list(si["censor"]) == ["", ">", "<", "", ""]
    assert math.isnan(si["value"][3])  # <5 ÷ <5 cannot be bounded
    assert si["value"][4] == 5 and si["spont_t"][4] == at(20, 14)


def test_every_analyte_in_time_order():
    si = stimulation_indices(make_case(OBS))
    assert list(si["code"][:2]) == ["TNFA", "IL1B"]  # TNF-α's pair at 09:00, IL-1β's at 11:00
    assert si["value"][0] == 4.5
    assert "IL6" not in set(si["code"])


def test_no_index_without_both_stimulations_or_for_a_single_measurement():
    assert stimulation_indices(make_case([(3, 9, "IL1B", 100, "", S)])).empty
    assert stimulation_indices(make_case([])).empty
    assert stimulation_index(make_case([(3, 9, "IL1B", 100, "", L)]), "IL1B").empty


def test_the_summary_cytokine_table_lists_the_indices():
    from data.summary import build_summary

    summary = build_summary(make_case(OBS))
    cells = cytokine_cells(summary)
    index = {(day, head): v for (day, head), v in cells.items() if head.endswith("LPS ÷ spont.")
             and v}
    assert index == {
        ("2020-01-09", "TNF-α LPS ÷ spont."): "4.5", ("2020-01-09", "IL-1β LPS ÷ spont."): "12",
        ("2020-01-13", "IL-1β LPS ÷ spont."): ">120", ("2020-01-15", "IL-1β LPS ÷ spont."): "<0.1",
        ("2020-01-17", "IL-1β LPS ÷ spont."): "not\ncomputable",
        ("2020-01-26", "IL-1β LPS ÷ spont."): "5"}
    table = next(t for t in summary.tables if t.title == "Cytokine measurements")
    assert "Stimulation index" in table.note


def test_the_summary_prints_an_index_as_every_fold_is_printed():
    # 16194 ÷ 100: fmt_number printed "161.9" beside folds of 162 (data.numbers.fmt_fold,
    # the one rule for a fold or a ratio); 46 ÷ 1000 read "0.05".
    from data.summary import build_summary

    obs = [(3, 9, "IL1B", 100, "", S), (3, 11, "IL1B", 16194, "", L),
           (4, 9, "IL1B", 1000, "", S), (4, 11, "IL1B", 46, "", L)]
    cells = cytokine_cells(build_summary(make_case(obs)))
    assert [cells[(day, "IL-1β LPS ÷ spont.")] for day in ("2020-01-09", "2020-01-10")] == [
        "162", "0.046"]
