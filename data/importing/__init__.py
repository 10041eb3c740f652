"""Importing lab exports, diaries and dosing files (CSV, .xlsx), all or nothing.

``build_plan`` parses and validates a whole file into an ImportPlan (raising ImportFailed
with every problem found); ``commit_plan`` writes a plan in one transaction.
``import_file`` checks and writes a file part by part (``iter_plans``, ``commit_plans``),
in one transaction, so memory stays bounded for files of millions of rows. The
accepted shapes are documented in docs/IMPORT.md.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from data.importing.commit import ImportResult, commit_plan, commit_plans
from data.importing.context import Options
from data.importing.errors import ImportCancelled, ImportFailed, ImportProblem
from data.importing.plan import ImportPlan, build_plan, iter_plans
from data.importing.store import remembered_mapping, remembered_specimens

__all__ = ["ImportCancelled", "ImportFailed", "ImportPlan", "ImportProblem", "ImportResult",
           "commit_plans", "iter_plans",
           "Options", "build_plan", "commit_plan", "import_file"]


def import_file(engine: Engine, path: str | Path, *, patient: str | None = None,
                mapping: dict[str, str] | None = None, dry_run: bool = False,
                actor: str | None = None, specimen: str | None = None) -> ImportResult:
    """Check and import one file. ``mapping`` adds to the mappings remembered from the
    wizard; ``specimen`` (a code, '' for unspecified) is that of the cytokine values the
    file names none for, else the one remembered for their column applies. Raises
    ImportFailed listing every problem; nothing is written then."""
    options = Options(patient=patient, mapping={**remembered_mapping(engine), **(mapping or {})},
                      specimen=specimen, column_specimens=remembered_specimens(engine))
    return commit_plans(engine, iter_plans(path, options), dry_run=dry_run, actor=actor)
