"""The suite builds its test database from the models (``--nomigrations``); this test runs
the real migrations, as ``./dev.sh demo`` and a production upgrade do, on an empty
database of the suite's backend, and checks that they leave nothing to make."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.ops.conftest import Scratch, _pg_admin, pg_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(tmp_path) -> Scratch:
    from django.db import connection

    var_dir = tmp_path / "var"
    var_dir.mkdir()
    if connection.vendor == "sqlite":
        path = var_dir / "zhujian.sqlite3"
        yield Scratch("sqlite", f"sqlite:///{path}", var_dir, sqlite_path=path)
        return
    name = f"zj_migrate_{uuid.uuid4().hex[:10]}"
    _pg_admin(os.environ["DATABASE_URL"], f'CREATE DATABASE "{name}"')
    try:
        yield Scratch("postgresql", pg_url(name), var_dir, db_name=name)
    finally:
        _pg_admin(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_build_an_empty_database_and_match_the_models(empty: Scratch):
    # About 80 s of CPU on SQLite (every model's table, its history table, data
    # migrations); CI runs it beside the other backend's pass, so allow for a busy machine.
    empty.run("migrate", "--noinput", timeout=1200)
    plan = empty.run("showmigrations", "--plan").stdout
    assert "[ ]" not in plan and "[X]" in plan
    empty.run("makemigrations", "--check", "--dry-run")
    health = empty.run("check", "--database", "default")
    assert "no issues" in health.stdout.lower() or health.returncode == 0
