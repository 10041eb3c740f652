"""What the importer reads from the database before a file is checked."""

from __future__ import annotations

from sqlalchemy import Engine

from data.importing.synonyms import UNSPECIFIED
from db.writes import patient_pseudonyms, read_import_mappings, read_import_specimens


def remembered_mapping(engine: Engine) -> dict[str, str]:
    """Column names the user mapped in earlier imports → code (or '-' for left out)."""
    with engine.connect() as conn:
        return read_import_mappings(conn)


def known_patients(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return patient_pseudonyms(conn)


def remembered_specimens(engine: Engine) -> dict[str, str]:
    """Column names → the specimen chosen for them at an earlier import ('' when the
    user chose unspecified)."""
    with engine.connect() as conn:
        stored = read_import_specimens(conn)
    return {name: "" if s == UNSPECIFIED else s for name, s in stored.items()}
