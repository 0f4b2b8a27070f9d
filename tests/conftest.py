"""Shared test set-up: the demo county is built once per test session (seed 7) and every
test runs in a transaction that is rolled back, so tests may change anything."""

from __future__ import annotations

import sqlite3

import pytest
from django.conf import settings

from zhujian.core.models import OrgUnit, User

SEED = 7


# SQLite: a copy of the freshly built demo database, which tests that empty the database
# (the browser tests' live server needs committed data) restore in a second instead of
# building the county again (see tests/browser/conftest.py).
_snapshot: list[sqlite3.Connection] = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    from zhujian.demo import run

    with django_db_blocker.unblock():
        _record_migrations_applied(connection)
        run.build(seed=SEED, log=lambda _msg: None)
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(copy)
            _snapshot.append(copy)


def _record_migrations_applied(connection) -> None:
    """The test database is made from the models (``--nomigrations``: seconds instead of
    a minute per pass), as ``zhujian migrate`` makes a first install; record every
    migration as applied, as it does, so that copies of it (tests/ops) and the health
    check see a migrated database. tests/ops/test_migrations.py replays the real
    migrations on an empty database and compares the two schemas."""
    from pathlib import Path

    from django.apps import apps

    from zhujian.core.management.commands.migrate import record_all_applied

    # pytest-django hides the migration modules from Django's loader: read the files.
    record_all_applied(
        connection,
        [
            (config.label, path.stem)
            for config in apps.get_app_configs()
            for path in sorted((Path(config.path) / "migrations").glob("[0-9]*.py"))
        ],
    )


def restore_demo() -> bool:
    """Put the session's demo database back (SQLite only); False where there is no copy."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if not _snapshot or connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    _snapshot[0].backup(connection.connection)
    ContentType.objects.clear_cache()  # the emptied database's content types had new ids
    return True


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path_factory) -> None:
    """Background jobs run at once, in the test's process (Django's immediate backend);
    tests/ops runs them through a real ``zhujian worker``."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = str(settings.VAR_DIR / "test-media")
    settings.ZHUJIAN_JOB_STATE_FILE = tmp_path_factory.getbasetemp() / "jobs-state.sqlite3"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits (the public draw verification page, devices) count in Django's cache:
    each test starts with none of its predecessors' requests counted."""
    from django.core.cache import cache

    from zhujian.core.cached import invalidate_all

    cache.clear()
    invalidate_all()  # the holiday calendar and parameter overrides kept per process


@pytest.fixture
def user(db):
    """``user("town01")``: a demo user by login."""

    def get(username: str) -> User:
        return User.objects.select_related("org_unit").get(username=username)

    return get


@pytest.fixture
def admin_user(user) -> User:
    return user("admin")


@pytest.fixture
def town_a(user) -> User:
    """A township user (城关街道)."""
    return user("town01")


@pytest.fixture
def town_b(user) -> User:
    """Another township's user (青山镇)."""
    return user("town04")


@pytest.fixture
def township(town_a) -> OrgUnit:
    return town_a.org_unit


def login(client, user: User):
    client.force_login(user)
    return client


__all__ = ["SEED", "login", "settings"]
