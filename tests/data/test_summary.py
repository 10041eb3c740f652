"""Key figures recomputed by hand from the raw rows, censoring, and de-identification."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from data.aidai_periods import aidai_periods
from data.alignment import DAY, anchor_of
from data.case import Case
from data.codes import PBMC_LPS, PBMC_SPONTANEOUS
from data.demo import COHORT
from data.numbers import fmt_number
from data.stimulation import stimulation_indices
from data.summary import (
    DateFormat,
    Measure,
    build_summary,
    date_format,
    key_figures,
    load_audit,
    load_case,
    median_measure,
    median_range,
    ratio_measure,
    scrubber,
)
from db.queries import list_cases

DAY0 = int(dt.datetime(2020, 1, 6, tzinfo=dt.UTC).timestamp())


def _case(obs: list[tuple], *, episodes: list[dict] | None = None,
          patient: dict | None = None, stop_day: int | None = 100) -> Case:
    """A small case: obs rows are (day, hour, code, value, censor)."""
    rows = [dict(t=DAY0 + d * DAY + h * 3600, code=c, value=float(v), censor=cen,
                 unit="pg/mL", specimen=PBMC_SPONTANEOUS, source="test")
            for d, h, c, v, cen in obs]
    o = pd.DataFrame(rows).sort_values(["code", "t"]).reset_index(drop=True)
    for col in ("code", "censor", "unit", "specimen", "source"):
        o[col] = o[col].astype("category")
    start = pd.Timestamp(DAY0, unit="s")
    meds = pd.DataFrame([dict(id=1, patient_id=1, drug="anakinra", atc="L04AC03", dose=100.0,
                              unit="mg", route="subcutaneous", start=start,
                              end=None if stop_day is None else start + pd.Timedelta(days=stop_day),
                              source="test")])
    meds["end"] = pd.to_datetime(meds["end"])
    ep = pd.DataFrame(episodes or [], columns=["id", "kind", "onset", "end", "severity",
                                               "certainty", "note", "author", "created",
                                               "updated", "status"])
    controls = pd.DataFrame([dict(code="IL1B", specimen=PBMC_SPONTANEOUS, mean=10.0),
                             dict(code="TNFA", specimen=PBMC_SPONTANEOUS, mean=20.0)])
    p = dict(id=1, pseudonym="TEST-01", diagnosis="test", sex="F", onset_age=3.0)
    p.update(patient or {})
    return Case(p, o, meds, ep, controls)


def _figure(case: Case, name: str, **kw):
    figs = key_figures(case, date_format(case, relative=False), **kw)
    return next(f for f in figs if f.name == name)


# -- censoring arithmetic ----------------------------------------------------------------
def test_median_is_a_bound_when_a_censored_value_is_in_the_middle():
    assert median_measure([Measure(5, "<"), Measure(8), Measure(30)]) == Measure(8)
    assert median_measure([Measure(5, "<"), Measure(5, "<"), Measure(30)]) == Measure(5, "<")
    assert median_measure([Measure(5, "<"), Measure(9)]) == Measure(7, "<")
    assert median_measure([]) is None


def test_median_is_not_computable_when_a_censored_value_ranks_above_the_middle():
    # <100 lies anywhere below 100: the median is anywhere from 10 to 20, not 20.
    assert median_measure([Measure(100, "<"), Measure(10), Measure(20)]) is None
    assert median_range([Measure(100, "<"), Measure(10), Measure(20)]) == (10, 20)
    assert median_measure([Measure(5, ">"), Measure(10), Measure(20)]) is None
    # Censored values that cannot reach the middle leave it known.
    assert median_measure([Measure(100, ">"), Measure(10), Measure(20)]) == Measure(20)
    assert median_measure([Measure(5, "<"), Measure(500, ">"), Measure(50)]) == Measure(50)
    assert median_measure([Measure(5, "<"), Measure(500, ">")]) is None


def test_baseline_says_when_its_median_is_not_computable():
    obs = [(-30, 9, "IL1B", 100, "<"), (-20, 9, "IL1B", 10, None), (-10, 9, "IL1B", 20, None)]
    f = _figure(_case(obs), "Baseline IL-1β")
    assert f.number is None
    assert f.value.startswith("not computable: between 10 and 20 pg/mL (n = 3;")


def test_ratio_of_censored_values_is_a_bound_or_nothing():
    assert ratio_measure(Measure(50), Measure(10)) == Measure(5)
    assert ratio_measure(Measure(50), Measure(5, "<")) == Measure(10, ">")
    assert ratio_measure(Measure(5, "<"), Measure(10)) == Measure(0.5, "<")
    assert ratio_measure(Measure(5, "<"), Measure(5, "<")) is None


def test_censored_values_print_with_their_sign():
    assert Measure(5, "<").text() == "<5"
    assert Measure(0.4166, "<").text() == "<0.42"
    assert Measure(1524.3).text() == "1524.3"


# -- key figures on a case small enough to check by eye --------------------------------------
SMALL = [
    (-120, 9, "IL1B", 2000, None),  # outside the 90-day baseline window
    (-60, 9, "IL1B", 1000, None),
    (-30, 9, "IL1B", 1400, None),
    (-3, 9, "IL1B", 1200, None),
    (7, 9, "IL1B", 30, None),  # fold 3: not yet near-normal
    (14, 9, "IL1B", 18, None),  # fold 1.8: near-normal at the default threshold
    (40, 9, "IL1B", 5, "<"),  # best response, censored
    (90, 9, "IL1B", 60, None),
    (130, 9, "IL1B", 3, None),  # lower, but after the last dose (day 100)
    (38, 9, "TNFA", 10, None),  # nearest TNF-α to the best response (2 days before)
    (70, 9, "TNFA", 80, None),
    (99, 9, "TNFA", 120, None),  # highest before the last dose
    (120, 9, "TNFA", 500, None),  # after the last dose: not counted
]


def test_baseline_is_the_median_of_the_90_days_before_day0():
    f = _figure(_case(SMALL), "Baseline IL-1β")
    assert f.number == 1200
    # The samples it used are listed, so a reader can recompute the median by hand.
    assert "1200 pg/mL (120× controls; n = 3: 2019-11-07, 2019-12-07, 2020-01-03)" in f.value
    assert "90 days before day 0" in f.definition and "12" not in f.threshold


def test_a_sample_on_day_0_is_pre_treatment_and_counts_as_baseline():
    # Drawn at 08:00 on the day of the first injection, before it (DOMAIN.md).
    case = _case([*SMALL, (0, 8, "IL1B", 1600, None), (0, 8, "TNFA", 1, None)])
    base = key_figures(case, date_format(case, relative=True))[0]
    assert base.number == 1300  # median of 1000, 1400, 1200, 1600
    assert "n = 4: day -60, day -30, day -3, day 0" in base.value
    assert "including day 0" in base.definition
    best = _figure(case, "Best response")
    assert best.day == 40  # on treatment starts on day 1: the day-0 sample is not a response


def test_not_computable_says_exactly_why():
    spont = [r for r in SMALL if r[0] > 0]  # spontaneous IL-1β on treatment only
    case = _case(spont)
    lps = pd.DataFrame([dict(t=DAY0 - 10 * DAY, code="IL1B", value=900.0, censor=None,
                             unit="pg/mL", specimen=PBMC_LPS, source="test")])
    obs = pd.concat([case.observations.astype(object), lps], ignore_index=True)
    case = Case(case.patient, obs.sort_values(["code", "t"]).reset_index(drop=True),
                case.medications, case.episodes, case.controls)
    f = _figure(case, "Baseline IL-1β")
    assert f.value == ("not computable: no spontaneous IL-1β in the 90 days before day 0 "
                       "(only PBMC, LPS-stimulated there, which is not comparable)")
    never = Case(case.patient, case.observations, case.medications.iloc[0:0],
                 case.episodes, case.controls)
    # Day 0 is then the first record: "no day 0" would contradict the header.
    assert _figure(never, "Baseline IL-1β").value == (
        "not computable: no anakinra recorded, so no time before a first dose")


def _with(case: Case, rows: list[dict], controls: list[dict] = ()) -> Case:
    extra = pd.DataFrame([dict(censor=None, unit="pg/mL", source="test") | r for r in rows])
    obs = pd.concat([case.observations.astype(object), extra], ignore_index=True)
    refs = pd.concat([case.controls, pd.DataFrame(list(controls))], ignore_index=True)
    return Case(case.patient, obs.sort_values(["code", "t"]).reset_index(drop=True),
                case.medications, case.episodes, refs)


def test_no_measurement_on_treatment_is_not_computable_never_never_reached():
    """LPS-stimulated IL-1β before day 0 only, serum IL-1β on treatment: nothing of the
    chosen specimen was measured on treatment, so near-normal was not 'never reached'."""
    case = _with(_case([r for r in SMALL if r[2] != "IL1B"]), [
        dict(t=DAY0 - 10 * DAY, code="IL1B", value=3500.0, specimen=PBMC_LPS),
        dict(t=DAY0 - 9 * DAY, code="IL1B", value=3300.0, specimen=PBMC_LPS),
        dict(t=DAY0 + 20 * DAY, code="IL1B", value=4.2, specimen="serum")],
        [dict(code="IL1B", specimen=PBMC_LPS, mean=2000.0)])
    why = ("no LPS-stimulated IL-1β on treatment (only serum there, which is not "
           "comparable)")
    assert _figure(case, "Best response").value == f"not available: {why}"
    f = _figure(case, "Days to near-normal IL-1β")
    assert f.value == f"not computable: {why}" and f.number is None


def test_tnfa_rise_says_why_it_is_not_available():
    no_tnf = _case([r for r in SMALL if r[2] != "TNFA"])
    assert _figure(no_tnf, "TNF-α rise").value == "not available (no TNF-α measured)"
    no_il1b = _case([r for r in SMALL if r[2] != "IL1B"])
    assert _figure(no_il1b, "TNF-α rise").value == (
        "not available (no best response of IL-1β to start from)")


def test_numbers_round_half_up_as_by_hand():
    assert fmt_number(1341.25) == "1341.3"
    assert fmt_number(2.675) == "2.68"  # 2.67499… in binary; 2.675 as typed
    assert fmt_number(0.125) == "0.13"
    assert fmt_number(1e20) == "100000000000000000000"


def test_small_numbers_keep_two_significant_digits_instead_of_printing_zero():
    # Reviewer: 0.0001 pg/mL printed "0 pg/mL" beside its fold 0.0000083.
    assert fmt_number(0.0001) == "0.0001"
    assert fmt_number(0.000123) == "0.00012"
    assert fmt_number(-0.0045) == "-0.0045"
    assert fmt_number(0.012) == "0.01" and fmt_number(0) == "0"


def test_the_dosing_table_names_the_weights_used_for_mg_per_kg():
    case = _case(SMALL)
    case.medications.loc[0, ["dose", "unit"]] = [2.0, "mg/kg/d"]
    weights = pd.DataFrame([dict(t=DAY0 + d * DAY, code="WEIGHT", value=w, censor=None,
                                 unit="kg", specimen="", source="test")
                            for d, w in ((-200, 18.0), (-5, 18.5), (50, 20.25))])
    obs = pd.concat([case.observations.astype(object), weights], ignore_index=True)
    case = Case(case.patient, obs.sort_values(["code", "t"]).reset_index(drop=True),
                case.medications, case.episodes, case.controls)
    rows = _table(build_summary(case), "Dosing history").rows
    # The weight carried into the period, then the one recorded during it.
    assert rows[0][-1] == "18.5 kg (2020-01-01); 20.25 kg (2020-02-25)"
    assert _table(build_summary(case), "Dosing history").columns[-1].name == "Weight used"


def test_best_response_is_the_lowest_on_treatment_and_keeps_its_censoring():
    f = _figure(_case(SMALL), "Best response")
    assert f.day == 40
    assert f.value.startswith("<5 pg/mL (<0.5× controls) on day +40")


def test_days_to_near_normal_follows_the_threshold():
    case = _case(SMALL)
    assert _figure(case, "Days to near-normal IL-1β").day == 14
    assert _figure(case, "Days to near-normal IL-1β", near_normal_fold=3.0).day == 7
    strict = _figure(case, "Days to near-normal IL-1β", near_normal_fold=0.5)
    assert strict.day == 40 and "fold ≤ 0.5" in strict.threshold
    never = _figure(case, "Days to near-normal IL-1β", near_normal_fold=0.1)
    assert never.day is None and "never" in never.value


def test_tnfa_rise_uses_the_nearest_reference_and_stops_at_the_last_dose():
    f = _figure(_case(SMALL), "TNF-α rise")
    assert f.number == pytest.approx(12.0)
    assert f.value == "×12: 120 pg/mL on day +99 ÷ 10 pg/mL on day +38"


def test_tnfa_rise_needs_a_reference_within_14_days():
    obs = [r for r in SMALL if not (r[2] == "TNFA" and r[0] == 38)] + [(20, 9, "TNFA", 10, None)]
    f = _figure(_case(obs), "TNF-α rise")
    assert f.number is None and "not available" in f.value


def test_first_relapse_ignores_other_kinds_and_suggestions():
    eps = [
        dict(id=1, kind="flare", onset=DAY0 + 50 * DAY, status="accepted"),
        dict(id=2, kind="relapse", onset=DAY0 + 60 * DAY, status="suggested"),
        dict(id=3, kind="relapse", onset=DAY0 + 80 * DAY + 7200, status="accepted"),
        dict(id=4, kind="relapse", onset=DAY0 + 95 * DAY, status="accepted"),
    ]
    f = _figure(_case(SMALL, episodes=eps), "First relapse onset")
    assert f.day == 80 and f.value == "day +80"
    assert _figure(_case(SMALL), "First relapse onset").day is None


def test_without_anakinra_figures_say_why():
    case = _case(SMALL)
    case.medications = case.medications.iloc[0:0]
    f = _figure(case, "Baseline IL-1β")
    assert f.number is None and "no anakinra" in f.value
    # Never "never reached on treatment" for a patient who was never treated.
    for name in ("Days to near-normal IL-1β", "Best response"):
        f = _figure(case, name)
        assert f.number is None and "no anakinra" in f.value, (name, f.value)


# -- the demo cohort, recomputed from its rows ----------------------------------------------
@pytest.fixture
def nlrp12_02(demo_engine):
    cases = list_cases(demo_engine)
    pid = int(cases.loc[cases["pseudonym"] == "NLRP12-02", "id"].iloc[0])
    case = load_case(demo_engine, pid)
    return case, load_audit(demo_engine, case)


def test_demo_figures_match_a_hand_computation(nlrp12_02):
    case, _ = nlrp12_02
    il1b = case.series("IL1B", PBMC_SPONTANEOUS)
    day = (il1b["t"].to_numpy() - case.day0) / DAY
    values = il1b["value"].to_numpy()
    baseline = np.median(values[(day >= -90) & (day < 0)])
    on = (day >= 0) & (day < (case.last_dose - case.day0) / DAY + 1)
    figs = {f.name: f for f in key_figures(case, date_format(case, relative=True))}
    assert figs["Baseline IL-1β"].number == pytest.approx(baseline)
    assert figs["Best response"].number == pytest.approx(values[on].min())
    assert figs["Best response"].day == int(np.floor(day[on][values[on].argmin()]))
    first = np.floor(day[on][values[on] / 12.0 <= 2][0])
    assert figs["Days to near-normal IL-1β"].day == first
    assert figs["First relapse onset"].day == 272  # the demo's annotated relapse
    # The study: TNF-α rises on treatment ahead of the relapse.
    assert figs["TNF-α rise"].number > 3


def test_monthly_aidai_flags_incomplete_months(nlrp12_02):
    case, _ = nlrp12_02
    summary = build_summary(case)
    table = next(t for t in summary.tables if t.title == "Monthly AIDAI")
    monthly = aidai_periods(case, relative=False)
    assert len(table.rows) == len(monthly)
    incomplete = [r for r in table.rows if r[3].startswith("incomplete")]
    assert len(incomplete) == sum(not p.complete and not p.active for p in monthly) >= 1
    # A part month is flagged, never called inactive for its low sum.
    assert all(r[3] not in ("active", "inactive") for r in incomplete)


def test_tables_hold_every_row_with_censoring_shown(nlrp12_02):
    case, audit = nlrp12_02
    summary = build_summary(case, audit=audit)
    tables = {t.title: t for t in summary.tables}
    cyto = tables["Cytokine measurements"]
    codes = ("IL1B", "IL1RA", "IL6", "TNFA", "CRP", "SAA", "PGA")
    days = {int(t // DAY) for c in codes for t in case.series(c)["t"]}
    # A row per day (the results grid), not one per value: 31 rows for 190 values.
    assert len(cyto.rows) == len(days) < 40
    # Every measurement and every stimulation index is in a cell (a value over its fold).
    values = [line for row in cyto.rows for cell in row[1:-1] if cell
              for line in cell.split("\n")[:1] for line in line.split(" / ")]
    n = sum(len(case.series(c)) for c in codes)
    assert len(values) == n + len(stimulation_indices(case))
    shown = {v.rstrip(" ↑↓") for v in values}
    assert {fmt_number(v) for c in ("IL1B", "TNFA") for v in case.series(c)["value"]} <= shown
    # The stored end is exclusive (15 August 00:00): the last day is 14 August.
    assert tables["Episodes"].rows[0][:4] == ("relapse", "2010-03-14", "2010-08-14", "154 d")
    assert any("created episode" in r[2] for r in tables["Reviewer notes and audit trail"].rows)
    assert [r[0] for r in tables["Dosing history"].rows] == ["ibuprofen", "anakinra"]


def test_censored_rows_print_the_limit_with_its_sign():
    summary = build_summary(_case(SMALL))
    cyto = next(t for t in summary.tables if t.title.startswith("Cytokine"))
    row = next(r for r in cyto.rows if r[0].startswith("2020-02-15"))
    # Day 40: IL-1β <5 pg/mL, fold <0.5 (control mean 10), no TNF-α that day.
    assert row[0] == "2020-02-15\nday +40"
    assert [c.name for c in cyto.columns[1:-1]] == ["IL-1β\nspont.\npg/mL",
                                                   "TNF-α\nspont.\npg/mL"]
    assert row[1:] == ("<5\n<0.5×", "", "≈1 h after 100 mg")  # daily 100 mg at 08:00
    assert sum(cell.startswith("<") for r in cyto.rows for cell in r[1:-1]) == 1


# -- de-identification ------------------------------------------------------------------------
def _calendar_strings(case: Case) -> set[str]:
    ts = list(case.observations["t"].unique()) + list(case.episodes["onset"])
    days = {dt.datetime.fromtimestamp(int(t), dt.UTC).date() for t in ts}
    days |= {d.date() for d in pd.concat([case.medications["start"],
                                          case.medications["end"]]).dropna()}
    return {d.isoformat() for d in days} | {d.strftime("%d/%m/%Y") for d in days}


def test_deidentified_summary_holds_no_identifier_and_no_date(nlrp12_02):
    case, audit = nlrp12_02
    demo = next(p for p in COHORT if p.pseudonym == "NLRP12-02")
    case.episodes.loc[0, "note"] = (f"Seen with {demo.name} on 2010-03-14 ({demo.record_number}),"
                                    " fevers since 12/03/2010.")
    plain = " | ".join(build_summary(case, audit=audit).all_text())
    assert demo.name in plain and "2010-03-14" in plain  # the check below can fail
    text = " | ".join(build_summary(case, deidentify=True, audit=audit).all_text())
    first, last = demo.name.split(" ", 1)
    for secret in (demo.name, first, last, last.split("-")[1], demo.record_number,
                   demo.birth_date.isoformat(), str(demo.birth_date.year)):
        assert secret.lower() not in text.lower(), secret
    assert not (_calendar_strings(case) & set(re.findall(r"[\d/-]{8,10}", text)))
    assert not re.search(r"\b(19|20)\d\d-\d\d", text)
    assert "day +272" in text and "NLRP12-02" in text


def test_relative_dates_count_whole_days_from_day0():
    fmt = DateFormat(relative=True, anchor=anchor_of(DAY0, DAY0))
    assert fmt.date(DAY0) == "day 0"
    assert fmt.date(DAY0 - 1) == "day -1"
    assert fmt.date(DAY0 + 7 * DAY + 9 * 3600) == "day +7"
    assert DateFormat(False, fmt.anchor).date(DAY0 + 7 * DAY) == "2020-01-13"


# -- review findings: tables and header ------------------------------------------------------
def _table(summary, title: str):
    return next(t for t in summary.tables if t.title == title)


def test_a_one_day_episode_prints_its_last_day_not_the_exclusive_end():
    eps = [dict(id=1, kind="flare", onset=DAY0 + 14 * DAY, end=DAY0 + 15 * DAY,
                status="accepted", note="")]
    case = _case(SMALL, episodes=eps)
    row = _table(build_summary(case), "Episodes").rows[0]
    assert row[1:4] == ("2020-01-20", "2020-01-20", "1 d")
    row = _table(build_summary(case, deidentify=True), "Episodes").rows[0]
    assert row[1:4] == ("day +14", "day +14", "1 d")


def test_audit_trail_prints_an_episode_end_as_its_last_day():
    eps = [dict(id=1, kind="flare", onset=DAY0 + 14 * DAY, end=DAY0 + 15 * DAY,
                status="accepted", note="")]
    audit = pd.DataFrame([dict(at=DAY0 + 20 * DAY, actor="dr", action="update",
                               before=json.dumps({"end": DAY0 + 15 * DAY}),
                               after=json.dumps({"end": DAY0 + 17 * DAY}),
                               entity="episode", entity_id=1)])
    rows = _table(build_summary(_case(SMALL, episodes=eps), deidentify=True, audit=audit),
                  "Reviewer notes and audit trail").rows
    # The change's own time is withheld: only its place in the trail, never against day 0.
    assert rows == [("#1", "reviewer A", "changed episode #1",
                     "end: day +14 → day +16")]


def test_a_dose_per_kg_per_day_is_not_written_per_day_twice():
    case = _case(SMALL)
    case.medications.loc[0, ["dose", "unit"]] = [2.0, "mg/kg/d"]
    doses = [r[2] for r in _table(build_summary(case), "Dosing history").rows]
    assert doses == ["2 mg/kg/d"]
    case.medications.loc[0, ["dose", "unit"]] = [100.0, "mg"]
    assert [r[2] for r in _table(build_summary(case), "Dosing history").rows] == ["100 mg/d"]


def test_period_covered_ends_on_the_last_dose_not_the_day_after():
    case = _case(SMALL, stop_day=200)  # last record: the last dose, 2020-07-24
    header = dict(build_summary(case).header)
    assert header["Period covered"] == "2019-09-08 to 2020-07-24 (321 days)"
    header = dict(build_summary(case, deidentify=True).header)
    assert header["Period covered"] == "day -120 to day +200 (321 days)"


def test_audit_trail_keeps_deleted_episodes_in_one_query(demo_engine):
    from sqlalchemy import event

    from db.episodes import create_episode, delete_episode

    cases = list_cases(demo_engine)
    pid = int(cases.loc[cases["pseudonym"] == "NLRP12-02", "id"].iloc[0])
    row = create_episode(demo_engine, pid, kind="flare", onset=DAY0, end=DAY0 + DAY,
                         actor="dr. test")
    delete_episode(demo_engine, row["id"], row["version"], actor="dr. test")
    case = load_case(demo_engine, pid)
    statements = []
    event.listen(demo_engine, "before_cursor_execute",
                 lambda *a: statements.append(a[2]))
    audit = load_audit(demo_engine, case)
    assert len(statements) == 1
    deleted = audit[audit["entity_id"] == row["id"]]
    assert list(deleted["action"]) == ["create", "delete"]
    notes = _table(build_summary(case, audit=audit), "Reviewer notes and audit trail")
    assert any(r[2] == f"deleted episode #{row['id']}" and "kind: flare" in r[3]
               for r in notes.rows)


# -- review findings: the note scrubber ------------------------------------------------------
SECRET = dict(name="Léa Demo-Lefort", record_number="MRN-100231", birth_date="1982-04-17")


@pytest.mark.parametrize("note, kept", [
    ("dossier 100231 / MRN 100231", "dossier  / "),
    ("mrn100231, 100 231", ", "),
    ("Lea Demo-Lefort and Lefort, Demo", " and , "),
    ("seen 14-03-2010", "seen "),
    ("seen 2010/03/14", "seen "),
    ("seen 14.03.2010", "seen "),
    ("born April 17th, 1982", "born "),
    ("née le 17 avril 1982", "née le "),
    ("born 17/04/82, 17.4.1982 (19820417)", "born ,  ()"),
    ("fevers since March 2010, then 1er mars and March 14", "fevers since , then  and "),
    ("since 03/2010 or 2010-03", "since  or "),
    ("the 17th of April", "the "),
    ("back in 2009", "back in "),
    # attacker review: six-digit dates and ways to reach the patient
    ("seen 100221, again 210210", "seen , again "),
    ("call 06 12 34 56 78 or +33 6 12 34 56 78", "call  or "),
    ("lives 12 rue des Lilas; mail lea.x@chu-lyon.fr", "lives ; mail "),
    ("moved to 4 Baker Street, 69003 Lyon", "moved to , "),
])
def test_scrubber_removes_identifiers_and_dates_in_any_wrapping(note, kept):
    scrub = scrubber(SECRET, active=True)
    out = scrub(note)
    assert re.sub(r"\[(date |contact )?removed\]", "", out) == kept, out
    for secret in ("100231", "Lefort", "Léa", "Lea", "1982", "2010", "avril", "April"):
        assert secret.lower() not in out.lower()


@pytest.mark.parametrize("note", [
    "IL-1b 2000 pg/mL", "IL-1β 2000.5 pg/mL", "CRP 2010 mg/L", "IL-6 at 1999%", "2 mg/kg/d",
    "temperature 38.5 °C", "an annual review", "weight 2001 g",
    "platelets 150000", "3 flares in 12 months, 2 on anakinra 100 mg", "ratio 12.5",
])
def test_scrubber_leaves_measurements_and_ordinary_words_alone(note):
    assert scrubber(SECRET, active=True)(note) == note


def test_a_deidentified_aidai_table_gives_no_month_lengths_back(nlrp12_02):
    """Calendar-month rows of 28, 31, 30 … days let a reader find February, and from it
    day 0's real date: de-identified, the diary is summed over 30-day blocks from day 0."""
    case, _ = nlrp12_02
    table = next(t for t in build_summary(case, deidentify=True).tables
                 if t.title == "Monthly AIDAI")
    assert table.rows and {r[2].split(" of ")[1] for r in table.rows} == {"30"}
    assert table.rows[0][0].startswith("day ")
    firsts = [int(r[0].split()[1]) for r in table.rows]
    assert all(f % 30 == 0 for f in firsts)
    identified = next(t for t in build_summary(case).tables if t.title == "Monthly AIDAI")
    assert {r[2].split(" of ")[1] for r in identified.rows} > {"30"}  # calendar months there


def test_the_timeline_note_names_day_0():
    case = _case(SMALL)
    # The phases shaded are named by the timeline's own legend (tests/gui/test_pdf_legend.py).
    assert build_summary(case, deidentify=True).date_mode == (
        "Times are days (day 0 = first anakinra dose).")
    case = Case(case.patient, case.observations, case.medications.iloc[0:0], case.episodes,
                case.controls)
    # Without anakinra day 0 is the first record, and no treatment phase is shaded.
    assert build_summary(case, deidentify=True).date_mode == (
        "Times are days (no anakinra: day 0 = first record).")
    assert build_summary(case).date_mode == "Times are calendar dates (UTC)."


def test_a_definition_names_no_specimen_for_an_analyte_never_measured():
    """'Highest TNF-α (unspecified)' read as if a TNF-α of unknown specimen was measured."""
    case = _case([r for r in SMALL if r[2] != "TNFA"])
    f = _figure(case, "TNF-α rise")
    assert f.definition.startswith("Highest TNF-α from the best-response day")
    assert _figure(_case(SMALL), "TNF-α rise").definition.startswith(
        "Highest TNF-α (PBMC, spontaneous) from")


def test_tnfa_rise_is_not_computable_when_the_best_response_is_the_last_sample():
    # Best response on day +90, the last IL-1β on treatment; TNF-α that day and none after
    # it before the last dose: "×1: 30 ÷ 30 on day +90" divided one sample by itself.
    obs = [(-3, 9, "IL1B", 1200, None), (40, 9, "IL1B", 60, None), (90, 9, "IL1B", 8, None),
           (40, 9, "TNFA", 10, None), (90, 9, "TNFA", 30, None), (120, 9, "TNFA", 90, None)]
    f = _figure(_case(obs), "TNF-α rise")
    assert f.number is None
    assert f.value == ("not computable (no TNF-α after day +90, the sample at the best "
                       "response, up to the last anakinra administration)")
    # One TNF-α after it: the definition's highest (the reference included) ÷ the reference.
    f = _figure(_case([*obs, (95, 9, "TNFA", 15, None)]), "TNF-α rise")
    assert f.value == "×1: 30 pg/mL on day +90 ÷ 30 pg/mL on day +90"


def test_the_summary_says_which_form_of_export_it_is(nlrp12_02):
    """DOMAIN.md: relative dates are not HIPAA Safe Harbor; an export says which form it
    used (clinician review: the de-identified PDF never said)."""
    case, audit = nlrp12_02
    deid = dict(build_summary(case, audit=audit, deidentify=True).header)["Privacy"]
    assert "days from day 0" in deid and "not the HIPAA Safe Harbor method" in deid
    plain = dict(build_summary(case, audit=audit).header)["Privacy"]
    assert plain.startswith("identifying")
