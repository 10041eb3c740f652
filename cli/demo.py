"""`flarescope demo --reset`: (re)build the demo cohort."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="create the built-in demo cohort")
    p.add_argument("--reset", action="store_true",
                   help="delete every case in the database and rebuild the demo cohort")
    p.add_argument("--seed", type=int, help="random seed (default: the built-in one, so that "
                   "every installation gets the same cohort)")
    p.add_argument("--force", action="store_true",
                   help="with --reset: also delete cases and changes that are not the demo's")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cli.common import CommandError, open_db
    from data import demo

    engine = open_db(args, with_demo=False)
    seed = demo.DEFAULT_SEED if args.seed is None else args.seed
    if args.reset:
        try:
            ids = demo.reset(engine, seed, force=args.force)
        except demo.RealDataError as exc:
            raise CommandError(f"not resetting {args.db or 'the database'}: it holds {exc}. "
                               "Add --force to delete every case (the audit trail is kept).") from exc
        print(f"demo cohort rebuilt: {len(ids)} cases (the audit trail is kept, the reset "
              "recorded in it)")
    elif demo.ensure_demo(engine):
        print("demo cohort created")
    else:
        print("the database already holds cases; use --reset to rebuild the demo cohort")
    return 0
