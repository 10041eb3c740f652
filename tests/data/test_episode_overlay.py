"""Episode overlay values against hand calculations on cases written here (issue 14, item 5)."""

import numpy as np
import pytest

from data.alignment import ANAKINRA_START, ANAKINRA_STOP, DOSE_CHANGE, RELAPSE_ONSET
from data.episode_overlay import episode_overlay, episodes_of, samples_in_window
from tests.data.insight_cases import at, make_case

IL1B = [(11, 9, "IL1B", 10), (12, 9, "IL1B", 30), (40, 9, "IL1B", 50),
        (45, 9, "IL1B", 5, "<"), (96, 9, "IL1B", 20), (97, 9, "IL1B", 99),
        (122, 9, "IL1B", 40), (150, 9, "IL1B", 60), (206, 9, "IL1B", 80),
        (207, 9, "IL1B", 1)]
# 100 mg/d from day 0, a gap on days 60–69, 100 mg/d again, 200 mg/d from day 120.
PERIODS = [(0, 59, 100), (70, 119, 100), (120, 199, 200)]


def _relapse(i, day, status="accepted"):
    return dict(id=i, kind="relapse", onset=at(day), end=at(day + 10), severity="",
                certainty="", note="", author="dr", created=0, updated=0, status=status)


def _case(**kw):
    episodes = [_relapse(1, 40), _relapse(2, 150), _relapse(3, 100, status="suggested")]
    return make_case(IL1B, PERIODS, episodes=episodes, **kw)


def test_each_relapse_onset_gives_one_line_per_episode_with_hand_computed_days():
    ov = episode_overlay(_case(), RELAPSE_ONSET)
    # The suggested relapse on day 100 is not the reviewer's: two episodes.
    assert [e.name for e in ov.episodes] == ["#1 relapse, day +40", "#2 relapse, day +150"]
    [panel] = ov.panels
    assert panel.title == "IL-1β, PBMC, spontaneous" and panel.unit == "pg/mL"
    first, second = panel.lines
    # Window day -28..+56 inclusive: day 12 is day -28 of the first relapse, day 11 is out;
    # day 96 is its day +56, day 97 out. Samples at 09:00 sit 0.375 day into their day.
    assert first.days.tolist() == [-28 + 0.375, 0.375, 5.375, 56.375]
    assert first.values.tolist() == [30, 50, 5, 20]
    assert first.censor.tolist() == ["", "", "<", ""]
    assert first.times.tolist() == [at(12, 9), at(40, 9), at(45, 9), at(96, 9)]
    assert second.days.tolist() == [-28 + 0.375, 0.375, 56.375]
    assert second.values.tolist() == [40, 60, 80]
    assert samples_in_window(ov, ov.episodes[0]) == 4


def test_the_median_runs_day_by_day_where_episodes_run():
    spread = episode_overlay(_case(), RELAPSE_ONSET).panels[0].spread
    # Both lines run from day -27.625 to +56.375: whole grid days -27 … +56.
    assert spread.days[0] == -27 and spread.days[-1] == 56
    assert set(spread.n.tolist()) == {2}
    # Day +1: the first relapse between 50 (day 0.375) and <5 (day 5.375), read on the
    # log axis 0.625/5 of the way; the second between 60 (day 0.375) and 80 (day 56.375).
    first = 10 ** (np.log10(50) + 0.125 * (np.log10(5) - np.log10(50)))
    second = 10 ** (np.log10(60) + 0.625 / 56 * (np.log10(80) - np.log10(60)))
    k = spread.days.tolist().index(1.0)
    assert spread.median[k] == pytest.approx(np.sqrt(first * second))


def test_each_dose_change_including_an_interruption_and_the_resumption():
    ov = episode_overlay(_case(), DOSE_CHANGE)
    assert [e.name for e in ov.episodes] == [
        "#1 100 mg/d → 0 mg/d (interrupted), day +60",
        "#2 0 mg/d (interrupted) → 100 mg/d, day +70",
        "#3 100 mg/d → 200 mg/d, day +120"]
    lines = ov.panels[0].lines
    # Day +120: days 92..176 → samples on days 96, 97, 122, 150.
    assert lines[2].days.tolist() == [-24 + 0.375, -23 + 0.375, 2.375, 30.375]


def test_anakinra_start_is_one_episode_on_the_cases_own_day_0():
    ov = episode_overlay(_case(), ANAKINRA_START)
    assert [e.name for e in ov.episodes] == ["#1 anakinra start 100 mg/d, day 0"]
    assert ov.panels[0].lines[0].values.tolist() == [10, 30, 50, 5]


def test_a_case_without_anakinra_has_nothing_to_align_on_treatment_but_keeps_its_relapses():
    case = make_case(IL1B, [], episodes=[_relapse(1, 40)])
    for kind, why in ((ANAKINRA_START, "no anakinra recorded"),
                      (DOSE_CHANGE, "no change of the anakinra dose recorded")):
        ov = episode_overlay(case, kind)
        assert ov.episodes == () and ov.panels == ()
        assert ov.message == f"Nothing to overlay: {why}."
    ov = episode_overlay(case, RELAPSE_ONSET)
    # Without anakinra the case counts from its first record (day 11): day 40 is day +29.
    assert [e.name for e in ov.episodes] == ["#1 relapse, day +29"]
    assert ov.panels[0].lines[0].values.tolist() == [30, 50, 5, 20]


def test_a_single_measurement_is_one_point_and_no_median():
    case = make_case([(3, 8, "CRP", 12.0, "", "serum")], [(0, None, 100)],
                     episodes=[_relapse(1, 1)])
    ov = episode_overlay(case, RELAPSE_ONSET)
    [panel] = ov.panels
    assert panel.title == "CRP, serum"
    assert panel.lines[0].days.tolist() == [2 + 8 / 24]
    assert panel.lines[0].values.tolist() == [12.0]
    assert panel.spread.days.size == 0  # one value is a point, not a course


def test_a_panel_is_titled_with_its_specimen_as_the_cohort_titles_it():
    # Specimens as a hospital wrote them: one the program knows, one it does not (named as
    # written), and none given ("unspecified"). One rule titles the overlay's and the
    # cohort's panels (data.codes.with_specimen).
    from data.cohort import build_cohort

    for specimen, title in (("serum", "CRP, serum"), ("synovial fluid", "CRP, synovial fluid"),
                            ("", "CRP, unspecified")):
        case = make_case([(3, 8, "CRP", 12.0, "", specimen), (5, 8, "CRP", 9.0, "", specimen)],
                         [(0, None, 100)], episodes=[_relapse(1, 1)])
        [panel] = episode_overlay(case, RELAPSE_ONSET).panels
        [crp] = [p for p in build_cohort([case]).panels if p.key == "CRP"]
        assert panel.title == crp.title == title


def test_no_episode_in_the_window_of_any_value_says_so():
    case = make_case([(300, 8, "IL1B", 12.0)], [(0, None, 100)], episodes=[_relapse(1, 1)])
    ov = episode_overlay(case, RELAPSE_ONSET, window=(-7, 7))
    assert ov.panels == ()
    assert ov.message.startswith("No cytokine or marker")


def test_unknown_anchor_is_refused():
    with pytest.raises(ValueError, match="unknown anchor"):
        episode_overlay(_case(), "full moon")


def test_spread_ignores_nan_values():
    case = make_case([(3, 8, "IL1B", np.nan), (4, 8, "IL1B", 7.0)], [(0, None, 100)],
                     episodes=[_relapse(1, 1)])
    assert episode_overlay(case).panels[0].lines[0].values.tolist() == [7.0]


def test_each_anakinra_stop_is_each_interruption_and_the_end_of_treatment():
    ov = episode_overlay(_case(), ANAKINRA_STOP)
    # 100 mg/d to day 59, nothing on days 60-69; 200 mg/d to day 199, the last dose.
    assert [e.name for e in ov.episodes] == ["#1 interrupted after 100 mg/d, day +60",
                                             "#2 end of treatment after 200 mg/d, day +200"]
    assert [e.anchor.t for e in ov.episodes] == [at(60), at(200)]
    lines = ov.panels[0].lines
    # Day +60: days 32..116 → samples on days 40, 45, 96, 97; day +200: days 172..256 →
    # days 206 and 207.
    assert lines[0].days.tolist() == [-20 + 0.375, -15 + 0.375, 36.375, 37.375]
    assert lines[1].days.tolist() == [6.375, 7.375]
    assert lines[1].values.tolist() == [80, 1]


def test_an_open_treatment_has_no_end_and_recorded_doses_stop_too():
    # Open period: only the interruption. Recorded doses on days 0, 1 and 3: day 2 is an
    # interruption, day 4 the end of treatment.
    assert [e.case_day for e in episode_overlay(
        make_case(IL1B, [(0, 59, 100), (70, None, 100)]), ANAKINRA_STOP).episodes] == ["day +60"]
    given = make_case(IL1B, given=[(0, 21, 100), (1, 21, 100), (3, 21, 150)])
    assert [e.name for e in episodes_of(given, ANAKINRA_STOP)] == [
        "#1 interrupted after 100 mg/d, day +2", "#2 end of treatment after 150 mg/d, day +4"]
    assert [e.name for e in episodes_of(given, ANAKINRA_START)] == [
        "#1 anakinra start 100 mg/d, day 0"]
    assert episode_overlay(make_case(IL1B), ANAKINRA_STOP).message == \
        "Nothing to overlay: no anakinra recorded."
    assert episode_overlay(make_case(IL1B, [(0, None, 100)]), ANAKINRA_STOP).message == \
        "Nothing to overlay: anakinra never stopped or interrupted."
