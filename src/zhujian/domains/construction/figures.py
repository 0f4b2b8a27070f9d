"""（六）建筑行业监管 figures: marks #155–#191 of report line 13."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db.models import Q

from zhujian.domains.construction import campaign_figures
from zhujian.domains.construction.campaign_figures import campaign_figure
from zhujian.domains.construction.models import (
    PM_SIZES,
    AreaKind,
    Building,
    ConstructionProject,
    DeviceKind,
    EnterpriseKind,
    FireAcceptance,
    FireKind,
    FireResult,
    InspectionKind,
    Licence,
    LicenceKind,
    LiftingMachine,
    PrefabApplication,
    SafetyAgreement,
    SiteDevice,
    SiteInspection,
    SmartSitePilot,
    Structure,
    Suspension,
    Tender,
    ViolationLead,
    building_between,
    expired_unrenewed,
    registration_overdue,
)
from zhujian.figures import headlines
from zhujian.figures.catalog import (
    Computed,
    EvalContext,
    Formula,
    count,
    distinct,
    register,
    register_family,
    total,
    yoy,
)
from zhujian.figures.periods import Period
from zhujian.hazards.figures import hazard_figures

# The campaign the default template speaks of, found by the report tag staff set on it.
TAG_EPIDEMIC = "工地疫情防控"

register_family("campaign", campaign_figures.resolve)


def _epidemic(fid: str, label: str, code: str, unit: str) -> Computed:
    return campaign_figure(f"construction.epidemic_{fid}", label, TAG_EPIDEMIC, code, unit)


register(
    _epidemic("sites_shut", "工地疫情防控：全面停工的建筑工地", "停工工地", "处"),
    _epidemic("teams", "工地疫情防控：督导巡查组", "督导组", "个"),
    _epidemic("vehicles_daily", "工地疫情防控：平均每天出动车辆", "出动车辆", "辆"),
    _epidemic("person_times_daily", "工地疫情防控：平均每天出动人次", "出动人次", "人次"),
    _epidemic("sites_patrolled", "工地疫情防控：督导巡查的县城建筑工地", "巡查工地", "个"),
    _epidemic("workers_tested", "工地疫情防控：进行核酸检测的施工人员", "核酸检测人数", "名"),
    _epidemic("test_rounds_weekly", "工地疫情防控：每周全员核酸检测轮次", "核酸检测轮次", "轮"),
    _epidemic("kit_days", "工地疫情防控：抗原检测试剂储备天数", "试剂储备天数", "天"),
    _epidemic("quick_test_share", "工地疫情防控：每天快速检测人员比例", "快检比例", "%"),
    _epidemic("vehicle_passes", "工地疫情防控：累计办理车辆通行证", "车辆通行证", "张"),
)

# --- projects, buildings, enterprises -------------------------------------------------------


def _building(period: Period) -> Q:
    return building_between(period.start, period.end)


def _town_building(period: Period) -> Q:
    return _building(period) & Q(area_kind=AreaKind.COUNTY_TOWN)


def _town_project_building(period: Period) -> Q:
    return _building(period) & Q(project__area_kind=AreaKind.COUNTY_TOWN)


def _floor_wan(value: Any) -> Decimal | None:
    """“*多万平方米”: square metres → whole 万平方米, rounded down."""
    return None if value is None else Decimal(math.floor(Decimal(value) / 10000))


def _agreements_of_the_year(period: Period) -> Q:
    """The letters of the period's year (责任年度), signed by the period's end: a 2022
    letter signed in December 2021 is one of 2022's, whatever day it was typed in."""
    return Q(year=period.end.year, signed_on__lte=period.end)


def _expired(period: Period) -> Q:
    return Q(kind=LicenceKind.SAFETY, issued_on__lte=period.end) & expired_unrenewed(period.end)


register(
    total(
        "construction.works_area",
        "在建建设工程总建筑面积",
        ConstructionProject,
        "floor_area",
        where=_building,
        mode="all",
        unit="平方米",
        decimals=0,
    ),
    Formula(
        id="construction.works_area_wan",
        label="建筑工程量（万平方米，取整）",
        args=["construction.works_area"],
        fn=_floor_wan,
        unit="万平方米",
    ),
    count(
        "construction.town_projects",
        "县城区域在建项目",
        ConstructionProject,
        where=_town_building,
        mode="all",
    ),
    count(
        "construction.town_buildings",
        "县城区域在建单体",
        Building,
        where=_town_project_building,
        mode="all",
    ),
    distinct(
        "construction.enterprises_licensed",
        "实行许可证动态管理的本县建筑企业",
        Licence,
        "enterprise",
        date="issued_on",
        mode="asof",
        where=Q(kind=LicenceKind.SAFETY, enterprise__local=True),
        unit="个",
    ),
    count(
        "construction.licences_expired",
        "安全生产许可证已过期未延续",
        Licence,
        where=_expired,
        mode="all",
        unit="个",
        good="down",
    ),
    count(
        "construction.agreements",
        "签订安全生产目标管理责任书",
        SafetyAgreement,
        where=_agreements_of_the_year,
        mode="all",
        unit="份",
        help="责任年度为期末所在年度、期末前已签订的责任书（上年12月签订的本年度责任书计入本年度）",
    ),
)

# --- lifting machines ---------------------------------------------------------------------


def _notified(period: Period) -> Q:
    """Machines with an installation notice, a use registration or a removal notice in the
    period (安拆使用告知)."""
    q = Q()
    for field in ("install_notice_on", "registered_on", "removal_notice_on"):
        q |= Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})
    return q


register(
    count(
        "construction.cranes_filed",
        "累计备案（未注销）的起重设备",
        LiftingMachine,
        date="filed_on",
        mode="asof",
        where=lambda p: Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=p.end),
        unit="台",
    ),
    count(
        "construction.cranes_notified",
        "安拆使用告知起重设备",
        LiftingMachine,
        where=_notified,
        mode="all",
        unit="台",
    ),
    count(
        "construction.cranes_registered_late",
        "验收后超期办理使用登记的起重设备",
        LiftingMachine,
        date="registered_on",
        where=Q(late_registration=True),
        unit="台",
    ),
    count(
        "construction.cranes_registration_overdue",
        "验收后逾期未办理使用登记的起重设备",
        LiftingMachine,
        where=lambda p: registration_overdue(p.end),
        mode="all",
        unit="台",
        good="down",
    ),
)

# --- inspections and enforcement ------------------------------------------------------------

SUPERVISION = ~Q(kind=InspectionKind.MARKET)
MARKET = Q(kind=InspectionKind.MARKET)

register(
    total(
        "construction.inspection_person_times",
        "出动检查人员",
        SiteInspection,
        "person_times",
        date="inspected_on",
        where=SUPERVISION,
        unit="人次",
    ),
    distinct(
        "construction.projects_inspected",
        "检查的建筑企业（施工项目）",
        SiteInspection,
        "project",
        date="inspected_on",
        where=SUPERVISION,
        unit="家",
    ),
    distinct(
        "construction.suspended_enterprises",
        "责令停产整顿的企业",
        Suspension,
        "enterprise",
        date="ordered_on",
        unit="家",
    ),
    distinct(
        "construction.market_projects_inspected",
        "建筑市场执法检查的在建项目",
        SiteInspection,
        "project",
        date="inspected_on",
        where=MARKET,
        unit="个",
    ),
    count(
        "construction.leads_transferred",
        "依法移交的违法线索",
        ViolationLead,
        date="transferred_on",
        unit="条",
    ),
    *hazard_figures("construction"),
)

# --- smart sites ----------------------------------------------------------------------------


def _active(period: Period) -> Q:
    return Q(installed_on__lte=period.end) & (
        Q(removed_on__isnull=True) | Q(removed_on__gt=period.end)
    )


def _pilot_devices(period: Period) -> Q:
    return _active(period) & Q(pilot__isnull=False)


def pilot_threshold(ctx: EvalContext) -> Decimal | None:
    """The area threshold (m²) of the last pilot batch launched by the period's end."""
    return (
        ctx.base(SmartSitePilot)
        .filter(launched_on__lte=ctx.period.end)
        .order_by("-launched_on", "-pk")
        .values_list("min_floor_area", flat=True)
        .first()
    )


def pm_sizes(ctx: EvalContext) -> str | None:
    """“监测PM*”: the particle sizes the active pilot devices measure (2.5、PM10)."""
    factors = (
        ctx.base(SiteDevice).filter(_pilot_devices(ctx.period)).values_list("factors", flat=True)
    )
    measured = {code for text in factors.distinct() for code in text.split(",")}
    sizes = [size for code, size in PM_SIZES.items() if code in measured]
    return "、PM".join(sizes) if sizes else None


register(
    distinct(
        "construction.pilot_sites",
        "试点建设智慧化监管设备的建筑工地",
        SiteDevice,
        "project",
        where=_pilot_devices,
        mode="all",
        unit="家",
    ),
    Computed(
        id="construction.pilot_threshold",
        label="智慧工地试点建筑面积门槛",
        unit="平方米",
        fn=pilot_threshold,
        records_model=SmartSitePilot,
        records_where=lambda p: Q(launched_on__lte=p.end),
    ),
    count(
        "construction.dome_cameras",
        "智慧工地试点接入的球形摄像头",
        SiteDevice,
        where=lambda p: _pilot_devices(p) & Q(kind=DeviceKind.DOME_CAMERA),
        mode="all",
        unit="台",
    ),
    Computed(
        id="construction.pm_sizes",
        label="试点设备监测的颗粒物粒径（PM）",
        fn=pm_sizes,
        records_model=SiteDevice,
        records_where=_pilot_devices,
    ),
)

# --- fire acceptance, prefab, tenders ---------------------------------------------------------

ACCEPTED = Q(kind=FireKind.ACCEPTANCE, result=FireResult.PASSED)
FILED = Q(kind=FireKind.FILING, result=FireResult.FILED)
PREFAB_CONCRETE = Q(structure=Structure.PREFAB_CONCRETE)

register(
    distinct(
        "construction.fire_categories",
        "完成消防验收的特殊建设工程类别",
        FireAcceptance,
        "category",
        date="decided_on",
        where=ACCEPTED,
        unit="类",
    ),
    count(
        "construction.fire_accepted",
        "完成特殊建设工程消防验收",
        FireAcceptance,
        date="decided_on",
        where=ACCEPTED,
    ),
    total(
        "construction.fire_accepted_area",
        "完成消防验收的特殊建设工程面积",
        FireAcceptance,
        "area",
        date="decided_on",
        where=ACCEPTED,
        unit="平方米",
        decimals=2,
    ),
    count(
        "construction.fire_filed",
        "完成建设工程竣工验收消防备案",
        FireAcceptance,
        date="decided_on",
        where=FILED,
    ),
    total(
        "construction.fire_filed_area",
        "完成竣工验收消防备案的工程面积",
        FireAcceptance,
        "area",
        date="decided_on",
        where=FILED,
        unit="平方米",
        decimals=2,
    ),
    total(
        "construction.prefab_started_area",
        "新开工混凝土结构装配式建筑面积",
        Building,
        "area",
        date="started_on",
        where=PREFAB_CONCRETE,
        unit="平方米",
        decimals=2,
    ),
    distinct(
        "construction.prefab_applicants",
        "申报产业基地的装配式构配件生产企业",
        PrefabApplication,
        "enterprise",
        date="applied_on",
        where=Q(enterprise__kind=EnterpriseKind.COMPONENTS),
        unit="家",
    ),
    count("construction.tenders", "监督完成的招标项目", Tender, date="awarded_on"),
    yoy("construction.tenders_yoy", "招标项目数量同比", "construction.tenders"),
    total(
        "construction.tenders_cost",
        "监督完成的招标项目总造价",
        Tender,
        "cost",
        date="awarded_on",
        unit="万元",
        decimals=2,
    ),
)

headlines.register(
    "construction",
    "construction.inspection_person_times",
    "construction.hazards_found",
    "construction.hazards_rate",
    "construction.licences_expired",
    "construction.cranes_registration_overdue",
    "construction.tenders",
)
headlines.register("construction", "construction.hazards_found", "construction.tenders", trend=True)
