"""The suite builds its test database from the models (``--nomigrations``). This test
replays the real migrations, as a production upgrade does, on an empty database of the
suite's backend, checks that they leave nothing to make, and that ``zhujian migrate``'s
first install (tables straight from the models, as ``./dev.sh demo`` does on a fresh
machine) builds exactly the same schema."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from tests.ops.conftest import Scratch, _pg_admin, pg_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(tmp_path):
    """A factory of empty databases of the suite's backend, each with its var directory."""
    from django.db import connection

    made: list[str] = []

    def make(label: str) -> Scratch:
        var_dir = tmp_path / label
        var_dir.mkdir()
        if connection.vendor == "sqlite":
            path = var_dir / "zhujian.sqlite3"
            return Scratch("sqlite", f"sqlite:///{path}", var_dir, sqlite_path=path)
        name = f"zj_migrate_{uuid.uuid4().hex[:10]}"
        _pg_admin(os.environ["DATABASE_URL"], f'CREATE DATABASE "{name}"')
        made.append(name)
        return Scratch("postgresql", pg_url(name), var_dir, db_name=name)

    yield make
    for name in made:
        _pg_admin(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Prints the schema as the database reports it: every table's columns (type, null) and its
# constraints and indexes by their columns and kind, not by their names. One difference is
# Django's own and left out: the key of an automatic many-to-many table (auth's
# group-permission links) is a bigint once its migrations have run and an integer when made
# from the model; both hold every key either table can have.
SCHEMA = """
import json
from django.apps import apps
from django.db import connection
intro = connection.introspection
links = {
    f.remote_field.through._meta.db_table
    for model in apps.get_models()
    for f in model._meta.local_many_to_many
    if f.remote_field.through._meta.auto_created
}
out = {}
with connection.cursor() as cursor:
    for table in sorted(intro.table_names(cursor)):
        columns = sorted(
            [c.name, "key" if (table in links and c.name == "id") else str(c.type_code),
             bool(c.null_ok)]
            for c in intro.get_table_description(cursor, table)
        )
        constraints = sorted(
            json.dumps([list(c["columns"] or []), bool(c["primary_key"]), bool(c["unique"]),
                        list(c["foreign_key"] or []), bool(c["index"]), bool(c["check"]),
                        str(c.get("type") or "")])
            for c in intro.get_constraints(cursor, table).values()
        )
        out[table] = {"columns": columns, "constraints": constraints}
print(json.dumps(out, sort_keys=True))
"""

PERMISSIONS = "from django.contrib.auth.models import Permission; print(Permission.objects.count())"


def schema_of(scratch: Scratch) -> dict:
    return json.loads(scratch.run("shell", "--no-imports", "-c", SCHEMA).stdout)


def test_migrations_build_an_empty_database_and_match_the_models(empty):
    # Replaying every migration costs about 80 s of CPU on SQLite (every model's table,
    # its history table, data migrations); CI runs it beside the other backend's pass, so
    # allow for a busy machine.
    replayed = empty("replayed")
    replayed.run("migrate", "--noinput", "--replay", timeout=1200)
    plan = replayed.run("showmigrations", "--plan").stdout
    assert "[ ]" not in plan and "[X]" in plan
    replayed.run("makemigrations", "--check", "--dry-run")
    health = replayed.run("check", "--database", "default")
    assert "no issues" in health.stdout.lower() or health.returncode == 0

    # The first install: the tables straight from the models, every migration recorded.
    # It must be the very schema the migrations build, with the same permissions.
    installed = empty("installed")
    fast = installed.run("migrate", "--noinput")
    assert "按模型一次建表" in fast.stdout
    assert installed.run("showmigrations", "--plan").stdout == plan
    assert schema_of(installed) == schema_of(replayed)
    assert installed.run("shell", "--no-imports", "-c", PERMISSIONS).stdout == (
        replayed.run("shell", "--no-imports", "-c", PERMISSIONS).stdout
    )
    # A second run finds nothing to do: a database with tables takes Django's own path.
    again = installed.run("migrate", "--noinput")
    assert "No migrations to apply" in again.stdout
    assert "按模型一次建表" not in again.stdout


def test_a_database_with_tables_is_never_installed_from_the_models():
    """Only a database without any table takes the first-install path; anything else (an
    upgrade, a half-made database) goes through Django's migrations."""
    from django.db import connection

    from zhujian.core.management.commands.migrate import install_from_models, is_empty

    assert not is_empty(connection)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert install_from_models(connection, verbosity=0) is False
    with connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == tables
