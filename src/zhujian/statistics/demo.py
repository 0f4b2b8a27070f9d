"""Demo records of the statistics ledgers, and the year's prices (settings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from zhujian.core.models import OrgUnit
from zhujian.demo.county import DemoContext

PARK_NAMES = [
    "人民公园",
    "滨河公园",
    "文化公园",
    "植物园",
    "湿地公园",
    "儿童公园",
    "体育公园",
    "森林公园",
    "街心公园",
    "银杏公园",
    "荷花公园",
    "龙山公园",
]
BELT_NAMES = ["滨河防护林带", "外环防护绿带", "高压走廊绿带", "铁路防护绿带", "工业园隔离绿带"]
SQUARE_NAMES = ["人民广场", "文化广场", "市民广场", "站前广场"]
ATTACHED_NAMES = [
    "机关大院",
    "县医院",
    "第一中学",
    "实验小学",
    "职业中专",
    "体育中心",
    "行政中心",
    "经济开发区",
    "工业园",
    "物流园",
]
ROAD_NAMES = [
    "人民路",
    "建设路",
    "解放路",
    "文化路",
    "中山路",
    "滨河路",
    "新华路",
    "胜利路",
    "和平路",
    "光明路",
    "幸福路",
    "朝阳路",
    "青年路",
    "团结路",
    "振兴路",
    "开元路",
    "兴业路",
    "长安路",
    "府前街",
    "车站路",
    "工业大道",
    "经一路",
    "经二路",
    "纬一路",
    "纬二路",
    "纬三路",
    "北环路",
    "南环路",
    "东环路",
    "西环路",
]
VEHICLES = ["洒水车", "扫路车", "压缩式垃圾车", "勾臂车", "高压清洗车", "吸粪车", "护栏清洗车"]


def seat_units(ctx: DemoContext) -> list[OrgUnit]:
    from zhujian.statistics.scopes import county_seat

    return [u for u in county_seat() if u.is_township]


def _day(ctx: DemoContext, first: int, last: int) -> dt.date:
    """A date between the years ``first`` and ``last`` (inclusive)."""
    return ctx.date(ctx.rng.randint(first, last))


def annual_base(ctx: DemoContext) -> None:
    from zhujian.statistics import conf
    from zhujian.statistics.models import AnnualBase
    from zhujian.statistics.scopes import county_seat

    rng = ctx.rng
    seat = {u.pk for u in county_seat()}
    rows = []
    for unit in ctx.townships:
        urban = unit.pk in seat
        people = rng.randint(32000, 62000) if urban else rng.randint(12000, 42000)
        temporary = rng.randint(2500, 9000) if urban else rng.randint(300, 2500)
        area = D(rng.randint(1500, 4000) if urban else rng.randint(5000, 12000)) / 100
        built = D(rng.randint(700, 1300) if urban else rng.randint(120, 420)) / 100
        water = D(rng.randint(950, 990) if urban else rng.randint(780, 950)) / 1000
        gas = D(rng.randint(880, 960) if urban else rng.randint(300, 700)) / 1000
        for year in ctx.years:
            total = people + temporary
            rows.append(
                AnnualBase(
                    org_unit=unit,
                    as_of=dt.date(year, 12, 31),
                    resident_population=people,
                    temporary_population=temporary,
                    area_km2=area,
                    built_up_km2=built,
                    water_population=int(total * water),
                    gas_population=int(total * gas),
                    source="县公安局户籍统计；县自然资源局建成区面积",
                )
            )
            people = int(people * rng.randint(995, 1015) / 1000)
            temporary = int(temporary * rng.randint(980, 1040) / 1000)
            built = (built * D(rng.randint(1000, 1040)) / 1000).quantize(D("0.01"))
            water = min(D("0.995"), water + D(rng.randint(0, 8)) / 1000)
            gas = min(D("0.99"), gas + D(rng.randint(0, 20)) / 1000)
    ctx.save(AnnualBase, rows)
    _prices(ctx, conf)


def _prices(ctx: DemoContext, conf: Any) -> None:
    """The year's prices as the price bureau's notices set them (a dated setting)."""
    from zhujian.core import params

    rng = ctx.rng
    base = {
        "water_resident": D(rng.randint(240, 320)) / 100,
        "water_nonresident": D(rng.randint(330, 450)) / 100,
        "sewage_fee": D(rng.randint(80, 120)) / 100,
        "gas_resident": D(rng.randint(260, 330)) / 100,
        "heat_resident": D(rng.randint(1800, 2400)) / 100,
    }
    table: dict[str, str] = {}
    for year in ctx.years:
        for code, value in base.items():
            table[f"{year}.{code}"] = str(value)
        base = {
            k: v + (D("0.10") if k == "water_resident" and rng.random() < 0.5 else 0)
            for k, v in base.items()
        }
    params.set_value(
        conf.PRICES.key, table, user=ctx.users["admin"], reason="示例数据：物价局价格文件"
    )
    params.invalidate()


def green_spaces(ctx: DemoContext) -> None:
    from zhujian.statistics.models import GreenSpace

    rng = ctx.rng
    units = seat_units(ctx)
    first, last = ctx.years[0], ctx.years[-1]
    rows = []

    def add(name: str, kind: str, lo: int, hi: int, built: bool = True, new: bool = False) -> None:
        green = D(rng.randint(lo * 100, hi * 100)) / 100
        rows.append(
            GreenSpace(
                org_unit=rng.choice(units),
                name=name,
                kind=kind,
                green_ha=green,
                coverage_ha=(green * D(rng.randint(105, 125)) / 100).quantize(D("0.01")),
                in_built_up=built,
                opened_on=_day(ctx, first, last) if new else _day(ctx, 2000, first - 1),
            )
        )

    parks = rng.sample(PARK_NAMES, rng.randint(8, 11))
    for i, name in enumerate(parks):
        add(name, "park", 6, 22, new=i == 0)
    for name in BELT_NAMES:
        add(name, "protective", 15, 45, built=name != "外环防护绿带")
    for name in SQUARE_NAMES:
        add(name, "square", 2, 6)
    for name in ATTACHED_NAMES:
        add(f"{name}附属绿地", "attached", 20, 70)
    add("城郊风景林地", "regional", 60, 150, built=False)
    ctx.save(GreenSpace, rows)


def facilities(ctx: DemoContext) -> None:
    from zhujian.statistics.models import CityFacility

    rng = ctx.rng
    units = seat_units(ctx)
    first, last = ctx.years[0], ctx.years[-1]
    rows = []
    for i, name in enumerate(ROAD_NAMES):
        length = D(rng.randint(80, 420)) / 100
        width = rng.randint(12, 40)
        area = (length * width / 10).quantize(D("0.01"))
        since = _day(ctx, first, last) if i % 12 == 0 else _day(ctx, 1995, first - 1)
        unit = rng.choice(units)
        rows.append(
            CityFacility(
                org_unit=unit,
                kind="road",
                name=name,
                length_km=length,
                area_10k_m2=area,
                sidewalk_10k_m2=(area * D(rng.randint(18, 32)) / 100).quantize(D("0.01")),
                in_service_on=since,
            )
        )
        rows.append(
            CityFacility(
                org_unit=unit,
                kind="lamp",
                name=f"{name}路灯",
                quantity=int(length * rng.randint(40, 60)),
                in_service_on=since,
            )
        )
    for i in range(rng.randint(8, 14)):
        rows.append(
            CityFacility(
                org_unit=rng.choice(units),
                kind="bridge",
                name=f"{rng.choice(ROAD_NAMES)}{i + 1}号桥",
                in_service_on=_day(ctx, 1990, last if i == 0 else first - 1),
            )
        )
    for i in range(rng.randint(35, 55)):
        rows.append(
            CityFacility(
                org_unit=rng.choice(units),
                kind="toilet",
                name=f"城区第{i + 1}号公厕",
                in_service_on=_day(ctx, 2005, last if i % 15 == 0 else first - 1),
            )
        )
    for name in VEHICLES:
        rows.append(
            CityFacility(
                org_unit=rng.choice(units),
                kind="vehicle",
                name=name,
                quantity=rng.randint(3, 12),
                in_service_on=_day(ctx, 2012, first - 1),
            )
        )
    for i in range(rng.randint(3, 6)):
        rows.append(
            CityFacility(
                org_unit=rng.choice(units),
                kind="transfer",
                name=f"第{i + 1}生活垃圾转运站",
                in_service_on=_day(ctx, 2010, first - 1),
            )
        )
    ctx.save(CityFacility, rows)


def operations(ctx: DemoContext) -> None:
    from zhujian.statistics.models import CityOperation

    rng = ctx.rng
    office = ctx.departments["chengjian"]
    sewage = D(rng.randint(120, 160))
    waste = D(rng.randint(380, 520)) / 1000
    rows = []
    for year in ctx.years:
        for month in range(1, 13):
            wet = D("1.12") if month in (6, 7, 8) else D(1)
            discharged = (sewage * wet * D(rng.randint(95, 105)) / 100).quantize(D("0.01"))
            collected = (waste * D(rng.randint(94, 108)) / 100).quantize(D("0.001"))
            rows.append(
                CityOperation(
                    org_unit=office,
                    month=dt.date(year, month, 1),
                    sewage_discharged=discharged,
                    sewage_treated=(discharged * D(rng.randint(93, 98)) / 100).quantize(D("0.01")),
                    waste_collected=collected,
                    waste_harmless=(collected * D(rng.randint(985, 1000)) / 1000).quantize(
                        D("0.001")
                    ),
                )
            )
        sewage = sewage * D(rng.randint(101, 105)) / 100
        waste = waste * D(rng.randint(100, 104)) / 100
    ctx.save(CityOperation, rows)
