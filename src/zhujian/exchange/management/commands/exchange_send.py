"""``zhujian exchange_send [--target CODE]``: send the queues now (cron or a systemd timer
runs it every few minutes; the 上报中心's button enqueues the same work as a job)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhujian.exchange import engine
from zhujian.exchange.adapters import adapters


class Command(BaseCommand):
    help = "发送上报队列（各上报平台）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--target", action="append", default=[], help="上报平台代码，可多次")
        parser.add_argument("--max-seconds", type=float, default=600.0)

    def handle(self, *args: Any, **options: Any) -> None:
        codes = options["target"] or [a.code for a in adapters]
        for code in codes:
            try:
                adapters.get(code)
            except KeyError as exc:
                raise CommandError(str(exc)) from None
            stats = engine.run(code, max_seconds=options["max_seconds"])
            self.stdout.write(json.dumps({"target": code, **stats.as_dict()}, ensure_ascii=False))
