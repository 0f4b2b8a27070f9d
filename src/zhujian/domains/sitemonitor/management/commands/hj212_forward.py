"""``zhujian hj212_forward [--once]``: forward stored readings to the upstream HJ 212
platforms (上级监测平台转发), replaying what an outage held back, in order."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from zhujian.domains.sitemonitor import forward


class Command(BaseCommand):
    help = "向上级监测平台转发监测数据（断线后按序补传）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="转发一轮后退出")
        parser.add_argument("--interval", type=float, default=10.0, help="两轮之间的秒数")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name, outcome in forward.forward_all().items():
                if outcome.sent or outcome.error or outcome.dropped or outcome.stale:
                    self.stdout.write(
                        f"{name}：转发 {outcome.sent} 条，丢弃 {outcome.dropped} 条，"
                        f"未补传实时数据 {outcome.stale} 条{('，' + outcome.error) if outcome.error else ''}"
                    )
            if options["once"]:
                return
            time.sleep(options["interval"])
