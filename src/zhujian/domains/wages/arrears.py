"""Arrears warnings (欠薪预警): workers with attendance in a month and no payment from the
special account by the project's pay day plus a grace period, or paid less than the net pay
of their pay-sheet lines for the month (条例第三条: full payment; an underpayment is arrears).

The check is set-based: one aggregate query over a month's attendance (index on project
and day) with a ``NOT EXISTS`` on that month's payments (index on worker and month)
returns the unpaid (project, employer, worker) rows; nothing loops over workers. Each
project with unpaid workers gets ONE hazard per month in the shared hazard loop, opened
or updated idempotently by :func:`check` (``zhujian wages check --month 2022-05``) and
closed through the loop like any other hazard. A closed warning is never reopened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum

from zhujian.domains.construction.models import ConstructionProject, Enterprise
from zhujian.domains.wages import conf
from zhujian.domains.wages.models import (
    Attendance,
    PayLine,
    ProjectWageSetup,
    WagePayment,
    Worker,
)
from zhujian.domains.wages.models.accounts import pay_deadline
from zhujian.domains.wages.models.closing import FOUND_BY
from zhujian.hazards.models import Hazard, HazardCategory

NAMES_PER_EMPLOYER = 30
CENT = Decimal("0.01")


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def warning_day(month: dt.date, pay_day: int | None = None) -> dt.date:
    """The first day a month without payment is a warning: pay day + grace + 1."""
    return pay_deadline(month, pay_day) + dt.timedelta(days=conf.grace_days() + 1)


@dataclass
class Unpaid:
    project_id: int
    employer_id: int
    worker_id: int
    days: int
    short: Decimal | None = None  # paid, but this much less than the pay sheet's net


def underpaid(month: dt.date, as_of: dt.date) -> dict[int, Decimal]:
    """Workers paid something for ``month`` by ``as_of``, but less than the net pay of their
    pay-sheet lines for it: worker id → the shortfall. Two grouped queries."""
    owed = dict(
        PayLine.objects.filter(sheet__month=month)
        .values("worker_id")
        .annotate(s=Sum("net"))
        .values_list("worker_id", "s")
    )
    paid = (
        WagePayment.objects.filter(month=month, paid_on__lte=as_of, worker_id__in=list(owed))
        .values("worker_id")
        .annotate(s=Sum("amount"))
        .values_list("worker_id", "s")
    )
    return {w: Decimal(owed[w] - s).quantize(CENT) for w, s in paid if s < owed[w]}


def unpaid(month: dt.date, as_of: dt.date, projects: Any = None) -> list[Unpaid]:
    """Workers with attendance in ``month`` and no payment for it made by ``as_of``, on
    the projects whose pay day plus grace has passed by ``as_of``. ``projects``: an
    optional queryset of projects to limit to (the dashboard's scope)."""
    month = month_start(month)
    pay_days = dict(
        ProjectWageSetup.objects.exclude(pay_day=None).values_list("project_id", "pay_day")
    )
    default_due = warning_day(month) <= as_of
    differ = {
        pid for pid, day in pay_days.items() if (warning_day(month, day) <= as_of) != default_due
    }
    attendance = Attendance.objects.filter(day__gte=month, day__lte=month_end(month))
    if default_due:
        attendance = attendance.exclude(project_id__in=differ) if differ else attendance
    elif differ:
        attendance = attendance.filter(project_id__in=differ)
    else:
        return []
    if projects is not None:
        attendance = attendance.filter(project_id__in=projects.values("pk"))
    paid = WagePayment.objects.filter(
        worker_id=OuterRef("worker_id"), month=month, paid_on__lte=as_of
    )
    short = underpaid(month, as_of)
    rows = (
        attendance.filter(~Exists(paid) | Q(worker_id__in=list(short)))
        .values("project_id", "worker__employer_id", "worker_id")
        .annotate(days=Count("id"))
        .order_by("project_id", "worker_id")
    )
    return [
        Unpaid(
            r["project_id"],
            r["worker__employer_id"],
            r["worker_id"],
            r["days"],
            short.get(r["worker_id"]),
        )
        for r in rows
    ]


@dataclass
class CheckResult:
    month: dt.date
    as_of: dt.date
    projects: int = 0
    workers: int = 0
    opened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    closed_kept: int = 0

    def summary(self) -> str:
        return (
            f"{self.month:%Y年%m月}欠薪预警（截至{self.as_of:%Y-%m-%d}）：{self.projects}个项目、"
            f"{self.workers}名工人有考勤未发放工资；新登记隐患{len(self.opened)}条，"
            f"更新{len(self.updated)}条，未变化{self.unchanged}条，已销号未重开{self.closed_kept}条。"
        )


def source_label(month: dt.date) -> str:
    return f"欠薪预警：{month:%Y年%m月}工资"


def check(month: dt.date, as_of: dt.date | None = None) -> CheckResult:
    """Open or update one hazard per project with unpaid workers in ``month``."""
    month = month_start(month)
    as_of = as_of or dt.date.today()
    result = CheckResult(month, as_of)
    rows = unpaid(month, as_of)
    by_project: dict[int, list[Unpaid]] = defaultdict(list)
    for row in rows:
        by_project[row.project_id].append(row)
    result.projects, result.workers = len(by_project), len(rows)
    if not by_project:
        return result
    projects = ConstructionProject.objects.in_bulk(list(by_project))
    workers = Worker.objects.in_bulk([r.worker_id for r in rows])
    employers = Enterprise.objects.in_bulk({r.employer_id for r in rows})
    pay_days = dict(
        ProjectWageSetup.objects.filter(project_id__in=list(by_project)).values_list(
            "project_id", "pay_day"
        )
    )
    texts = {
        project_id: _description(
            projects[project_id],
            month,
            pay_deadline(month, pay_days.get(project_id)),
            items,
            workers,
            employers,
        )
        for project_id, items in by_project.items()
    }
    raise_project_hazards(
        result,
        projects,
        texts,
        source_label(month),
        as_of,
        reasons=("欠薪预警复核，更新未发放工人名单", "欠薪预警，系统自动登记"),
    )
    return result


def raise_project_hazards(
    result: Any,
    projects: dict[int, ConstructionProject],
    texts: dict[int, str],
    label: str,
    as_of: dt.date,
    reasons: tuple[str, str],
) -> None:
    """Open, or bring up to date, one wages hazard per project with ``texts[project_id]``
    as its description, under the source ``label`` (one per check and month). A hazard
    already verified stays closed; an unchanged one is left alone. ``reasons`` are the
    history's change reasons (updated, opened); counts go into ``result``'s ``opened``,
    ``updated``, ``unchanged`` and ``closed_kept``."""
    ctype = ContentType.objects.get_for_model(ConstructionProject)
    existing = {
        h.source_id: h
        for h in Hazard.objects.filter(
            source_type=ctype, source_id__in=list(texts), found_by=FOUND_BY, source=label
        ).order_by("verified_on", "pk")
    }
    updated_reason, opened_reason = reasons
    with transaction.atomic():
        for project_id, text in sorted(texts.items()):
            project = projects[project_id]
            hazard = existing.get(project_id)
            if hazard is not None and hazard.verified_on is not None:
                result.closed_kept += 1
                continue
            if hazard is not None:
                if hazard.description == text:
                    result.unchanged += 1
                    continue
                hazard.description = text
                hazard._change_reason = updated_reason
                hazard.save()
                result.updated.append(hazard.code)
                continue
            hazard = Hazard(
                line="wages",
                org_unit_id=project.org_unit_id,
                source=label,
                category=HazardCategory.MANAGEMENT,
                description=text,
                location=(project.address or project.name)[:200],
                found_on=as_of,
                found_by=FOUND_BY,
            )
            hazard.link(project)
            hazard._change_reason = opened_reason
            hazard.save()
            result.opened.append(hazard.code)


def _description(
    project: ConstructionProject,
    month: dt.date,
    due: dt.date,
    items: list[Unpaid],
    workers: dict[int, Worker],
    employers: dict[int, Enterprise],
) -> str:
    by_employer: dict[int, list[Unpaid]] = defaultdict(list)
    for item in items:
        by_employer[item.employer_id].append(item)
    parts = []
    for employer_id, group in sorted(by_employer.items(), key=lambda kv: -len(kv[1])):
        names = [
            f"{workers[i.worker_id].name}（{workers[i.worker_id].code}"
            + (f"，少发{i.short:.2f}元" if i.short else "")
            + "）"
            for i in group
        ]
        shown = "、".join(names[:NAMES_PER_EMPLOYER])
        more = f"等{len(names)}人" if len(names) > NAMES_PER_EMPLOYER else f"共{len(names)}人"
        parts.append(f"{employers[employer_id].name}：{shown}{more}")
    return (
        f"{project.name}有{len(items)}名工人{month:%Y年%m月}有考勤，当月工资应于{due:%Y年%m月%d日}前"
        "支付，已过宽限期仍未从农民工工资专用账户足额发放。按用工单位：" + "；".join(parts)
    )


def open_warnings(user_hazards: Any) -> Any:
    """The arrears warnings among ``user_hazards`` that are not closed."""
    return user_hazards.filter(Q(found_by=FOUND_BY) & Q(verified_on__isnull=True))
