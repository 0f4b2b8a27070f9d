"""Django's ``migrate``, with a fast first install.

Replaying the ~40 migrations on an empty database costs about 80 s of CPU: every
``CreateModel`` re-renders the whole project state, because every ledger and its history
table is linked to the org units and the users (Django's state reload is quadratic in the
connected models). On a database that has no tables at all, and only when the models and
the migrations describe the same schema (the ``makemigrations --check`` comparison),
``zhujian migrate`` creates the tables from the models in one pass, as Django's own test
runner does, and records every migration as applied: seconds instead of a minute. The data
migrations have nothing to convert in an empty database. Any other database (an upgrade, a
partly migrated one, a named app or target, ``--fake``, ``--plan``) takes Django's usual
path; ``--replay`` forces it. ``tests/ops/test_migrations.py`` checks that both paths
build the same schema, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import CommandParser, no_translations
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django.utils import translation


class Command(DjangoMigrate):
    help = (
        "创建或升级数据库结构。空数据库按模型一次建表并记录全部迁移为已执行"
        "（--replay 则逐个执行迁移）；已有数据的数据库按 Django 的常规方式升级。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--replay",
            action="store_true",
            help="空数据库也逐个执行全部迁移（较慢，用于核对迁移本身）",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        self.verbosity = options["verbosity"]
        self.interactive = options["interactive"]
        plain = not (
            options["replay"]
            or options.get("app_label")
            or options.get("migration_name")
            or options.get("fake")
            or options.get("fake_initial")
            or options.get("plan")
            or options.get("check_unapplied")
            or options.get("prune")
        )
        if plain and install_from_models(
            connection,
            verbosity=options["verbosity"],
            interactive=options["interactive"],
            stdout=self.stdout,
            sync_apps=self.sync_apps,
        ):
            return
        super().handle(*args, **options)


def is_empty(connection: BaseDatabaseWrapper) -> bool:
    """No table at all: not even Django's migration record."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def models_match_migrations(loader: MigrationLoader) -> bool:
    """The models and the migrations describe the same schema (``makemigrations --check``;
    compared untranslated, as migrations are written)."""
    if loader.detect_conflicts():
        return False
    with translation.override(None):
        changes = MigrationAutodetector(
            loader.project_state(), ProjectState.from_apps(apps)
        ).changes(graph=loader.graph)
    return not changes


def record_all_applied(connection: BaseDatabaseWrapper, names: Any) -> None:
    """Write ``(app, migration)`` pairs into Django's migration record."""
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    applied = set(recorder.applied_migrations())
    recorder.Migration.objects.using(connection.alias).bulk_create(
        [
            recorder.Migration(app=app, name=name)
            for app, name in sorted(names)
            if (app, name) not in applied
        ]
    )


def install_from_models(
    connection: BaseDatabaseWrapper,
    *,
    verbosity: int = 1,
    interactive: bool = False,
    stdout: Any = None,
    sync_apps: Any = None,
) -> bool:
    """Create every table of an empty database from the models and record every migration
    as applied. False (and nothing done) where the fast path does not apply."""
    connection.prepare_database()
    if not is_empty(connection):
        return False
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    if not models_match_migrations(loader):
        return False
    labels = {config.label for config in apps.get_app_configs() if config.models_module is not None}
    if verbosity >= 1 and stdout is not None:
        stdout.write("空数据库：按模型一次建表，并记录全部迁移为已执行（--replay 可逐个执行迁移）")
    emit_pre_migrate_signal(
        verbosity, interactive, connection.alias, stdout=stdout, apps=apps, plan=[]
    )
    if sync_apps is None:
        command = DjangoMigrate(stdout=stdout)
        command.verbosity = verbosity
        sync_apps = command.sync_apps
    sync_apps(connection, labels)
    record_all_applied(connection, loader.graph.nodes)
    emit_post_migrate_signal(
        verbosity, interactive, connection.alias, stdout=stdout, apps=apps, plan=[]
    )
    return True
