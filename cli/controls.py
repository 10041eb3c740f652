"""`flarescope controls import FILE` and `flarescope controls list`: the lab's
healthy-control references, from which fold over controls is computed.

An import is all or nothing (exit 1 listing every problem, nothing written); it adds one
new reference set, retiring the references it replaces. See docs/IMPORT.md.
"""

from __future__ import annotations

import argparse
import sys

EXIT_PROBLEMS = 1
LIST_COLUMNS = ("code", "specimen", "unit", "n", "mean", "sd", "range", "upper_normal", "lab",
                "assay", "batch", "date", "id", "set", "status")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "controls", help="healthy-control references: import a lab's file, list them",
        description="Healthy-control references (per analyte and specimen) that fold over "
        "controls is computed from. See docs/IMPORT.md for the file format.",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    imp = verbs.add_parser("import", help="import a control reference file (CSV or .xlsx)",
                           description="Import a control reference file: one row per "
                           "analyte and specimen (analyte, specimen, unit, n, mean, SD or "
                           "range, assay, batch, lab, date). Any problem imports nothing. "
                           "References it replaces are retired, not deleted.")
    imp.add_argument("file", metavar="FILE", help="the .csv or .xlsx file")
    imp.add_argument("--lab", help="the lab, for a file without a lab column (or empty cells)")
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and say what would change, writing nothing")
    imp.set_defaults(run=run_import)
    ls = verbs.add_parser("list", help="list the references in force (tab-separated)",
                          description="One reference per line, tab-separated, after a line "
                          "naming the reference set in force.")
    ls.add_argument("--all", action="store_true", help="retired references too")
    ls.set_defaults(run=run_list)


def run_import(args: argparse.Namespace) -> int:
    from cli.common import input_file, open_db
    from data.controls import describe, set_text, write_references
    from data.importing import ImportFailed
    from data.importing.controls_file import read_reference_file
    from db.audit import audited_transaction
    from db.controls import latest_set
    from db.identity import login

    path = input_file(args.file)
    try:
        plan = read_reference_file(path, lab=args.lab)
    except ImportFailed as failed:
        print(failed.report(), file=sys.stderr)
        return EXIT_PROBLEMS
    engine = open_db(args, with_demo=False)
    try:
        print(f"{plan.file}: control reference file ({plan.description}), "
              f"{len(plan.references)} reference(s), lab {plan.lab}")
        with audited_transaction(engine) as conn:  # waits for another writer
            set_id = write_references(conn, plan.references, actor=login(conn),
                                      action="import", source=plan.file, supersede=True)
            if args.dry_run:
                conn.rollback()
        if set_id is None:
            print("nothing changed: the references in force already say this")
        elif args.dry_run:
            print(f"dry run: would write reference set {set_id}; nothing was written")
        else:
            with engine.connect() as conn:
                s = latest_set(conn)
            print(f"wrote {set_text(s or {'id': set_id, 'lab': plan.lab})}")
        for ref in plan.references:
            print(f"  {describe(ref.row())}")
        return 0
    finally:
        engine.dispose()


def run_list(args: argparse.Namespace) -> int:
    from cli.common import open_db
    from data.controls import list_rows, set_text
    from data.importing.safe_text import printable
    from db.controls import history, latest_set

    engine = open_db(args, with_demo=False)
    try:
        with engine.connect() as conn:
            current = latest_set(conn)
        rows, _ = history(engine)
        print(printable(f"# {set_text(current)}"))
        print("\t".join(LIST_COLUMNS))
        for line in list_rows(rows, retired=args.all):
            print("\t".join(printable(line[c]) for c in LIST_COLUMNS))
        return 0
    finally:
        engine.dispose()
