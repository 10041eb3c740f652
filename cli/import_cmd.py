"""`flarescope import FILE`: import a lab export, diary or dosing file, all or nothing.

Exit 0 printing what was added (and skipped); exit 1 printing every problem found, with
nothing written. See docs/IMPORT.md for the accepted shapes.
"""

from __future__ import annotations

import argparse
import sys

EXIT_PROBLEMS = 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="import a CSV or .xlsx file (lab values, diary, dosing)",
        description="Import a CSV or .xlsx file: long (one value per row), wide (a date "
        "column and one column per analyte or symptom) or dosing (drug, dose, unit, start, "
        "end, route). Any problem imports nothing. See docs/IMPORT.md.",
    )
    p.add_argument("file", metavar="FILE", help="the .csv or .xlsx file")
    p.add_argument("--patient", metavar="P",
                   help="pseudonym of the patient, for files without a patient column "
                   "(created if not in the database yet)")
    p.add_argument("--map", metavar="COLUMN=CODE", action="append", default=[],
                   help="map a column (or code) name the synonym table does not know to a "
                   "code, e.g. --map 'IL-1b secretion=IL1B'; CODE '-' leaves the column "
                   "out; repeatable")
    p.add_argument("--specimen", metavar="S",
                   help="specimen of the cytokine values the file names none for: serum, "
                   "pbmc_spont, pbmc_lps or unspecified (default: the one chosen for the "
                   "same column before, else unspecified)")
    p.add_argument("--dry-run", action="store_true",
                   help="check the file and say what would be added, writing nothing")
    p.add_argument("--corrections", action="store_true",
                   help="the file is the lab's corrected report: a value stored already "
                   "with another value is replaced (each replacement is audited with what "
                   "it was) instead of refusing the file")
    p.set_defaults(run=run)


def parse_mapping(items: list[str]) -> dict[str, str]:
    from cli.common import CommandError
    from data.codes import ANALYTES
    from data.importing.synonyms import IGNORE

    mapping: dict[str, str] = {}
    for item in items:
        name, sep, code = item.rpartition("=")
        code = code.strip().upper()
        if not sep or not name.strip():
            raise CommandError(f"--map {item!r}: write COLUMN=CODE")
        if code != IGNORE and code not in ANALYTES:
            raise CommandError(f"--map {item!r}: unknown code {code!r}; codes: "
                               f"{', '.join(ANALYTES)}, or '-' to leave the column out")
        mapping[name.strip()] = code
    return mapping


def parse_specimen(text: str | None) -> str | None:
    from cli.common import CommandError
    from data.importing.synonyms import import_specimen

    if text is None:
        return None
    code = import_specimen(text)
    if code is None:
        raise CommandError(f"--specimen {text!r}: write serum, pbmc_spont, pbmc_lps or "
                           "unspecified")
    return code


def run(args: argparse.Namespace) -> int:
    from cli.common import input_file, open_db
    from data.importing import ImportFailed, Options, commit_plans, iter_plans
    from data.importing.safe_text import printable
    from data.importing.store import remembered_mapping, remembered_specimens

    path = input_file(args.file)
    user_mapping = parse_mapping(args.map)
    specimen = parse_specimen(args.specimen)
    # A new database gets no demo cohort: it is about to hold real cases.
    engine = open_db(args, with_demo=False)
    try:
        options = Options(patient=args.patient,
                          mapping={**remembered_mapping(engine), **user_mapping},
                          specimen=specimen, column_specimens=remembered_specimens(engine))
        try:
            result = commit_plans(engine, iter_plans(path, options), dry_run=args.dry_run,
                                  corrections=args.corrections)
        except ImportFailed as failed:
            print(failed.report(), file=sys.stderr)
            return EXIT_PROBLEMS
        print(printable(f"{result.file}: {result.shape} file ({result.description})"))
        for line in result.summary:
            print(f"  {line}")
        for line in result.lines():
            print(line)
        return 0
    finally:
        engine.dispose()
