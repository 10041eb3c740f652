"""Asking for a database passphrase in the terminal (getpass: nothing is echoed).

Only when a person is there to answer: a script gets the passphrase from FLARESCOPE_DB_KEY
(db/cipher.py), never a prompt that waits for ever.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from cli.common import CommandError


def install() -> None:
    """Let an encrypted file's passphrase be asked for, if a terminal is there to answer."""
    from db import cipher

    cipher.set_prompt(ask if sys.stdin.isatty() else None)


def ask(path: Path, wrong: bool = False) -> str | None:
    """Asked once: a wrong passphrase is one line (db.cipher), as a script would want."""
    try:
        return getpass.getpass(f"Passphrase for {path}: ")
    except EOFError:
        return None


def ask_new(path: Path) -> str:
    """A new passphrase, typed twice."""
    if not sys.stdin.isatty():
        raise CommandError("no passphrase: set FLARESCOPE_DB_KEY, or run in a terminal to be "
                           "asked for one; nothing was changed")
    try:
        first = getpass.getpass(f"New passphrase for {path}: ")
        if not first:
            raise CommandError("an empty passphrase encrypts nothing; nothing was changed")
        if getpass.getpass("The same passphrase again: ") != first:
            raise CommandError("the two passphrases differ; nothing was changed")
    except EOFError as exc:
        raise CommandError("no passphrase given; nothing was changed") from exc
    return first
