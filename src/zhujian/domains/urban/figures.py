"""（二）城市建设与公用事业 figures: every mark of report lines 5 and 21."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from zhujian.core.tags import tagged
from zhujian.domains.urban.models import (
    DischargerSample,
    DrainageProject,
    EffluentSample,
    EmergencyMember,
    EmergencyTeam,
    FloodDrill,
    FloodInspection,
    GasCase,
    GasInspection,
    GasService,
    GasSupply,
    HeatingProject,
    HeatingSeason,
    MeterInstallation,
    MunicipalProject,
    PlantActivity,
    ProjectProgress,
    WaterMain,
    WaterSupply,
)
from zhujian.figures import headlines
from zhujian.figures.catalog import (
    Computed,
    EvalContext,
    Formula,
    Setting,
    count,
    distinct,
    earliest,
    latest,
    register,
    total,
)
from zhujian.figures.periods import Period
from zhujian.hazards.figures import hazard_figures

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)

# --- 市政道路与重点工程 ---------------------------------------------------------------


def road_stem(name: str | None) -> str | None:
    """The part of a road name a sentence puts before “号路”/“路”: 7号路 → 7, 滨河路 → 滨河."""
    if not name:
        return None
    for suffix in ("号路", "路"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def road_part(fid: str, label: str, tag: str, field: str) -> Computed:
    """A road name (``road``, ``segment_from`` or ``segment_to``), stemmed, of the project
    tagged ``tag`` (报告标记)."""

    def value(ctx: EvalContext) -> str | None:
        projects = ctx.base(MunicipalProject).filter(tagged(MunicipalProject, tag))
        return road_stem(projects.order_by("pk").values_list(field, flat=True).first())

    return Computed(id=fid, label=label, fn=value, records_model=MunicipalProject)


def _latest_report(field: str, day: dt.date) -> Subquery:
    reports = ProjectProgress.objects.filter(project=OuterRef("pk"), reported_on__lte=day)
    return Subquery(reports.order_by("-reported_on", "-pk").values(field)[:1])


def under_way(period: Period) -> Q:
    """Road projects being built at some time in ``period``."""
    return (
        Q(kind="road", started_on__lte=period.end)
        & (Q(opened_on__isnull=True) | Q(opened_on__gte=period.start))
        & ~Q(stage="planned")
    )


def investment_within(where: Q | None) -> Any:
    """Investment completed inside the period: cumulative at its end minus before its start."""

    def value(ctx: EvalContext) -> Decimal:
        period = ctx.period
        before = period.start - dt.timedelta(days=1)
        qs = ctx.base(MunicipalProject).filter(where if where is not None else under_way(period))
        qs = qs.annotate(
            at_end=Coalesce(_latest_report("cumulative_investment", period.end), ZERO),
            at_start=Coalesce(_latest_report("cumulative_investment", before), ZERO),
        )
        row = qs.aggregate(
            total=Sum(ExpressionWrapper(F("at_end") - F("at_start"), output_field=MONEY))
        )
        return row["total"] or Decimal(0)

    return value


def weighted_completion(ctx: EvalContext) -> Decimal | None:
    """Percent complete of the roads under way, weighted by their planned investment."""
    qs = ctx.base(MunicipalProject).filter(under_way(ctx.period))
    qs = qs.annotate(pct=Coalesce(_latest_report("percent_complete", ctx.period.end), ZERO))
    row = qs.aggregate(
        done=Sum(ExpressionWrapper(F("pct") * F("planned_investment"), output_field=MONEY)),
        planned=Sum("planned_investment"),
    )
    if not row["planned"]:
        return None
    return Decimal(row["done"] or 0) / Decimal(row["planned"])


# The records the default template names, found by the report tag (报告标记) staff set on
# them — a real county's projects carry its own codes, so never by code.
TAG_HUIBAO = "会宝路东延"
TAG_TAOLI = "桃李路"
TAG_DONGYI = "东一路"
TAG_UNDERPASS = "箱涵立交"
TAG_LANXI_W_S = "兰溪西路南延"
TAG_LANXI_E_S = "兰溪东路南延"
TAG_CHONGWEN_N = "崇文路北延"
TAG_TAOLI_E = "桃李路东延"
TAG_JINGCHENG = "景城花园南水沟"


def _named(tag: str) -> Q:
    return tagged(MunicipalProject, tag)


register(
    road_part("municipal.huibao_from", "会宝路东延起点（号路）", TAG_HUIBAO, "segment_from"),
    road_part("municipal.huibao_to", "会宝路东延终点（号路）", TAG_HUIBAO, "segment_to"),
    road_part("municipal.taoli_from", "桃李路起点（号路）", TAG_TAOLI, "segment_from"),
    road_part("municipal.dongyi_to", "东一路终点（路）", TAG_DONGYI, "segment_to"),
    road_part("municipal.taoli_east_from", "桃李路东延起点（号路）", TAG_TAOLI_E, "segment_from"),
    road_part("municipal.underpass_road", "箱涵立交所在道路", TAG_UNDERPASS, "road"),
    count(
        "municipal.roads_under_way",
        "在建市政道路",
        MunicipalProject,
        where=under_way,
        mode="all",
        unit="条",
    ),
    Computed(
        id="municipal.roads_investment",
        label="市政道路期内完成投资",
        unit="万元",
        decimals=0,
        fn=investment_within(None),
        records_model=ProjectProgress,
    ),
    Computed(
        id="municipal.roads_completion",
        label="在建市政道路完成率（按计划投资加权的形象进度）",
        unit="%",
        decimals=0,
        fn=weighted_completion,
        records_model=ProjectProgress,
    ),
    Computed(
        id="municipal.underpass_investment",
        label="箱涵立交工程期内完成投资",
        unit="万元",
        decimals=0,
        fn=investment_within(_named(TAG_UNDERPASS)),
        records_model=ProjectProgress,
    ),
    latest(
        "municipal.underpass_percent",
        "箱涵立交工程形象进度",
        ProjectProgress,
        "percent_complete",
        date="reported_on",
        mode="asof",
        where=tagged(ProjectProgress, TAG_UNDERPASS, via="project"),
        unit="%",
        decimals=0,
    ),
    earliest(
        "municipal.underpass_open_date",
        "箱涵立交计划通车日期",
        MunicipalProject,
        "target_open_on",
        where=_named(TAG_UNDERPASS),
        mode="all",
    ),
    latest(
        "municipal.lanxi_west_south_length",
        "兰溪西路南延长度",
        MunicipalProject,
        "length_m",
        where=_named(TAG_LANXI_W_S),
        mode="all",
        unit="米",
        decimals=0,
    ),
    latest(
        "municipal.lanxi_east_south_length",
        "兰溪东路南延长度",
        MunicipalProject,
        "length_m",
        where=_named(TAG_LANXI_E_S),
        mode="all",
        unit="米",
        decimals=0,
    ),
    latest(
        "municipal.chongwen_north_length",
        "崇文路北延长度",
        MunicipalProject,
        "length_m",
        where=_named(TAG_CHONGWEN_N),
        mode="all",
        unit="米",
        decimals=0,
    ),
)

# --- 燃气 ------------------------------------------------------------------------------


# An inspection filed under a quarter may be carried out a little before it starts or after
# it ends; within this margin it is matched to the quarter of the nearest year (the same
# quarter of the neighbouring years is 365 days away).
QUARTER_MARGIN = dt.timedelta(days=120)


def _quarters_within(period: Period) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, first day, last day) of each quarter wholly inside ``period``."""
    found = []
    for year in range(period.start.year, period.end.year + 1):
        for quarter in (1, 2, 3, 4):
            first = dt.date(year, 3 * quarter - 2, 1)
            after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
            last = after - dt.timedelta(days=1)
            if period.start <= first and last <= period.end:
                found.append((year, quarter, first, last))
    return found


def inspections_of_quarters(period: Period) -> Q:
    """Gas inspections belonging to the period's quarters by their 所属季度 (a second-quarter
    inspection finished on 3 July is a second-quarter one); by the inspection date where no
    quarter is filled in or the period holds no whole quarter."""
    by_date = Q(inspected_on__gte=period.start, inspected_on__lte=period.end)
    quarters = [] if period.as_of else _quarters_within(period)
    if not quarters:
        return by_date
    q = Q(quarter__isnull=True) & by_date
    for _year, quarter, first, last in quarters:
        q |= Q(
            quarter=quarter,
            inspected_on__gte=first - QUARTER_MARGIN,
            inspected_on__lte=last + QUARTER_MARGIN,
        )
    return q


def _service(kind: str) -> Q:
    return Q(kind=kind)


register(
    total(
        "gas.supply_volume",
        "天然气供应量",
        GasSupply,
        "natural_gas",
        date="month",
        unit="万立方米",
        decimals=0,
    ),
    distinct(
        "gas.companies_inspected",
        "安全生产检查覆盖燃气企业",
        GasInspection,
        "company",
        where=lambda p: Q(kind="safety") & inspections_of_quarters(p),
        mode="all",
        unit="家",
        help="按检查所属季度计（“第一、二季度安全生产检查”），未填所属季度的按检查日期",
    ),
    count(
        "gas.alarm_supervisions",
        "餐饮场所燃气报警器专项督导",
        GasInspection,
        date="inspected_on",
        where=Q(kind="alarm"),
        unit="次",
    ),
    count("gas.cases", "燃气执法案件", GasCase, date="opened_on", unit="起"),
    count(
        "gas.cases_transferred",
        "移交公安机关的燃气案件",
        GasCase,
        date="opened_on",
        where=~Q(transferred_to=""),
        unit="起",
    ),
    total(
        "gas.water_cards",
        "上门充值水费卡",
        GasService,
        "quantity",
        date="served_on",
        where=_service("water_card"),
        unit="张",
        decimals=0,
    ),
    total(
        "gas.gas_cards",
        "上门充值燃气卡",
        GasService,
        "quantity",
        date="served_on",
        where=_service("gas_card"),
        unit="张",
        decimals=0,
    ),
    total(
        "gas.lpg_bottles",
        "配送液化气",
        GasService,
        "quantity",
        date="served_on",
        where=_service("lpg_delivery"),
        unit="瓶",
        decimals=0,
    ),
    total(
        "gas.purchase_tonnes",
        "协调液化气站购气",
        GasService,
        "quantity",
        date="served_on",
        where=_service("purchase"),
        unit="吨",
        decimals=0,
    ),
    *hazard_figures("gas"),
)

# --- 供热 ------------------------------------------------------------------------------


def _season_ending(period: Period) -> Q:
    """The heating season that ended in the period's year (e.g. 2021-2022 for 2022H1)."""
    return Q(end_year=period.end.year)


def _plan_year(period: Period) -> Q:
    return Q(year=period.end.year)


def _increase(now: Any, before: Any) -> Decimal | None:
    if now is None or before is None:
        return None
    return Decimal(now) - Decimal(before)


register(
    latest(
        "heating.season_start_year",
        "本年度结束的供热季起始年份",
        HeatingSeason,
        "start_year",
        where=_season_ending,
        mode="all",
        unit="",
    ),
    latest(
        "heating.season_area",
        "集中供热面积",
        HeatingSeason,
        "heated_area",
        where=_season_ending,
        mode="all",
        unit="万平方米",
    ),
    Formula(
        id="heating.season_area_new",
        label="集中供热面积较上一供热季新增",
        args=["heating.season_area", ("heating.season_area", 1)],
        fn=_increase,
        unit="万平方米",
    ),
    total(
        "heating.projects_planned",
        "本年度供热工程计划投资",
        HeatingProject,
        "planned_investment",
        where=_plan_year,
        mode="all",
        unit="万元",
        decimals=0,
    ),
    total(
        "heating.projects_completed",
        "本年度供热工程已完成投资",
        HeatingProject,
        "completed_investment",
        where=_plan_year,
        mode="all",
        unit="万元",
        decimals=0,
    ),
)

# --- 供水 ------------------------------------------------------------------------------

register(
    total(
        "water.supply_volume",
        "供水量",
        WaterSupply,
        "volume",
        date="month",
        unit="万立方米",
        decimals=0,
    ),
    total(
        "water.revenue", "水费收入", WaterSupply, "revenue", date="month", unit="万元", decimals=0
    ),
    total(
        "water.mains_km",
        "新铺设供水主管道",
        WaterMain,
        "length_km",
        date="completed_on",
        unit="公里",
        decimals=1,
    ),
    total(
        "water.household_meters",
        "户表安装",
        MeterInstallation,
        "quantity",
        date="installed_on",
        where=Q(kind="household"),
        unit="户",
    ),
    total(
        "water.bulk_meters",
        "总计量水表安装",
        MeterInstallation,
        "quantity",
        date="installed_on",
        where=Q(kind="bulk"),
        unit="块",
    ),
)

# --- 排水 ------------------------------------------------------------------------------

JINGCHENG = tagged(DrainageProject, TAG_JINGCHENG)

register(
    count(
        "drainage.discharger_samples",
        "排水户水质抽检",
        DischargerSample,
        date="sampled_on",
        unit="次",
    ),
    count(
        "drainage.assessments",
        "污水处理企业安全生产运营全面考核",
        PlantActivity,
        date="held_on",
        where=Q(kind="assessment"),
        unit="次",
    ),
    count(
        "drainage.confined_drills",
        "污水处理厂有限空间作业应急演练",
        PlantActivity,
        date="held_on",
        where=Q(kind="confined_drill"),
        unit="次",
    ),
    count(
        "drainage.flood_drills",
        "污水处理厂防汛应急演练",
        PlantActivity,
        date="held_on",
        where=Q(kind="flood_drill"),
        unit="次",
    ),
    Formula(
        id="drainage.drills_each",
        label="有限空间作业、防汛应急演练各（取两者较少者）",
        args=["drainage.confined_drills", "drainage.flood_drills"],
        fn=lambda a, b: None if a is None or b is None else min(a, b),
        unit="次",
    ),
    count(
        "drainage.effluent_samples",
        "污水处理厂出水水质抽检",
        EffluentSample,
        date="sampled_on",
        unit="次",
    ),
    latest(
        "drainage.jingcheng_investment",
        "景城花园南水沟污染治理项目投资",
        DrainageProject,
        "investment",
        where=JINGCHENG,
        mode="all",
        unit="万元",
        decimals=0,
    ),
    latest(
        "drainage.jingcheng_length",
        "景城花园南水沟污染治理项目全长",
        DrainageProject,
        "total_length_m",
        where=JINGCHENG,
        mode="all",
        unit="米",
        decimals=0,
    ),
    latest(
        "drainage.jingcheng_laid",
        "景城花园南水沟污染治理项目已铺设管网",
        DrainageProject,
        "laid_length_m",
        where=JINGCHENG,
        mode="all",
        unit="米",
        decimals=0,
    ),
    earliest(
        "drainage.jingcheng_expected",
        "景城花园南水沟污染治理项目预计完工日期",
        DrainageProject,
        "expected_done_on",
        where=JINGCHENG,
        mode="all",
    ),
)

# --- 防汛 ------------------------------------------------------------------------------


def _still_member(period: Period) -> Q:
    return Q(left_on__isnull=True) | Q(left_on__gt=period.end)


def _team_active(period: Period) -> Q:
    return Q(disbanded_on__isnull=True) | Q(disbanded_on__gt=period.end)


register(
    count(
        "flood.inspections", "防汛重点部位督导检查", FloodInspection, date="inspected_on", unit="次"
    ),
    total(
        "flood.drill_participants",
        "防汛应急演练参演专业人员",
        FloodDrill,
        "participants",
        date="held_on",
        unit="人",
    ),
    count("flood.drills", "防汛应急演练", FloodDrill, date="held_on", unit="次"),
    count(
        "flood.team_members",
        "防汛抢险队伍抽调人员",
        EmergencyMember,
        date="joined_on",
        mode="asof",
        where=_still_member,
        unit="人",
    ),
    count(
        "flood.teams",
        "防汛抢险突击队伍",
        EmergencyTeam,
        date="formed_on",
        mode="asof",
        where=_team_active,
        unit="支",
    ),
    Setting(
        id="flood.duty_hours",
        label="副科级以上干部带班制度（小时）",
        key="flood.duty_hours",
        default=24,
        unit="小时",
    ),
    *hazard_figures("flood"),
)

headlines.register(
    "municipal",
    "municipal.roads_investment",
    "municipal.roads_under_way",
    "municipal.roads_completion",
    "municipal.underpass_percent",
)
headlines.register(
    "gas", "gas.supply_volume", "gas.hazards_found", "gas.hazards_rate", "gas.hazards_overdue"
)
headlines.register("gas", "gas.supply_volume", "gas.hazards_found", trend=True)
headlines.register(
    "heating", "heating.season_area", "heating.projects_planned", "heating.projects_completed"
)
headlines.register(
    "water", "water.supply_volume", "water.revenue", "water.mains_km", "water.household_meters"
)
headlines.register("water", "water.supply_volume", "water.revenue", trend=True)
headlines.register(
    "drainage",
    "drainage.discharger_samples",
    "drainage.effluent_samples",
    "drainage.assessments",
)
headlines.register(
    "flood", "flood.inspections", "flood.hazards_found", "flood.hazards_rate", "flood.team_members"
)
headlines.register("flood", "flood.hazards_found", trend=True)
