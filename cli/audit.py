"""`flarescope audit verify`: check that the audit trail is whole and unedited."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check the audit trail")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    verify = verbs.add_parser(
        "verify", help="check every audit row against the hash chain; one line per problem, "
                       "exit 1 if any")
    verify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cli.common import open_db
    from db.audit import verify
    from db.engine import damage

    # A damaged page can hide audit rows from the walk below and still read as "intact".
    if (problem := damage(args.db)) is not None:
        print(f"audit verify: the database file is damaged ({problem}); the trail cannot "
              "be checked. Restore it from a backup")
        return 1
    engine = open_db(args, with_demo=False)
    try:
        n, problems = verify(engine)
    finally:
        engine.dispose()
    for row_id, what in problems:
        print(f"audit verify: row {row_id}: {what}" if row_id else f"audit verify: {what}")
    if problems:
        print(f"audit verify: {n} rows, {len(problems)} problem(s): the trail was changed "
              "outside Flarescope")
        return 1
    print(f"audit verify: {n} rows, chain intact")
    return 0
