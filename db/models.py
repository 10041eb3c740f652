"""The schema. Times are UTC epoch seconds in BIGINT columns.

Epoch seconds are dialect-neutral (SQLite and PostgreSQL store them the same way),
need no per-row parsing on the bulk read path, and are what pyqtgraph's date axis
plots directly.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Patient(Base):
    """A case. ``version`` is bumped on each edit of the details (optimistic locking, as
    for episodes); review marks and imports of observations leave it alone."""

    __tablename__ = "patient"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    onset_age: Mapped[float | None] = mapped_column(Float)
    diagnosis: Mapped[str | None] = mapped_column(String(120))
    genotype: Mapped[str | None] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Separate from ``version`` (the details): marking a case reviewed must not refuse a
    # colleague's concurrent edit of its diagnosis, nor the other way round. Bumped by
    # every review write, so a review based on a stale one is refused.
    review_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PatientIdentity(Base):
    """Identifying fields, kept apart so that exports can leave them out."""

    __tablename__ = "patient_identity"
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    birth_date = mapped_column(Date, nullable=True)
    record_number: Mapped[str | None] = mapped_column(String(64))


# Stored censor code + 1 indexes this: -1 '<' (below the limit), 0 measured, +1 '>'.
CENSOR_SIGNS = ("<", "", ">")


class Series(Base):
    """What was measured for a patient: a code in a specimen, stored in one unit.

    Observations refer to their series by id, so the bulk read of a case moves only
    numbers: a million-row case loads in a fraction of the time that per-row code,
    unit and specimen strings would take (see benchmarks/bench_timeline.py).
    """

    __tablename__ = "series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    specimen: Mapped[str] = mapped_column(String(32), default="")
    unit: Mapped[str] = mapped_column(String(32), default="")
    __table_args__ = (
        UniqueConstraint("patient_id", "code", "specimen", name="uq_series_key"),
    )


class Source(Base):
    """Where values came from (an imported file, the demo generator)."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), unique=True)


class Observation(Base):
    """Every measured value, one long table keyed by (series, time).

    ``censor`` is -1 when the value is a lower detection limit (``<5`` keeps 5 and the
    fact that it is censored), +1 for an upper limit, 0 for a measured value.
    """

    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    t: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float | None] = mapped_column(Float)
    censor: Mapped[int] = mapped_column(SmallInteger, default=0)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    __table_args__ = (
        # Serves the (patient, code, time) read path and makes re-imports idempotent.
        UniqueConstraint("series_id", "t", name="uq_observation_key"),
    )


class SeriesChunk(Base):
    """A dense series' observations again, packed: each chunk of up to 65,536 rows as two
    byte strings that numpy reads as they are (``packed``: each row's time, NULL flag,
    censor and source id in one little-endian int64, as db.queries packs them; ``value``:
    little-endian float64). Reading a million thermometer rows one by one kept SQLite
    stepping for ~330 ms; these take a few. The rows in ``observation`` stay the record:
    every program reads them, and a trigger deletes a series' chunks when any of its rows
    is inserted, changed or deleted, so chunks are never older than the rows they repeat
    (db/dense.py writes them again).
    """

    __tablename__ = "series_chunk"
    series_id: Mapped[int] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True)
    first_t: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    packed: Mapped[bytes] = mapped_column(LargeBinary)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Medication(Base):
    """A period of constant daily dose; an interruption is a gap between two periods.

    ``start`` and ``end`` are calendar dates, both inclusive; ``end`` is open when null.
    """

    __tablename__ = "medication"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    drug: Mapped[str] = mapped_column(String(64))
    atc: Mapped[str | None] = mapped_column(String(16))
    dose: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32), default="mg")
    route: Mapped[str | None] = mapped_column(String(32))
    start = mapped_column(Date, nullable=False)
    end = mapped_column(Date, nullable=True)
    source: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (Index("ix_medication_patient", "patient_id", "drug", "start"),)


class Administration(Base):
    """One dose given, at its recorded time (epoch seconds, UTC): a hospital's
    administration record. Periods (``Medication``) stay the regimen; these replace the
    assumed dose on the days they cover (data.dose_context)."""

    __tablename__ = "administration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    drug: Mapped[str] = mapped_column(String(64))
    t: Mapped[int] = mapped_column(BigInteger)
    dose: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))  # mg or mg/kg
    route: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("patient_id", "drug", "t", name="uq_administration_time"),)


class ControlReferenceSet(Base):
    """One change to the healthy-control references: an import, the demo, a dialog edit.

    Sets are numbered in the order they were made, and a set's number is the version of
    the references it leaves in force: the rows added by a set ≤ N and not retired by a
    set ≤ N. A PDF that names set N can be checked against exactly those rows whatever was
    changed later, because rows are retired, never updated or deleted.
    """

    __tablename__ = "control_reference_set"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lab: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(16))  # import, add, edit, retire, demo, migrated
    source: Mapped[str | None] = mapped_column(String(400))  # the imported file's name
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class ControlReference(Base):
    """Healthy-control values per analyte and specimen, and normal ranges for markers.

    One row is one lab's reference as reported (n, mean, SD or range, assay, batch, date),
    in the analyte's stored unit. At most one row per code and specimen is in force (not
    retired); an edit retires the row and adds its successor in one new set.
    """

    __tablename__ = "control_reference"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("control_reference_set.id"))
    retired_set_id: Mapped[int | None] = mapped_column(ForeignKey("control_reference_set.id"))
    code: Mapped[str] = mapped_column(String(32))
    specimen: Mapped[str] = mapped_column(String(32), default="")
    unit: Mapped[str] = mapped_column(String(32))
    mean: Mapped[float | None] = mapped_column(Float)
    sd: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    range_low: Mapped[float | None] = mapped_column(Float)
    range_high: Mapped[float | None] = mapped_column(Float)
    upper_normal: Mapped[float | None] = mapped_column(Float)
    assay: Mapped[str | None] = mapped_column(String(200))
    batch: Mapped[str | None] = mapped_column(String(120))
    lab: Mapped[str | None] = mapped_column(String(200))
    ref_date = mapped_column(Date, nullable=True)
    source: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (
        # In force: retired_set_id IS NULL, on both back-ends (migration a2_controls
        # makes the partial index; nothing builds the schema from these models). Only
        # SQLite's condition is repeated here: a postgresql_where loaded SQLAlchemy's
        # PostgreSQL dialect (~50 ms) into every command, on SQLite files too.
        Index("uq_control_in_force", "code", "specimen", unique=True,
              sqlite_where=text("retired_set_id IS NULL")),
    )


# The vocabularies an episode's fields take; CHECK constraints hold the database to them,
# so a mistyped status cannot silently drop a relapse from "first relapse onset".
KINDS = ("relapse", "flare", "remission", "adverse event", "note")
SEVERITIES = ("mild", "moderate", "severe")
CERTAINTIES = ("certain", "probable", "uncertain")
STATUSES = ("suggested", "accepted", "rejected")
ORIGINS = ("reviewer", "rule", "import")


def one_of(column: str, allowed: tuple[str, ...], *, optional: bool = False) -> str:
    """The SQL of a CHECK that holds ``column`` to ``allowed`` (also used by the migration)."""
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in allowed)
    test = f'"{column}" IN ({listed})'
    return f'"{column}" IS NULL OR {test}' if optional else test


EPISODE_CHECKS = {
    "ck_episode_kind": one_of("kind", KINDS),
    "ck_episode_severity": one_of("severity", SEVERITIES, optional=True),
    "ck_episode_certainty": one_of("certainty", CERTAINTIES, optional=True),
    "ck_episode_status": one_of("status", STATUSES),
    "ck_episode_origin": one_of("origin", ORIGINS),
}


class Episode(Base):
    """A reviewer's annotation. ``version`` is bumped on each write for optimistic locking.

    Ids come from the database (AUTOINCREMENT on SQLite, so the id of a deleted episode is
    never handed out again and its audit rows never describe another episode).
    """

    __tablename__ = "episode"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    onset: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int | None] = mapped_column(BigInteger)
    severity: Mapped[str | None] = mapped_column(String(16))
    certainty: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120))
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    origin: Mapped[str] = mapped_column(String(64), default="reviewer")
    __table_args__ = (
        Index("ix_episode_patient", "patient_id", "onset"),
        *(CheckConstraint(sql, name=name) for name, sql in EPISODE_CHECKS.items()),
        {"sqlite_autoincrement": True},
    )


SUGGESTION_STATES = ("open", "accepted", "rejected")


class Suggestion(Base):
    """A relapse the published criteria suggested (data/relapse_criteria.py) and what the
    reviewer decided: open, accepted (``episode_id``: the reviewer episode it became,
    origin 'rule') or rejected with a ``reason``. One per case and onset, so a re-run of
    the criteria never adds it twice; ``fingerprint`` identifies its evidence, and a
    re-run finding other evidence marks it ``changed``. ``version`` as for episodes."""

    __tablename__ = "suggestion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    onset: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int | None] = mapped_column(BigInteger)
    criteria: Mapped[str] = mapped_column(Text)  # JSON list of criterion keys
    certainty: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text)  # JSON list of {text, samples}
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    reason: Mapped[str | None] = mapped_column(Text)
    changed: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    episode_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (
        UniqueConstraint("patient_id", "onset", name="uq_suggestion_onset"),
        CheckConstraint(one_of("state", SUGGESTION_STATES), name="ck_suggestion_state"),
        {"sqlite_autoincrement": True},
    )


class AuditEvent(Base):
    """Who changed what, when; written in the same transaction as the change.

    Append-only: database triggers refuse UPDATE and DELETE (the a2_audit_chain
    migration; a batch migration that recreates this table must create them again).
    Each row's ``hash`` covers its content and ``prev_hash``, the hash of the row before,
    so an edited or deleted row breaks the chain (db/audit.py verifies it).
    """

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(120))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class ImportMapping(Base):
    """Column names the user mapped by hand, remembered for the next file, and the
    specimen chosen at import for a column whose file names none (NULL: none chosen;
    'unspecified' when the user chose to leave it unspecified)."""

    __tablename__ = "import_mapping"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str] = mapped_column(String(32))
    specimen: Mapped[str | None] = mapped_column(String(32), nullable=True)
