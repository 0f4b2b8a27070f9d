from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core.management.commands._common import get_ledger, get_user
from zhujian.imports.engine import import_file
from zhujian.imports.excel import write_error_report


class Command(BaseCommand):
    help = "Import an .xlsx or .csv file into a ledger: all rows or none, upserting by the natural key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger")
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the user the import is recorded as")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument("--errors", help="also write the error list to this .xlsx")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        ledger = get_ledger(options["ledger"])
        user = get_user(options["user"])
        started = time.monotonic()
        show = not options["no_progress"] and sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if not show or not total:
                return
            width = 30
            filled = int(width * done / total)
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} 行 {rate:,.0f} 行/秒"
            )
            sys.stderr.flush()

        result = import_file(
            ledger, options["file"], user, dry_run=options["dry_run"], progress=progress
        )
        if show:
            sys.stderr.write("\n")
        for error in result.errors[:200]:
            self.stderr.write(str(error))
        if len(result.errors) > 200:
            self.stderr.write(f"……另有 {len(result.errors) - 200} 处错误，见 --errors 文件")
        if result.errors and options["errors"]:
            write_error_report(result.errors, options["errors"])
        elapsed = time.monotonic() - started
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(f"{result.summary()}（用时 {elapsed:.1f} 秒）")
