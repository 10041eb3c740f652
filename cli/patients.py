"""`flarescope patients`: import a patient file, set and show a patient's details.

    patients import FILE [--dry-run]     all or nothing, problems by file/row/column
    patients set CASE --diagnosis … --sex F --birth-year 1990 --onset-age 4 --genotype …
    patients set CASE --weight KG --weight-date YYYY-MM-DD[THH:MM]   add or correct a weighing
    patients set CASE --remove-weight-date YYYY-MM-DD
    patients show CASE [--identifying]

An empty value clears a field (``--genotype ''``). Every change is audited and guarded
by the patient's version, as an edit in the window is.
"""

from __future__ import annotations

import argparse
import sys

EXIT_PROBLEMS = 1
# Option → stored field, in the order `show` prints them.
OPTIONS = (("pseudonym", "new pseudonym"), ("diagnosis", "diagnosis"),
           ("sex", "F, M or X (unknown/other)"), ("birth_year", "e.g. 1990"),
           ("onset_age", "age at onset in years, e.g. 4 or 0.5"),
           ("genotype", "e.g. 'NLRP12 c.910C>T'"))
IDENTIFYING = (("name", "the patient's name (identifying: kept apart)"),
               ("birth_date", "YYYY-MM-DD or DD/MM/YYYY (identifying)"),
               ("record_number", "hospital record number (identifying)"))


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patients", help="import, set and show patient details",
                       description="Patient details: diagnosis, sex, birth year, genotype, "
                       "identifying fields (kept apart) and weights. See docs/IMPORT.md.")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    imp = verbs.add_parser("import", help="import a patient file (CSV or .xlsx)",
                           description="One row per patient: pseudonym, diagnosis, sex, "
                           "birth_year, onset_age, genotype, name, birth_date, record_number, optionally "
                           "weight and weight_date (repeat the pseudonym on another row for "
                           "another weight). Any problem imports nothing.")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.set_defaults(run=run_import)

    st = verbs.add_parser("set", help="set a case's details",
                          description="Set details of CASE; an empty value clears a field. "
                          "--weight with --weight-date adds the weight of that date or "
                          "corrects it; --remove-weight-date removes one.")
    st.add_argument("case", metavar="CASE", help="the case's pseudonym")
    for field, help_ in OPTIONS + IDENTIFYING:
        st.add_argument(f"--{field.replace('_', '-')}", dest=field, metavar="VALUE", help=help_)
    st.add_argument("--weight", metavar="KG", help="body weight in kg (with --weight-date)")
    st.add_argument("--weight-date", metavar="DATE",
                    help="the day of --weight: YYYY-MM-DD or DD/MM/YYYY, with HH:MM (UTC) "
                    "for a weighing at that time or one of two weighings of a day")
    st.add_argument("--remove-weight-date", metavar="DATE",
                    help="remove the weight recorded on DATE (with HH:MM when the day "
                    "holds several, as `patients show` lists them)")
    st.set_defaults(run=run_set)

    sh = verbs.add_parser("show", help="show a case's details")
    sh.add_argument("case", metavar="CASE", help="the case's pseudonym")
    sh.add_argument("--identifying", action="store_true",
                    help="also print name, birth date and record number")
    sh.set_defaults(run=run_show)


def run_import(args: argparse.Namespace) -> int:
    from cli.common import input_file, open_db
    from data.importing import ImportFailed
    from data.patient_file import import_lines, read_patient_file
    from db.identity import login
    from db.patients import import_patients

    path = input_file(args.file)
    engine = open_db(args, with_demo=False)
    try:
        try:
            checked = read_patient_file(path, engine=engine)
        except ImportFailed as failed:
            print(failed.report(), file=sys.stderr)
            return EXIT_PROBLEMS
        result = import_patients(engine, checked.records, actor=login(engine),
                                 source=checked.file, dry_run=args.dry_run)
        print("\n".join(import_lines(checked, result, dry_run=args.dry_run)))
        return 0
    finally:
        engine.dispose()


def _case(engine, pseudonym: str) -> int:
    from cli.common import find_patient_id

    return find_patient_id(engine, pseudonym)


def run_set(args: argparse.Namespace) -> int:
    from cli.common import CommandError, open_db
    from data.patients import PatientValueError, save_details
    from db.identity import login
    from db.patients import PatientError, get_patient

    changes = {f: getattr(args, f) for f, _ in OPTIONS + IDENTIFYING
               if getattr(args, f) is not None}
    weights = _weight_change(args)
    if weights:
        changes["weights"] = weights
    if not changes:
        raise CommandError("patients set: nothing to set (see patients set --help)")
    engine = open_db(args, with_demo=False)
    try:
        pid = _case(engine, args.case)
        version = get_patient(engine, pid)["version"]
        try:
            row = save_details(engine, pid, version, actor=login(engine), **changes)
        except (PatientValueError, PatientError) as exc:
            raise CommandError(f"{args.case}: {exc}; nothing was changed") from exc
        _print_details(row, identifying=bool(set(changes) & {f for f, _ in IDENTIFYING}))
        return 0
    finally:
        engine.dispose()


def _weight_change(args: argparse.Namespace) -> dict[str, str | None]:
    """{date as typed: kg as typed, or None to remove}; checked by save_details."""
    from cli.common import CommandError

    if (args.weight is None) != (args.weight_date is None):
        given, missing = (("--weight", "--weight-date DATE") if args.weight_date is None
                          else ("--weight-date", "--weight KG"))
        raise CommandError(f"patients set: {given} needs {missing}; nothing was changed")
    out: dict[str, str | None] = {}
    if args.weight is not None:
        out[args.weight_date] = args.weight
    if args.remove_weight_date is not None:
        if args.remove_weight_date == args.weight_date:
            raise CommandError("patients set: --weight-date and --remove-weight-date name the "
                               "same day; nothing was changed")
        out[args.remove_weight_date] = None
    return out


def run_show(args: argparse.Namespace) -> int:
    from cli.common import open_db
    from db.patients import get_patient

    engine = open_db(args, with_demo=False)
    try:
        _print_details(get_patient(engine, _case(engine, args.case)),
                       identifying=args.identifying)
        return 0
    finally:
        engine.dispose()


def _print_details(row: dict, *, identifying: bool) -> None:
    from data.importing.safe_text import printable
    from data.patients import details_lines

    for label, text in details_lines(row, identifying=identifying):
        print(printable(f"{label:<14}{text}".rstrip()))
