"""Attendance of workers not (yet) registered (条例第二十八条): a hazard in the shared loop.

保障农民工工资支付条例第二十八条: a person without a labour contract and real-name
registration with the contractor may not enter the site. The gate devices still record who
came in, so attendance on a day before the worker's registration (or with none) is found
here, one hazard per project and month, opened or updated idempotently by :func:`check`
(``zhujian wages check`` runs it with the arrears check). A closed hazard is not reopened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.arrears import month_end, month_start, raise_project_hazards
from zhujian.domains.wages.models import Attendance, Worker

NAMES_SHOWN = 30


def source_label(month: dt.date) -> str:
    return f"未实名登记人员进场：{month:%Y年%m月}考勤"


@dataclass
class RealnameResult:
    month: dt.date
    projects: int = 0
    workers: int = 0
    opened: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    closed_kept: int = 0

    def summary(self) -> str:
        return (
            f"{self.month:%Y年%m月}未实名登记人员进场：{self.projects}个项目、{self.workers}人；"
            f"新登记隐患{len(self.opened)}条，更新{len(self.updated)}条，未变化{self.unchanged}条，"
            f"已销号未重开{self.closed_kept}条。"
        )


def unregistered(month: dt.date) -> dict[int, dict[int, int]]:
    """project id → {worker id → days of attendance in ``month`` before the worker's
    real-name registration and labour contract (or with either missing)}."""
    month = month_start(month)
    rows = (
        Attendance.objects.filter(day__gte=month, day__lte=month_end(month))
        .filter(
            Q(worker__realname_on__isnull=True)
            | Q(worker__realname_on__gt=F("day"))
            | Q(worker__contract_signed_on__isnull=True)
            | Q(worker__contract_signed_on__gt=F("day"))
        )
        .values("project_id", "worker_id")
        .annotate(days=Count("id"))
        .order_by("project_id", "worker_id")
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for r in rows:
        out[r["project_id"]][r["worker_id"]] = r["days"]
    return out


def check(month: dt.date, as_of: dt.date | None = None) -> RealnameResult:
    """Open or update one hazard per project with unregistered attendance in ``month``."""
    month = month_start(month)
    as_of = as_of or dt.date.today()
    result = RealnameResult(month)
    found = unregistered(month)
    result.projects = len(found)
    result.workers = sum(len(w) for w in found.values())
    if not found:
        return result
    projects = ConstructionProject.objects.in_bulk(list(found))
    workers = Worker.objects.in_bulk([w for ws in found.values() for w in ws])
    texts = {
        project_id: _description(projects[project_id], month, days, workers)
        for project_id, days in found.items()
    }
    raise_project_hazards(
        result,
        projects,
        texts,
        source_label(month),
        as_of,
        reasons=("未实名登记人员进场复核，更新名单", "未实名登记人员进场，系统自动登记"),
    )
    return result


def _description(
    project: ConstructionProject, month: dt.date, days: dict[int, int], workers: dict[int, Worker]
) -> str:
    names = []
    for worker_id, count in sorted(days.items(), key=lambda kv: -kv[1]):
        worker = workers[worker_id]
        missing = "、".join(
            what
            for what, done in (
                ("实名登记", worker.realname_on),
                ("劳动合同", worker.contract_signed_on),
            )
            if not done
        )
        why = f"未办{missing}" if missing else "登记前进场"
        names.append(f"{worker.name}（{worker.code}，{why}，{count}天）")
    shown = "、".join(names[:NAMES_SHOWN]) + (
        f"等{len(names)}人" if len(names) > NAMES_SHOWN else ""
    )
    return (
        f"{project.name}{month:%Y年%m月}有{len(names)}名人员在订立劳动合同并完成实名登记前"
        f"有门禁考勤：{shown}。依据保障农民工工资支付条例第二十八条，未订立劳动合同并进行用工"
        "实名登记的人员不得进入项目现场施工。"
    )
