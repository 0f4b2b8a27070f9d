from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhujian.core import params


class Command(BaseCommand):
    help = (
        "List the declared parameters with the value in force and where it comes from; "
        "--markdown prints the README table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="the README's table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["markdown"]:
            self.stdout.write(params.markdown_table(), ending="")
            return
        for param in params.all_params():
            try:
                value, origin = param.resolved()
                shown = param.show(value)
            except params.ParamError as exc:
                shown, origin = str(exc), "无效"
            self.stdout.write(f"{param.setting}\t{param.group}：{param.label}\t{shown}\t{origin}")
