"""What went wrong in a file, said so the user can find it: file, row, column, value, reason.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.importing.safe_text import printable

# The message lists this many problems, then says how many more there are.
REPORT_CAP = 50
# Beyond this many, problems are only counted: a 200,000-row file of garbage must not
# build 200,000 objects to show 50 of them.
KEEP_CAP = 1000


@dataclass(frozen=True)
class ImportProblem:
    file: str
    row: int | None  # spreadsheet row (header = 1); None when the whole file is at fault
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        # Everything from the file is escaped: a value may hold terminal escapes or a
        # right-to-left override that would garble the line it is shown in.
        where = [printable(self.file)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{_short(printable(self.column))}"')
        if self.value is not None:
            where.append(f'value "{_short(printable(self.value))}"')
        return f"{', '.join(where)}: {printable(self.reason)}"


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written. ``problems`` says why."""

    def __init__(self, file: str, problems: list[ImportProblem], total: int | None = None):
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.row or 0))
        self.total = max(total or 0, len(problems))
        super().__init__(self.report())

    def report(self, cap: int = REPORT_CAP) -> str:
        if self.total == 1 and len(self.problems) == 1:
            return f"{self.problems[0]}; nothing was imported"
        lines = [f"{printable(self.file)}: {self.total} problems, nothing was imported"]
        lines += [f"  {p}" for p in self.problems[:cap]]
        more = self.total - min(cap, len(self.problems))
        if more > 0:
            lines.append(f"  … and {more} more")
        return "\n".join(lines)


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


class Problems:
    """Collects every problem of one file, then raises them all at once."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[ImportProblem] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, row: int | None, column: str | None, value: object, reason: str) -> None:
        self.total += 1
        if len(self.items) < KEEP_CAP:
            text = None if value is None else str(value)
            self.items.append(ImportProblem(self.file, row, column, text, reason))

    def add_rows(self, rows: np.ndarray, column: str | np.ndarray | None,
                 values: Sequence[object] | pd.Series | None, reason: str | np.ndarray,
                 mask: np.ndarray | None = None) -> None:
        """One problem per row (those selected by ``mask``). ``column``, ``values`` and
        ``reason`` are either one for all rows or aligned with ``rows``."""
        rows = np.asarray(rows)
        idx = np.flatnonzero(mask) if mask is not None else np.arange(len(rows))
        if not len(idx):
            return
        self.total += len(idx)
        room = max(0, KEEP_CAP - len(self.items))
        if isinstance(values, pd.Series):
            values = values.to_numpy(dtype=object)
        for i in idx[:room].tolist():
            value = None if values is None else values[i]
            problem = ImportProblem(
                self.file, int(rows[i]),
                column if column is None or isinstance(column, str) else str(column[i]),
                None if value is None else str(value),
                reason if isinstance(reason, str) else str(reason[i]),
            )
            if self.items and self.items[-1] == problem:
                # A wide row with a bad date would otherwise say so once per value.
                self.total -= 1
                continue
            self.items.append(problem)

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportFailed(self.file, self.items, self.total)

    def fail(self, row: int | None, column: str | None, value: object, reason: str) -> None:
        """Add one problem and raise everything collected so far."""
        self.add(row, column, value, reason)
        self.raise_if_any()
