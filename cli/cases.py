"""`flarescope cases`: the case list as a plain table, pseudonym first, for piping."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cases", help="list the cases in the database")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cli.common import open_db
    from data.case_list import case_list_rows
    from data.importing.safe_text import printable

    engine = open_db(args)
    rows = case_list_rows(engine)
    header = ("PSEUDONYM", "DIAGNOSIS", "FIRST", "LAST", "EPISODES", "REVIEWED")
    table = [header] + [
        (r.pseudonym, r.diagnosis_short, r.first, r.last, str(r.episodes), r.reviewed)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(printable("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                        .rstrip()))
    return 0
