from alembic import context

from db.models import Base

config = context.config
engine = config.attributes["engine"]

# Every step in one transaction (db.engine opens SQLite transactions itself, DDL
# included): a failed migration leaves the database as it was.
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite's own procedure for schema changes: foreign keys off outside the
        # transaction (a batch-mode table copy would trip them half-way), checked
        # before commit.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
            )
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise RuntimeError("the migration left rows whose foreign keys point nowhere")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
