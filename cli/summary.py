"""`flarescope summary CASE [--json]`: the key figures of a case, with their definitions
and the samples behind them, from the same computation as the PDF."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    from cli.export import _fold

    p = sub.add_parser(
        "summary", help="print the key figures of a case (--json for a program)",
        description="Print the key figures of a case as the PDF summary states them: each "
                    "with its definition, threshold and the measurements it was computed "
                    "from.")
    p.add_argument("case", metavar="CASE", help="pseudonym of the case")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--near-normal", type=_fold, default=None, metavar="FOLD",
                   help="fold over the healthy-control mean at or below which IL-1β counts "
                        "as near-normal (default: 2)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cli.common import find_patient_id, open_db
    from data.key_figure_samples import case_figures
    from data.summary import NEAR_NORMAL_FOLD, load_case

    engine = open_db(args)
    try:
        case = load_case(engine, find_patient_id(engine, args.case))
    finally:
        engine.dispose()
    fold = NEAR_NORMAL_FOLD if args.near_normal is None else args.near_normal
    record = case_figures(case, near_normal_fold=fold)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print("\n".join(text_lines(record)))
    return 0


def text_lines(record: dict) -> list[str]:
    """The record for a reader: each figure, its definition, threshold and samples."""
    from data.importing.safe_text import printable
    from data.key_figure_samples import sample_line

    day0 = record["day0"]
    lines = [f"Case {record['case']}",
             day0["described"].capitalize()
             + (f" ({day0['date']})" if day0["date"] else "")]
    for f in record["figures"]:
        lines += ["", f"{f['name']}: {f['value']}", f"  definition: {f['definition']}"]
        if f["threshold"]:
            lines.append(f"  threshold: {f['threshold']}")
        lines += [f"  sample: {sample_line(s)}" for s in f["samples"]]
    return [printable(line) for line in lines]
