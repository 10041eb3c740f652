"""Files of millions of rows are read, checked and written part by part in one
transaction (issue 12, streaming import): memory is bounded by the part, and the
all-or-nothing rule, the row numbers and the problem list are those of the whole file."""

from __future__ import annotations

import pytest

import data.importing.readers as readers
from data.importing import ImportFailed, import_file
from data.importing.errors import REPORT_CAP
from tests.data.test_import_helpers import dump, stored, value_of

HEADER = "patient,date,code,value,unit,specimen\n"


def long_rows(n: int, start_day: int = 0) -> str:
    return "".join(f"P-{i % 3},2026-01-01T00:{i % 60:02d},CRP,{i % 97},mg/L,serum\n"
                   .replace("2026-01-01", f"20{10 + (start_day + i // 60) // 365:02d}-"
                            f"{1 + ((start_day + i // 60) // 28) % 12:02d}-"
                            f"{1 + (start_day + i // 60) % 28:02d}")
                   for i in range(n))


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 4 kB, and a record of every part read."""
    parts = []
    monkeypatch.setattr(readers, "CHUNK_BYTES", 4096)
    real = readers.read_table_chunks

    def spy(path, chunk_bytes=None):
        for table, done in real(path, chunk_bytes):
            parts.append(len(table.data))
            yield table, done

    monkeypatch.setattr("data.importing.plan.read_table_chunks", spy)
    return parts


def test_a_large_file_is_read_in_parts_and_stored_whole(engine, tmp_path, small_parts):
    path = tmp_path / "big.csv"
    path.write_text(HEADER + long_rows(3000))
    result = import_file(engine, path)
    assert len(small_parts) > 10 and max(small_parts) < 200
    assert sum(small_parts) == 3000
    assert result.observations_added == 3000
    assert sorted(result.patients_created) == ["P-0", "P-1", "P-2"]
    assert result.summary == ["CRP (CRP): 3000 values"]
    assert len(stored(engine, "P-1")) == 1000
    again = import_file(engine, path)
    assert (again.observations_added, again.observations_skipped) == (0, 3000)


def test_problems_of_every_part_are_listed_with_their_rows_and_nothing_is_written(
        engine, tmp_path, small_parts):
    lines = (HEADER + long_rows(3000)).splitlines(keepends=True)
    bad_rows = [5, 1500, 2999]  # spreadsheet rows: the header is row 1
    for row in bad_rows:
        lines[row - 1] = lines[row - 1].replace(",mg/L,", ",mmol/L,")
    path = tmp_path / "bad.csv"
    path.write_text("".join(lines))
    before = dump(engine)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path)
    assert [p.row for p in failed.value.problems] == bad_rows
    assert all(p.column == "unit" and p.value == "mmol/L" for p in failed.value.problems)
    assert dump(engine) == before


def test_the_problem_list_is_capped(engine, tmp_path, small_parts):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + long_rows(3000).replace(",mg/L,", ",mmol/L,"))
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path)
    report = failed.value.report().splitlines()
    assert report[0] == "bad.csv: 3000 problems, nothing was imported"
    assert len(report) == REPORT_CAP + 2 and report[-1] == f"  … and {3000 - REPORT_CAP} more"


def test_a_clash_with_stored_values_in_a_later_part_writes_nothing(engine, tmp_path,
                                                                   small_parts):
    path = tmp_path / "big.csv"
    text = HEADER + long_rows(3000)
    path.write_text(text)
    import_file(engine, path)
    lines = text.splitlines(keepends=True)
    lines[2800] = lines[2800].replace(",CRP,", ",CRP,1000")  # another value, row 2801
    path.write_text("".join(lines))
    before = dump(engine)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path)
    assert [p.row for p in failed.value.problems] == [2801]
    assert "differs from the stored value" in failed.value.report()
    assert dump(engine) == before


def test_quoted_line_breaks_across_parts_and_row_numbers(engine, tmp_path, small_parts):
    rows = long_rows(2000).splitlines(keepends=True)
    # A quoted comment with line breaks every 100 rows: a part must not end inside it.
    header = HEADER.replace("specimen\n", "specimen,comment\n")
    body = "".join(r.rstrip("\n") + (',"line one\nline two, still the comment"\n'
                                     if i % 100 == 0 else ",\n") for i, r in enumerate(rows))
    lines = body.split("\n")
    path = tmp_path / "quoted.csv"
    path.write_text(header + body)
    result = import_file(engine, path)
    assert result.observations_added == 2000
    # The last row keeps its spreadsheet number: a wrong value there is row 2001.
    bad = header + body[: body.rstrip("\n").rfind("\n") + 1] + lines[-2].replace(
        ",serum,", ",plasma,") + "\n"
    path.write_text(bad)
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path)
    assert [p.row for p in failed.value.problems] == [2001]


def test_a_small_file_is_one_part(engine, tmp_path, small_parts):
    path = tmp_path / "small.csv"
    path.write_text(HEADER + "S-1,2026-01-05,CRP,4,mg/L,serum\n")
    import_file(engine, path)
    assert small_parts == [1]
    assert value_of(stored(engine, "S-1"), "2026-01-05 00:00", "CRP") == (4.0, "")
