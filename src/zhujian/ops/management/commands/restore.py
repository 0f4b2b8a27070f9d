from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by 'zhujian backup' into an empty database and the "
        "uploads folder. Refuses a database that has tables unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by zhujian backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace an existing database and uploads folder (the old uploads are kept "
            "beside it as media.before-restore-<time>)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restore(options["archive"], force=options["force"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
