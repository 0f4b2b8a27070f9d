"""Django's ``check`` plus ``--dengbao``: the 等保 2.0 / 密评 application items, each met or
not, with the setting that meets it (``zhujian.core.dengbao``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.check import Command as DjangoCheck


class Command(DjangoCheck):
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dengbao",
            action="store_true",
            help="列出等保2.0三级与密评应用层各项要求的符合情况",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        if not options.get("dengbao"):
            return super().handle(*app_labels, **options)
        from zhujian.core import dengbao

        lines, all_met = dengbao.report()
        for line in lines:
            self.stdout.write(line)
        if not all_met:
            raise CommandError("等保/密评检查：有不符合或无法判断的项目（见上；docs/dengbao.md）")
        self.stdout.write("等保/密评检查：全部符合")
