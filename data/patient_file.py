"""The patient file (CSV or .xlsx): one row per patient with details, identifying fields
and optionally one weight. Read with the measurement importer's reader and reported with
its problems (file, row, column, value, reason); all or nothing. docs/IMPORT.md has the
format; resources/templates/patients_template.csv is a filled-in example.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from data.importing.columns import fixed_columns
from data.importing.errors import Problems
from data.importing.readers import read_table
from data.importing.safe_text import normal_pseudonym
from data.numbers import is_missing
from data.patients import (
    IDENTITY,
    PatientValueError,
    birth_problems,
    check_consistent,
    clean,
    clean_date,
    clean_weight,
    pseudonym_refusal,
    with_birth_year,
)

# Header (lower case, spaces/hyphens as '_', accents off) → field.
COLUMNS = {
    "pseudonym": "pseudonym", "patient": "pseudonym", "case": "pseudonym",
    "n°_patient": "pseudonym", "no_patient": "pseudonym", "numero_patient": "pseudonym",
    "numero_de_patient": "pseudonym", "patient_no": "pseudonym", "patient_number": "pseudonym",
    "onset_age": "onset_age", "age_at_onset": "onset_age", "age_de_debut": "onset_age",
    "age_au_debut": "onset_age",
    "diagnosis": "diagnosis", "diagnostic": "diagnosis",
    "sex": "sex", "gender": "sex", "sexe": "sex",
    "birth_year": "birth_year", "year_of_birth": "birth_year", "annee_de_naissance": "birth_year",
    "genotype": "genotype", "variant": "genotype",
    "name": "name", "nom": "name", "full_name": "name",
    "birth_date": "birth_date", "date_of_birth": "birth_date", "dob": "birth_date",
    "date_de_naissance": "birth_date",
    "record_number": "record_number", "mrn": "record_number", "ipp": "record_number",
    "weight": "weight", "weight_kg": "weight", "weight_(kg)": "weight", "poids": "weight",
    "poids_(kg)": "weight",
    "weight_date": "weight_date", "date_of_weight": "weight_date", "date_du_poids": "weight_date",
}
FIELDS_ACCEPTED = ("pseudonym, diagnosis, sex, birth_year, onset_age, genotype, name, birth_date, "
                   "record_number, weight, weight_date")


@dataclass
class PatientFile:
    """A checked patient file: one record per patient, ready for db.patients."""

    file: str
    description: str
    records: list[dict[str, Any]]


def looks_like_patient_file(header: list[str]) -> bool:
    """Every column a patient file's, with details beside the pseudonym: no date, code
    or value column a measurement file needs. The import wizard hands such a file over."""
    fields = {COLUMNS.get(_key(str(h))) for h in header}
    return None not in fields and "pseudonym" in fields and len(fields) > 1


def import_lines(checked: PatientFile, result: Any, *, dry_run: bool) -> list[str]:
    """What a patient file import did (or would do): for `patients import` and the window."""
    would = "would be " if dry_run else ""
    lines = [f"{checked.file}: patient file ({checked.description})"]
    for label, names in ((f"{would}created", result.created),
                         (f"{would}updated", result.updated), ("unchanged", result.unchanged)):
        if names:
            noun = "patient" if len(names) == 1 else "patients"
            lines.append(f"{len(names)} {noun} {label}: {', '.join(names)}")
    if result.weights_added:
        n = result.weights_added
        lines.append(f"{n} weight{'s' * (n != 1)} {would}added")
    return lines


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", text)


def read_patient_file(path: str | Path, *, engine: Engine | None = None) -> PatientFile:
    """Read and check every row; raises ImportFailed listing every problem.

    With ``engine``, a pseudonym is also checked against the identifying fields stored
    for an existing patient of that name.
    """
    table = read_table(path)
    problems = Problems(table.file)
    columns = fixed_columns(table, problems, COLUMNS, normalise=_key,
                            unknown=f"unknown column: the patient file has {FIELDS_ACCEPTED}")
    if "pseudonym" not in columns:
        problems.add(1, None, None, "no pseudonym column: each row names its case")
    problems.raise_if_any()
    if table.data.empty:
        problems.fail(None, None, None, "the file has a header but no patients")
    stored = _stored_identity(engine)
    names = {field: table.header[i] for field, i in columns.items()}
    seen: dict[str, int] = {}
    records = []
    by_pseudonym: dict[str, dict[str, Any]] = {}
    weight_rows: dict[tuple[str, int], tuple[int, str]] = {}  # (case, time) → row, text
    for row, cells in table.data.iterrows():
        row = int(row)
        texts = {f: cells[i] for f, i in columns.items()}
        pseudonym = normal_pseudonym(texts["pseudonym"])
        if pseudonym in seen:
            added = _another_weight(row, texts, seen[pseudonym], by_pseudonym.get(pseudonym),
                                    names, problems)
            if added is not None:
                weight_rows[(pseudonym, added)] = (row, texts.get("weight", ""))
            continue
        if pseudonym:
            seen[pseudonym] = row
        rec = _read_row(row, texts, names, problems)
        if rec is None:
            continue
        identity = {k: rec.get(k) for k in IDENTITY} | {
            k: v for k, v in stored.get(pseudonym, {}).items() if rec.get(k) is None}
        refusal = pseudonym_refusal(pseudonym, **identity)
        if refusal:
            problems.add(row, names["pseudonym"], pseudonym, refusal)
            continue
        records.append(rec)
        by_pseudonym[pseudonym] = rec
        for when, _ in rec.get("weights", []):
            weight_rows[(pseudonym, when)] = (row, texts.get("weight", ""))
    _duplicate_record_numbers(records, seen, names, problems)
    _check_births(records, engine, seen, weight_rows, names, problems)
    _weights_differing(records, weight_rows, engine, names, problems)
    problems.raise_if_any()
    return PatientFile(table.file, table.description, records)


def _another_weight(row: int, texts: dict[str, str], first_row: int,
                    first: dict[str, Any] | None, names: dict[str, str],
                    problems: Problems) -> int | None:
    """A repeated pseudonym is a weight history when the row adds a weight on another date
    and repeats (or leaves empty) everything else; otherwise a duplicate. Returns the time
    of the weight it added."""
    rec = _read_row(row, texts, names, problems)
    if rec is None:
        return None
    details = {k: v for k, v in rec.items() if k not in ("weights", "pseudonym")}
    weights = rec.get("weights")
    if first is None or not weights or any(
            v is not None and first.get(k) != v for k, v in details.items()):
        problems.add(row, names["pseudonym"], texts["pseudonym"],
                     f"duplicate pseudonym: already on row {first_row} (one row per patient; "
                     "a repeated row may only add a weight on another date)")
        return None
    when, kg = weights[0]
    earlier = dict(first.setdefault("weights", []))
    if when in earlier and earlier[when] != kg:
        problems.add(row, names.get("weight"), texts.get("weight"),
                     f"a second weight for the same date (row {first_row} or above)")
        return None
    if when in earlier:
        return None
    first["weights"].append((when, kg))
    return when


def _weights_differing(records: list[dict[str, Any]],
                       rows: dict[tuple[str, int], tuple[int, str]], engine: Engine | None,
                       names: dict[str, str], problems: Problems) -> None:
    """A weight the file gives for a date that has another stored weight: an error, as a
    differing measurement is, never skipped silently nor written over the stored one."""
    wanted = [r["pseudonym"] for r in records if r.get("weights")]
    if engine is None or not wanted:
        return
    from data.numbers import fmt_number
    from db.patients import stored_weights

    stored = stored_weights(engine, wanted)
    for rec in records:
        known = stored.get(rec["pseudonym"], {})
        for when, kg in rec.get("weights", []):
            day = dt.datetime.fromtimestamp(when, dt.UTC).date().isoformat()
            # Every weighing of that day (keyed by date, or date and time: db.patients).
            same_day = {k: v for k, v in known.items() if k[:10] == day}
            if same_day and kg not in same_day.values():
                row, text = rows[(rec["pseudonym"], when)]
                key, old = next(iter(same_day.items()))
                problems.add(row, names.get("weight"), text,
                             f"differs from the stored weight {fmt_number(old)} kg on {key}: "
                             "a re-import never replaces a stored weight; correct it with "
                             "`patients set … --weight` or in Case → Patient details…")


def _read_row(row: int, cells: dict[str, str], names: dict[str, str],
              problems: Problems) -> dict[str, Any] | None:
    rec: dict[str, Any] = {}
    ok = True
    for field, text in cells.items():
        if field in ("weight", "weight_date"):
            continue
        try:
            rec[field] = clean(field, text)
        except PatientValueError as exc:
            problems.add(row, names[field], text, str(exc))
            ok = False
    if rec.get("pseudonym") is None:
        problems.add(row, names["pseudonym"], "", "no pseudonym")
        return None
    weight = _weight(row, cells, names, problems)
    if weight is False:
        ok = False
    elif weight is not None:
        rec["weights"] = [weight]
    if ok:
        try:
            check_consistent(rec)
        except PatientValueError as exc:
            problems.add(row, names.get("birth_date"), cells.get("birth_date"), str(exc))
            ok = False
    return rec if ok else None


def _weight(row: int, cells: dict[str, str], names: dict[str, str],
            problems: Problems) -> tuple[int, float] | None | bool:
    """(epoch seconds, kg), None when the row gives no weight, False when it is bad."""
    text, when = cells.get("weight", ""), cells.get("weight_date", "")
    if is_missing(text) and is_missing(when):
        return None
    try:
        kg = clean_weight(text)
    except PatientValueError as exc:
        problems.add(row, names["weight"], text, str(exc))
        return False
    if kg is None:
        problems.add(row, names.get("weight_date"), when, "a weight date without a weight")
        return False
    if is_missing(when):
        problems.add(row, names["weight"], text, "a weight needs its date (weight_date column)")
        return False
    try:
        day = clean_date(when, what="weight date")
    except PatientValueError as exc:
        problems.add(row, names["weight_date"], when, str(exc))
        return False
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    return epoch, kg


def _duplicate_record_numbers(records: list[dict[str, Any]], rows: dict[str, int],
                              names: dict[str, str], problems: Problems) -> None:
    first: dict[str, str] = {}
    for rec in records:
        number = rec.get("record_number")
        if number is None:
            continue
        if number in first:
            problems.add(rows[rec["pseudonym"]], names["record_number"], number,
                         f"the same record number as {first[number]}: two pseudonyms for one "
                         "patient?")
        else:
            first[number] = rec["pseudonym"]


def _check_births(records: list[dict[str, Any]], engine: Engine | None, rows: dict[str, int],
                  weight_rows: dict[tuple[str, int], tuple[int, str]], names: dict[str, str],
                  problems: Problems) -> None:
    """The birth rules `patients set` applies (data.patients.birth_problems), against what
    is stored for a known case: a birth date must fall in the stored birth year unless the
    file gives the year too, and neither may come after the case's first record; no
    weighing before birth. Fills in the year a new birth date gives."""
    from db.patients import weight_key

    stored: dict[str, dict[str, Any]] = {}
    first: dict[int, int] = {}
    if engine is not None:
        from db.patients import all_patients, first_records

        stored = {p["pseudonym"]: p for p in all_patients(engine)}
        first = first_records(engine, [p["id"] for p in stored.values()])
    for i, rec in enumerate(records):
        pseudonym = rec["pseudonym"]
        current = stored.get(pseudonym, {})
        given = {k for k, v in rec.items() if v is not None}
        rec = records[i] = with_birth_year(current, rec)
        merged = {**current, **{k: v for k, v in rec.items() if v is not None}}
        row = rows[pseudonym]
        try:
            check_consistent(merged)
        except PatientValueError as exc:
            stored_year = "birth_year" not in given and current.get("birth_year") is not None
            problems.add(row, names.get("birth_date"), str(rec.get("birth_date")),
                         f"{exc} (the stored year: give birth_year too to change it)"
                         if stored_year else str(exc))
            continue
        when_of = {weight_key(t): t for t, _ in rec.get("weights", [])}
        for field, value, reason in birth_problems(
                merged, changed=given, new_weights=list(when_of),
                first_record=first.get(current.get("id", -1))):
            at = weight_rows.get((pseudonym, when_of[value]), (row, ""))[0] \
                if field == "weight_date" else row
            problems.add(at, names.get(field), value, reason)


def _stored_identity(engine: Engine | None) -> dict[str, dict[str, Any]]:
    if engine is None:
        return {}
    from db.patients import all_patients

    return {p["pseudonym"]: {k: p[k] for k in IDENTITY} for p in all_patients(engine)}
