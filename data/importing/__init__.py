"""Importing lab exports, diaries and dosing files (CSV, .xlsx), all or nothing.

``build_plan`` parses and validates a whole file into an ImportPlan (raising ImportFailed
with every problem found); ``commit_plan`` writes a plan in one transaction.
``import_file`` checks and writes a file part by part (``iter_plans``, ``commit_plans``),
in one transaction, so memory stays bounded for files of millions of rows. The
accepted shapes are documented in docs/IMPORT.md.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from data.importing.commit import ImportResult

# Imported when first asked for: a command that only needs data.importing.safe_text (every
# command that prints a pseudonym) paid ~0.25 s for the importer's modules it never ran.
_WHERE = {
    "ImportResult": "commit", "commit_plan": "commit", "commit_plans": "commit",
    "Options": "context", "ImportCancelled": "errors", "ImportFailed": "errors",
    "ImportProblem": "errors", "ImportPlan": "plan", "build_plan": "plan",
    "iter_plans": "plan",
}
__all__ = ["ImportCancelled", "ImportFailed", "ImportPlan", "ImportProblem", "ImportResult",
           "commit_plans", "iter_plans",
           "Options", "build_plan", "commit_plan", "import_file"]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


def import_file(engine: Engine, path: str | Path, *, patient: str | None = None,
                mapping: dict[str, str] | None = None, dry_run: bool = False,
                actor: str | None = None, specimen: str | None = None,
                corrections: bool = False) -> ImportResult:
    """Check and import one file. ``mapping`` adds to the mappings remembered from the
    wizard; ``specimen`` (a code, '' for unspecified) is that of the cytokine values the
    file names none for, else the one remembered for their column applies. With
    ``corrections`` a value stored already with another value is replaced (audited)
    instead of refused. Raises
    ImportFailed listing every problem; nothing is written then."""
    from data.importing.commit import commit_plans
    from data.importing.context import Options
    from data.importing.plan import iter_plans
    from data.importing.store import remembered_mapping, remembered_specimens

    options = Options(patient=patient, mapping={**remembered_mapping(engine), **(mapping or {})},
                      specimen=specimen, column_specimens=remembered_specimens(engine))
    return commit_plans(engine, iter_plans(path, options), dry_run=dry_run, actor=actor,
                        corrections=corrections)
