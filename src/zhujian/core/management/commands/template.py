from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhujian.core.management.commands._common import get_ledger, get_user, system_user
from zhujian.imports.excel import write_template


class Command(BaseCommand):
    help = "Write a blank Excel import template for a ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger")
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument(
            "--user", help="whose units fill the drop-down lists (default: an admin)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ledger = get_ledger(options["ledger"])
        user = get_user(options["user"]) if options["user"] else system_user()
        write_template(ledger, user, options["output"])
        self.stdout.write(f"已写出 {ledger.label} 导入模板：{options['output']}")
