"""`flarescope suggest CASE|--all [--json]`: candidate relapses from the published
criteria, with their evidence, and how they agree with the reviewer's episodes."""

from __future__ import annotations

import argparse
import gc
import json


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if not 0 <= n <= 365:
        raise argparse.ArgumentTypeError(f"give 0 to 365 days, not {n}")
    return n


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suggest", help="suggest relapses from published criteria (--all: every case)",
        description="Apply the published relapse criteria (CAPS relapse, CLUSTER flare, AIDAI, "
                    "SAA, cytokine signal) to a case and print the candidate episodes with "
                    "their evidence, and how they agree with the reviewer's relapses and "
                    "flares. Nothing is written.")
    p.add_argument("case", metavar="CASE", nargs="?", help="pseudonym of the case")
    p.add_argument("--all", action="store_true", help="every case in the database")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--within", type=_days, default=None, metavar="DAYS",
                   help="onsets this close match a reviewer's episode (default: 14)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cli.common import CommandError, find_patient_id, open_db
    from data.importing.safe_text import printable
    from data.relapse_criteria import CriteriaSettings
    from data.suggest_agreement import MATCH_DAYS
    from data.suggest_cases import case_ids, suggest_cases
    from data.suggest_report import criteria_lines, criteria_record, text_lines

    if bool(args.case) == bool(args.all):
        raise CommandError("give one case or --all")
    within = MATCH_DAYS if args.within is None else args.within
    settings = CriteriaSettings()
    engine = open_db(args)
    # The criteria make millions of short-lived objects, freed as each case ends: with a
    # collection every 700 of them, the collector took ~0.25 s of fifty ten-year cases.
    threshold = gc.get_threshold()
    gc.set_threshold(10_000, *threshold[1:])
    try:
        ids = case_ids(engine) if args.all else [find_patient_id(engine, args.case)]
        records = suggest_cases(engine, ids, settings=settings, within_days=within)
    finally:
        gc.set_threshold(*threshold)
        engine.dispose()
    if args.json:
        doc = {"criteria": criteria_record(settings), "cases": records,
               "totals": _totals(records)}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    lines: list[str] = []
    for r in records:
        lines += [*text_lines(r), ""]
    if args.all:
        t = _totals(records)
        lines.append(f"All {t['cases']} cases: {t['suggested']} suggested, {t['matched']} "
                     f"matched, {t['missed']} missed, {t['extra']} extra")
    lines += criteria_lines(settings)
    print("\n".join(printable(line) for line in lines))
    return 0


def _totals(records: list[dict]) -> dict[str, int]:
    a = [r["agreement"] for r in records]
    return {"cases": len(records),
            "suggested": sum(len(r["suggestions"]) for r in records),
            "matched": sum(len(x["matched"]) for x in a),
            "missed": sum(len(x["missed"]) for x in a),
            "extra": sum(len(x["extra"]) for x in a)}
