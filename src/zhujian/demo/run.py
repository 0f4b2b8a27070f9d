from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection

from django.apps import apps
from django.db import connection, transaction

from zhujian.core.models import Job, OrgUnit, User, has_history
from zhujian.core.registry import registry
from zhujian.demo.county import DemoContext, build_units, build_users


def reset() -> None:
    """Delete every record of every ledger (children first), then units and users."""
    ledger_models = [lg.model for lg in registry]
    with transaction.atomic():
        for _ in range(
            len(ledger_models) + 1
        ):  # ledgers may protect each other: repeat until empty
            remaining = False
            for model in ledger_models:
                try:
                    with transaction.atomic():
                        model._default_manager.all().delete()
                except Exception:
                    remaining = True
            if not remaining:
                break
        for model in ledger_models:
            if has_history(model):
                model.history.model.objects.all().delete()
        Job.objects.all().delete()
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()
        from zhujian.reports.models import ReportTemplate

        ReportTemplate.objects.all().delete()
        ReportTemplate.history.model.objects.all().delete()
        User.objects.all().delete()
        while OrgUnit.objects.exists():  # leaves first
            OrgUnit.objects.filter(children__isnull=True).delete()


def build(
    seed: int = 2022,
    size: str = "demo",
    log: Callable[[str], None] = print,
    lines: Collection[str] | None = None,
) -> DemoContext:
    """Build the demo county: its units, users and every ledger's records from ``seed``.
    ``lines``: only the ledgers of these business lines (a quick partial county for tests;
    a line whose records refer to another line's needs that line too)."""
    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        ctx = build_units(rng)
        ctx.seed, ctx.size = seed, size
        logins = build_users(ctx)
    log(f"组织单位：{OrgUnit.objects.count()} 个（{len(ctx.townships)} 个乡镇/街道）")
    generators = sorted(
        {
            id(lg.demo): lg for lg in registry if lg.demo and (lines is None or lg.line in lines)
        }.values(),
        key=lambda lg: (lg.demo_order, lg.line_index, lg.name),
    )
    for ledger in generators:
        t0 = time.monotonic()
        with transaction.atomic():
            ledger.demo(ctx)
        log(f"  {ledger.line_label} · {ledger.label}：{time.monotonic() - t0:.1f} 秒")
    from zhujian.reports.build import ensure_default_template

    ensure_default_template(update=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log(
        f"示例县生成完毕（种子 {seed}，用时 {time.monotonic() - started:.1f} 秒）。演示账户（密码均为 zhujian2022）："
    )
    for username, role, unit in logins:
        if username.startswith("town") and username not in ("town01", "town04"):
            continue
        log(f"  {username:<12} {role:<6} {unit}")
    log("  town02 … town20：其余各乡镇/街道用户")
    return ctx


def models_with_demo() -> list[str]:
    return [m._meta.label for m in apps.get_models() if registry.find(m) and registry.find(m).demo]
