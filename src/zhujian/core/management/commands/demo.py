from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core.models import OrgUnit
from zhujian.demo import run


class Command(BaseCommand):
    help = "Build the demo county 示例县 (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--reset", action="store_true", help="delete all existing data first")
        parser.add_argument(
            "--size",
            choices=["demo", "county"],
            default="demo",
            help="county: full-scale surveys (~300k rural households)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.ZHUJIAN_ALLOW_DEMO:
            raise CommandError(
                "生产环境（ZHUJIAN_DEBUG=0）不建示例县：示例账号使用公开密码（等保：默认账户须删除）；"
                "确需演示请另设 ZHUJIAN_ALLOW_DEMO=1 的独立环境"
            )
        if OrgUnit.objects.exists():
            if not options["reset"]:
                raise CommandError("数据库中已有数据；要重建示例县请加 --reset（会删除全部数据）")
            run.reset()
        run.build(options["seed"], options["size"], log=self.stdout.write)
