"""What the importer reads from the database before a file is checked."""

from __future__ import annotations

from sqlalchemy import Engine

from db.writes import patient_pseudonyms, read_import_mappings


def remembered_mapping(engine: Engine) -> dict[str, str]:
    """Column names the user mapped in earlier imports → code (or '-' for left out)."""
    with engine.connect() as conn:
        return read_import_mappings(conn)


def known_patients(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return patient_pseudonyms(conn)
