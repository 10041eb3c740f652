"""Flarescope entry point: parses the command line and wires the layers together.

With no command the GUI opens; every other command runs without a window and exits
with its real code. Heavy imports (Qt, pandas) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import logging
import sys

__version__ = "0.1.0"

log = logging.getLogger("flarescope")

# Each command module exposes add_parser(subparsers) and run(args) -> int.
COMMANDS = ("cli.cases", "cli.demo", "cli.import_cmd", "cli.export", "cli.patients",
            "cli.controls", "cli.audit", "cli.summary", "cli.suggest", "cli.db")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(
        prog="flarescope",
        description="Review autoinflammatory disease cases offline: symptoms, anakinra, "
        "ex vivo cytokines and relapse episodes on one timeline.",
    )
    parser.add_argument("--version", action="version", version=f"Flarescope {__version__}")
    parser.add_argument(
        "--db", metavar="PATH_OR_URL",
        help="database file or SQLAlchemy URL (default: $FLARESCOPE_DB, else the user data folder)",
    )
    parser.add_argument("--case", metavar="PSEUDONYM", help="open this case when the window opens")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command not built yet
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _log_to_file_and_maybe_stderr(args.verbose)
    try:
        if args.command is None:
            from gui.app import run_gui

            return run_gui(args.db, case=args.case, version=__version__)
        from cli.passphrase import install

        install()
        code = int(args.run(args))
        sys.stdout.flush()  # a reader gone (`| head`) is found here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the user gets one line; the traceback goes to the log
        from db.errors import user_line, user_message

        line = user_line(exc)
        if line is None:
            line = _damaged_line(args) or user_message(exc)
        print(f"flarescope: {line}", file=sys.stderr)
        return 1


def _reader_gone() -> int:
    """The output's reader closed its end (`suggest --all | head`): what it did not read
    is not wanted. Quiet, as a command stopped by SIGPIPE is, with its exit status (141);
    stdout goes to /dev/null so the interpreter's flush at exit has nothing to complain
    about ("Exception ignored ... BrokenPipeError")."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no file (a test's capture)
        pass
    return 141


def _damaged_line(args) -> str | None:
    """A damaged page can read as a missing row ("case 1 does not exist"), not as an
    error: after an unexpected error the file is checked, and damage said as such."""
    import logging

    from db.engine import damage
    from db.errors import DAMAGED_MESSAGE

    try:
        problem = damage(getattr(args, "db", None))
    except Exception:  # the check must never hide the first error
        logging.getLogger(__name__).exception("integrity check after an error failed")
        return None
    if problem is None:
        return None
    logging.getLogger(__name__).error("unexpected error on a damaged database",
                                      exc_info=sys.exc_info()[1])
    return DAMAGED_MESSAGE.format(problem)


def _log_to_file_and_maybe_stderr(verbose: bool) -> None:
    """Everything goes to the log file, the window's and every command's alike; the
    terminal gets log lines only with -v. Without this, an error logged with its
    traceback would land on the terminal."""
    from db.logfile import log_to_file

    root = logging.getLogger()
    try:
        log_to_file()
    except OSError:  # a read-only home must not stop the program, nor print tracebacks
        root.addHandler(logging.NullHandler())
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.setLevel(logging.INFO)
        root.addHandler(console)
        root.setLevel(logging.INFO)


def script() -> None:
    """`python main.py` and the `flarescope` command: main(), then exit without the
    interpreter's last garbage collection looking at every object still held (a `suggest
    --all` holds millions: ~0.2 s CPU). Frozen, they are left to the end of the process."""
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    script()
