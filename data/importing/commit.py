"""Writing an ImportPlan in one transaction: all of it, or nothing.

Re-importing a file adds nothing twice: an observation already stored with the same value
under the same patient, code, time and specimen is skipped, and so is a dosing period
identical to a stored one. A different value there is a lab correction, and an error:
it is never skipped silently nor written over the stored one, unless the import is asked
to apply corrections (``corrections=True``, ``import --corrections``): then each replaced
value is audited with what it was. A period that overlaps a
different stored period of the same drug is an error, since the two cannot both be the
daily dose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from data.codes import SPECIMEN_LABELS
from data.importing.commit_doses import write_administrations
from data.importing.errors import (
    KEEP_CAP,
    ImportCancelled,
    ImportFailed,
    ImportProblem,
    Problems,
)
from data.importing.plan import NO_VALUE, Cancelled, ImportPlan, Progress, Tally
from data.importing.safe_text import look_alike_key, printable
from data.importing.synonyms import UNSPECIFIED
from data.numbers import fmt_number
from db import dense
from db.audit import record
from db.engine import WRITE_LOCK
from db.errors import UserFacingError
from db.identity import login
from db.roles import READ_ONLY, REVIEWER, access
from db.typed_measures import TYPED_SOURCE
from db.writes import (
    OBSERVATION_COLUMNS,
    any_other_specimen,
    changed_observations,
    close_medication_periods,
    insert_medications,
    insert_observation_columns,
    insert_patient,
    medication_periods,
    patient_id_by_pseudonym,
    patient_pseudonyms,
    same_values_other_specimen,
    save_import_mappings,
    save_import_specimens,
)

# Where a refused re-import points: the command line's flag and the wizard's box.
CORRECTION_HINT = ("if the file is the lab's corrected report, import it as corrections "
                   "(import --corrections, or the wizard's 'corrected report' box), else "
                   "correct the file")
CORRECTIONS_LISTED = 10  # replaced values a result names one by one
CHUNK = 50_000  # rows per insert between two looks at the cancel button


@dataclass
class ImportResult:
    file: str
    patients_created: list[str] = field(default_factory=list)
    observations_added: int = 0
    observations_skipped: int = 0
    observations_corrected: int = 0
    corrected: list[str] = field(default_factory=list)  # "CRP serum 2026-01-12: 4.8 → 5.8 mg/L"
    medications_added: int = 0
    medications_skipped: int = 0
    medications_closed: int = 0
    administrations_added: int = 0
    administrations_skipped: int = 0
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)
    shape: str = ""
    description: str = ""
    summary: list[str] = field(default_factory=list)  # what the file held, per code or drug

    def lines(self) -> list[str]:
        """What was (or, in a dry run, would be) added and skipped, for the user."""
        would = "would be " if self.dry_run else ""
        out = [f"{self.file}: nothing was written (dry run)"] if self.dry_run else []
        for name in self.patients_created:
            out.append(f"patient {name} {would or 'was '}created (new in the database)")
        if self.observations_added or self.observations_skipped:
            out.append(f"{self.observations_added} values {would}added")
        if self.observations_corrected:
            n = self.observations_corrected
            out.append(f"1 stored value {would}replaced by this file's corrected one "
                       "(the audit trail keeps what it was)" if n == 1 else
                       f"{n} stored values {would}replaced by this file's corrected ones "
                       "(the audit trail keeps what they were)")
            shown = self.corrected[:CORRECTIONS_LISTED]
            out += [f"  {line}" for line in shown]
            if n > len(shown):
                out.append(f"  … and {n - len(shown)} more (in the audit trail)")
        if self.observations_skipped:
            out.append(f"{self.observations_skipped} values skipped: already in the database "
                       "with the same value (same patient, code, time and specimen)")
        if self.medications_added or self.medications_skipped:
            out.append(f"{self.medications_added} dosing periods {would}added")
        if self.medications_skipped:
            out.append(f"{self.medications_skipped} dosing periods skipped: already in the "
                       "database")
        if self.medications_closed:
            out.append(f"{self.medications_closed} ongoing dosing periods {would}given the "
                       "end date this file records")
        if self.administrations_added or self.administrations_skipped:
            out.append(f"{self.administrations_added} administrations {would}added")
        if self.administrations_skipped:
            out.append(f"{self.administrations_skipped} administrations skipped: already in "
                       "the database")
        out += [f"warning: {w}" for w in self.warnings]
        return [printable(line) for line in out]


READ_ONLY_REFUSED = ("a read-only login cannot import, even as a dry run (ask whoever looks "
                     "after the server for the reviewer role); nothing was changed")
CORRECTIONS_REFUSED = ("only the database owner may replace stored measurements (import "
                       "--corrections); nothing was changed")


def commit_plan(engine: Engine, plan: ImportPlan, *, actor: str | None = None,
                dry_run: bool = False, corrections: bool = False,
                remember: dict[str, str] | None = None,
                remember_specimen: bool = False,
                progress: Progress | None = None,
                cancelled: Cancelled | None = None) -> ImportResult:
    """Write ``plan`` in one transaction; a dry run rolls it back and reports the same counts.

    ``remember`` (column → code) and, with ``remember_specimen``, the specimen chosen for
    the plan's open columns are kept for the next file.
    Raises ImportFailed (a dosing period clashes with a stored one) or ImportCancelled;
    either way nothing is written.
    """
    return commit_plans(engine, [plan], actor=actor, dry_run=dry_run,
                        corrections=corrections, remember=remember,
                        remember_specimen=remember_specimen, progress=progress,
                        cancelled=cancelled)


def commit_plans(engine: Engine, plans: Iterable[ImportPlan | ImportFailed], *,
                 actor: str | None = None, dry_run: bool = False, corrections: bool = False,
                 remember: dict[str, str] | None = None, remember_specimen: bool = False,
                 progress: Progress | None = None,
                 cancelled: Cancelled | None = None) -> ImportResult:
    """Write the plans of one file's parts (see plan.iter_plans) in one transaction.

    A part that failed its checks, or whose values clash with stored ones, stops the
    writing; the later parts are still checked, so that the report lists every problem
    of the file (the first REPORT_CAP of them), and nothing is committed.
    """
    result: ImportResult | None = None
    failed: list[ImportFailed] = []
    changed: list[Changed] = []
    last: ImportPlan | None = None
    pids: dict[str, int] = {}
    tally = Tally()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(fraction, message)

    role = access(engine).role
    if role == READ_ONLY:
        # A dry run writes and rolls back, so it takes the write lock as an import does.
        raise UserFacingError(READ_ONLY_REFUSED)
    # The write lock from the start: SQLite then waits for another writer (up to
    # db.engine.BUSY_TIMEOUT_S); a transaction that has read first cannot wait for it.
    with engine.connect().execution_options(**{WRITE_LOCK: True}) as conn, \
            conn.begin() as transaction:
        step(0.0, "writing")
        for plan in plans:
            if isinstance(plan, ImportFailed):
                failed.append(plan)
                continue
            if result is None:
                result = ImportResult(plan.file, dry_run=dry_run, shape=plan.shape,
                                      description=plan.description)
            last = plan
            tally.add(plan)
            if failed:
                continue  # checked only: nothing of this file will be kept
            try:
                pids.update(_patient_ids(conn, plan, result))
                changed += _write_observations(conn, plan, pids, result, step)
                _write_medications(conn, plan, pids, result)
                added, skipped = write_administrations(conn, plan, pids)
                result.administrations_added += added
                result.administrations_skipped += skipped
            except ImportFailed as clash:
                failed.append(clash)
        if changed and not corrections:
            failed.append(_changed_values_refused(changed))
        if failed:
            transaction.rollback()
            raise _all_problems(failed)
        if changed and role == REVIEWER:  # the server's guards keep measurements as imported
            raise UserFacingError(CORRECTIONS_REFUSED)
        if changed:
            _apply_corrections(conn, changed, result, actor or login(conn))
        dense.pack_missing(conn, pids.values())  # once, after the file's last part
        if last is None or not (result.observations_added + result.observations_skipped
                                + result.medications_added + result.medications_skipped
                                + result.medications_closed + result.administrations_added
                                + result.administrations_skipped + result.observations_corrected):
            transaction.rollback()
            file = last.file if last is not None else ""
            raise ImportFailed(file, [ImportProblem(file, None, None, None, NO_VALUE)])
        result.summary = tally.lines(last)
        if remember:
            save_import_mappings(conn, remember)
        if remember_specimen and last.specimen is not None:
            save_import_specimens(conn, {name: (code, last.specimen or UNSPECIFIED)
                                         for name, code in last.specimen_columns.items()})
        record(conn, actor=actor or login(conn), entity="import", entity_id=None,
               patient_id=next(iter(pids.values())) if len(pids) == 1 else None,
               action="import", before=None,
               # the cases it wrote: on a server each changed row owes an audit row
               # naming its case (the a9_guards migration)
               after={"file": last.file, "shape": last.shape, "cases": sorted(pids.values()),
                      "patients_created": result.patients_created,
                      "observations_added": result.observations_added,
                      "observations_skipped": result.observations_skipped,
                      "observations_corrected": result.observations_corrected,
                      "medications_added": result.medications_added,
                      "medications_closed": result.medications_closed,
                      "medications_skipped": result.medications_skipped,
                      "administrations_added": result.administrations_added,
                      "administrations_skipped": result.administrations_skipped})
        step(1.0, "committing")
        if dry_run:
            transaction.rollback()
    return result


def _all_problems(failed: list[ImportFailed]) -> ImportFailed:
    problems = [p for f in failed for p in f.problems][:KEEP_CAP]
    return ImportFailed(failed[0].file, problems, sum(f.total for f in failed))


def _patient_ids(conn: Connection, plan: ImportPlan, result: ImportResult) -> dict[str, int]:
    from data.patients import pseudonym_refusal

    pids = {}
    problems = Problems(plan.file)
    alike: dict[str, str] = {}
    for known in patient_pseudonyms(conn):
        alike.setdefault(look_alike_key(known), known)
    for name in plan.patients:
        pid = patient_id_by_pseudonym(conn, name)
        if pid is None:
            # A new case only: an existing one is flagged by `patients show` instead.
            reason = pseudonym_refusal(name)
            if reason:
                problems.add(_first_row(plan, name), None, name, reason)
                continue
            pid = insert_patient(conn, pseudonym=name)
            result.patients_created.append(name)
            other = alike.setdefault(look_alike_key(name), name)
            if other != name:
                # Not refused: two patients may differ by one character on purpose.
                result.warnings.append(f"the new patient {name} looks like the patient "
                                       f"{other} (only case, spaces or punctuation differ): "
                                       "check it is not the same person")
        pids[name] = int(pid)
    problems.raise_if_any()
    return pids


def _first_row(plan: ImportPlan, name: str) -> int | None:
    rows = [int(f.loc[f["patient"] == name, "row"].min()) for f in
            (plan.observations, plan.medications) if "row" in f and (f["patient"] == name).any()]
    return min(rows) if rows else None


def _write_observations(conn: Connection, plan: ImportPlan, pids: dict[str, int],
                        result: ImportResult, step) -> list[Changed]:
    """Inserts the plan's values; returns those stored already with another value."""
    obs = plan.observations
    n = len(obs)
    if not n:
        return []
    ids, names = pd.factorize(obs["patient"])
    # Object columns: pandas would otherwise turn the texts into Arrow strings, which
    # costs more than the insert loop needs.
    frame = pd.DataFrame({
        "patient_id": np.array([pids[name] for name in names], dtype=np.int64)[ids],
        "t": obs["t"].to_numpy(dtype=np.int64),
        **{c: pd.Series(obs[c].to_numpy(dtype=object), dtype=object)
           for c in ("code", "value", "censor", "unit", "specimen")},
    })
    frame["value"] = obs["value"].to_numpy(dtype=float)
    if plan.file == TYPED_SOURCE:  # a file's name has no '/': a Table named by hand
        Problems(plan.file).fail(None, None, None, "an import is not named as the values "
                                 "typed in Flarescope: rename the file")
    _refuse_values_under_another_specimen(conn, plan, frame)
    added = insert_observation_columns(
        conn, frame, plan.file, CHUNK,
        lambda start: step(start / n, f"writing values {start:,}–{min(n, start + CHUNK):,} "
                           f"of {n:,}"))
    result.observations_added += added
    result.observations_skipped += n - added
    if added == n:
        return []
    # Some rows were already stored: the same value is skipped, a different one is a
    # correction, refused or applied once the whole file is read. Checked after the insert
    # so that a first import, the common case, pays nothing for it.
    rows = _rows(frame, plan.file)
    return [Changed(plan, i, value, censor, rows[i])
            for i, value, censor in changed_observations(conn, rows)]


def _rows(frame: pd.DataFrame, source: str) -> list[tuple]:
    """The frame as tuples in OBSERVATION_COLUMNS order, for the checks against stored
    values."""
    censor = frame["censor"].to_numpy(dtype=object)
    columns = {c: frame[c].to_numpy(dtype=object).tolist() for c in frame.columns}
    columns["censor"] = np.where(pd.isna(censor), None, censor).tolist()
    columns["source"] = [source] * len(frame)
    return list(zip(*(columns[c] for c in OBSERVATION_COLUMNS), strict=True))


@dataclass(frozen=True)
class Changed:
    """A value of the file stored already, under the same patient, code, time and
    specimen, with another value or censor."""

    plan: ImportPlan
    index: int  # in plan.observations
    stored_value: float | None
    stored_censor: str | None
    row: tuple  # OBSERVATION_COLUMNS order

    def stored_text(self) -> str:
        """'<5 pg/mL' as the user reads it; 'empty' for a stored row without a value."""
        if self.stored_value is None:
            return "empty"
        old, _ = _values_apart(self.stored_value, self.row[3])
        return f"{self.stored_censor or ''}{old} {self.row[5]}".strip()

    def new_text(self) -> str:
        """The file's value as written there, its unit apart: '12.5', '<5'."""
        _, new = _values_apart(self.stored_value, self.row[3])
        return f"{self.row[4] or ''}{new}"


def _changed_values_refused(changed: list[Changed]) -> ImportFailed:
    problems = Problems(changed[0].plan.file)
    for c in changed:
        obs = c.plan.observations
        problems.add(int(obs["row"].iat[c.index]),
                     str(obs["column"].iat[c.index]) if "column" in obs else None,
                     c.new_text(),
                     f"differs from the stored value {c.stored_text()} (same patient, "
                     f"{c.row[2]}, time and specimen): a re-import never replaces a stored "
                     f"value; {CORRECTION_HINT}")
    return ImportFailed(problems.file, problems.items, problems.total)


def _apply_corrections(conn: Connection, changed: list[Changed], result: ImportResult,
                       actor: str) -> None:
    """Replace the stored values; one audit row per patient holds them before and after,
    keyed 'CODE specimen time' as a typed measurement's are."""
    from db.patients import weight_key
    from db.typed_measures import ENTITY
    from db.writes import correct_observations

    correct_observations(conn, [c.row for c in changed])
    by_patient: dict[int, tuple[dict, dict]] = {}
    for c in changed:
        pid, t, code, _, _, _, specimen, _ = c.row
        key = " ".join(p for p in (code, specimen, weight_key(int(t))) if p)
        before, after = by_patient.setdefault(int(pid), ({}, {}))
        before[key] = c.stored_text()
        after[key] = f"{c.new_text()} {c.row[5] or ''}".strip()
        result.corrected.append(f"{key}: {before[key]} → {after[key]}")
    for pid, (before, after) in by_patient.items():
        record(conn, actor=actor, entity=ENTITY, entity_id=pid, patient_id=pid,
               action="correct", before=before, after={**after, "file": changed[0].row[7]})
    result.observations_corrected += len(changed)
    result.observations_skipped -= len(changed)


def _refuse_values_under_another_specimen(conn: Connection, plan: ImportPlan,
                                          frame: pd.DataFrame) -> None:
    """The same value at the same time, stored once without a specimen and imported
    now with one (or the other way round), is one measurement: two series would count
    it twice."""
    keys = frame[["patient_id", "code", "specimen"]].drop_duplicates()
    if not any_other_specimen(conn, list(keys.itertuples(index=False, name=None))):
        return
    rows = _rows(frame, plan.file)
    twice = same_values_other_specimen(conn, rows)
    if not twice:
        return
    obs = plan.observations
    where = obs["row"].to_numpy()
    column = obs["column"].to_numpy(dtype=object)
    problems = Problems(plan.file)
    for i, stored_specimen in twice:
        _, _, code, value, censor, unit, specimen, _ = rows[i]
        problems.add(int(where[i]), str(column[i]), f"{censor or ''}{fmt_number(value)}",
                     f"already stored with the same value at the same time as {code} "
                     f"({_specimen_text(stored_specimen)}); importing it as "
                     f"{_specimen_text(specimen)} would count it twice. Leave the row out, "
                     "or import the file under the stored specimen")
    problems.raise_if_any()


def _specimen_text(specimen: str | None) -> str:
    return f"specimen {SPECIMEN_LABELS.get(specimen or '', specimen)}"


def _values_apart(a: float | None, b: float | None) -> tuple[str, str]:
    """Both values as a reader writes them; with every digit when that alone tells them
    apart (1.234 and 1.2345 are not both "1.23")."""
    ta, tb = fmt_number(a), fmt_number(b)
    if ta == tb and a is not None and b is not None and a != b:
        ta, tb = (np.format_float_positional(x, trim="-") for x in (a, b))
    return ta, tb


def _write_medications(conn: Connection, plan: ImportPlan, pids: dict[str, int],
                       result: ImportResult) -> None:
    meds = plan.medications
    if meds.empty:
        return
    stored: dict[tuple[int, str], list[dict]] = {}
    for period in medication_periods(conn, pids.values()):
        stored.setdefault((period["patient_id"], period["drug"]), []).append(period)
    problems = Problems(plan.file)
    records = meds.to_dict("records")
    rows = [dict(patient_id=pids[m["patient"]], drug=m["drug"], atc=m["atc"],
                 dose=float(m["dose"]), unit=m["unit"], route=_none(m["route"]),
                 start=m["start"], end=_none(m["end"]), source=plan.file) for m in records]
    # A stored ongoing period that this file ends (same start, dose, unit and route) is
    # closed, not refused as an overlap: that is how a stopped treatment gets recorded.
    closes, closing_rows = [], set()
    for m, row in zip(records, rows, strict=True):
        for period in stored.get((row["patient_id"], row["drug"]), []):
            if period["end"] is None and row["end"] is not None and all(
                    period[k] == row[k] for k in ("start", "dose", "unit", "route")):
                period["end"] = row["end"]
                closes.append((period["id"], row["end"]))
                closing_rows.add(int(m["row"]))
    new = []
    for m, row in zip(records, rows, strict=True):
        pid = row["patient_id"]
        if int(m["row"]) in closing_rows:
            continue
        clash = None
        for period in stored.get((pid, m["drug"]), []):
            if _same(period, row):
                clash = "same"
                break
            if _overlap(period, row):
                clash = (f"overlaps the stored {m['drug']} period from {period['start']} to "
                         f"{period['end'] or 'now'} "
                         f"({fmt_number(period['dose'])} {period['unit']})")
        if clash == "same":
            result.medications_skipped += 1
        elif clash:
            problems.add(int(m["row"]), None, None, clash)
        else:
            new.append(row)
    problems.raise_if_any()
    result.medications_closed = close_medication_periods(conn, closes)
    result.medications_added = insert_medications(conn, new)


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) \
        or value is pd.NaT else value


def _same(stored: dict, row: dict) -> bool:
    return all(stored[k] == row[k] for k in ("start", "end", "dose", "unit", "route"))


def _overlap(stored: dict, row: dict) -> bool:
    far = dt.date.max
    return stored["start"] <= (row["end"] or far) and row["start"] <= (stored["end"] or far)
