"""The case list, read with SQLAlchemy Core alone: no ORM models, no pandas.

The window paints this list before anything heavy is imported (gui/app.py), so the
tables are named here as light clauses rather than through db.models, whose ORM costs
a few hundred milliseconds to import.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Date, Engine, column, func, select, table

_patient = table("patient", column("id"), column("pseudonym"), column("diagnosis"),
                 column("reviewed_by"), column("reviewed_at"))
_series = table("series", column("id"), column("patient_id"), column("code"))
_observation = table("observation", column("series_id"), column("t"))
_episode = table("episode", column("patient_id"))
_medication = table("medication", column("patient_id"), column("start", Date),
                    column("end", Date))
_administration = table("administration", column("patient_id"), column("drug"), column("t"))

CASE_FIELDS = ("id", "pseudonym", "diagnosis", "first_t", "last_t", "episodes",
               "reviewed_by", "reviewed_at", "first_dose_start", "first_given_t",
               "last_dose_day", "last_given_t")


# data.first_record.NOT_CLINICAL (db cannot import data), for callers wanting only the ids.
def case_rows(engine: Engine, not_counted: Iterable[str] = ("WEIGHT",)) -> list[tuple]:
    """One tuple (CASE_FIELDS) per case, by pseudonym: the first and last measurement
    (epoch seconds; codes in not_counted left out), the first dosing period's start (a
    date), the first dose given (epoch seconds), the last day of any dosing period (a
    date: an ended period's end, an ongoing one's start) and the last dose given (epoch
    seconds); None where the case has none. data.first_record makes the case's first and
    last record of them."""
    p, o, e, sr = _patient, _observation, _episode, _series
    # First and last time per series are two index seeks each, whatever the row count.
    first = select(func.min(o.c.t)).where(o.c.series_id == sr.c.id).scalar_subquery()
    last = select(func.max(o.c.t)).where(o.c.series_id == sr.c.id).scalar_subquery()
    # A weighing is not part of the course: a weight from a clinic visit years before the
    # first symptom would date the case from it.
    span = (
        select(sr.c.patient_id, func.min(first).label("first_t"), func.max(last).label("last_t"))
        .where(sr.c.code.not_in(list(not_counted)))
        .group_by(sr.c.patient_id)
        .subquery()
    )
    m = _medication
    # Periods are few (one per dose change), unlike doses given: grouped as they are.
    dosed = (select(m.c.patient_id, func.min(m.c.start).label("first_dose_start"),
                    func.max(func.coalesce(m.c.end, m.c.start)).label("last_dose_day"))
             .group_by(m.c.patient_id).subquery())
    given = _given_span()
    n_ep = (
        select(e.c.patient_id, func.count().label("episodes"))
        .group_by(e.c.patient_id)
        .subquery()
    )
    stmt = (
        select(
            p.c.id, p.c.pseudonym, p.c.diagnosis, span.c.first_t, span.c.last_t,
            func.coalesce(n_ep.c.episodes, 0).label("episodes"),
            p.c.reviewed_by, p.c.reviewed_at, dosed.c.first_dose_start,
            given.c.first_given_t, dosed.c.last_dose_day, given.c.last_given_t,
        )
        .select_from(p.outerjoin(span, span.c.patient_id == p.c.id)
                     .outerjoin(n_ep, n_ep.c.patient_id == p.c.id)
                     .outerjoin(dosed, dosed.c.patient_id == p.c.id)
                     .outerjoin(given, given.c.patient_id == p.c.id))
        .order_by(p.c.pseudonym)
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def _given_span():
    """Each patient's first and last dose given (patient_id, first_given_t, last_given_t),
    by index seeks.

    A GROUP BY over the doses read every one: 50 patients × 10 years of daily injections
    took the case list from ~1 ms to ~30 ms. The (patient, drug, t) index gives each
    patient's drugs one seek at a time (a recursive walk, as a loose index scan), then
    each drug's first and last dose in one more seek each."""
    p, a = _patient, _administration
    first_drug = (select(a.c.drug).where(a.c.patient_id == p.c.id)
                  .order_by(a.c.drug).limit(1).scalar_subquery())
    drugs = select(p.c.id.label("patient_id"), first_drug.label("drug")).cte(
        "given_drugs", recursive=True)
    seen = drugs.alias("seen")
    later = a.alias("later")
    next_drug = (select(later.c.drug)
                 .where(later.c.patient_id == seen.c.patient_id, later.c.drug > seen.c.drug)
                 .order_by(later.c.drug).limit(1).scalar_subquery())
    drugs = drugs.union_all(select(seen.c.patient_id, next_drug)
                            .where(seen.c.drug.is_not(None)))
    this_drug = (a.c.patient_id == drugs.c.patient_id, a.c.drug == drugs.c.drug)
    first_t = select(func.min(a.c.t)).where(*this_drug).scalar_subquery()
    last_t = select(func.max(a.c.t)).where(*this_drug).scalar_subquery()
    return (select(drugs.c.patient_id, func.min(first_t).label("first_given_t"),
                   func.max(last_t).label("last_given_t"))
            .where(drugs.c.drug.is_not(None)).group_by(drugs.c.patient_id).subquery())


def case_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(_patient)).scalar_one())
