"""``zhujian hj212 serve|simulate|prune|status``: the HJ 212 receiver and its tools."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from zhujian.domains.sitemonitor import conf


class Command(BaseCommand):
    help = "HJ 212-2017 扬尘噪声监测数据接收：serve 接收服务，simulate 设备模拟，prune 清理原始报文"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="启动 TCP 接收服务（由进程管理器长期运行）")
        serve.add_argument("--host", default=None, help="监听地址（默认 ZHUJIAN_HJ212_HOST）")
        serve.add_argument("--port", type=int, default=None, help="端口（默认 9212）")
        serve.add_argument("--stats-file", type=Path, help="定期写入运行统计（JSON）")
        serve.add_argument("--stats-every", type=float, default=10.0, help="统计间隔（秒）")

        sim = sub.add_parser("simulate", help="模拟监测设备按 HJ 212 协议发送数据")
        sim.add_argument("--host", default="127.0.0.1")
        sim.add_argument("--port", type=int, default=None)
        sim.add_argument("--devices", type=int, default=10, help="设备数")
        sim.add_argument("--interval", type=float, default=10.0, help="每台设备发送间隔（秒）")
        sim.add_argument("--duration", type=float, default=60.0, help="运行时长（秒）")
        sim.add_argument(
            "--faults",
            nargs="?",
            type=float,
            const=0.05,
            default=0.0,
            help="夹带故障报文的比例（默认不夹带；只写 --faults 为 0.05）",
        )
        sim.add_argument("--procs", type=int, default=1, help="模拟进程数")
        sim.add_argument(
            "--create",
            action="store_true",
            help="已登记设备不足时，在现有工地上登记模拟设备（编号 SIM…）",
        )
        sim.add_argument("--seed", type=int, default=1)

        prune = sub.add_parser("prune", help="删除超过保存期的原始报文")
        prune.add_argument("--days", type=int, default=None, help="保存天数（默认 180）")

        sub.add_parser("status", help="显示各拒收原因的计数")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "serve":
            from zhujian.domains.sitemonitor.runner import serve

            serve(
                options["host"] or conf.host(),
                options["port"] if options["port"] is not None else conf.port(),
                stats_file=options["stats_file"],
                stats_every=options["stats_every"],
            )
        elif action == "simulate":
            self.simulate(options)
        elif action == "prune":
            days = options["days"] if options["days"] is not None else conf.raw_days()
            deleted = prune_raw(days)
            self.stdout.write(f"已删除 {deleted} 条超过 {days} 天的原始报文")
        elif action == "status":
            from zhujian.domains.sitemonitor.models import Rejection
            from zhujian.domains.sitemonitor.protocol import REASON_LABELS

            rows = Rejection.objects.values("reason").annotate(n=Sum("count")).order_by("reason")
            for row in rows:
                self.stdout.write(f"{REASON_LABELS.get(row['reason'], row['reason'])}：{row['n']}")

    def simulate(self, options: dict[str, Any]) -> None:
        from zhujian.domains.sitemonitor.simulator import simulate

        devices = sim_devices(options["devices"], create=options["create"])
        if not devices:
            raise CommandError("没有可模拟的设备：请先登记设备接入参数，或加 --create")
        if len(devices) < options["devices"]:
            self.stderr.write(f"只有 {len(devices)} 台已登记设备可模拟（加 --create 可补足）")
        result = simulate(
            devices,
            options["host"],
            options["port"] if options["port"] is not None else conf.port(),
            interval=options["interval"],
            duration=options["duration"],
            faults=options["faults"],
            procs=options["procs"],
            seed=options["seed"],
            tz=zoneinfo.ZoneInfo(settings.TIME_ZONE),
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))


def prune_raw(days: int, chunk: int = 50_000) -> int:
    """Delete raw packets older than ``days`` days, a chunk per transaction."""
    from zhujian.domains.sitemonitor.models import RawPacket

    cutoff = timezone.now() - dt.timedelta(days=days)
    total = 0
    while True:
        ids = list(
            RawPacket.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return total
        with transaction.atomic():
            total += RawPacket.objects.filter(pk__in=ids).delete()[0]


def sim_devices(n: int, create: bool = False) -> list[Any]:
    """The first ``n`` registered devices (as simulator devices); with ``create``, register
    simulated dust monitors on existing sites until there are ``n``."""
    from zhujian.domains.sitemonitor.models import DeviceProtocol
    from zhujian.domains.sitemonitor.simulator import SimDevice

    def registered() -> list[SimDevice]:
        rows = (
            DeviceProtocol.objects.filter(enabled=True, device__removed_on__isnull=True)
            .exclude(device__mn="")
            .order_by("pk")
            .values_list("device__mn", "password", "device__concentration_unit")[:n]
        )
        return [SimDevice(mn, pw, unit == "ug") for mn, pw, unit in rows]

    devices = registered()
    if create and len(devices) < n:
        from zhujian.domains.sitemonitor.demo import register_simulated

        register_simulated(n - len(devices))
        devices = registered()
    return devices
