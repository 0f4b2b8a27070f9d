"""（五）人防 figures: every mark of report line 11 (#144–#154)."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from zhujian.domains.civildefense.models import (
    DefenseWork,
    DefenseWorkInspection,
    Facility,
    Patrol,
    PatrolKind,
    ShelterRequirement,
    SupervisionVisit,
    VisitLevel,
)
from zhujian.figures import headlines
from zhujian.figures.catalog import Computed, EvalContext, count, earliest, register, total
from zhujian.figures.periods import Period
from zhujian.hazards.figures import hazard_figures
from zhujian.hazards.models import Hazard

POST_SAFETY = Q(facility=Facility.COMMAND_POST, kind=PatrolKind.SAFETY)


def full_weeks(period: Period) -> tuple[dt.date, int]:
    """The first Monday inside ``period`` and how many whole Monday–Sunday weeks follow."""
    first = period.start + dt.timedelta(days=(7 - period.start.weekday()) % 7)
    return first, max(0, ((period.end - first).days + 1) // 7)


def weekly_frequency(ctx: EvalContext) -> int | None:
    """“坚持每周*次”: the fewest command-post safety patrols in any whole week of the period
    (the frequency kept every week). None when the period has no such patrol at all."""
    first, weeks = full_weeks(ctx.period)
    if not weeks:
        return None
    last = first + dt.timedelta(days=7 * weeks - 1)
    rows = (
        ctx.base(Patrol)
        .filter(POST_SAFETY, patrolled_on__gte=first, patrolled_on__lte=last)
        .annotate(week=TruncWeek("patrolled_on"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    per_week = {_as_date(r["week"]): r["n"] for r in rows}
    if not per_week:
        return None
    return min(per_week.get(first + dt.timedelta(days=7 * w), 0) for w in range(weeks))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _post_patrols(period: Period) -> Q:
    first, weeks = full_weeks(period)
    last = first + dt.timedelta(days=7 * weeks - 1)
    return POST_SAFETY & Q(patrolled_on__gte=first, patrolled_on__lte=last)


PROVINCE = Q(level=VisitLevel.PROVINCE)


def _province_visits(period: Period) -> Q:
    """Hazards pointed out by the provincial supervision visits of the period."""
    visits = SupervisionVisit.objects.filter(
        PROVINCE, visited_on__gte=period.start, visited_on__lte=period.end
    ).values("pk")
    return Q(
        line="civildefense",
        source_type=ContentType.objects.get_for_model(SupervisionVisit),
        source_id__in=visits,
    )


def _inspected_in(period: Period) -> Q:
    """Works that had a quality-supervision inspection in the period."""
    inspected = DefenseWorkInspection.objects.filter(
        inspected_on__gte=period.start, inspected_on__lte=period.end
    ).values("work_id")
    return Q(pk__in=inspected)


register(
    Computed(
        id="civildefense.post_patrols_weekly",
        label="基本指挥所每周安全生产巡检排查（各整周中最少的次数）",
        unit="次",
        fn=weekly_frequency,
        records_model=Patrol,
        records_where=_post_patrols,
    ),
    earliest(
        "civildefense.province_visit_date",
        "省督导组专项督导检查日期",
        SupervisionVisit,
        "visited_on",
        date="visited_on",
        where=PROVINCE,
    ),
    count(
        "civildefense.province_visit_problems",
        "省督导组指出的问题",
        Hazard,
        where=_province_visits,
        mode="all",
        unit="项",
    ),
    count(
        "civildefense.works_registered",
        "新增人防工程质量监督注册登记",
        DefenseWork,
        date="registered_on",
        unit="个",
    ),
    total(
        "civildefense.works_registered_area",
        "新增注册登记人防工程面积",
        DefenseWork,
        "area",
        date="registered_on",
        unit="平方米",
        decimals=2,
    ),
    count(
        "civildefense.works_supervised",
        "开展质量监督的在建人防工程",
        DefenseWork,
        where=_inspected_in,
        mode="all",
        unit="个",
    ),
    total(
        "civildefense.works_supervised_area",
        "开展质量监督的在建人防工程面积",
        DefenseWork,
        "area",
        where=_inspected_in,
        mode="all",
        unit="平方米",
        decimals=2,
    ),
    count(
        "civildefense.work_inspections",
        "人防工程质量监督检查",
        DefenseWorkInspection,
        date="inspected_on",
        unit="次",
    ),
    count(
        "civildefense.works_accepted",
        "竣工验收人防工程",
        DefenseWork,
        date="accepted_on",
        unit="个",
        good="up",
    ),
    total(
        "civildefense.works_accepted_area",
        "竣工验收人防工程面积",
        DefenseWork,
        "area",
        date="accepted_on",
        unit="平方米",
        decimals=2,
    ),
    total(
        "civildefense.shelter_required_area",
        "结建应建防空地下室面积",
        ShelterRequirement,
        "required_area",
        date="approved_on",
        unit="平方米",
        decimals=0,
    ),
    total(
        "civildefense.shelter_fees",
        "收缴人防易地建设费",
        ShelterRequirement,
        "fee_amount",
        date="fee_paid_on",
        unit="元",
        decimals=0,
    ),
    *hazard_figures("civildefense"),
)

headlines.register(
    "civildefense",
    "civildefense.works_registered",
    "civildefense.work_inspections",
    "civildefense.works_accepted",
    "civildefense.hazards_rate",
)
headlines.register("civildefense", "civildefense.work_inspections", trend=True)
