"""Persistence: SQLAlchemy models, engine set-up, migrations, queries returning DataFrames.

No Qt here, and nothing from ``data/``: the domain layer depends on us, never the reverse.
"""
