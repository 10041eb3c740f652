"""The newest migration; a test checks it against Alembic's script directory."""

HEAD_REVISION = "a18_guards"
