"""Reading a CSV or .xlsx file into a table of strings, numbered as a spreadsheet shows it.

CSV files are sniffed: UTF-8 with or without BOM, else Windows-1252/Latin-1; comma,
semicolon or tab; with ';' or tab a decimal comma is accepted. Every cell stays a
string here: what a cell means depends on its column, which the shape modules decide.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data.importing.errors import Problems

_SEPARATORS = {"\t": "tab", ";": "semicolon", ",": "comma"}


@dataclass
class Table:
    """A file's header and cells. ``data`` has one column per header cell (0, 1, …) and
    is indexed by spreadsheet row number (header = 1); empty rows are already dropped."""

    file: str
    header: list[str]
    data: pd.DataFrame
    description: str
    decimal_comma: bool = False

    def column(self, index: int) -> pd.Series:
        return self.data[index]

    def head(self, n: int = 20) -> pd.DataFrame:
        """The first rows as read, with the file's own headers, for a preview."""
        df = self.data.head(n).copy()
        df.columns = [h or f"(column {i + 1})" for i, h in enumerate(self.header)]
        return df


def read_table(path: str | Path) -> Table:
    """Read ``path`` (CSV or .xlsx). Raises ImportFailed when it cannot be read as a table."""
    path = Path(path)
    problems = Problems(path.name)
    raw = path.read_bytes()
    if not raw.strip():
        problems.fail(None, None, None, "the file is empty")
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(path, problems)
    if path.suffix.lower() in (".xls", ".ods", ".xlsb"):
        problems.fail(None, None, None, f"{path.suffix} files cannot be read: save the sheet "
                      "as .xlsx or CSV")
    return _read_csv(path.name, raw, problems)


def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252/Latin-1"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _sniff_separator(first_line: str) -> str:
    """Tab, then semicolon, then comma: a header seldom holds a tab or ';' by accident,
    while ',' may sit inside a name ('CRP, mg/L') of a semicolon file."""
    outside_quotes = first_line.split('"')[::2]
    text = "".join(outside_quotes)
    for sep in ("\t", ";"):
        if sep in text:
            return sep
    return ","


def _read_csv(name: str, raw: bytes, problems: Problems) -> Table:
    try:
        text, encoding = _decode(raw)
    except UnicodeDecodeError:
        problems.fail(None, None, None, "the file is not text (unreadable encoding)")
    if "\x00" in text:
        problems.fail(None, None, None, "the file is not text: save it as CSV or .xlsx")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # old Mac line endings
    text = text.lstrip("\r\n")
    sep = _sniff_separator(text.split("\n", 1)[0])
    counts = _field_counts(text, sep, problems)
    width = int(counts.max())
    df = pd.read_csv(io.StringIO(text), sep=sep, header=None, names=list(range(width)),
                     dtype=str, keep_default_na=False, skip_blank_lines=False,
                     quotechar='"', engine="c")
    if len(df) != len(counts):
        problems.fail(None, None, None, "the file's rows could not be told apart "
                      "(a quote left open?)")
    header = [str(h).strip() for h in df.iloc[0, : max(int(counts[0]), 1)]]
    data = df.iloc[1:]
    data.index = pd.RangeIndex(2, len(df) + 1)
    header, data = _check_shape(header, data, counts[1:], problems)
    decimal_comma = sep != ","
    desc = f"CSV, {_SEPARATORS[sep]}-separated, {encoding}"
    if decimal_comma:
        desc += ", decimal comma accepted"
    return Table(name, header, data, desc, decimal_comma)


def _field_counts(text: str, sep: str, problems: Problems) -> np.ndarray:
    """How many fields each row has (0 for a blank line)."""
    if '"' in text:
        # Quoted fields may hold separators and line breaks: let the csv module count.
        counts = []
        reader = csv.reader(io.StringIO(text), delimiter=sep, quotechar='"', strict=True)
        try:
            for record in reader:
                counts.append(len(record) if any(f.strip() for f in record) else 0)
        except csv.Error as exc:
            problems.fail(reader.line_num, None, None, f"unreadable row ({exc})")
        return np.asarray(counts, dtype=np.int64)
    # No quotes: one line is one row, and counting separators per line is vectorised.
    buf = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    if len(newlines) == 0 or newlines[-1] != len(buf) - 1:
        newlines = np.append(newlines, len(buf))
    seps = np.flatnonzero(buf == ord(sep))
    counts = np.bincount(np.searchsorted(newlines, seps), minlength=len(newlines)) + 1
    starts = np.concatenate(([0], newlines[:-1] + 1))
    lengths = newlines - starts
    carriage = (lengths > 0) & (buf[np.minimum(newlines - 1, len(buf) - 1)] == 13)
    counts[(lengths - carriage) == 0] = 0
    return counts


def _check_shape(header: list[str], data: pd.DataFrame, counts: np.ndarray,
                 problems: Problems) -> tuple[list[str], pd.DataFrame]:
    """Drop blank rows and unnamed empty columns; report truncated or overlong rows."""
    n = len(header)
    rows = data.index.to_numpy()
    blank = counts == 0
    short = (counts < n) & ~blank
    if short.any():
        # A whitespace-only line is blank, not truncated.
        idx = np.flatnonzero(short)
        sub = data.iloc[idx]
        empty = np.ones(len(idx), dtype=bool)
        for col in sub.columns:
            empty &= (sub[col].str.strip() == "").to_numpy()
        blank[idx[empty]] = True
        short[idx[empty]] = False
    if short.any():
        problems.add_rows(rows[short], None, None,
                          f"the row has fewer fields than the header's {n} (truncated?)")
    for extra in range(n, data.shape[1]):
        filled = (data[extra].str.strip() != "").to_numpy()
        if filled.any():
            problems.add_rows(rows[filled], None, None,
                              f"the row has more fields than the header's {n}")
            break
    data = data.iloc[:, :n]
    if not blank.all():
        blank |= _all_empty(data)
    data = data[~blank]
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append(i)
        elif (data[i].str.strip() != "").any():
            problems.add(1, f"(column {i + 1})", "", "a column without a name holds values")
    problems.raise_if_any()
    if len(keep) < len(header):
        data = data[keep]
        data.columns = range(len(keep))
        header = [header[i] for i in keep]
    return header, data


def _all_empty(data: pd.DataFrame) -> np.ndarray:
    empty = np.ones(len(data), dtype=bool)
    for col in data.columns:
        empty &= (data[col] == "").to_numpy()
    return empty


def _cell_text(value: object) -> str:
    # Spreadsheet cells arrive typed; the shape modules parse text, so write each
    # type the way the CSV path would see it (ISO dates, '.' decimals).
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _read_xlsx(path: Path, problems: Problems) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        problems.fail(None, None, None, f"not a readable .xlsx workbook ({exc})")
    try:
        sheet = book.worksheets[0]
        first = sheet.min_row or 1
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    numbers = list(range(first, first + len(rows)))
    while rows and not any(rows[0]):
        rows.pop(0)
        numbers.pop(0)
    if not rows:
        problems.fail(None, None, None, "the first sheet is empty")
    header = rows[0]
    width = max(len(r) for r in rows)
    header += [""] * (width - len(header))
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    data = pd.DataFrame(body, columns=range(width), index=numbers[1:], dtype=str)
    if data.empty:
        data = pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    # In a sheet a short row is just empty cells, so every row counts as full width.
    counts = np.full(len(data), width)
    counts[_all_empty(data)] = 0
    header, data = _check_shape(header, data, counts, problems)
    return Table(path.name, header, data, f"Excel workbook, sheet {sheet.title!r}")
