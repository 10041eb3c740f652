"""Patient detail writes: each change and its audit rows in one transaction, guarded by
``patient.version`` as episodes are by theirs.

Details (diagnosis, sex, birth year, genotype, pseudonym) live on ``patient``; the
identifying fields (name, birth date, record number) on ``patient_identity``, and their
changes are audited under the entity ``patient_identity`` so that a de-identified
export can leave them out. The weight history is the patient's ``WEIGHT`` observations; a
row read here carries every weighing as ``weights`` {key: kg}, the key naming exactly one
stored row (``weight_key``: the ISO date for a weighing at midnight UTC, the date and time
otherwise, as a lab file gives two weighings of one day). An edit of it is a detail change
like the others (the version bumped, an audit row holding every weighing changed, before
and after). Values are checked in ``data.patients`` before they come here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.audit import audited_transaction, record
from db.audit_action import stepped
from db.models import Observation, Patient, PatientIdentity, Series
from db.writes import insert_observations, patient_pseudonyms, source_ids

DETAILS = ("pseudonym", "diagnosis", "sex", "birth_year", "onset_age", "genotype")
IDENTITY = ("name", "birth_date", "record_number")
ENTITY, IDENTITY_ENTITY = "patient", "patient_identity"
WEIGHT, WEIGHT_UNIT = "WEIGHT", "kg"  # the code and stored unit of data.codes
# The source of a weight typed in the window or set on the command line.
TYPED_WEIGHT_SOURCE = "patient details"

_P, _I = Patient.__table__, PatientIdentity.__table__
_O, _S = Observation.__table__, Series.__table__


class PatientError(Exception):
    """A patient write that was refused; the message is meant for the user, in one line."""


class StalePatientError(PatientError):
    """The patient's details changed (or the case vanished) since the caller read them."""


def _read(conn: Connection, patient_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(_P).where(_P.c.id == patient_id)).mappings().first()
    if row is None:
        return None
    ident = conn.execute(select(_I).where(_I.c.patient_id == patient_id)).mappings().first()
    out = dict(row)
    out.update({k: (ident[k] if ident else None) for k in IDENTITY})
    out["weights"] = _weights(conn, patient_id)
    return out


def weight_key(t: float) -> str:
    """The key of the weighing at epoch ``t``: '2026-02-03' at midnight UTC,
    '2026-02-03T20:00' (seconds when there are some) otherwise."""
    moment = dt.datetime.fromtimestamp(int(t), dt.UTC)
    if moment.time() == dt.time(0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def key_time(key: str) -> int:
    """The epoch seconds (UTC) a weight key names."""
    return calendar.timegm(dt.datetime.fromisoformat(key).timetuple())


def _weights(conn: Connection, patient_id: int) -> dict[str, float]:
    """{weight key: kg} by time: every weighing, two on one day included."""
    rows = conn.execute(select(_O.c.t, _O.c.value).join(_S, _S.c.id == _O.c.series_id)
                        .where(_S.c.patient_id == patient_id, _S.c.code == WEIGHT,
                               _O.c.value.is_not(None))
                        .order_by(_O.c.t))
    return {weight_key(t): float(kg) for t, kg in rows}


def stored_weights(engine: Engine, pseudonyms: Iterable[str]) -> dict[str, dict[str, float]]:
    """{pseudonym: {ISO date: kg}} for the stored cases among ``pseudonyms``."""
    with engine.connect() as conn:
        cases = conn.execute(select(_P.c.pseudonym, _P.c.id)
                             .where(_P.c.pseudonym.in_(list(pseudonyms)))).all()
        return {str(p): _weights(conn, int(pid)) for p, pid in cases}


def first_records(engine: Engine, patient_ids: Iterable[int]) -> dict[int, int]:
    """{patient id: epoch seconds} of each case's first record of any kind (a measurement,
    a weighing, a dose period's start); cases with none are left out."""
    from db.models import Medication

    ids = [int(i) for i in patient_ids]
    m = Medication.__table__
    out: dict[int, int] = {}
    with engine.connect() as conn:
        for pid, t in conn.execute(select(_S.c.patient_id, func.min(_O.c.t))
                                   .join(_O, _O.c.series_id == _S.c.id)
                                   .where(_S.c.patient_id.in_(ids)).group_by(_S.c.patient_id)):
            out[int(pid)] = int(t)
        for pid, start in conn.execute(select(m.c.patient_id, func.min(m.c.start))
                                       .where(m.c.patient_id.in_(ids))
                                       .group_by(m.c.patient_id)):
            if start is not None:
                day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
                t = calendar.timegm(day.timetuple())
                out[int(pid)] = min(out.get(int(pid), t), t)
    return out


def _write_weights(conn: Connection, patient_id: int,
                   weights: dict[str, float | None]) -> None:
    """Set (kg) or remove (None) the one weighing each key names (``weight_key``), or add
    one at that time. Never a whole day: the day's other weighings are left as they are."""
    series = select(_S.c.id).where(_S.c.patient_id == patient_id, _S.c.code == WEIGHT)
    source_id = source_ids(conn, {TYPED_WEIGHT_SOURCE})[TYPED_WEIGHT_SOURCE]
    for key, kg in weights.items():
        t = key_time(key)
        that_one = (_O.c.series_id.in_(series), _O.c.t == t)
        if kg is None:
            conn.execute(delete(Observation).where(*that_one))
        elif not conn.execute(update(Observation).where(*that_one)
                              .values(value=float(kg), censor=0, source_id=source_id)
                              ).rowcount:
            insert_observations(conn, [(patient_id, t, WEIGHT, float(kg), None, WEIGHT_UNIT,
                                        "", TYPED_WEIGHT_SOURCE)])


def get_patient(engine: Engine, patient_id: int) -> dict[str, Any]:
    """The patient row with its identifying fields and version."""
    with engine.connect() as conn:
        row = _read(conn, patient_id)
    if row is None:
        raise PatientError(f"Case {patient_id} does not exist")
    return row


def patient_id(engine: Engine, pseudonym: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(_P.c.id).where(_P.c.pseudonym == pseudonym)).scalar()


def all_pseudonyms(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return patient_pseudonyms(conn)


def all_patients(engine: Engine) -> list[dict[str, Any]]:
    """Every patient with identifying fields, by pseudonym."""
    stmt = (select(_P, *(_I.c[k] for k in IDENTITY))
            .select_from(_P.outerjoin(_I, _I.c.patient_id == _P.c.id))
            .order_by(_P.c.pseudonym))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def _write(conn: Connection, row: dict[str, Any], changes: dict[str, Any], *, actor: str,
           action: str, extra: dict[str, Any] | None = None) -> int:
    """Apply changes to a row read in this transaction; bumps the version once and writes
    one audit row per entity changed. Returns the new version."""
    pid, version = int(row["id"]), int(row["version"])
    stored = row.get("weights") or {}
    weights = {d: kg for d, kg in (changes.get("weights") or {}).items() if stored.get(d) != kg}
    changed = {k: v for k, v in changes.items() if k != "weights" and row.get(k) != v}
    if not changed and not weights:
        return version
    details = {k: v for k, v in changed.items() if k in DETAILS}
    identity = {k: v for k, v in changed.items() if k in IDENTITY}
    result = conn.execute(update(Patient).where(_P.c.id == pid, _P.c.version == version)
                          .values(**details, version=version + 1))
    if result.rowcount != 1:
        _check(_read(conn, pid), pid, version)
    if identity:
        has = conn.execute(select(_I.c.patient_id).where(_I.c.patient_id == pid)).first()
        if has:
            conn.execute(update(PatientIdentity).where(_I.c.patient_id == pid).values(**identity))
        else:
            conn.execute(insert(PatientIdentity).values(patient_id=pid, **identity))
    if weights:
        _write_weights(conn, pid, weights)
    for entity, part in ((ENTITY, details), (IDENTITY_ENTITY, identity)):
        if part or entity == ENTITY:
            before = {k: row.get(k) for k in part} | {"version": version}
            after = dict(part) | {"version": version + 1} | (extra or {})
            if entity == ENTITY and weights:
                before["weights"] = {d: stored.get(d) for d in weights}
                after["weights"] = weights
            record(conn, actor=actor, entity=entity, entity_id=pid, patient_id=pid,
                   action=action, before=before, after=after)
    return version + 1


def _check(row: dict[str, Any] | None, patient_id: int, version: int) -> dict[str, Any]:
    if row is None:
        raise StalePatientError(f"Case {patient_id} was deleted meanwhile")
    if int(row["version"]) != int(version):
        raise StalePatientError(
            f"The details of {row['pseudonym']} were changed meanwhile (version "
            f"{row['version']}, you had {version}); your change was not saved: reopen and "
            "edit again")
    return row


def update_patient(engine: Engine, patient_id: int, version: int, *, actor: str,
                   step: str | None = None, **changes: Any) -> dict[str, Any]:
    """Change details if the stored version is still ``version``; returns the new row.

    ``weights`` {ISO date: kg or None} adds, corrects or removes the weight of each date.
    The audit rows hold only what changed (and the version), before and after; ``step``
    ("undo", "redo") says the change was written by one (db.audit.stepped).
    """
    unknown = set(changes) - set(DETAILS) - set(IDENTITY) - {"weights"}
    if unknown:
        raise PatientError(f"Cannot change {', '.join(sorted(unknown))} of a patient")
    try:
        # The write lock from the first read: the version checked is the one replaced.
        with audited_transaction(engine) as conn:
            row = _check(_read(conn, patient_id), patient_id, version)
            _write(conn, row, changes, actor=actor, action=stepped("update", step))
            return _read(conn, patient_id)
    except IntegrityError as exc:
        raise PatientError(f"pseudonym {changes.get('pseudonym')!r} is already another "
                           "case's") from exc


@dataclass
class PatientImport:
    """What writing a patient file did (or would do, on a dry run)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    weights_added: int = 0


def import_patients(engine: Engine, records: Iterable[dict[str, Any]], *, actor: str,
                    source: str, dry_run: bool = False) -> PatientImport:
    """Create or update patients in one transaction; a field left out (or None) keeps
    what is stored. Each record may carry ``weights``: [(epoch seconds, kg), …].

    One audit row per patient created or changed, and one for the file, as a
    measurement import writes.
    """
    result = PatientImport()
    cases: set[int] = set()
    with audited_transaction(engine) as conn:
        for rec in records:
            fields = {k: v for k, v in rec.items()
                      if k in (*DETAILS, *IDENTITY) and v is not None}
            pseudonym = fields["pseudonym"]
            pid = conn.execute(select(_P.c.id).where(_P.c.pseudonym == pseudonym)).scalar()
            if pid is None:
                pid = _create(conn, fields, actor=actor, source=source)
                result.created.append(pseudonym)
            else:
                row = _read(conn, int(pid))
                moved = _write(conn, row, fields, actor=actor, action="import",
                               extra={"file": source}) != row["version"]
                (result.updated if moved else result.unchanged).append(pseudonym)
            cases.add(int(pid))
            weights = rec.get("weights") or []
            result.weights_added += insert_observations(
                conn, [(int(pid), int(t), "WEIGHT", float(kg), None, "kg", "", source)
                       for t, kg in weights])
        record(conn, actor=actor, entity="import", entity_id=None, patient_id=None,
               action="import", before=None,
               # the cases it wrote: on a server each changed row owes an audit row
               # naming its case (the a9_guards migration)
               after={"file": source, "shape": "patients", "cases": sorted(cases),
                      "patients_created": result.created,
                      "patients_updated": result.updated,
                      "weights_added": result.weights_added})
        if dry_run:
            conn.get_transaction().rollback()
    return result


def _create(conn: Connection, fields: dict[str, Any], *, actor: str, source: str) -> int:
    details = {k: v for k, v in fields.items() if k in DETAILS}
    identity = {k: v for k, v in fields.items() if k in IDENTITY}
    pid = int(conn.execute(insert(Patient).values(**details, version=1)
                           .returning(_P.c.id)).scalar_one())
    record(conn, actor=actor, entity=ENTITY, entity_id=pid, patient_id=pid, action="create",
           before=None, after=details | {"version": 1, "file": source})
    if identity:
        conn.execute(insert(PatientIdentity).values(patient_id=pid, **identity))
        record(conn, actor=actor, entity=IDENTITY_ENTITY, entity_id=pid, patient_id=pid,
               action="create", before=None, after=identity)
    return pid
