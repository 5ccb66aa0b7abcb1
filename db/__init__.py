"""Storage: the sqlmodel schema, engine and sessions, upserts, and Alembic migrations."""
