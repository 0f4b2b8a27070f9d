"""农民工工资 figures: marks #192–#196 of report line 13."""

from __future__ import annotations

from django.db.models import Q

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.models import CaseSource, WageCase
from zhujian.figures import headlines
from zhujian.figures.catalog import Computed, EvalContext, count, register, sum_of, total
from zhujian.figures.periods import Period


def _resolved_in(period: Period) -> Q:
    return Q(resolved_on__gte=period.start, resolved_on__lte=period.end)


def hotlines(ctx: EvalContext) -> str | None:
    """“共解决*热线…案件”: the hotline numbers the period's resolved cases came through."""
    numbers = (
        ctx.base(WageCase)
        .filter(_resolved_in(ctx.period), source=CaseSource.HOTLINE)
        .order_by("hotline")
        .values_list("hotline", flat=True)
        .distinct()
    )
    found = [n for n in numbers if n]
    return "、".join(found) if found else None


register(
    Computed(
        id="wages.hotlines",
        label="欠薪案件来源热线号码",
        fn=hotlines,
        records_model=WageCase,
        records_where=lambda p: _resolved_in(p) & Q(source=CaseSource.HOTLINE),
    ),
    *[
        count(
            f"wages.cases_{source.value}",
            f"解决{source.label}欠薪案件",
            WageCase,
            date="resolved_on",
            where=Q(source=source),
            unit="件",
        )
        for source in CaseSource
    ],
    sum_of(
        "wages.cases_resolved",
        "解决欠薪案件",
        *[f"wages.cases_{source.value}" for source in CaseSource],
        unit="件",
        good="up",
    ),
    total(
        "wages.workers",
        "欠薪案件涉及人数",
        WageCase,
        "workers",
        date="resolved_on",
        unit="人",
        good="down",
    ),
    total(
        "wages.recovered",
        "解决拖欠工资",
        WageCase,
        "amount_recovered",
        date="resolved_on",
        unit="元",
        decimals=2,
        good="up",
    ),
    count(
        "wages.realname_projects",
        "纳入农民工工资实名制监管平台的项目",
        ConstructionProject,
        date="realname_on",
        mode="asof",
    ),
)

headlines.register(
    "wages", "wages.cases_resolved", "wages.workers", "wages.recovered", "wages.realname_projects"
)
headlines.register("wages", "wages.cases_resolved", trend=True)
