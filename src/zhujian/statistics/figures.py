"""Figures of the annual 城乡建设统计 returns (line ``municipal``, the 城建股's).

Indicators already in the catalog (供水量, 天然气供应量, 集中供热面积, 排查农村公厕 …) are
bound by their own ids in :mod:`zhujian.statistics.tables`; here are the ones the returns
add: population and area, the green-space and facility inventories, the monthly sewage
and waste volumes, the rates and per-capita values of the 设施水平 table, the town
figures, and the yearly prices (settings).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.rural.models import SewageOperation, SewageStation
from zhujian.domains.urban.models import (
    GasSupply,
    HeatSource,
    WastewaterPlant,
    WaterMain,
    WaterSupply,
)
from zhujian.figures.catalog import (
    Computed,
    EvalContext,
    Formula,
    _num,
    count,
    rate,
    register,
    sum_of,
    total,
)
from zhujian.figures.periods import Period
from zhujian.statistics import conf
from zhujian.statistics.models import (
    AnnualBase,
    CityFacility,
    CityOperation,
    FacilityKind,
    GreenKind,
    GreenSpace,
)

L = "municipal"  # the 城建股 keeps these ledgers


def _scaled(id: str, label: str, base: str, factor: str, unit: str, decimals: int) -> Formula:
    """``base`` × ``factor`` (a unit change: 人 → 万人, 吨 → 万立方米 …)."""

    def fn(value: Any) -> Decimal | None:
        number = _num(value)
        return None if number is None else number * Decimal(factor)

    return Formula(
        id=id, label=label, args=[base], fn=fn, how="", unit=unit, decimals=decimals, line=L
    )


def _ratio(
    id: str, label: str, num: str, den: str, factor: str, unit: str, decimals: int
) -> Formula:
    """``num`` × ``factor`` ÷ ``den`` (a per-capita value or a density)."""

    def fn(n: Any, d: Any) -> Decimal | None:
        a, b = _num(n), _num(d)
        if a is None or not b:
            return None
        return a * Decimal(factor) / b

    return Formula(
        id=id, label=label, args=[num, den], fn=fn, how="", unit=unit, decimals=decimals, line=L
    )


def _in_service(end: str) -> Any:
    """Not ended by the period's end (that it started by then is the figure's own
    as-of date condition)."""
    return lambda p: Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": p.end})


def _facility(kind: str) -> Any:
    service = _in_service("retired_on")
    return lambda p: Q(kind=kind) & service(p)


def _green(**kw: Any) -> Any:
    service = _in_service("closed_on")
    return lambda p: Q(**kw) & service(p)


def _days(ctx: EvalContext) -> int:
    return (ctx.period.end - ctx.period.start).days + 1


def _last_month_users(ctx: EvalContext) -> int | None:
    row = (
        ctx.base(WaterSupply)
        .filter(month__gte=ctx.period.start, month__lte=ctx.period.end)
        .order_by("-month")
        .values_list("users", flat=True)
        .first()
    )
    return row


def _last_month(ctx: EvalContext) -> Any:
    qs = ctx.base(WaterSupply).filter(month__gte=ctx.period.start, month__lte=ctx.period.end)
    last = qs.order_by("-month").values_list("pk", flat=True)[:1]
    return WaterSupply.objects.filter(pk__in=list(last))


def _price(code: str) -> Computed:
    label, unit = conf.PRICE_ITEMS[code]
    return Computed(
        id=f"stat.price_{code}",
        label=label,
        unit=unit,
        decimals=2,
        line=L,
        source="settings",
        fn=lambda ctx: conf.price(ctx.period.end.year, code),
        help="参数设置“公用事业价格”中该统计年度的价格",
    )


def _year(p: Period) -> Q:
    return Q(as_of__gte=p.start, as_of__lte=p.end)


_RESIDENTIAL = ("residential", "resettlement")
_PUBLIC = ("public", "municipal")
_PRODUCTIVE = ("industrial",)


def _completed(uses: tuple[str, ...]) -> Any:
    return lambda p: Q(use__in=uses, completed_on__gte=p.start, completed_on__lte=p.end)


register(
    # --- 人口和建设用地 (AnnualBase, the record of the statistical year) --------------
    total(
        "stat.population_persons",
        "户籍人口",
        AnnualBase,
        "resident_population",
        date="as_of",
        unit="人",
        line=L,
    ),
    total(
        "stat.temporary_persons",
        "暂住人口",
        AnnualBase,
        "temporary_population",
        date="as_of",
        unit="人",
        line=L,
    ),
    sum_of(
        "stat.people_persons",
        "户籍人口与暂住人口合计",
        "stat.population_persons",
        "stat.temporary_persons",
        unit="人",
        line=L,
    ),
    _scaled("stat.population", "户籍人口", "stat.population_persons", "0.0001", "万人", 2),
    _scaled("stat.temporary", "暂住人口", "stat.temporary_persons", "0.0001", "万人", 2),
    total(
        "stat.area_km2",
        "区域面积",
        AnnualBase,
        "area_km2",
        date="as_of",
        unit="平方公里",
        decimals=2,
        line=L,
    ),
    total(
        "stat.built_up_km2",
        "建成区面积",
        AnnualBase,
        "built_up_km2",
        date="as_of",
        unit="平方公里",
        decimals=2,
        line=L,
    ),
    _scaled("stat.built_up_ha", "建成区面积", "stat.built_up_km2", "100", "公顷", 2),
    total(
        "stat.water_persons",
        "用水人口",
        AnnualBase,
        "water_population",
        date="as_of",
        unit="人",
        line=L,
    ),
    total(
        "stat.gas_persons",
        "用气人口",
        AnnualBase,
        "gas_population",
        date="as_of",
        unit="人",
        line=L,
    ),
    _scaled("stat.water_population", "用水人口", "stat.water_persons", "0.0001", "万人", 2),
    _scaled("stat.gas_population", "用气人口", "stat.gas_persons", "0.0001", "万人", 2),
    rate(
        "stat.water_coverage",
        "用水普及率",
        "stat.water_persons",
        "stat.people_persons",
        decimals=2,
        line=L,
    ),
    rate(
        "stat.gas_coverage",
        "燃气普及率",
        "stat.gas_persons",
        "stat.people_persons",
        decimals=2,
        line=L,
    ),
    _ratio(
        "stat.density", "人口密度", "stat.people_persons", "stat.area_km2", "1", "人/平方公里", 0
    ),
    Computed(id="stat.days", label="报告期日历日数", unit="日", line=L, fn=_days),
    # --- 供水 ------------------------------------------------------------------------
    Computed(
        id="stat.water_users",
        label="用水户数（年末月）",
        unit="户",
        line=L,
        fn=_last_month_users,
        records_model=WaterSupply,
        records_fn=_last_month,
    ),
    total(
        "stat.water_mains_km",
        "供水管道长度（已登记管段）",
        WaterMain,
        "length_km",
        date="completed_on",
        mode="asof",
        unit="公里",
        decimals=2,
        line=L,
    ),
    Formula(
        id="stat.water_daily_per_capita",
        label="人均日供水量",
        line=L,
        unit="升",
        decimals=2,
        args=["water.supply_volume", "stat.water_persons", "stat.days"],
        fn=lambda v, p, d: (
            None if _num(v) is None or not p or not d else _num(v) * 10**7 / Decimal(p) / Decimal(d)
        ),
    ),
    _ratio(
        "stat.water_mains_density",
        "建成区供水管道密度",
        "stat.water_mains_km",
        "stat.built_up_km2",
        "1",
        "公里/平方公里",
        2,
    ),
    # --- 燃气 / 集中供热 --------------------------------------------------------------
    total(
        "stat.lpg_tonnes",
        "液化石油气供应总量",
        GasSupply,
        "lpg_tonnes",
        date="month",
        unit="吨",
        decimals=2,
        line=L,
    ),
    total(
        "stat.heat_capacity_mw",
        "供热能力（热水）",
        HeatSource,
        "capacity_mw",
        where=Q(in_service=True),
        mode="all",
        unit="兆瓦",
        decimals=2,
        line=L,
    ),
    # --- 道路桥梁 --------------------------------------------------------------------
    total(
        "stat.road_length",
        "道路长度",
        CityFacility,
        "length_km",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.ROAD),
        unit="公里",
        decimals=2,
        line=L,
    ),
    total(
        "stat.road_area",
        "道路面积",
        CityFacility,
        "area_10k_m2",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.ROAD),
        unit="万平方米",
        decimals=2,
        line=L,
    ),
    total(
        "stat.sidewalk_area",
        "其中：人行道面积",
        CityFacility,
        "sidewalk_10k_m2",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.ROAD),
        unit="万平方米",
        decimals=2,
        line=L,
    ),
    total(
        "stat.bridges",
        "桥梁",
        CityFacility,
        "quantity",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.BRIDGE),
        unit="座",
        line=L,
    ),
    total(
        "stat.lamps",
        "道路照明灯盏数",
        CityFacility,
        "quantity",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.LAMP),
        unit="盏",
        line=L,
    ),
    _ratio(
        "stat.road_per_capita",
        "人均城市道路面积",
        "stat.road_area",
        "stat.people_persons",
        "10000",
        "平方米",
        2,
    ),
    # --- 排水和污水处理 --------------------------------------------------------------
    count(
        "stat.wwtp_count",
        "污水处理厂",
        WastewaterPlant,
        date="commissioned_on",
        mode="asof",
        where=Q(in_operation=True),
        unit="座",
        line=L,
    ),
    total(
        "stat.wwtp_capacity",
        "污水处理厂处理能力",
        WastewaterPlant,
        "capacity",
        date="commissioned_on",
        mode="asof",
        where=Q(in_operation=True),
        unit="万立方米/日",
        decimals=2,
        line=L,
    ),
    Formula(
        id="stat.wwtp_year_capacity",
        label="污水处理厂全年可处理量",
        line=L,
        unit="万立方米",
        decimals=2,
        args=["stat.wwtp_capacity", "stat.days"],
        fn=lambda c, d: None if _num(c) is None or not d else _num(c) * d,
    ),
    total(
        "stat.sewage_discharged",
        "污水排放总量",
        CityOperation,
        "sewage_discharged",
        date="month",
        unit="万立方米",
        decimals=2,
        line=L,
    ),
    total(
        "stat.sewage_treated",
        "污水处理总量",
        CityOperation,
        "sewage_treated",
        date="month",
        unit="万立方米",
        decimals=2,
        line=L,
    ),
    rate(
        "stat.sewage_rate",
        "污水处理率",
        "stat.sewage_treated",
        "stat.sewage_discharged",
        decimals=2,
        line=L,
    ),
    # --- 园林绿化 --------------------------------------------------------------------
    total(
        "stat.green_area",
        "绿地面积",
        GreenSpace,
        "green_ha",
        date="opened_on",
        mode="asof",
        where=_green(),
        unit="公顷",
        decimals=2,
        line=L,
    ),
    total(
        "stat.green_coverage",
        "绿化覆盖面积",
        GreenSpace,
        "coverage_ha",
        date="opened_on",
        mode="asof",
        where=_green(),
        unit="公顷",
        decimals=2,
        line=L,
    ),
    total(
        "stat.green_built_up",
        "其中：建成区绿地面积",
        GreenSpace,
        "green_ha",
        date="opened_on",
        mode="asof",
        where=_green(in_built_up=True),
        unit="公顷",
        decimals=2,
        line=L,
    ),
    total(
        "stat.coverage_built_up",
        "其中：建成区绿化覆盖面积",
        GreenSpace,
        "coverage_ha",
        date="opened_on",
        mode="asof",
        where=_green(in_built_up=True),
        unit="公顷",
        decimals=2,
        line=L,
    ),
    total(
        "stat.park_area",
        "公园绿地面积",
        GreenSpace,
        "green_ha",
        date="opened_on",
        mode="asof",
        where=_green(kind=GreenKind.PARK),
        unit="公顷",
        decimals=2,
        line=L,
    ),
    count(
        "stat.park_count",
        "公园个数",
        GreenSpace,
        date="opened_on",
        mode="asof",
        where=_green(kind=GreenKind.PARK),
        unit="个",
        line=L,
    ),
    _ratio(
        "stat.park_per_capita",
        "人均公园绿地面积",
        "stat.park_area",
        "stat.people_persons",
        "10000",
        "平方米",
        2,
    ),
    _ratio(
        "stat.green_rate", "建成区绿地率", "stat.green_built_up", "stat.built_up_km2", "1", "%", 2
    ),
    _ratio(
        "stat.coverage_rate",
        "建成区绿化覆盖率",
        "stat.coverage_built_up",
        "stat.built_up_km2",
        "1",
        "%",
        2,
    ),
    # --- 环境卫生 --------------------------------------------------------------------
    total(
        "stat.waste_collected",
        "生活垃圾清运量",
        CityOperation,
        "waste_collected",
        date="month",
        unit="万吨",
        decimals=2,
        line=L,
    ),
    total(
        "stat.waste_harmless",
        "生活垃圾无害化处理量",
        CityOperation,
        "waste_harmless",
        date="month",
        unit="万吨",
        decimals=2,
        line=L,
    ),
    rate(
        "stat.waste_harmless_rate",
        "生活垃圾无害化处理率",
        "stat.waste_harmless",
        "stat.waste_collected",
        decimals=2,
        line=L,
    ),
    total(
        "stat.toilets",
        "公共厕所",
        CityFacility,
        "quantity",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.TOILET),
        unit="座",
        line=L,
    ),
    total(
        "stat.vehicles",
        "市容环卫专用车辆设备",
        CityFacility,
        "quantity",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.VEHICLE),
        unit="台",
        line=L,
    ),
    total(
        "stat.transfer_stations",
        "生活垃圾转运站",
        CityFacility,
        "quantity",
        date="in_service_on",
        mode="asof",
        where=_facility(FacilityKind.TRANSFER),
        unit="座",
        line=L,
    ),
    # --- 村镇: 污水处理站, 房屋建筑 ------------------------------------------------------
    count(
        "stat.town_sewage_stations",
        "污水处理站（运行）",
        SewageStation,
        date="commissioned_on",
        mode="asof",
        where=Q(status="running"),
        unit="座",
        line=L,
    ),
    total(
        "stat.town_sewage_capacity",
        "污水处理站处理能力",
        SewageStation,
        "capacity",
        date="commissioned_on",
        mode="asof",
        where=Q(status="running"),
        unit="吨/日",
        line=L,
    ),
    total(
        "stat.town_sewage_treated_t",
        "污水处理站年处理水量",
        SewageOperation,
        "treated",
        date="month",
        unit="吨",
        line=L,
    ),
    _scaled(
        "stat.town_sewage_treated",
        "污水处理站年处理水量",
        "stat.town_sewage_treated_t",
        "0.0001",
        "万立方米",
        2,
    ),
    Formula(
        id="stat.town_sewage_year_capacity",
        label="污水处理站全年可处理量",
        line=L,
        unit="万立方米",
        decimals=2,
        args=["stat.town_sewage_capacity", "stat.days"],
        fn=lambda c, d: None if _num(c) is None or not d else _num(c) * d / 10000,
    ),
    total(
        "stat.completed_residential_m2",
        "本年竣工住宅建筑面积",
        ConstructionProject,
        "floor_area",
        where=_completed(_RESIDENTIAL),
        mode="all",
        unit="平方米",
        line=L,
    ),
    total(
        "stat.completed_public_m2",
        "本年竣工公共建筑面积",
        ConstructionProject,
        "floor_area",
        where=_completed(_PUBLIC),
        mode="all",
        unit="平方米",
        line=L,
    ),
    total(
        "stat.completed_productive_m2",
        "本年竣工生产性建筑面积",
        ConstructionProject,
        "floor_area",
        where=_completed(_PRODUCTIVE),
        mode="all",
        unit="平方米",
        line=L,
    ),
    _scaled(
        "stat.completed_residential",
        "本年竣工住宅建筑面积",
        "stat.completed_residential_m2",
        "0.0001",
        "万平方米",
        2,
    ),
    _scaled(
        "stat.completed_public",
        "本年竣工公共建筑面积",
        "stat.completed_public_m2",
        "0.0001",
        "万平方米",
        2,
    ),
    _scaled(
        "stat.completed_productive",
        "本年竣工生产性建筑面积",
        "stat.completed_productive_m2",
        "0.0001",
        "万平方米",
        2,
    ),
    sum_of(
        "stat.completed_total",
        "本年竣工建筑面积合计",
        "stat.completed_residential",
        "stat.completed_public",
        "stat.completed_productive",
        unit="万平方米",
        decimals=2,
        line=L,
    ),
    *(_price(code) for code in conf.PRICE_ITEMS),
)
