"""Wide files: a date column and one column per analyte or symptom (lab exports, diaries).

An empty cell means 'not measured' and is skipped; a header may carry a unit and a
specimen ('IL-1β LPS (ng/mL)'). Columns the synonym table does not know must be mapped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.importing.columns import WIDE_FIELDS
from data.importing.context import (
    Options,
    chosen_specimens,
    find_date_column,
    locate_fields,
    patient_column,
)
from data.importing.errors import Problems
from data.importing.long_format import ACCEPTED_SPECIMENS, distinct
from data.importing.observations import Cells, finish
from data.importing.readers import Table
from data.importing.synonyms import CHOSEN_AT_IMPORT, Header, parse_header, specimen_for


def measurement_columns(table: Table, options: Options, problems: Problems | None = None
                        ) -> tuple[dict[str, int], int | None, dict[int, Header]]:
    """Structural fields, the date column, and the header of every other column."""
    mapping = options.mapping_keys()
    fields, others = locate_fields(table, WIDE_FIELDS, problems if problems is not None else Problems(table.file),
                                   mapping)
    headers = {i: parse_header(table.header[i], mapping) for i in others}
    date_at = find_date_column(table, fields, [i for i in others if headers[i].code is None])
    headers.pop(date_at, None)
    return fields, date_at, headers


def unknown_columns(table: Table, options: Options) -> list[str]:
    _, _, headers = measurement_columns(table, options)
    return [h.text for h in headers.values() if h.code is None]


def open_specimen_columns(table: Table, options: Options) -> dict[str, str]:
    """Headers → code of the cytokine columns whose specimen is chosen at import: no
    specimen in the header, no specimen column."""
    fields, _, headers = measurement_columns(table, options)
    if "specimen" in fields:
        return {}
    return {h.text: h.code for h in headers.values()
            if h.code in CHOSEN_AT_IMPORT and h.specimen is None}


def read_wide(table: Table, options: Options, problems: Problems) -> pd.DataFrame:
    fields, date_at, headers = measurement_columns(table, options, problems)
    if date_at is None:
        problems.add(None, None, None, "no date column (name one 'date' or 'Date de "
                     "prélèvement', or fill a column with dates)")
    seen: dict[tuple[str, str | None], str] = {}
    for h in headers.values():
        if h.code is None:
            problems.add(1, h.text, None, f"a column not recognised: map it to a code "
                         f"(--map '{h.text}=CODE'), or to '-' to leave it out")
        elif h.bad_unit is not None:
            problems.add(1, h.text, h.bad_unit, f"unknown unit in the header of {h.code}")
        elif (h.code, h.specimen) in seen:
            problems.add(1, h.text, None, f'duplicated column: "{seen[(h.code, h.specimen)]}" '
                         f"holds {h.code} too")
        else:
            seen[(h.code, h.specimen)] = h.text
    if not headers:
        problems.add(None, None, None, "no column of values")
    problems.raise_if_any()

    rows = table.data.index.to_numpy()
    patients = patient_column(table, fields, options, problems)
    row_specimen = _row_specimens(table, fields, problems)
    order = sorted(headers)
    # Row-major order (all values of row 2, then row 3…) so that problems read in order.
    grid = np.stack([table.column(i).str.strip().to_numpy(dtype=object) for i in order],
                    axis=1)
    r, c = np.nonzero(grid != "")
    code = np.array([headers[i].code for i in order], dtype=object)[c]
    from_header = np.array([headers[i].specimen for i in order], dtype=object)[c]
    given = np.where(from_header != None, from_header, row_specimen[r])  # noqa: E711
    texts = np.array([headers[i].text for i in order], dtype=object)[c]
    specimen = chosen_specimens(given, code, texts, options)
    time_at = fields.get("time")
    cells = Cells(
        row=rows[r], patient=patients[r],
        date=table.column(date_at).iloc[r].reset_index(drop=True),
        time=None if time_at is None else table.column(time_at).iloc[r].reset_index(drop=True),
        code=code, unit=np.array([headers[i].unit for i in order], dtype=object)[c],
        specimen=specimen, value=pd.Series(grid[r, c], dtype=str), censor=None,
        value_column=texts, unit_column=texts,
        date_column=table.header[date_at],
        time_column=None if time_at is None else table.header[time_at],
        bad=(patients == "")[r],
    )
    return finish(cells, table.decimal_comma, problems, skip_missing=True)


def _row_specimens(table: Table, fields: dict[str, int], problems: Problems) -> np.ndarray:
    """A specimen column applies to every value of its row; None where it is empty."""
    n = len(table.data)
    if "specimen" not in fields:
        return np.full(n, None, dtype=object)
    col = table.column(fields["specimen"])
    ids, names = distinct(col)
    unknown = np.array([bool(s) and specimen_for(s) is None for s in names], dtype=bool)[ids]
    problems.add_rows(table.data.index.to_numpy(), table.header[fields["specimen"]], col,
                      f"unknown specimen (accepted: {ACCEPTED_SPECIMENS})", unknown)
    return np.array([specimen_for(s) if s else None for s in names], dtype=object)[ids]
