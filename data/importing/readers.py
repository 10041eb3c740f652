"""Reading a CSV or .xlsx file into a table of strings, numbered as a spreadsheet shows it.

CSV files are sniffed: UTF-8 with or without BOM, else Windows-1252/Latin-1; comma,
semicolon or tab; with ';' or tab a decimal comma is accepted. Every cell stays a
string here: what a cell means depends on its column, which the shape modules decide.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from data.importing.errors import Problems

_SEPARATORS = {"\t": "tab", ";": "semicolon", ",": "comma"}
# Bounds that keep a hostile file from exhausting memory; no lab export comes near them.
MAX_COLUMNS = 1000
MAX_LINE_BYTES = 2**20
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit
MAX_XLSX_PART = 512 * 2**20  # bytes of one unpacked workbook part
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
    if raw[:8] == OLE_MAGIC:
        # An encrypted .xlsx is an OLE container holding an 'EncryptedPackage' stream.
        if "EncryptedPackage".encode("utf-16-le") in raw:
            problems.fail(None, None, None, "the workbook is password-protected, cannot be "
                          "read: save a copy without a password")
        problems.fail(None, None, None, "an old Excel (.xls) or other Office file: save "
                      "the sheet as .xlsx or CSV")
    if path.suffix.lower() in (".xls", ".ods", ".xlsb"):
        problems.fail(None, None, None, f"{path.suffix} files cannot be read: save the sheet "
                      "as .xlsx or CSV")
    return _read_csv(path.name, raw, problems)


_CODECS = {"UTF-8 with BOM": "utf-8-sig", "UTF-16": "utf-16", "UTF-8": "utf-8",
           "Windows-1252/Latin-1": "cp1252", "Latin-1": "latin-1"}


def _decode_as(raw: bytes, encoding: str) -> str:
    return raw.decode(_CODECS[encoding])


def _file_encoding(path: Path, block: int) -> str:
    """The encoding of a whole file, decided as ``_decode`` does but without holding
    the file: a UTF-8 file must be valid UTF-8 to its last byte."""
    import codecs

    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(b"\xef\xbb\xbf"):
            name, codec = "UTF-8 with BOM", "utf-8-sig"
        else:
            name, codec = "UTF-8", "utf-8"
        f.seek(0)
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            while chunk := f.read(block):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return name
        except UnicodeDecodeError:
            pass
        f.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := f.read(block):
                decoder.decode(chunk)
            return "Windows-1252/Latin-1"
        except UnicodeDecodeError:
            return "Latin-1"


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


CHUNK_BYTES = 8 * 2**20  # of CSV read at a time: about 150,000 rows of a long file


def csv_in_chunks(path: Path) -> bool:
    """Whether ``read_table_chunks`` reads ``path`` in parts: a CSV file large enough to
    matter. UTF-16 files are read whole (their line breaks are two bytes)."""
    if path.stat().st_size <= CHUNK_BYTES:
        return False
    with path.open("rb") as f:
        head = f.read(8)
    return not head.startswith((b"PK\x03\x04", OLE_MAGIC, b"\xff\xfe", b"\xfe\xff"))


def read_table_chunks(path: str | Path, chunk_bytes: int | None = None
                      ) -> Iterator[tuple[Table, float]]:
    """A CSV file as a sequence of Tables with the same header, each holding the next
    rows (numbered as in the whole file), so memory stays bounded whatever the size;
    each with the fraction of the file read so far. Other files are one Table.

    Parts end at a line break outside quotes (an even number of '"' before it), so a
    quoted field holding a line break is never cut. Raises ImportFailed as read_table.
    """
    path = Path(path)
    if not csv_in_chunks(path):
        yield read_table(path), 1.0
        return
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    size = path.stat().st_size
    problems = Problems(path.name)
    encoding = _file_encoding(path, chunk_bytes)
    header_line = b""
    first_row = 2
    with path.open("rb") as f:
        pending = b""
        while True:
            block = f.read(chunk_bytes)
            data = pending + block
            if not data:
                break
            cut = len(data) if not block else _last_record_end(data)
            if cut is None:  # no line break outside quotes yet: read on
                if len(data) > MAX_LINE_BYTES:
                    # One row of megabytes (or a quote never closed): not a table, and
                    # reading on would hold the whole file.
                    problems.fail(first_row - (0 if header_line else 1), None, None,
                                  f"the row is over {MAX_LINE_BYTES:,} bytes long (or a quote "
                                  "is left open): not a table")
                pending = data
                continue
            part, pending = data[:cut], data[cut:]
            if not header_line:
                part = part.lstrip(b"\r\n")
                header_end = _last_record_end(part, first=True)
                header_line, part = part[:header_end], part[header_end:]
            if not part.strip():
                first_row += part.count(b"\n")
                continue
            table = _read_csv(path.name, header_line + part, problems, encoding=encoding,
                              first_row=first_row)
            first_row += _records(part)
            yield table, f.tell() / size


def _quotes_before(data: bytes, positions: np.ndarray) -> np.ndarray:
    """How many '"' precede each position (by position, not a per-byte running count:
    a part is megabytes and holds few quotes)."""
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 34)
    return np.searchsorted(quotes, positions)


def _last_record_end(data: bytes, first: bool = False) -> int | None:
    """Just after the last (or the first) line break outside quotes; None if none."""
    if b'"' not in data:
        at = data.find(b"\n") if first else data.rfind(b"\n")
        return None if at < 0 else at + 1
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    outside = newlines[_quotes_before(data, newlines) % 2 == 0]
    if not len(outside):
        return None
    return int(outside[0 if first else -1]) + 1


def _records(part: bytes) -> int:
    """Rows in a part that ends at a record's end: line breaks outside quotes."""
    tail = 0 if part.endswith(b"\n") else 1
    if b'"' not in part:
        return part.count(b"\n") + tail
    newlines = np.flatnonzero(np.frombuffer(part, dtype=np.uint8) == 10)
    return int((_quotes_before(part, newlines) % 2 == 0).sum()) + tail


def _mostly_controls(sample: str) -> bool:
    """Binary junk decodes as Latin-1 without error; what gives it away is control
    characters, which text has at most a few of (a stray escape in a value)."""
    controls = sum(1 for c in sample if c < " " and c not in "\t\r\n\f")
    return controls > max(8, len(sample) // 100)


def _sniff_separator(first_line: str) -> str:
    """Tab, then semicolon, then comma: a header seldom holds a tab or ';' by accident,
    while ',' may sit inside a name ('CRP, mg/L') of a semicolon file."""
    outside_quotes = first_line.split('"')[::2]
    text = "".join(outside_quotes)
    for sep in ("\t", ";"):
        if sep in text:
            return sep
    return ","


def _read_csv(name: str, raw: bytes, problems: Problems, *, encoding: str | None = None,
              first_row: int = 2) -> Table:
    """``raw`` is the header line and the rows; with ``encoding`` given (a later part of
    a file read in chunks) it is not sniffed again, and ``first_row`` numbers the rows."""
    try:
        text, encoding = _decode(raw) if encoding is None else (_decode_as(raw, encoding),
                                                                 encoding)
    except UnicodeDecodeError:
        problems.fail(None, None, None, "the file is not text (unreadable encoding)")
    if "\x00" in text or _mostly_controls(text[:65536]):
        problems.fail(None, None, None, "the file is not text: save it as CSV or .xlsx")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # old Mac line endings
    text = text.lstrip("\r\n")
    sep = _sniff_separator(text.split("\n", 1)[0])
    counts = _field_counts(text, sep, problems)
    width = int(counts.max())
    if width > MAX_COLUMNS:
        row = int(np.argmax(counts)) + 1
        problems.fail(row, None, None, f"the row has {width:,} fields (at most {MAX_COLUMNS})")
    df = pd.read_csv(io.StringIO(text), sep=sep, header=None, names=list(range(width)),
                     dtype=str, keep_default_na=False, skip_blank_lines=False,
                     quotechar='"', engine="c")
    if len(df) != len(counts):
        problems.fail(None, None, None, "the file's rows could not be told apart "
                      "(a quote left open?)")
    header = [str(h).strip() for h in df.iloc[0, : max(int(counts[0]), 1)]]
    data = df.iloc[1:]
    data.index = pd.RangeIndex(first_row, first_row + len(df) - 1)
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
    if len(lengths) and lengths.max() > MAX_LINE_BYTES:
        row = int(np.argmax(lengths)) + 1
        problems.fail(row, None, None, f"the row is {int(lengths.max()):,} bytes long (at "
                      f"most {MAX_LINE_BYTES:,}): not a table")
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
    if isinstance(value, bool):  # as Excel writes it in a CSV: a yes/no word, not 1 or 0
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()


def _sheet_has_formulas(book, sheet) -> bool:
    """Whether the sheet's XML holds a formula element, scanned without parsing it."""
    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    tail = b""
    with book._archive.open(sheet._worksheet_path) as src:  # openpyxl keeps the path here
        while chunk := src.read(1 << 20):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _open_workbook(path: Path, problems: Problems, *, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        problems.fail(None, None, None, f"not a readable .xlsx workbook ({_one_line(exc)})")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _check_archive(path: Path, problems: Problems) -> None:
    """Refuse a workbook whose parts inflate beyond what a lab export needs (a zip bomb):
    openpyxl loads the shared strings whole."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.file_size > MAX_XLSX_PART:
                    problems.fail(None, None, None, f"the workbook part {info.filename} "
                                  f"unpacks to {info.file_size // 2**20:,} MB (at most "
                                  f"{MAX_XLSX_PART // 2**20:,} MB): too large to be read")
    except zipfile.BadZipFile as exc:
        problems.fail(None, None, None, f"not a readable .xlsx workbook ({_one_line(exc)})")


def _sheet_rows(rows_in, problems: Problems
                ) -> tuple[list[list[str]], list[int], list[tuple[int, int]]]:
    """Cell texts from the first non-empty row on, their row numbers, and the cells
    (row, column index) holding a formula without a stored result.

    ``rows_in`` yields (values,) or, for a sheet with formulas, (values, formulas)."""
    from openpyxl.utils import get_column_letter

    rows: list[list[str]] = []
    numbers: list[int] = []
    uncomputed: list[tuple[int, int]] = []
    for number, pair in enumerate(rows_in, start=1):
        if number > MAX_XLSX_ROWS:
            problems.fail(None, None, None, f"the sheet has more than {MAX_XLSX_ROWS:,} rows")
        row = pair[0]
        if len(pair) > 1:
            for i, (value, formula) in enumerate(zip(row, pair[1], strict=False)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    uncomputed.append((number, i))
        texts = [_cell_text(v) for v in row]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            problems.fail(number, None, None,
                          f"a cell in column {get_column_letter(len(texts))}, beyond column "
                          f"{get_column_letter(MAX_COLUMNS)} (at most {MAX_COLUMNS} columns)")
        if texts or rows:
            rows.append(texts)
            numbers.append(number)
    return rows, numbers, uncomputed


def _read_xlsx(path: Path, problems: Problems) -> Table:
    from openpyxl.utils import get_column_letter

    _check_archive(path, problems)
    book = _open_workbook(path, problems, data_only=True)
    formulas = None
    try:
        if not book.worksheets:
            problems.fail(None, None, None, "the workbook has no sheet")
        sheet = book.worksheets[0]
        title = sheet.title
        # The declared dimension (<dimension ref="A1:XFD1048576"/>) is the writer's
        # claim, not the data: trusting it pads every row to 16,384 cells.
        sheet.reset_dimensions()
        sources = [sheet.iter_rows(values_only=True)]
        if _sheet_has_formulas(book, sheet):
            formulas = _open_workbook(path, problems, data_only=False)
            formula_sheet = formulas.worksheets[0]
            formula_sheet.reset_dimensions()
            sources.append(formula_sheet.iter_rows(values_only=True))
        try:
            rows, numbers, uncomputed = _sheet_rows(zip(*sources, strict=False), problems)
        finally:
            for source in sources:  # each holds the sheet's part of the archive open
                source.close()
    finally:
        book.close()
        if formulas is not None:
            formulas.close()
    if uncomputed:
        header = rows[0] if rows else []
        for number, i in uncomputed:
            name = header[i] if header and number != numbers[0] and i < len(header) else None
            problems.add(number, name or f"(column {get_column_letter(i + 1)})", None,
                         f"a formula without a computed value in cell "
                         f"{get_column_letter(i + 1)}{number}: open the workbook in Excel "
                         "or LibreOffice and save it (or paste the values), so the results "
                         "are stored")
        problems.raise_if_any()
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
    return Table(path.name, header, data, f"Excel workbook, sheet {title!r}")
