"""Parse and validate a whole file into an ImportPlan. Nothing is written here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.codes import SPECIMEN_LABELS, label
from data.importing.administrations import (
    ADMINISTRATION_FRAME_COLUMNS,
    read_administrations,
)
from data.importing.columns import field_of, shape_of
from data.importing.context import Options
from data.importing.dosing import MEDICATION_FRAME_COLUMNS, read_dosing
from data.importing.errors import ImportCancelled, ImportFailed, Problems
from data.importing.long_format import open_specimen_codes, read_long, unknown_codes
from data.importing.observations import OBSERVATION_FRAME_COLUMNS
from data.importing.readers import Table, csv_in_chunks, read_table, read_table_chunks
from data.importing.safe_text import printable
from data.importing.synonyms import CHOSEN_AT_IMPORT
from data.importing.wide_format import open_specimen_columns as open_specimen_wide
from data.importing.wide_format import read_wide, unknown_columns

Progress = Callable[[float, str], None]
NO_VALUE = "the file holds no value to import"
Cancelled = Callable[[], bool]


@dataclass
class ImportPlan:
    """Everything a file will add, validated and in stored units."""

    file: str
    shape: str  # 'long', 'wide', 'dosing' or 'administrations'
    description: str
    observations: pd.DataFrame  # OBSERVATION_FRAME_COLUMNS
    medications: pd.DataFrame  # MEDICATION_FRAME_COLUMNS
    mapping: dict[str, str] = field(default_factory=dict)  # the user's, to remember
    specimen: str | None = None  # chosen at import for the whole file ('' unspecified)
    # Columns (or long-file code names) whose specimen was chosen at import → code.
    specimen_columns: dict[str, str] = field(default_factory=dict)
    administrations: pd.DataFrame = field(  # ADMINISTRATION_FRAME_COLUMNS
        default_factory=lambda: pd.DataFrame(columns=ADMINISTRATION_FRAME_COLUMNS))

    @property
    def patients(self) -> list[str]:
        names = [*self.observations["patient"].unique(), *self.medications["patient"].unique(),
                 *self.administrations["patient"].unique()]
        return sorted(set(names))

    def summary(self) -> list[str]:
        """What the file holds, one line per code or drug, for the confirm step."""
        tally = Tally()
        tally.add(self)
        return tally.lines(self)


@dataclass
class Tally:
    """What the parts of one file hold, counted as they go by."""

    codes: Counter = field(default_factory=Counter)
    drugs: Counter = field(default_factory=Counter)
    given: Counter = field(default_factory=Counter)  # administrations per drug
    open_specimens: Counter = field(default_factory=Counter)  # of CHOSEN_AT_IMPORT codes
    converted: Counter = field(default_factory=Counter)  # (file's unit, stored unit) → n
    censored: Counter = field(default_factory=Counter)  # '<' or '>' → n

    def add(self, plan: ImportPlan) -> None:
        obs = plan.observations
        self.codes.update(obs["code"].value_counts().to_dict())
        self.drugs.update(plan.medications["drug"].value_counts().to_dict())
        self.given.update(plan.administrations["drug"].value_counts().to_dict())
        self.censored.update(obs["censor"].value_counts().to_dict())
        for frame in (obs, plan.medications, plan.administrations):
            if "from_unit" in frame and len(frame):
                pairs = frame.loc[frame["from_unit"].notna(), ["from_unit", "unit"]]
                self.converted.update(Counter(map(tuple, pairs.to_numpy().tolist())))
        if plan.specimen_columns:
            chosen = obs[obs["code"].isin(list(CHOSEN_AT_IMPORT))]
            self.open_specimens.update(chosen["specimen"].value_counts().to_dict())

    def lines(self, plan: ImportPlan) -> list[str]:
        lines = [f"{label(str(code))} ({code}): {_count(n, 'value')}"
                 for code, n in sorted(self.codes.items())]
        lines += [f"{drug}: {_count(n, 'dosing period')}" for drug, n in sorted(self.drugs.items())]
        lines += [f"{drug}: {_count(n, 'administration')}" for drug, n in sorted(self.given.items())]
        # Before the user confirms: what the import changes in the numbers it was given.
        lines += [f"converted from {given} to {stored}: {_count(n, 'value')}"
                  for (given, stored), n in sorted(self.converted.items())]
        if self.censored.get("<"):
            lines.append(f"below the detection limit (<): {_count(self.censored['<'], 'value')}, "
                         "kept as censored values with their limit")
        if self.censored.get(">"):
            lines.append(f"above the upper limit (>): {_count(self.censored['>'], 'value')}, "
                         "kept as censored values with their limit")
        # Where the cytokine values the file gave no specimen for went, said plainly.
        for specimen, n in sorted(self.open_specimens.items()):
            if specimen:
                lines.append(f"specimen {SPECIMEN_LABELS.get(str(specimen), specimen)}: "
                             f"{_count(n, 'cytokine value')}")
            elif plan.specimen == "":
                lines.append(f"specimen unspecified, as chosen: {_count(n, 'cytokine value')}")
            else:
                lines.append(f"specimen unspecified: {_count(n, 'cytokine value')} (the file "
                             "names none: choose one with --specimen or in the wizard)")
        return [printable(line) for line in lines]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def shape(table: Table) -> str:
    return shape_of(table.header)


def has_patient_column(table: Table) -> bool:
    return any(field_of(h) == "patient" for h in table.header)


def unknown_names(table: Table, options: Options) -> list[str]:
    """Column names (wide) or code names (long) that must be mapped before importing."""
    kind = shape(table)
    if kind == "wide":
        return unknown_columns(table, options)
    if kind == "long":
        return unknown_codes(table, options)
    return []


def open_specimen_columns(table: Table, options: Options) -> dict[str, str]:
    """Columns (wide) or code names (long) whose cytokine values have no specimen in the
    file, so one is chosen at import → their code."""
    kind = shape(table)
    if kind == "wide":
        return open_specimen_wide(table, options)
    if kind == "long":
        return open_specimen_codes(table, options)
    return {}


def iter_plans(path: str | Path, options: Options | None = None, *,
               progress: Progress | None = None, cancelled: Cancelled | None = None
               ) -> Iterator[ImportPlan | ImportFailed]:
    """A file checked part by part (see read_table_chunks), so that a file of millions
    of rows is never held whole: a plan per part, or the ImportFailed of a part whose
    rows have problems. A file that cannot be read at all raises ImportFailed."""
    options = options or Options()
    path = Path(path)
    chunked = csv_in_chunks(path)
    first = True
    for table, done in read_table_chunks(path):
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(done, f"checking and writing {path.name}")
        if first and chunked and shape(table) in ("dosing", "administrations"):
            # Overlaps are checked across the whole file: dosing files are small.
            yield _checked(read_table(path), options, part=False)
            return
        first = False
        if chunked and table.data.empty:
            continue
        yield _checked(table, options, part=chunked)


def _checked(table: Table, options: Options, *, part: bool) -> ImportPlan | ImportFailed:
    try:
        return build_plan(table, options, part=part)
    except ImportFailed as failed:
        return failed


def build_plan(source: str | Path | Table, options: Options | None = None, *,
               progress: Progress | None = None, cancelled: Cancelled | None = None,
               part: bool = False) -> ImportPlan:
    """Read (unless given a Table) and validate a file. Raises ImportFailed listing every
    problem, or ImportCancelled. A ``part`` of a file read in chunks may hold no rows or
    no values: only the whole file must."""
    options = options or Options()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if progress is not None:
            progress(fraction, message)

    step(0.0, "reading the file")
    table = source if isinstance(source, Table) else read_table(source)
    step(0.3, "checking every value")
    problems = Problems(table.file)
    if table.data.empty and not part:
        problems.fail(None, None, None, "the file has a header but no rows of values")
    kind = shape(table)
    observations = pd.DataFrame(columns=OBSERVATION_FRAME_COLUMNS)
    medications = pd.DataFrame(columns=MEDICATION_FRAME_COLUMNS)
    administrations = pd.DataFrame(columns=ADMINISTRATION_FRAME_COLUMNS)
    if kind == "dosing":
        medications = read_dosing(table, options, problems)
    elif kind == "administrations":
        administrations = read_administrations(table, options, problems)
    elif kind == "long":
        observations = read_long(table, options, problems)
    else:
        observations = read_wide(table, options, problems)
    problems.raise_if_any()
    if observations.empty and medications.empty and administrations.empty and not part:
        problems.fail(None, None, None, NO_VALUE)
    step(1.0, "checked")
    return ImportPlan(table.file, kind, table.description, observations, medications,
                      dict(options.mapping), options.specimen,
                      open_specimen_columns(table, options), administrations)
