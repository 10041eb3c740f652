import numpy as np
import pandas as pd

from data.aidai_periods import aidai_periods
from data.alignment import DAY
from data.case import Case
from data.codes import AIDAI_CODES, PBMC_SPONTANEOUS
from data.demo import generate
from db.engine import open_database
from db.queries import list_cases, load_case


def _dump(engine) -> dict:
    with engine.connect() as conn:
        return {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").fetchall()
            for t in ("patient", "observation", "medication", "episode", "control_reference")
        }


def test_deterministic_for_a_seed(tmp_path):
    a, b = (open_database(str(tmp_path / f"{n}.db")) for n in "ab")
    generate(a, seed=7)
    generate(b, seed=7)
    assert _dump(a) == _dump(b)
    c = open_database(str(tmp_path / "c.db"))
    generate(c, seed=8)
    assert _dump(a)["observation"] != _dump(c)["observation"]


def _nlrp12_cases(engine):
    cases = list_cases(engine)
    ids = cases[cases["pseudonym"].str.startswith("NLRP12")]["id"]
    return [Case.from_frames(load_case(engine, int(i))) for i in ids]


def test_cohort_shape(demo_engine):
    cases = list_cases(demo_engine)
    assert len(cases) >= 4
    diagnoses = " ".join(cases["diagnosis"])
    assert "NLRP12" in diagnoses and "Cryopyrin" in diagnoses and "TNF receptor" in diagnoses
    assert cases["episodes"].sum() == 1  # one already annotated, the rest left to find


def test_nlrp12_course_follows_the_study(demo_engine):
    for case in _nlrp12_cases(demo_engine):
        il1b = case.fold("IL1B", PBMC_SPONTANEOUS)
        days = case.anchor.days(il1b["t"].to_numpy())
        pre = il1b["fold"].to_numpy()[days < 0]
        assert len(pre) >= 4
        assert np.all((pre >= 80) & (pre <= 175)), pre
        # Near-normal (≤ 2x controls) within the first weeks on anakinra.
        early = il1b["fold"].to_numpy()[(days >= 0) & (days <= 21)]
        assert len(early) and early.min() <= 2
        # TNF-α rises before the clinical relapse (demo relapse from ~day 270).
        tnf = case.fold("TNFA", PBMC_SPONTANEOUS)
        tdays = case.anchor.days(tnf["t"].to_numpy())
        early_tnf = tnf["fold"].to_numpy()[(tdays >= 0) & (tdays < 150)].mean()
        before_relapse = tnf["fold"].to_numpy()[(tdays >= 230) & (tdays < 270)].mean()
        assert before_relapse > 1.5 * early_tnf
        # Anakinra stopped after 14 months.
        assert case.last_dose is not None
        assert 13 * 30 <= (case.last_dose - case.day0) / DAY <= 15 * 31


def test_dosing_has_a_change_and_a_missed_week(demo_engine):
    case = _nlrp12_cases(demo_engine)[0]
    dose = case.daily_dose()
    assert set(np.unique(dose["dose"])) == {0.0, 100.0, 200.0}
    assert (dose["dose"] == 0).sum() == 7


def test_monthly_aidai_active_before_and_quiet_early_on_treatment(demo_engine):
    case = _nlrp12_cases(demo_engine)[0]
    m = pd.DataFrame([(p.month, p.score) for p in aidai_periods(case, relative=False)],
                     columns=["month", "score"])
    day0 = pd.Timestamp(case.day0, unit="s").to_period("M")
    before = m[m["month"] < day0]
    early = m[(m["month"] > day0) & (m["month"] <= day0 + 5)]
    assert before["score"].median() >= 9
    assert early["score"].max() < 9


def test_daily_dose_converts_periods_recorded_per_kg(demo_engine):
    """A child on 2 mg/kg/d, then 100 mg/d: both read right in mg/d and in mg/kg/d."""
    import datetime as dt

    from db.writes import insert_medications, insert_observations, insert_patient

    with demo_engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="KID-01")
        insert_observations(conn, [(pid, 1262304000, "WEIGHT", 50.0, None, "kg", "", "t")])
        insert_medications(conn, [
            dict(patient_id=pid, drug="anakinra", dose=2.0, unit="mg/kg/d",
                 start=dt.date(2010, 1, 1), end=dt.date(2010, 1, 10)),
            dict(patient_id=pid, drug="anakinra", dose=100.0, unit="mg",
                 start=dt.date(2010, 1, 11), end=dt.date(2010, 1, 20)),
        ])
    case = Case.from_frames(load_case(demo_engine, pid))
    mg = case.daily_dose()["dose"].to_numpy()
    assert list(mg[:10]) == [100.0] * 10 and list(mg[10:]) == [100.0] * 10
    per_kg = case.daily_dose(per_kg=True)["dose"].to_numpy()
    assert list(per_kg[:10]) == [2.0] * 10 and list(per_kg[10:]) == [2.0] * 10


def test_a_month_without_diary_is_flagged_not_hidden(demo_engine):
    import datetime as dt

    from db.writes import insert_observations, insert_patient

    def t(day: dt.date) -> int:
        return int(dt.datetime(day.year, day.month, day.day, 20, tzinfo=dt.UTC).timestamp())

    with demo_engine.begin() as conn:
        pid = insert_patient(conn, pseudonym="GAP-01")
        rows = []
        for month in (1, 3):  # a diary in January and March, none in February
            for d in range(1, 32 if month in (1, 3) else 29):
                for code in AIDAI_CODES:
                    rows.append((pid, t(dt.date(2011, month, d)), code, 1.0 if d == 5 else 0.0,
                                 None, "1", "diary", "t"))
        insert_observations(conn, rows)
    case = Case.from_frames(load_case(demo_engine, pid))
    m = {str(p.month): p for p in aidai_periods(case, relative=False)}
    assert list(m) == ["2011-01", "2011-02", "2011-03"]
    assert m["2011-01"].score == 12 and m["2011-01"].complete
    assert np.isnan(m["2011-02"].score) and not m["2011-02"].complete
    assert m["2011-02"].diary_days == 0
    assert m["2011-02"].verdict() == "incomplete: 28 days without diary"
    daily = case.activity_score.set_index("t")
    assert np.isnan(daily.loc[t(dt.date(2011, 2, 10)) // DAY * DAY, "score"])
