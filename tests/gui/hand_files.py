"""Hand-written hospital files imported into a test's database, and their times."""

from __future__ import annotations

import datetime as dt


def import_texts(engine, folder, files: dict[str, str]) -> None:
    """Write each text to folder/name and import it, in the order given."""
    from data.importing import import_file

    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        import_file(engine, folder / name)


def utc(text: str) -> float:
    """An ISO date or time written in a file, as epoch seconds (UTC)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()
