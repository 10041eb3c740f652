"""The built-in demo cohort, modelled on Jéru et al. 2011 (NLRP12AD under anakinra).

Deterministic for a given seed, and anchored on fixed calendar dates so that the
same seed gives the same database whatever day it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine

from data.codes import (
    AIDAI_CODES,
    ANAKINRA,
    DIARY,
    DRUG_ATC,
    PBMC_LPS,
    PBMC_SPONTANEOUS,
    PGA,
    SERUM,
)
from data.controls import Reference, write_references
from db.audit import actors_since_last, audited_transaction, record
from db.cases import case_count
from db.controls import count_sets
from db.identity import login
from db.writes import clear_database, insert_medications, insert_observations, insert_patient

DEFAULT_SEED = 20110701

SOURCE = "demo"
DEMO_REVIEWER = "demo reviewer"
RESET = "reset"  # the audit action of a demo reset

# Healthy-control PBMC secretion (pg/mL) and normal ranges, order of magnitude of the study.
CONTROLS = [
    dict(code="IL1B", specimen=PBMC_SPONTANEOUS, unit="pg/mL", mean=12.0, sd=5.0, n=20),
    dict(code="IL1B", specimen=PBMC_LPS, unit="pg/mL", mean=1800.0, sd=600.0, n=20),
    dict(code="IL1RA", specimen=PBMC_SPONTANEOUS, unit="pg/mL", mean=900.0, sd=300.0, n=20),
    dict(code="IL6", specimen=PBMC_SPONTANEOUS, unit="pg/mL", mean=120.0, sd=50.0, n=20),
    dict(code="TNFA", specimen=PBMC_SPONTANEOUS, unit="pg/mL", mean=25.0, sd=10.0, n=20),
    dict(code="CRP", specimen=SERUM, unit="mg/L", upper_normal=5.0),
    dict(code="SAA", specimen=SERUM, unit="mg/L", upper_normal=10.0),
]
CONTROL_MEAN = {(c["code"], c["specimen"]): c.get("mean") for c in CONTROLS}
DEMO_LAB = "demo"


def demo_references() -> list[Reference]:
    """The demo's controls as one lab's reference set, written like an imported file's."""
    return [Reference(**c, lab=DEMO_LAB, source="demo healthy controls") for c in CONTROLS]


@dataclass
class DemoPatient:
    pseudonym: str
    diagnosis: str
    genotype: str
    sex: str
    birth_date: dt.date
    onset_age: float
    name: str
    record_number: str
    day0: dt.date
    pre_days: int
    treated_days: int | None  # None: still on treatment at the end of follow-up
    post_days: int
    weight_kg: float
    course: str  # "nlrp12", "caps", "traps"
    extra_meds: list[dict] = field(default_factory=list)
    # The day from day 0 the generator starts a relapse on (an attack that day, disease
    # active from then on, a visit within days): the truth benchmarks/bench_suggest.py
    # scores suggested relapses against. Never written to the database.
    relapse_day: int | None = None


COHORT = [
    DemoPatient("NLRP12-01", "NLRP12-associated autoinflammatory disorder",
                "NLRP12 c.850C>T (p.Arg284*), heterozygous", "F", dt.date(1982, 4, 17), 3.0,
                "Camille Demo-Lefort", "MRN-100231", dt.date(2009, 3, 2), 180, 426, 180, 61.0,
                "nlrp12",
                [dict(drug="colchicine", dose=1.0, unit="mg", route="oral", start=-180, end=-20)],
                relapse_day=281),
    DemoPatient("NLRP12-02", "NLRP12-associated autoinflammatory disorder",
                "NLRP12 c.2072+3insT, heterozygous", "M", dt.date(1975, 11, 2), 5.0,
                "Julien Demo-Marchand", "MRN-100587", dt.date(2009, 6, 15), 200, 426, 200, 74.0,
                "nlrp12",
                [dict(drug="ibuprofen", dose=1200.0, unit="mg", route="oral", start=-150, end=-40)],
                relapse_day=272),
    DemoPatient("CAPS-01", "Cryopyrin-associated periodic syndrome (Muckle-Wells)",
                "NLRP3 c.1043C>T (p.Thr348Met), heterozygous", "F", dt.date(2001, 8, 23), 1.0,
                "Léa Demo-Garnier", "MRN-200114", dt.date(2010, 1, 11), 150, None, 540, 32.0,
                "caps"),
    DemoPatient("TRAPS-01", "TNF receptor-associated periodic syndrome",
                "TNFRSF1A c.362G>A (p.Arg121Gln), heterozygous", "M", dt.date(1968, 2, 9), 24.0,
                "Marc Demo-Rousseau", "MRN-300942", dt.date(2010, 9, 6), 240, 365, 150, 82.0,
                "traps",
                [dict(drug="prednisone", dose=20.0, unit="mg", route="oral", start=-60, end=-30)],
                relapse_day=379),  # 14 days after stopping anakinra
]


def _epoch(d: dt.date, hour: int = 9) -> int:
    return int(dt.datetime(d.year, d.month, d.day, hour, tzinfo=dt.UTC).timestamp())


@dataclass
class Course:
    """Fold over controls of each cytokine and the daily attack probability, by day from day 0."""

    il1b: Callable[[np.ndarray], np.ndarray]
    il1ra: Callable[[np.ndarray], np.ndarray]
    il6: Callable[[np.ndarray], np.ndarray]
    tnfa: Callable[[np.ndarray], np.ndarray]
    attack_rate: Callable[[np.ndarray], np.ndarray]


def _nlrp12_course(rng: np.random.Generator, stop: int) -> Course:
    # Day 0 to ~day 10: IL-1β falls from 80–175x to near normal; from ~day 200 it creeps back,
    # TNF-α rises ahead of the clinical relapse (~day 270); after stopping all return.
    def il1b(d: np.ndarray) -> np.ndarray:
        pre = rng.uniform(85, 170, d.size)
        on_early = rng.uniform(0.9, 1.8, d.size)
        creep = 1.5 + 30 * np.clip((d - 200) / (stop - 200), 0, 1) ** 1.5
        post = rng.uniform(60, 140, d.size)
        return np.select([d < 0, d < 200, d <= stop], [pre, on_early, creep], post)

    def tnfa(d: np.ndarray) -> np.ndarray:
        base = rng.uniform(1.5, 3.0, d.size)
        rise = 1.2 + 14 * np.clip((d - 180) / (stop - 180), 0, 1)
        on = np.where(d < 150, rng.uniform(0.8, 1.5, d.size), rise)
        return np.select([d < 0, d <= stop], [base, on], rng.uniform(10, 16, d.size))

    def attack_rate(d: np.ndarray) -> np.ndarray:
        relapse = 0.02 + 0.2 * np.clip((d - 270) / (stop - 270), 0, 1)
        return np.select([d < 0, d < 270, d <= stop], [0.22, 0.01, relapse], 0.25)

    return Course(
        il1b=il1b,
        il1ra=lambda d: np.where((d >= 0) & (d <= stop), rng.uniform(15, 30, d.size),
                                 rng.uniform(6, 10, d.size)),
        il6=lambda d: rng.uniform(6, 14, d.size),
        tnfa=tnfa,
        attack_rate=attack_rate,
    )


def _caps_course(rng: np.random.Generator) -> Course:
    return Course(
        il1b=lambda d: np.where(d < 0, rng.uniform(25, 45, d.size), rng.uniform(0.7, 1.6, d.size)),
        il1ra=lambda d: np.where(d < 0, rng.uniform(3, 5, d.size), rng.uniform(10, 20, d.size)),
        il6=lambda d: np.where(d < 0, rng.uniform(5, 9, d.size), rng.uniform(0.8, 1.6, d.size)),
        tnfa=lambda d: rng.uniform(0.8, 1.6, d.size),
        attack_rate=lambda d: np.where(d < 0, 0.45, np.where(d < 14, 0.1, 0.004)),
    )


def _traps_course(rng: np.random.Generator, stop: int) -> Course:
    on = lambda d: (d >= 0) & (d <= stop)  # noqa: E731
    return Course(
        il1b=lambda d: np.where(on(d), rng.uniform(2.5, 5, d.size), rng.uniform(6, 12, d.size)),
        il1ra=lambda d: np.where(on(d), rng.uniform(8, 15, d.size), rng.uniform(2, 4, d.size)),
        il6=lambda d: np.where(on(d), rng.uniform(2, 5, d.size), rng.uniform(5, 10, d.size)),
        tnfa=lambda d: rng.uniform(3, 8, d.size),
        attack_rate=lambda d: np.where(on(d), 0.07, 0.2),
    )


def _course_for(p: DemoPatient, rng: np.random.Generator) -> Course:
    stop = p.treated_days or 10_000
    if p.course == "nlrp12":
        return _nlrp12_course(rng, stop)
    if p.course == "caps":
        return _caps_course(rng)
    return _traps_course(rng, stop)


def _diary(p: DemoPatient, course: Course, days: np.ndarray, rng: np.random.Generator):
    """Attacks of 2–4 days; each attack day ticks fever, overall and a few typical items."""
    # Item weights: NLRP12AD is fever, rash, arthralgia/myalgia, abdominal pain, headache.
    weights = dict(SX_FEVER=0.95, SX_OVERALL=0.9, SX_ABDO=0.5, SX_NAUSEA=0.15,
                   SX_DIARRHOEA=0.1, SX_HEADACHE=0.45, SX_CHEST=0.05, SX_LYMPH=0.35,
                   SX_ARTHRO=0.7, SX_JOINT=0.15, SX_EYE=0.1, SX_RASH=0.6)
    active = np.zeros(days.size, dtype=bool)
    start_p = course.attack_rate(days)
    i = 0
    while i < days.size:
        if rng.random() < start_p[i] / 3:
            length = int(rng.integers(2, 5))
            active[i:i + length] = True
            i += length + 2
        else:
            i += 1
    if p.relapse_day is not None:
        # The relapse starts with an attack on its day; set after the draws above, so
        # the random stream (and every other value of the cohort) is what it was.
        active[(days >= p.relapse_day) & (days < p.relapse_day + 3)] = True
    items = {code: active & (rng.random(days.size) < weights[code]) for code in AIDAI_CODES}
    temp = np.where(items["SX_FEVER"], rng.uniform(38.1, 39.8, days.size),
                    rng.normal(36.8, 0.25, days.size).clip(36.0, 37.6))
    return active, items, temp


def _disease_active(p: DemoPatient, d: np.ndarray) -> np.ndarray:
    """Before anakinra, and from the relapse on: what a physician's global judges."""
    relapsed = (d >= p.relapse_day) if p.relapse_day is not None else np.zeros(d.size, bool)
    return (d < 0) | relapsed


def _physician_global(p: DemoPatient, d: np.ndarray, attack: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """PGA 0–4 at visits: 2–3 with active disease or an attack at the visit, 1 in the
    first fortnight on anakinra, 0–1 in remission."""
    active = _disease_active(p, d) | attack
    calm = np.where((d >= 0) & (d < 14), 1.0, rng.integers(0, 2, d.size).astype(float))
    return np.where(active, rng.integers(2, 4, d.size).astype(float), calm)


def generate(engine: Engine, seed: int = DEFAULT_SEED) -> list[int]:
    """Write the demo cohort into an empty (or reset) database; returns patient ids."""
    with engine.begin() as conn:
        return _generate(conn, seed)


def _generate(conn, seed: int, first_id: int | None = None) -> list[int]:
    rng = np.random.default_rng(seed)
    ids: list[int] = []
    write_references(conn, demo_references(), actor=DEMO_REVIEWER, action="demo",
                     source="demo generator", lab=DEMO_LAB)
    for i, p in enumerate(COHORT):
        given = {} if first_id is None else {"id": first_id + i}
        pid = insert_patient(
            conn, **given, pseudonym=p.pseudonym, diagnosis=p.diagnosis, genotype=p.genotype,
            sex=p.sex, birth_year=p.birth_date.year, onset_age=p.onset_age,
            name=p.name, birth_date=p.birth_date, record_number=p.record_number,
        )
        ids.append(pid)
        # The physician globals draw from their own stream: adding them left every other
        # value of the cohort as it was.
        _write_course(conn, pid, p, rng, np.random.default_rng([seed, i]))
    return ids


def _write_course(conn, pid: int, p: DemoPatient, rng: np.random.Generator,
                  visit_rng: np.random.Generator) -> None:
    course = _course_for(p, rng)
    treated = p.treated_days if p.treated_days is not None else p.post_days
    last_day = treated + (p.post_days if p.treated_days is not None else 0)
    days = np.arange(-p.pre_days, last_day + 1)
    t_day = np.array([_epoch(p.day0 + dt.timedelta(days=int(d)), 20) for d in days])
    rows: list[tuple] = []

    active, items, temp = _diary(p, course, days, rng)
    for code, ticks in items.items():
        rows.extend((pid, int(t), code, float(v), None, "1", DIARY, SOURCE)
                    for t, v in zip(t_day, ticks.astype(float), strict=True))
    rows.extend((pid, int(t), "TEMP", round(float(v), 1), None, "Cel", DIARY, SOURCE)
                for t, v in zip(t_day, temp, strict=True))

    # Cytokines roughly monthly (every 28–35 days), plus early on-treatment visits at
    # days 7 and 14 when the study saw IL-1β near-normalise.
    visit_days = [-p.pre_days + 5]
    while visit_days[-1] + 35 < last_day:
        visit_days.append(visit_days[-1] + int(rng.integers(28, 36)))
    visit_days = sorted(set(visit_days) | {-3, 7, 14})
    v = np.array(visit_days)
    t_visit = np.array([_epoch(p.day0 + dt.timedelta(days=int(d)), 9) for d in v])
    series = {
        ("IL1B", PBMC_SPONTANEOUS): course.il1b(v),
        ("IL1B", PBMC_LPS): np.clip(course.il1b(v) / 12, 0.8, None),
        ("IL1RA", PBMC_SPONTANEOUS): course.il1ra(v),
        ("IL6", PBMC_SPONTANEOUS): course.il6(v),
        ("TNFA", PBMC_SPONTANEOUS): course.tnfa(v),
    }
    for (code, specimen), fold in series.items():
        mean = CONTROL_MEAN[(code, specimen)]
        values = fold * mean
        for t, val in zip(t_visit, values, strict=True):
            # The assay's limit of detection is 5 pg/mL: below it we store the limit, censored.
            censored = val < 5.0
            rows.append((pid, int(t), code, 5.0 if censored else round(float(val), 1),
                         "<" if censored else None, "pg/mL", specimen, SOURCE))

    # Markers at visits, high when the diary around the visit is active.
    around = np.array([active[max(0, i - 3):i + 4].mean() for i in (v + p.pre_days)])
    crp = np.where(around > 0, rng.uniform(35, 120, v.size), rng.uniform(0.8, 4.5, v.size))
    saa = np.where(around > 0, rng.uniform(60, 400, v.size), rng.uniform(2, 8, v.size))
    for t, c, s in zip(t_visit, crp, saa, strict=True):
        rows.append((pid, int(t), "CRP", round(float(c), 1), None, "mg/L", SERUM, SOURCE))
        rows.append((pid, int(t), "SAA", round(float(s), 1), None, "mg/L", SERUM, SOURCE))
    pga = _physician_global(p, v, around > 0, visit_rng)
    rows.extend((pid, int(t), PGA, g, None, "{score}", "", SOURCE)
                for t, g in zip(t_visit, pga, strict=True))
    if p.relapse_day is not None:
        rows.extend(_relapse_visit(pid, p, visit_rng))

    weight = p.weight_kg + np.cumsum(rng.normal(0.02 if p.course != "caps" else 0.25, 0.4, v.size))
    rows.extend((pid, int(t), "WEIGHT", round(float(w), 1), None, "kg", "", SOURCE)
                for t, w in zip(t_visit, weight, strict=True))
    insert_observations(conn, rows)
    insert_medications(conn, _medications(pid, p))
    if p.pseudonym == "NLRP12-02":
        _annotate_relapse(conn, pid, p)


def _relapse_visit(pid: int, p: DemoPatient, rng: np.random.Generator) -> list[tuple]:
    """The visit the relapse's attack brings the patient to, 1–4 days after it starts:
    markers high, physician global mild or moderate (no cytokines drawn)."""
    d = p.relapse_day + int(rng.integers(1, 5))
    t = _epoch(p.day0 + dt.timedelta(days=d), 11)
    return [(pid, t, "CRP", round(float(rng.uniform(35, 120)), 1), None, "mg/L", SERUM, SOURCE),
            (pid, t, "SAA", round(float(rng.uniform(60, 400)), 1), None, "mg/L", SERUM, SOURCE),
            (pid, t, PGA, float(rng.integers(2, 4)), None, "{score}", "", SOURCE)]


def _medications(pid: int, p: DemoPatient) -> list[dict]:
    def d(n: int) -> dt.date:
        return p.day0 + dt.timedelta(days=n)

    def row(drug: str, dose: float, unit: str, route: str, start: int, end: int | None) -> dict:
        return dict(patient_id=pid, drug=drug, atc=DRUG_ATC.get(drug), dose=dose, unit=unit,
                    route=route, start=d(start), end=None if end is None else d(end), source=SOURCE)

    meds: list[dict] = []
    if p.course == "caps":
        # A child dosed by weight: 2 mg/kg/d, raised to 3 mg/kg/d at 4 months.
        dose1 = round(2 * p.weight_kg / 5) * 5
        meds += [row(ANAKINRA, dose1, "mg", "subcutaneous", 0, 119),
                 row(ANAKINRA, round(3 * p.weight_kg / 5) * 5, "mg", "subcutaneous", 120, None)]
    else:
        stop = p.treated_days
        if p.pseudonym == "NLRP12-01":
            # One dose change (200 mg/d as the relapse sets in) and one missed week (days 120–126).
            meds += [row(ANAKINRA, 100, "mg", "subcutaneous", 0, 119),
                     row(ANAKINRA, 100, "mg", "subcutaneous", 127, 299),
                     row(ANAKINRA, 200, "mg", "subcutaneous", 300, stop)]
        else:
            meds.append(row(ANAKINRA, 100, "mg", "subcutaneous", 0, stop))
    for m in p.extra_meds:
        meds.append(row(m["drug"], m["dose"], m["unit"], m["route"], m["start"], m["end"]))
    return meds


def _annotate_relapse(conn, pid: int, p: DemoPatient) -> None:
    from db.episodes import insert_episode

    onset = _epoch(p.day0 + dt.timedelta(days=272), 0)
    insert_episode(conn, pid, actor=DEMO_REVIEWER, kind="relapse", onset=onset, created=onset,
                   end=_epoch(p.day0 + dt.timedelta(days=p.treated_days or 0), 0),
                   severity="moderate", certainty="probable",
                   note="Progressive return of fevers and rash on anakinra.")


class RealDataError(Exception):
    """The database holds work that is not the demo's; the message says what."""


def reviewer_work(engine: Engine) -> list[str]:
    """What a reset would destroy beyond the demo: other cases, reviewers' changes since
    the last reset."""
    from db.writes import patient_pseudonyms

    demo_names = {p.pseudonym for p in COHORT}
    with engine.connect() as conn:
        names = set(patient_pseudonyms(conn))
        actors = actors_since_last(conn, RESET)
        lab_sets = count_sets(conn, except_actions=("demo", "migrated"))
    found = []
    if names - demo_names:
        found.append(f"{len(names - demo_names)} case(s) not from the demo "
                     f"({', '.join(sorted(names - demo_names)[:5])})")
    if actors - {DEMO_REVIEWER}:
        found.append(f"changes recorded by {', '.join(sorted(actors - {DEMO_REVIEWER}))}")
    if lab_sets:
        found.append(f"{lab_sets} change(s) to the control references")
    return found


def reset(engine: Engine, seed: int = DEFAULT_SEED, *, force: bool = False,
          actor: str | None = None) -> list[int]:
    """Delete every case and rebuild the demo cohort, in one transaction.

    Refuses (RealDataError) when the database holds other cases or reviewers' changes,
    unless force is given: a reset must never take a clinician's work by surprise. The
    audit trail is kept, and the reset recorded in it (who, when, what it deleted); the
    new cases get ids never used before, so no old audit row describes them.
    """
    found = reviewer_work(engine)
    if found and not force:
        raise RealDataError("; ".join(found))
    with audited_transaction(engine) as conn:
        deleted, first_id = clear_database(conn)
        record(conn, actor=actor or login(conn), entity="database", entity_id=None,
               patient_id=None, action=RESET, before=deleted,
               after={"demo cohort": [p.pseudonym for p in COHORT], "seed": seed,
                      "forced": bool(found)})
        return _generate(conn, seed, first_id)


def ensure_demo(engine: Engine) -> bool:
    """Create the demo cohort in a database that holds no case and no control reference
    yet (a lab's references, imported first, make it a real database). Returns True if
    it did."""
    if case_count(engine):
        return False
    with engine.connect() as conn:
        if count_sets(conn):
            return False
    generate(engine)
    return True
