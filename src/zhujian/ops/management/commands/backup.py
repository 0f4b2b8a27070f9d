from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write one archive with a consistent copy of the database and the uploaded files "
        "(safe while the server runs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            help="archive to write (default: ZHUJIAN_VAR_DIR/backups/zhujian-<time>.tar.gz)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup(options["output"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
