"""Long files: one row per value (patient, date, code, value, unit, specimen)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.importing.columns import LONG_FIELDS
from data.importing.context import (
    Options,
    chosen_specimens,
    find_date_column,
    locate_fields,
    patient_column,
)
from data.importing.errors import Problems
from data.importing.observations import Cells, finish
from data.importing.readers import Table
from data.importing.synonyms import CHOSEN_AT_IMPORT, IGNORE, parse_header, specimen_for
from data.importing.units import normalise_unit

_CENSOR_SIGNS = {"": None, "<": "<", "<=": "<", "≤": "<", ">": ">", ">=": ">", "≥": ">"}
ACCEPTED_SPECIMENS = "pbmc-spont, pbmc-lps, serum, diary, device, or empty"


def distinct(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Row → index into the distinct stripped texts; files repeat a few names many times."""
    ids, uniques = pd.factorize(column, sort=False)
    return ids, [str(u).strip() for u in uniques]


def unknown_codes(table: Table, options: Options) -> list[str]:
    """Code names in the code column that neither the table nor the mapping knows."""
    fields, _ = locate_fields(table, LONG_FIELDS, Problems(table.file), options.mapping_keys())
    if "code" not in fields:
        return []
    _, names = distinct(table.column(fields["code"]))
    mapping = options.mapping_keys()
    return [n for n in names if n and parse_header(n, mapping).code is None]


def open_specimen_codes(table: Table, options: Options) -> dict[str, str]:
    """Code names (as written) → code, for the values whose specimen is chosen at import:
    a cytokine named without a specimen in a file without a specimen column."""
    fields, _ = locate_fields(table, LONG_FIELDS, Problems(table.file), options.mapping_keys())
    if "code" not in fields or "specimen" in fields:
        return {}
    _, names = distinct(table.column(fields["code"]))
    mapping = options.mapping_keys()
    headers = [parse_header(n, mapping) for n in names if n]
    return {h.text: h.code for h in headers
            if h.code in CHOSEN_AT_IMPORT and h.specimen is None}


def read_long(table: Table, options: Options, problems: Problems) -> pd.DataFrame:
    mapping = options.mapping_keys()
    fields, others = locate_fields(table, LONG_FIELDS, problems, mapping)
    date_at = find_date_column(table, fields, others)
    for i in others:
        if i != date_at:
            problems.add(1, table.header[i], None,
                         "a column a long file does not have (patient, date, time, code, "
                         "value, unit, specimen, censor, comment); map it to '-' to leave "
                         "it out")
    for needed, at in (("code", fields.get("code")), ("value", fields.get("value")),
                       ("date", date_at)):
        if at is None:
            problems.add(None, None, None, f"no {needed} column")
    problems.raise_if_any()
    rows = table.data.index.to_numpy()
    n = len(rows)
    bad = np.zeros(n, dtype=bool)
    patients = patient_column(table, fields, options, problems)
    bad |= patients == ""

    code_col = table.header[fields["code"]]
    ids, names = distinct(table.column(fields["code"]))
    headers = [parse_header(name, mapping) for name in names]
    u_code = np.array([h.code or "" for h in headers], dtype=object)
    u_unit = np.array([h.unit for h in headers], dtype=object)
    u_spec = np.array([h.specimen for h in headers], dtype=object)
    # A code the user chose to leave out is not checked further (its unit may be one
    # we do not know: that is often why it is left out).
    u_reason = np.array(["no code" if not name else
                         f"unknown code: map it (--map '{name}=CODE')" if h.code is None
                         else "" if h.code == IGNORE
                         else f"unknown unit '{h.bad_unit}'" if h.bad_unit else ""
                         for name, h in zip(names, headers, strict=True)], dtype=object)
    u_code[u_reason != ""] = ""
    problems.add_rows(rows, code_col, table.column(fields["code"]), u_reason[ids],
                      u_reason[ids] != "")
    bad |= u_reason[ids] != ""
    # Rows of a code the user chose to leave out are dropped without a word.
    left_out = u_code == IGNORE
    u_code[left_out] = ""
    bad |= left_out[ids]
    code = u_code[ids]

    unit = u_unit[ids]
    unit_col = code_col
    if "unit" in fields:
        unit_col = table.header[fields["unit"]]
        uids, units = distinct(table.column(fields["unit"]))
        written = np.array(units, dtype=object)[uids]
        clash = (written != "") & (unit != "") & ~bad
        if clash.any():
            differs = np.array([normalise_unit(a) != normalise_unit(b)
                                for a, b in zip(written[clash], unit[clash], strict=True)])
            mask = np.zeros(n, dtype=bool)
            mask[np.flatnonzero(clash)[differs]] = True
            problems.add_rows(rows, unit_col, written, "the unit contradicts the unit in "
                              "the code", mask)
            bad |= mask
        unit = np.where(written != "", written, unit)

    specimen = _specimens(table, fields, ids, u_spec, bad, problems)
    specimen = chosen_specimens(specimen, code, np.array(names, dtype=object)[ids], options)
    censor = None
    if "censor" in fields:
        censor = _censor_column(table, fields["censor"], bad, problems)
    time_at = fields.get("time")
    cells = Cells(
        row=rows, patient=patients, date=table.column(date_at),
        time=None if time_at is None else table.column(time_at), code=code, unit=unit,
        specimen=specimen, value=table.column(fields["value"]), censor=censor,
        value_column=table.header[fields["value"]], unit_column=unit_col,
        date_column=table.header[date_at],
        time_column=None if time_at is None else table.header[time_at], bad=bad,
    )
    return finish(cells, table.decimal_comma, problems, skip_missing=False)


def _specimens(table: Table, fields: dict[str, int], code_ids: np.ndarray,
               from_code: np.ndarray, bad: np.ndarray, problems: Problems) -> np.ndarray:
    """The specimen column, else the one written with the code; None where neither is."""
    given = from_code[code_ids]
    if "specimen" in fields:
        col = table.header[fields["specimen"]]
        sids, names = distinct(table.column(fields["specimen"]))
        resolved = np.array([specimen_for(s) if s else None for s in names], dtype=object)
        unknown = np.array([bool(s) and specimen_for(s) is None for s in names], dtype=bool)[sids] & ~bad
        problems.add_rows(table.data.index.to_numpy(), col, table.column(fields["specimen"]),
                          f"unknown specimen (accepted: {ACCEPTED_SPECIMENS}, or their "
                          "names such as 'PBMC spontaneous', 'LPS', 'sérum')", unknown)
        bad |= unknown
        written = resolved[sids]
        given = np.where(written != None, written, given)  # noqa: E711
    return given


def _censor_column(table: Table, at: int, bad: np.ndarray, problems: Problems) -> np.ndarray:
    ids, signs = distinct(table.column(at))
    known = np.array([s in _CENSOR_SIGNS for s in signs], dtype=bool)
    wrong = ~known[ids] & ~bad
    problems.add_rows(table.data.index.to_numpy(), table.header[at], table.column(at),
                      "a censor is '<', '>' or empty", wrong)
    bad |= wrong
    return np.array([_CENSOR_SIGNS.get(s) for s in signs], dtype=object)[ids]
