"""Demo plan tasks: the commitments of the 2022 second-half plan.

Each domain adds its own commitments to ``TASKS`` through :func:`add` (the deadline
month/day ranges are drawn per seed), so a plan sentence and the task behind it are
declared next to the ledgers that prove them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext


@dataclass
class TaskSpec:
    code: str
    line: str
    title: str
    unit: str  # department short code, see zhujian.demo.county.BUREAU_UNITS
    months: tuple[int, int]  # the deadline falls in these months of 2022
    month_end: bool = False  # “*月底前”: the deadline is the month's last day


TASKS: list[TaskSpec] = [
    TaskSpec(
        "2022H2-party-cobuild-list",
        "party",
        "完成与社区的共驻共建项目清单",
        "bangongshi",
        (11, 12),
        True,
    ),
]


def add(*specs: TaskSpec) -> None:
    known = {t.code for t in TASKS}
    TASKS.extend(s for s in specs if s.code not in known)


def tasks(ctx: DemoContext) -> None:
    from zhujian.domains.plans.models import PlanTask, TaskProgress

    rng = ctx.rng
    rows = []
    for spec in TASKS:
        month = rng.randint(*spec.months)
        if spec.month_end:
            day = (dt.date(2022 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        else:
            day = rng.choice((10, 15, 20, 25, 30 if month != 2 else 28))
        rows.append(
            PlanTask(
                org_unit=ctx.departments[spec.unit],
                code=spec.code,
                plan_period="2022H2",
                line=spec.line,
                title=spec.title,
                deadline=dt.date(2022, month, day),
                deadline_text=f"{month}月底前" if spec.month_end else "",
            )
        )
    saved = ctx.save(PlanTask, rows)
    notes = [
        "已召开专题推进会，明确责任分工",
        "已完成现场摸排，正在组织实施",
        "已完成主体工作，正在收尾验收",
    ]
    reports = []
    for task in saved:
        for i, note in enumerate(notes[: rng.randint(1, 3)]):
            reports.append(
                TaskProgress(
                    task=task,
                    org_unit=task.org_unit,
                    progress=30 * (i + 1),
                    reported_on=dt.date(2022, 7 + 2 * i, rng.randint(1, 28)),
                    note=note,
                )
            )
    ctx.save(TaskProgress, reports)
