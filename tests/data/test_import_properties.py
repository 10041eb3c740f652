"""Property-based: generated files in every accepted dialect import the right values;
the same files broken in one place are refused, naming the broken row, and leave the
database exactly as it was (compared by a full dump)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.importing import ImportFailed, import_file
from tests.data.test_import_helpers import FILES, dump, stored

# code, unit as written, factor to the stored unit, value range (in hundredths)
SERIES = [
    ("IL1B", "pg/mL", 1.0, (0, 10_000_000)),
    ("IL1B", "ng/mL", 1000.0, (0, 100_000)),
    ("IL6", "pg/mL", 1.0, (0, 1_000_000)),
    ("CRP", "mg/L", 1.0, (0, 50_000)),
    ("CRP", "mg/dL", 10.0, (0, 5_000)),
    ("SAA", "mg/L", 1.0, (0, 200_000)),
    ("TEMP", "°C", 1.0, (3_500, 4_150)),
    ("SX_FEVER", "", 1.0, (0, 1)),
]
SEPARATORS = [",", ";", "\t"]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1"]
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@dataclass
class Dialect:
    sep: str
    encoding: str
    decimal_comma: bool
    day_first: bool

    def number(self, hundredths: int, code: str) -> str:
        if code == "SX_FEVER":
            return str(hundredths)
        text = f"{hundredths / 100:.2f}"
        return text.replace(".", ",") if self.decimal_comma else text

    def date(self, day: int, hour: int) -> str:
        d = f"{1 + day % 28:02d}", f"{1 + day // 28 % 12:02d}", str(2020 + day // 336)
        time = f" {hour:02d}:15" if hour else ""
        return f"{d[0]}/{d[1]}/{d[2]}{time}" if self.day_first else f"{d[2]}-{d[1]}-{d[0]}{time}"


@st.composite
def dialects(draw) -> Dialect:
    sep = draw(st.sampled_from(SEPARATORS))
    return Dialect(sep, draw(st.sampled_from(ENCODINGS)),
                   sep != "," and draw(st.booleans()), draw(st.booleans()))


@dataclass
class LongFile:
    dialect: Dialect
    header: list[str]
    rows: list[list[str]]
    expected: list[tuple]  # (time 'YYYY-MM-DD HH:MM', code, value, censor)

    def text(self) -> str:
        lines = [self.header, *self.rows]
        return "".join(self.dialect.sep.join(line) + "\n" for line in lines)

    def write(self, path) -> None:
        path.write_bytes(self.text().encode(self.dialect.encoding))


@st.composite
def long_files(draw, patient: str = "H-01") -> LongFile:
    dialect = draw(dialects())
    n = draw(st.integers(1, 12))
    days = sorted(draw(st.lists(st.integers(0, 2000), min_size=n, max_size=n, unique=True)))
    header = [draw(st.sampled_from(["patient", "Patient", "pseudonyme"])),
              draw(st.sampled_from(["date", "Date de prélèvement", "Sampling date"])),
              draw(st.sampled_from(["code", "analyte", "Paramètre"])),
              draw(st.sampled_from(["value", "Résultat"])),
              draw(st.sampled_from(["unit", "Unité"]))]
    rows, expected = [], []
    for day in days:
        code, unit, factor, (low, high) = draw(st.sampled_from(SERIES))
        hundredths = draw(st.integers(low, high))
        hour = draw(st.sampled_from([0, 8, 17]))
        censored = code not in ("SX_FEVER", "TEMP") and draw(st.booleans()) and \
            draw(st.booleans())
        value = dialect.number(hundredths, code)
        rows.append([patient, dialect.date(day, hour), code,
                     ("<" if censored else "") + value, unit])
        stored_value = hundredths * factor / (1 if code == "SX_FEVER" else 100)
        minute = 15 if hour else 0
        date = dialect.date(day, 0)
        iso = date if not dialect.day_first else "-".join(reversed(date.split("/")))
        expected.append((f"{iso} {hour:02d}:{minute:02d}", code, stored_value,
                         "<" if censored else ""))
    return LongFile(dialect, header, rows, expected)


@pytest.fixture
def seeded(engine):
    """A database that already holds a case, so 'unchanged' is not trivially true."""
    import_file(engine, FILES / "lab_long.csv")
    return engine


_patients = itertools.count()


@PROPERTY
@given(data=st.data())
def test_generated_long_files_import_the_right_values(seeded, tmp_path, data):
    name = f"GEN-{next(_patients)}"
    file = data.draw(long_files(patient=name))
    path = tmp_path / "generated.csv"
    file.write(path)
    result = import_file(seeded, path)
    assert result.observations_added == len(file.rows)
    got = stored(seeded, name)
    want = sorted(file.expected)
    assert [(r.time, r.code, r.censor) for r in got.itertuples()] == \
        [(t, c, s) for t, c, _, s in want]
    assert got["value"].tolist() == pytest.approx([v for _, _, v, _ in want], rel=1e-12)


NOT_NUMBERS = st.text(alphabet="bcdhkqz#%", min_size=1, max_size=6)
IMPOSSIBLE_DATES = st.sampled_from(["2026-02-30", "31/04/2026", "2026-13-01", "00/01/2026",
                                    "11/24/2026", "2026-00-10", "29/02/2025"])
UNKNOWN_UNITS = st.sampled_from(["mmol/L", "IU/mL", "furlong", "pg", "%"])


def _break(file: LongFile, draw) -> int | None:
    """Break the file in one place; returns the spreadsheet row the error must name."""
    kind = draw(st.sampled_from(["truncate", "not_a_number", "impossible_date", "unknown_unit",
                                 "extra_field", "duplicated_header", "unknown_code",
                                 "missing_column", "open_quote"]))
    i = draw(st.integers(0, len(file.rows) - 1))
    row = file.rows[i]
    if kind == "truncate":
        del row[draw(st.integers(1, len(row) - 1)):]
    elif kind == "not_a_number":
        row[3] = draw(NOT_NUMBERS)
    elif kind == "impossible_date":
        row[1] = draw(IMPOSSIBLE_DATES)
    elif kind == "unknown_unit":
        row[4] = draw(UNKNOWN_UNITS)
    elif kind == "extra_field":
        row.append("x")
    elif kind == "unknown_code":
        row[2] = draw(st.sampled_from(["IL99", "CRPP", "Ferritin"]))
    elif kind == "duplicated_header":
        j = draw(st.integers(0, len(file.header) - 1))
        file.header.append(file.header[j])
        for r in file.rows:
            r.append(r[j])
        return 1
    elif kind == "missing_column":
        j = draw(st.sampled_from([1, 2, 3]))  # date, code or value
        del file.header[j]
        for r in file.rows:
            del r[j]
        return None
    else:
        row[3] = '"' + row[3]
        return -1  # some row from here on: the quote swallows the rest of the file
    return i + 2


@PROPERTY
@given(data=st.data())
def test_broken_files_are_refused_naming_the_row_and_write_nothing(seeded, tmp_path, data):
    before = dump(seeded)
    file = data.draw(long_files())
    row = _break(file, data.draw)
    path = tmp_path / "broken.csv"
    file.write(path)
    with pytest.raises(ImportFailed) as failed:
        import_file(seeded, path)
    rows = [p.row for p in failed.value.problems]
    if row == -1:
        assert rows and rows[0] is not None
    else:
        assert row in rows, failed.value.report()
    assert "nothing was imported" in failed.value.report().splitlines()[0]
    assert dump(seeded) == before


WIDE_COLUMNS = [("IL-1β (pg/mL)", "IL1B"), ("IL1B pg/ml", "IL1B"), ("IL6", "IL6"),
                ("CRP (mg/dL)", "CRP"), ("C-reactive protein", "CRP"), ("SAA mg/L", "SAA"),
                ("Fièvre", "SX_FEVER")]


@st.composite
def broken_wide_files(draw) -> tuple[str, Dialect, int]:
    dialect = draw(dialects())
    columns = draw(st.lists(st.sampled_from(WIDE_COLUMNS), min_size=1, max_size=4,
                            unique_by=lambda c: c[1]))
    header = ["date", *(name for name, _ in columns)]
    rows = [[dialect.date(day, 0), *("1" for _ in columns)] for day in range(1, 6)]
    kind = draw(st.sampled_from(["duplicated", "unit", "cell", "date", "truncate"]))
    i = draw(st.integers(0, len(rows) - 1))
    j = draw(st.integers(1, len(columns)))
    expected = i + 2
    if kind == "duplicated":
        same = [name for name, code in WIDE_COLUMNS if code == columns[j - 1][1]]
        header.append(draw(st.sampled_from(same)))
        for r in rows:
            r.append("1")
        expected = 1
    elif kind == "unit":
        header[j] = f"{columns[j - 1][0].split(' ')[0]} ({draw(UNKNOWN_UNITS)})"
        expected = 1
    elif kind == "cell":
        rows[i][j] = draw(NOT_NUMBERS)
    elif kind == "date":
        rows[i][0] = draw(IMPOSSIBLE_DATES)
    else:
        del rows[i][draw(st.integers(1, len(rows[i]) - 1)):]
    text = "".join(dialect.sep.join(line) + "\n" for line in [header, *rows])
    return text, dialect, expected


@PROPERTY
@given(case=broken_wide_files())
def test_broken_wide_files_are_refused_and_write_nothing(seeded, tmp_path, case):
    text, dialect, row = case
    before = dump(seeded)
    path = tmp_path / "wide.csv"
    if dialect.encoding == "latin-1":
        text = text.replace("β", "ß")  # as Latin-1 exports write it
    path.write_bytes(text.encode(dialect.encoding))
    with pytest.raises(ImportFailed) as failed:
        import_file(seeded, path, patient="TEST-01")
    assert row in [p.row for p in failed.value.problems], failed.value.report()
    assert dump(seeded) == before
