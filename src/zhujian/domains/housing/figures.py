"""Figures of （四）住房保障: every mark of report line 9 (#92–#143).

Records named in the text (龙沂庄二期, 造纸厂三期) are found by their report tags
(报告标记), which staff set and move on the record's page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q

from zhujian.core.tags import tagged
from zhujian.domains.housing.models import (
    AffordableTransaction,
    AllocationRound,
    DemolitionArea,
    DemolitionHousehold,
    EligibilityReview,
    HomesteadKind,
    ItemClass,
    OldCommunity,
    OwnersCommittee,
    PropertyCompany,
    RenovationItem,
    RentalSubsidy,
    RentPayment,
    ResidentialCommunity,
    RoundStatus,
    ShantytownProject,
    TransferKind,
)
from zhujian.domains.housing.models.renovation import stopped_on_day
from zhujian.figures import headlines
from zhujian.figures.catalog import (
    Formula,
    count,
    distinct,
    earliest,
    latest,
    rate,
    register,
    sum_of,
    total,
)
from zhujian.figures.periods import Period

TAG_LONGYI = "龙沂庄二期"
TAG_ZAOZHI = "造纸厂三期"

# --- 拆迁扫尾攻坚 -------------------------------------------------------------------------


def in_campaign(period: Period, prefix: str = "") -> Q:
    """Tail households (尾子户) worked on in ``period``: listed by its end, not demolished
    before it began."""
    p = prefix
    return Q(**{f"{p}tail_listed_on__lte": period.end}) & (
        Q(**{f"{p}demolished_on__isnull": True}) | Q(**{f"{p}demolished_on__gte": period.start})
    )


def _campaign_households(period: Period) -> Any:
    return DemolitionHousehold.objects.filter(in_campaign(period), area=OuterRef("pk"))


def area_worked(period: Period) -> Q:
    return Q(Exists(_campaign_households(period)))


def area_cleared(period: Period) -> Q:
    """Every tail household of the area worked on in ``period`` demolished by its end."""
    standing = _campaign_households(period).filter(
        Q(demolished_on__isnull=True) | Q(demolished_on__gt=period.end)
    )
    return area_worked(period) & ~Q(Exists(standing))


def _signed(period: Period) -> Q:
    return in_campaign(period) & Q(agreement_signed_on__lte=period.end)


def _demolished(period: Period) -> Q:
    return in_campaign(period) & Q(demolished_on__lte=period.end)


register(
    count(
        "demolition.tail_areas",
        "开展扫尾攻坚的拆迁片区",
        DemolitionArea,
        where=area_worked,
        mode="all",
    ),
    count(
        "demolition.tail_households",
        "扫尾攻坚尾子户",
        DemolitionHousehold,
        where=in_campaign,
        mode="all",
        unit="户",
    ),
    count(
        "demolition.tail_signed",
        "尾子户已签订协议",
        DemolitionHousehold,
        where=_signed,
        mode="all",
        unit="户",
    ),
    rate(
        "demolition.tail_signed_rate",
        "尾子户签约完成率",
        "demolition.tail_signed",
        "demolition.tail_households",
        good="up",
    ),
    count(
        "demolition.tail_demolished",
        "尾子户已拆除",
        DemolitionHousehold,
        where=_demolished,
        mode="all",
        unit="户",
        good="up",
    ),
    rate(
        "demolition.tail_demolished_rate",
        "尾子户拆除完成率",
        "demolition.tail_demolished",
        "demolition.tail_households",
        good="up",
    ),
    count(
        "demolition.tail_areas_cleared",
        "完成尾子户清零的拆迁片区",
        DemolitionArea,
        where=area_cleared,
        mode="all",
    ),
)

# --- 龙沂庄二期配套区拆迁 (the area tagged 龙沂庄二期) --------------------------------------

LONGYI = tagged(DemolitionHousehold, TAG_LONGYI, via="area")
PLANNED = Q(homestead_kind=HomesteadKind.PLANNED)
UNPLANNED = Q(homestead_kind=HomesteadKind.UNPLANNED)

register(
    earliest(
        "demolition.longyi_started",
        "龙沂庄二期配套区拆迁启动日期",
        DemolitionArea,
        "started_on",
        date="started_on",
        mode="asof",
        where=tagged(DemolitionArea, TAG_LONGYI),
        unit="",
    ),
    count(
        "demolition.longyi_planned",
        "龙沂庄二期规划宅基户",
        DemolitionHousehold,
        where=LONGYI & PLANNED,
        mode="all",
        unit="位",
    ),
    count(
        "demolition.longyi_unplanned",
        "龙沂庄二期非规划宅基户",
        DemolitionHousehold,
        where=LONGYI & UNPLANNED,
        mode="all",
        unit="位",
    ),
    sum_of(
        "demolition.longyi_households",
        "龙沂庄二期搬迁户",
        "demolition.longyi_planned",
        "demolition.longyi_unplanned",
        unit="位",
    ),
    count(
        "demolition.longyi_planned_signed",
        "龙沂庄二期规划宅基户完成签约",
        DemolitionHousehold,
        date="agreement_signed_on",
        mode="asof",
        where=LONGYI & PLANNED,
        unit="位",
    ),
    count(
        "demolition.longyi_unplanned_signed",
        "龙沂庄二期非规划宅基户完成签约",
        DemolitionHousehold,
        date="agreement_signed_on",
        mode="asof",
        where=LONGYI & UNPLANNED,
        unit="位",
    ),
    sum_of(
        "demolition.longyi_signed",
        "龙沂庄二期完成签约",
        "demolition.longyi_planned_signed",
        "demolition.longyi_unplanned_signed",
        unit="位",
    ),
    rate(
        "demolition.longyi_signed_rate",
        "龙沂庄二期签约完成率",
        "demolition.longyi_signed",
        "demolition.longyi_households",
        good="up",
    ),
)

# --- 回迁安置房分房 (the project tagged 造纸厂三期) ----------------------------------------


def _completed_round(tag: str) -> Q:
    """Drawn rounds of the tagged project that no redraw has replaced."""
    return (
        tagged(AllocationRound, tag, via="project")
        & Q(status=RoundStatus.DRAWN)
        & Q(redraw__isnull=True)
    )


register(
    latest(
        "demolition.zaozhi_allocated",
        "造纸厂三期安置房完成分房（摇号）日期",
        AllocationRound,
        "drawn_on",
        date="drawn_on",
        mode="asof",
        where=_completed_round(TAG_ZAOZHI),
        unit="",
    ),
    count(
        "demolition.rounds_drawn",
        "完成摇号的分房轮次",
        AllocationRound,
        date="drawn_on",
        where=Q(status=RoundStatus.DRAWN),
        unit="轮",
    ),
)

# --- 老旧小区改造 --------------------------------------------------------------------------


def _declared(period: Period, prefix: str = "") -> Q:
    """Communities of the period's year, declared by its end."""
    return Q(**{f"{prefix}year": period.end.year, f"{prefix}declared_on__lte": period.end})


def _items(item_class: str) -> Any:
    return lambda p: _declared(p, "community__") & Q(item_class=item_class)


def _wan(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)) / 10000


register(
    count(
        "renovation.old_communities",
        "申报改造老旧小区",
        OldCommunity,
        where=_declared,
        mode="all",
    ),
    total(
        "renovation.old_buildings",
        "申报改造老旧小区楼栋",
        OldCommunity,
        "buildings",
        where=_declared,
        mode="all",
        unit="栋",
    ),
    total(
        "renovation.old_households",
        "申报改造老旧小区户数",
        OldCommunity,
        "households",
        where=_declared,
        mode="all",
        unit="户",
    ),
    total(
        "renovation.old_area_m2",
        "申报改造面积",
        OldCommunity,
        "floor_area",
        where=_declared,
        mode="all",
        unit="平方米",
    ),
    Formula(
        id="renovation.old_area",
        label="申报改造面积（万平方米）",
        args=["renovation.old_area_m2"],
        fn=_wan,
        unit="万平方米",
        decimals=2,
    ),
    total(
        "renovation.old_investment",
        "老旧小区改造投资",
        OldCommunity,
        "investment",
        where=_declared,
        mode="all",
        unit="万元",
    ),
    count(
        "renovation.items_basic",
        "基础类改造内容",
        RenovationItem,
        where=_items(ItemClass.BASIC),
        mode="all",
        unit="项",
    ),
    count(
        "renovation.items_enhance",
        "提升类改造内容",
        RenovationItem,
        where=_items(ItemClass.ENHANCE),
        mode="all",
        unit="项",
    ),
    count(
        "renovation.items_improve",
        "完善类改造内容",
        RenovationItem,
        where=_items(ItemClass.IMPROVE),
        mode="all",
        unit="项",
    ),
    earliest(
        "renovation.old_planned_start",
        "老旧小区计划开工月份（最早）",
        OldCommunity,
        "planned_start",
        where=_declared,
        mode="all",
        unit="",
    ),
    latest(
        "renovation.old_planned_finish",
        "老旧小区计划完工月份（最晚）",
        OldCommunity,
        "planned_finish",
        where=_declared,
        mode="all",
        unit="",
    ),
    OldCommunity.stages.reached_figure(
        "renovation.old_tendered",
        "已进入招投标阶段的老旧小区",
        OldCommunity,
        "tendered",
        where=lambda p: Q(year=p.end.year),
    ),
)

# --- 棚户区改造: every started project in exactly one of the seed's categories ----------------

ST = ShantytownProject.stages


def _category(code: str) -> Any:
    """Projects at stage ``code`` on the period's last day and not stopped."""

    def cond(period: Period) -> Q:
        return ST.at(code, period) & ~stopped_on_day(period.end)

    return cond


register(
    ST.reached_figure(
        "renovation.shanty_projects",
        "棚户区改造项目（已开工）",
        ShantytownProject,
        "foundation",
    ),
    count(
        "renovation.shanty_accepted",
        "已完成综合验收、正在组织安置房分配的棚改项目",
        ShantytownProject,
        where=_category("accepted"),
        mode="all",
        good="up",
    ),
    count(
        "renovation.shanty_acceptance",
        "正在办理验收手续的棚改项目",
        ShantytownProject,
        where=_category("acceptance"),
        mode="all",
    ),
    count(
        "renovation.shanty_topped",
        "主体已基本建成的棚改项目",
        ShantytownProject,
        where=_category("topped"),
        mode="all",
    ),
    count(
        "renovation.shanty_structure",
        "正在进行主体施工的棚改项目",
        ShantytownProject,
        where=_category("structure"),
        mode="all",
    ),
    count(
        "renovation.shanty_foundation",
        "处于基础施工阶段的棚改项目",
        ShantytownProject,
        where=_category("foundation"),
        mode="all",
    ),
    count(
        "renovation.shanty_stopped",
        "处于停工阶段的棚改项目",
        ShantytownProject,
        where=lambda p: stopped_on_day(p.end),
        mode="all",
    ),
)

# --- 公租房、租赁补贴、经济适用房 -------------------------------------------------------------


def _year_to_date(field: str) -> Any:
    """“截至目前”: from 1 January of the period's last year to its end."""
    return lambda p: Q(**{f"{field}__year": p.end.year, f"{field}__lte": p.end})


ARREARS = Q(arrears=True)

register(
    distinct(
        "rental.arrears_households",
        "补缴公租房欠租户数",
        RentPayment,
        "bill__tenancy",
        where=lambda p: _year_to_date("paid_on")(p) & ARREARS,
        mode="all",
        unit="户",
    ),
    total(
        "rental.arrears_amount",
        "补缴公租房欠租金额",
        RentPayment,
        "amount",
        where=lambda p: _year_to_date("paid_on")(p) & ARREARS,
        mode="all",
        unit="元",
    ),
    distinct(
        "rental.rechecked",
        "完成资格复查的承租人",
        EligibilityReview,
        "tenancy",
        where=lambda p: Q(year=p.end.year, reviewed_on__lte=p.end),
        mode="all",
        unit="户",
        good="up",
    ),
    distinct(
        "rental.subsidy_households",
        "发放租赁补贴的住房保障家庭",
        RentalSubsidy,
        "household_code",
        date="paid_on",
        unit="户",
    ),
    total(
        "rental.subsidy_amount",
        "发放租赁补贴金额",
        RentalSubsidy,
        "amount",
        date="paid_on",
        unit="元",
    ),
    count(
        "rental.affordable_listed",
        "经济适用房上市交易",
        AffordableTransaction,
        date="handled_on",
        where=Q(kind=TransferKind.LISTING),
        unit="户",
    ),
    count(
        "rental.affordable_transfers",
        "经济适用房继承（离婚）转移",
        AffordableTransaction,
        date="handled_on",
        where=Q(kind__in=[TransferKind.INHERITANCE, TransferKind.DIVORCE]),
        unit="户",
    ),
    total(
        "rental.land_revenue",
        "收缴土地出让收益",
        AffordableTransaction,
        "land_revenue",
        date="handled_on",
        unit="元",
    ),
)

# --- 物业管理 ----------------------------------------------------------------------------


def _committee_active(period: Period) -> Q:
    return Q(established_on__lte=period.end) & (
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.end)
    )


UNMANAGED = Q(unmanaged_on__isnull=False)

register(
    count(
        "property.companies_party",
        "成立党组织的物业公司",
        PropertyCompany,
        date="party_org_on",
        mode="asof",
        unit="家",
    ),
    count(
        "property.committees_party",
        "成立党组织的业主委员会",
        OwnersCommittee,
        date="party_org_on",
        mode="asof",
        where=_committee_active,
    ),
    count(
        "property.committees",
        "业主委员会",
        OwnersCommittee,
        where=_committee_active,
        mode="all",
    ),
    count(
        "property.unmanaged",
        "无人管理小区",
        ResidentialCommunity,
        date="unmanaged_on",
        mode="asof",
        good="down",
    ),
    count(
        "property.unmanaged_handed_over",
        "无人管理小区完成交接、实行专业化服务",
        ResidentialCommunity,
        date="handed_over_on",
        mode="asof",
        where=UNMANAGED,
        good="up",
    ),
    count(
        "property.water_transferred",
        "完成供水设施设备产权移交的小区",
        ResidentialCommunity,
        date="water_transferred_on",
        mode="asof",
    ),
    count(
        "property.power_transferred",
        "完成供电设施设备产权移交的小区",
        ResidentialCommunity,
        date="power_transferred_on",
        mode="asof",
    ),
    count(
        "property.security_installed",
        "完成安装沂通码内保防护系统的小区",
        ResidentialCommunity,
        date="security_installed_on",
        mode="asof",
        good="up",
    ),
    count(
        "property.ebike_installed",
        "安装电动车集中停放棚和充电桩的小区",
        ResidentialCommunity,
        date="ebike_installed_on",
        mode="asof",
    ),
)

headlines.register(
    "demolition",
    "demolition.tail_households",
    "demolition.tail_signed_rate",
    "demolition.tail_demolished_rate",
    "demolition.rounds_drawn",
)
headlines.register("demolition", "demolition.tail_demolished", trend=True)
headlines.register(
    "renovation",
    "renovation.old_communities",
    "renovation.old_investment",
    "renovation.shanty_projects",
    "renovation.shanty_accepted",
)
headlines.register(
    "rental",
    "rental.arrears_households",
    "rental.rechecked",
    "rental.subsidy_households",
    "rental.subsidy_amount",
)
headlines.register("rental", "rental.subsidy_amount", trend=True)
headlines.register(
    "property",
    "property.committees",
    "property.unmanaged",
    "property.unmanaged_handed_over",
    "property.security_installed",
)
