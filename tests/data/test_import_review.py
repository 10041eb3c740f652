"""Review findings on the importers: numbers written as everywhere else, dosing dates
with a zone, and re-imported values that differ from the stored ones."""

from __future__ import annotations

import pytest

from data.importing import ImportFailed, import_file


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_row_message_writes_the_value_without_scientific_notation(engine, tmp_path):
    path = _write(tmp_path, "dup.csv", "date,code,value\n"
                  "2026-01-01,IL1B,1234567\n2026-01-01,IL1B,<2345678\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(engine, path, patient="P-01")
    (problem,) = failed.value.problems
    assert problem.row == 3 and problem.value == "<2345678"
    assert "another IL1B value" in problem.reason
