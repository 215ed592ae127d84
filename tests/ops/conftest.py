"""Operations fixtures: extra empty databases (SQLite files, and PostgreSQL when configured)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ..conftest import PG_URL


@contextmanager
def fresh_pg_database(suffix: str) -> Iterator[str]:
    """A new empty PostgreSQL database beside the test one (dropped afterwards); yields its URL."""
    url = make_url(PG_URL)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_urls(tmp_path) -> Iterator[list[str]]:
    """URLs of empty databases (no tables) to restore into: SQLite, and PostgreSQL if set."""
    if PG_URL is None:
        yield [f"sqlite:///{tmp_path / 'restored.db'}"]
        return
    with fresh_pg_database("restore") as pg:
        yield [f"sqlite:///{tmp_path / 'restored.db'}", pg]
