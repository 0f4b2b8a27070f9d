from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhujian.core import personal, scope
from zhujian.core.management.commands._common import get_ledger, get_unit, get_user, system_user
from zhujian.imports.excel import export_rows


class Command(BaseCommand):
    help = "Export a ledger's records to .xlsx in the import template's layout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger")
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--unit", help="only records of this org unit code and below")
        parser.add_argument(
            "--user", help="export as this user, within its scope (default: an admin)"
        )
        parser.add_argument(
            "--unmask",
            action="store_true",
            help="write personal data (phones, ID numbers) in full where the user may see it; "
            "every value written is recorded",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ledger = get_ledger(options["ledger"])
        user = get_user(options["user"]) if options["user"] else system_user()
        qs = scope.restrict(ledger.model._default_manager.all(), user)
        if options["unit"]:
            qs = qs.filter(org_unit__path__startswith=get_unit(options["unit"]).path)
        viewer = personal.Viewer(user, personal.Source.CLI, f"zhujian export {ledger.name}")
        count = export_rows(
            ledger, qs.order_by("pk"), options["output"], viewer=viewer, unmask=options["unmask"]
        )
        self.stdout.write(f"已导出 {ledger.label} {count} 条：{options['output']}")
