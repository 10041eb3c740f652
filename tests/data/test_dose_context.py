"""Time since the last anakinra dose and the regimen then, against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data.dose_context import (
    BEFORE,
    INTERRUPTED,
    NO_ANAKINRA,
    ON,
    STOPPED,
    administrations,
    dose_context,
    sample_text,
)
from tests.data.insight_cases import at, make_case

# 100 mg days 0–9, interrupted days 10–14, 150 mg days 15–29, stopped from day 30.
# 50 kg weighed on day -10: 100 mg is 2 mg/kg/d, 150 mg is 3 mg/kg/d.
PERIODS = [(0, 9, 100), (15, 29, 150)]
OBS = [(-10, 9, "WEIGHT", 50)]
SAMPLES = {  # name: (day, hour)
    "before": (-3, 9),
    "day0": (0, 10),
    "day1_early": (1, 7),
    "day3": (3, 14),
    "gap": (12, 9),
    "restart_early": (15, 7),
    "restart": (15, 9),
    "stopped": (40, 9),
}


def _ctx(case, **kw):
    t = np.array([at(*v) for v in SAMPLES.values()])
    ctx = dose_context(case, t, **kw)
    return {name: k for k, name in enumerate(SAMPLES)}, ctx


def test_periods_give_one_administration_a_day_at_the_usual_time():
    adm = administrations(make_case(OBS, PERIODS))
    assert len(adm) == 10 + 15
    assert adm.t[0] == at(0, 8) and adm.t[9] == at(9, 8) and adm.t[10] == at(15, 8)
    assert adm.assumed.all()
    later = administrations(make_case(OBS, PERIODS), dose_time=20 * 3600)
    assert later.t[0] == at(0, 20)


def test_time_since_dose_and_regimen_by_hand():
    k, ctx = _ctx(make_case(OBS, PERIODS))
    assert ctx.state[k["before"]] == BEFORE and math.isnan(ctx.hours_since[k["before"]])
    # Day 0 with an assumed dosing time: drawn before the first injection (DOMAIN.md).
    assert ctx.state[k["day0"]] == BEFORE
    # Day 1 07:00: day 0's 08:00 dose was 23 h before.
    assert ctx.state[k["day1_early"]] == ON
    assert ctx.hours_since[k["day1_early"]] == pytest.approx(23)
    assert ctx.dose_mg[k["day1_early"]] == 100 and ctx.dose_per_kg[k["day1_early"]] == 2
    assert not ctx.off_drug[k["day1_early"]]
    assert ctx.hours_since[k["day3"]] == pytest.approx(6)
    # Day 12 09:00 is inside the gap (days 10–14): last dose day 9 08:00, 73 h before.
    assert ctx.state[k["gap"]] == INTERRUPTED
    assert ctx.hours_since[k["gap"]] == pytest.approx(73)
    assert ctx.since[k["gap"]] == at(10)
    assert ctx.off_drug[k["gap"]]
    # Restart day before its 08:00 dose: still the day-9 dose, 6 days less an hour.
    assert ctx.state[k["restart_early"]] == ON
    assert ctx.hours_since[k["restart_early"]] == pytest.approx(6 * 24 - 1)
    assert ctx.off_drug[k["restart_early"]] and ctx.dose_mg[k["restart_early"]] == 100
    assert ctx.hours_since[k["restart"]] == pytest.approx(1)
    assert ctx.dose_mg[k["restart"]] == 150 and ctx.dose_per_kg[k["restart"]] == 3
    # Day 40: stopped since day 30 (last dose day 29 08:00, 11 days and 1 h before).
    assert ctx.state[k["stopped"]] == STOPPED and ctx.since[k["stopped"]] == at(30)
    assert ctx.hours_since[k["stopped"]] == pytest.approx(11 * 24 + 1)


def test_sample_texts_read_as_a_clinician_writes_them():
    case = make_case(OBS, PERIODS)
    k, ctx = _ctx(case)
    text = {name: sample_text(ctx, i, case.anchor) for name, i in k.items()}
    assert text["before"] == "before anakinra, day -3"
    assert text["day1_early"] == "≈23 h after 100 mg (2 mg/kg/d), day +1"
    assert text["gap"] == ("anakinra interrupted since day +10: ≈3 d after 100 mg "
                           "(2 mg/kg/d), possibly off-drug")
    assert text["restart"] == "≈1 h after 150 mg (3 mg/kg/d), day +15"
    assert text["stopped"].startswith("anakinra stopped since day +30: ≈11 d after 150 mg")
    assert sample_text(ctx, k["day3"], case.anchor, with_day=False) == \
        "≈6 h after 100 mg (2 mg/kg/d)"


def test_a_sample_dated_without_a_time_gets_days_never_hours():
    # A CRP dated "13/04/2010" is stored at 00:00 UTC: its hour is unknown, so "≈16 h
    # after 100 mg" (from the day before's 08:00) would be invented.
    case = make_case(OBS, PERIODS)
    t = np.array([at(3), at(12), at(15), at(10), at(40)])
    ctx = dose_context(case, t)
    assert ctx.date_only.all() and np.isnan(ctx.hours_since).all()
    text = [sample_text(ctx, i, case.anchor) for i in range(len(t))]
    assert text[0] == "on a dosing day (time not recorded), 100 mg (2 mg/kg/d), day +3"
    assert not ctx.off_drug[0]  # drawn before day 3's dose at the latest: 24 h
    assert text[1] == ("anakinra interrupted since day +10: 3 days after the last dose, "
                       "100 mg (2 mg/kg/d), possibly off-drug")
    # The restart day: before or after its first dose, unknown; possibly off-drug.
    assert text[2].startswith("on a dosing day (time not recorded), 100 mg")
    assert ctx.off_drug[2]
    assert text[3].startswith("anakinra interrupted since day +10: 1 day after the last")
    assert text[4].startswith("anakinra stopped since day +30: 11 days after the last dose")
    assert sample_text(ctx, 0, case.anchor, with_day=False) == \
        "on a dosing day (time not recorded), 100 mg (2 mg/kg/d)"


def test_a_case_without_anakinra_has_no_dose_context():
    case = make_case([(0, 9, "IL1B", 50), (3, 9, "IL1B", 60)])
    ctx = dose_context(case, case.series("IL1B")["t"])
    assert list(ctx.state) == [NO_ANAKINRA, NO_ANAKINRA]
    assert np.isnan(ctx.hours_since).all() and not ctx.off_drug.any()
    assert sample_text(ctx, 0, case.anchor) == "no anakinra recorded"


def test_a_single_measurement_on_an_open_period():
    case = make_case([(200, 9, "IL1B", 12)], [(0, None, 100)])
    ctx = dose_context(case, case.series("IL1B")["t"])
    assert ctx.state[0] == ON and ctx.hours_since[0] == pytest.approx(1)
    # No weight recorded: no mg/kg, and the text says only what is known.
    assert math.isnan(ctx.dose_per_kg[0])
    assert sample_text(ctx, 0, case.anchor) == "≈1 h after 100 mg, day +200"


def test_a_regimen_per_kg_converts_with_the_weight_then():
    case = make_case([(-1, 9, "WEIGHT", 20), (5, 9, "WEIGHT", 25)], [(0, 9, 2, "mg/kg/d")])
    ctx = dose_context(case, np.array([at(3, 9), at(7, 9)]))
    assert list(ctx.dose_per_kg) == [2, 2]
    assert list(ctx.dose_mg) == [40, 50]
    assert sample_text(ctx, 0, case.anchor) == "≈1 h after 2 mg/kg/d (40 mg), day +3"


def test_recorded_administrations_replace_the_assumed_ones_on_their_days():
    case = make_case([], [(0, 9, 100)])
    recorded = pd.DataFrame({"t": [at(0, 7), at(2, 21)], "dose": [100.0, 100.0],
                             "unit": ["mg", "mg"]})
    adm = administrations(case, recorded=recorded)
    assert len(adm) == 10 and not adm.assumed[0] and adm.t[2] == at(2, 21)
    # Day 0 recorded at 07:00: a sample at 10:00 was taken after it (DOMAIN.md).
    ctx = dose_context(case, np.array([at(0, 10), at(2, 20)]), recorded=recorded)
    assert ctx.state[0] == ON and ctx.hours_since[0] == pytest.approx(3)
    assert not ctx.assumed[0]
    assert ctx.hours_since[1] == pytest.approx(36)  # day 1 08:00 (assumed) → day 2 20:00
    assert ctx.off_drug[1]
    assert sample_text(ctx, 0, case.anchor) == "3 h after 100 mg, day 0"


def test_many_samples_cost_no_loop_per_row():
    # A ten-year open period and 100,000 samples: vectorised, so it stays well under a
    # second even on a loaded machine (a Python loop per row took several).
    case = make_case([], [(0, None, 100)])
    t = np.linspace(at(-100), at(3650), 100_000)
    ctx = dose_context(case, t)
    on = (ctx.state == ON) & ~ctx.date_only  # the last, at midnight, is a date only
    assert on.sum() > 90_000 and (ctx.hours_since[on] <= 24).all()


def test_the_summary_cytokine_table_says_what_anakinra_was_then():
    from data.summary import build_summary

    case = make_case(OBS + [(12, 9, "IL1B", 300), (3, 14, "IL1B", 40), (-3, 9, "IL1B", 900)],
                     PERIODS)
    table = next(t for t in build_summary(case).tables if t.title == "Cytokine measurements")
    assert table.columns[-1].name == "Anakinra then"
    assert [r[-1] for r in table.rows] == [
        "before anakinra",
        "≈6 h after 100 mg (2 mg/kg/d)",
        "anakinra interrupted since day +10: ≈3 d after 100 mg (2 mg/kg/d), possibly off-drug",
    ]
    assert "usual dosing time, 08:00 UTC" in table.note
    deid = build_summary(case, deidentify=True)
    rows = next(t for t in deid.tables if t.title == "Cytokine measurements").rows
    assert rows[2][-1].startswith("anakinra interrupted since day +10")


def test_the_summary_uses_the_usual_dosing_time_it_is_given():
    from data.summary import build_summary

    case = make_case(OBS + [(3, 14, "IL1B", 40)], PERIODS)
    summary = build_summary(case, dose_time=20 * 3600)  # 20:00: day 2's dose, 18 h before
    table = next(t for t in summary.tables if t.title == "Cytokine measurements")
    assert table.rows[0][-1] == "≈18 h after 100 mg (2 mg/kg/d)"
    assert "usual dosing time, 20:00 UTC" in table.note
    half_past = build_summary(case, dose_time=21.5 * 3600)
    note = next(t for t in half_past.tables if t.title == "Cytokine measurements").note
    assert "usual dosing time, 21:30 UTC" in note  # it read "21.5 h UTC", a duration


def test_clock_times_parse_or_are_refused():
    from data.dose_context import parse_clock

    assert parse_clock("08:00") == 8 * 3600 and parse_clock(" 20:30 ") == 20.5 * 3600
    assert [parse_clock(x) for x in ("8", "24:00", "08:60", "8h", "08:5", "")] == [None] * 6


def test_a_date_only_score_does_not_hide_the_time_since_dose_of_timed_samples():
    # LYON-07: cytokines drawn 09:15-09:45 and a physician global imported the same day
    # without a time. The row read "on a dosing day (time not recorded)"; its timed
    # samples say ≈1-2 h after the 08:00 dose, as the window's tooltip does.
    from data.summary import build_summary

    case = make_case(OBS + [(3, 9.25, "IL1B", 40), (3, 9.75, "TNFA", 30), (3, 0, "PGA", 2),
                            (5, 0, "PGA", 1)], PERIODS)
    table = next(t for t in build_summary(case).tables if t.title == "Cytokine measurements")
    assert [r[-1] for r in table.rows] == [
        "≈1 h after 100 mg (2 mg/kg/d)",
        "on a dosing day (time not recorded), 100 mg (2 mg/kg/d)",  # nothing timed that day
    ]
