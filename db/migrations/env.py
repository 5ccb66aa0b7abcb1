"""Alembic environment: run migrations on the connection the tracker hands over.

The tracker (``db.engine.upgrade``) hands over its connection. From the ``alembic``
command line, the database is the config's ``sqlalchemy.url`` if set, else
``TRACKER_DATABASE_URL``, else the tracker's default: ``tracker.sqlite`` in
``TRACKER_DATA_DIR`` (the user data folder when unset). It imports nothing of ``tracker``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from platformdirs import user_data_dir
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)

target_metadata = SQLModel.metadata
config = context.config


def database_url() -> str:
    """Return the database the ``alembic`` command line migrates (see the module's doc)."""
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("TRACKER_DATABASE_URL")
    if url:
        return url
    data_dir = os.environ.get("TRACKER_DATA_DIR") or user_data_dir("unsc-tracker",
                                                                  appauthor=False)
    return f"sqlite:///{Path(data_dir) / 'tracker.sqlite'}"


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes.get("engine")
    if engine is None:  # run from the alembic command line
        from db.engine import make_engine

        engine = make_engine(database_url())
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
