"""What the shape readers share: the user's choices, and finding the patient and date."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.importing.columns import field_of
from data.importing.dates import parse_dates
from data.importing.errors import Problems
from data.importing.readers import Table
from data.importing.safe_text import normal_pseudonym, pseudonym_problem
from data.importing.synonyms import (
    CHOSEN_AT_IMPORT,
    IGNORE,
    default_specimens,
    mapping_key,
    parse_header,
)


@dataclass
class Options:
    """The user's choices for one file.

    ``patient`` names the patient of a file without a patient column. ``mapping`` maps
    column names (or, in a long file, code names) the synonym table does not know to a
    code, or to IGNORE; keys are as written by the user and compared loosely.
    """

    patient: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    # The specimen of the values whose file names none (see CHOSEN_AT_IMPORT): a
    # specimen code, '' for unspecified as an explicit choice, None when not chosen,
    # in which case ``column_specimens`` (column name → code, remembered) applies.
    specimen: str | None = None
    column_specimens: dict[str, str] = field(default_factory=dict)

    def mapping_keys(self) -> dict[str, str]:
        return {mapping_key(name): code for name, code in self.mapping.items()}

    def specimen_for_column(self, name: str) -> str | None:
        if self.specimen is not None:
            return self.specimen
        keys = {mapping_key(k): v for k, v in self.column_specimens.items()}
        return keys.get(mapping_key(name))


def chosen_specimens(given: np.ndarray, code: np.ndarray, column: np.ndarray,
                     options: Options) -> np.ndarray:
    """The specimen of each value: as the file gives it, else as chosen at import for its
    column (cytokines only), else the code's default (diary, serum) or unspecified ('')."""
    out = np.where(given != None, given, default_specimens(code)).astype(object)  # noqa: E711
    open_ = (given == None) & np.isin(code, list(CHOSEN_AT_IMPORT))  # noqa: E711
    if open_.any():
        ids, names = pd.factorize(column[open_])
        picked = np.array([options.specimen_for_column(str(n)) for n in names],
                          dtype=object)[ids]
        sub = out[open_]
        sub[picked != None] = picked[picked != None]  # noqa: E711
        out[open_] = sub
    return out


def locate_fields(table: Table, allowed: set[str], problems: Problems,
                  mapping: dict[str, str]) -> tuple[dict[str, int], list[int]]:
    """Structural columns by field, and the indices of the other columns.

    A field named twice is a problem; columns the user chose to ignore are dropped.
    """
    fields: dict[str, int] = {}
    others: list[int] = []
    for i, name in enumerate(table.header):
        # Mapped by its whole header or by its name without the unit ('Ferritine' for
        # 'Ferritine (µmol/L)'): either way the column is never read, its unit included.
        if IGNORE in (mapping.get(mapping_key(name)), parse_header(name, mapping).code):
            continue
        f = field_of(name)
        if f is None or f not in allowed:
            others.append(i)
        elif f in fields:
            problems.add(1, name, None,
                         f'duplicated column: column "{table.header[fields[f]]}" is also '
                         f"the {f}")
        else:
            fields[f] = i
    return fields, others


def find_date_column(table: Table, fields: dict[str, int], candidates: list[int]) -> int | None:
    """The date column by its name, else the first candidate column whose cells all parse
    as dates (a lab export may call it 'Prélèvement du' or nothing we know)."""
    if "date" in fields:
        return fields["date"]
    for i in candidates:
        col = table.column(i)
        filled = col[col.str.strip() != ""]
        if len(filled) and not parse_dates(filled).bad.any():
            return i
    return None


def patient_column(table: Table, fields: dict[str, int], options: Options,
                   problems: Problems) -> np.ndarray:
    """The patient pseudonym of every row (normalised), from the patient column or
    --patient."""
    rows = table.data.index.to_numpy()
    chosen = normal_pseudonym(options.patient) if options.patient else ""
    if "patient" not in fields:
        if not chosen:
            problems.add(None, None, None, "the file has no patient column: "
                         "name the patient (--patient, or choose one in the wizard)")
            return np.full(len(rows), "", dtype=object)
        reason = pseudonym_problem(chosen)
        if reason:
            problems.add(None, None, chosen, reason)
            return np.full(len(rows), "", dtype=object)
        return np.full(len(rows), chosen, dtype=object)
    name = table.header[fields["patient"]]
    ids, written = pd.factorize(table.column(fields["patient"]), sort=False)
    names = [normal_pseudonym(str(w)) for w in written]
    reasons = np.array(["no patient" if not n else pseudonym_problem(n) or ""
                        for n in names], dtype=object)
    arr = np.array(names, dtype=object)[ids]
    bad = reasons[ids] != ""
    if bad.any():
        shown_as = np.array([w if n else None for w, n in zip(written, names, strict=True)],
                            dtype=object)[ids]
        problems.add_rows(rows, name, shown_as, reasons[ids], bad)
        arr = np.where(bad, "", arr)
    if chosen:
        others = sorted(set(names) - {"", chosen})
        if others:
            # Once for the file: a line per row would bury every other problem.
            problems.add(None, name, ", ".join(others[:5]) + (" …" if len(others) > 5 else ""),
                         f"the file names its own patients, not {chosen}; import "
                         "it without choosing a patient")
    return arr
