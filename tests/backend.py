"""What tests need to know about the database back-end they run on."""

from __future__ import annotations

from sqlalchemy import Engine


def target(engine: Engine) -> str:
    """What --db and FLARESCOPE_DB take to reach this engine's database: its file, or
    (on a server) its URL."""
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=False)
