"""Demo records for （二）城市建设与公用事业, 2021 and 2022, for a county of ~800k people.

The roads and projects the seed names (会宝路东延, 桃李路, 东一路, the 箱涵立交 and the
second-half extensions) are records with fixed codes; their segments, lengths and dates
are drawn from the seed's RNG, so the report's names and numbers come from records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

D = Decimal
CODE_HUIBAO = "DC-HB"  # 会宝路东延
CODE_TAOLI = "DC-TL"  # 桃李路
CODE_DONGYI = "DC-DY"  # 东一路
CODE_UNDERPASS = "ZD-XH"  # *路箱涵立交
CODE_LANXI_W_S = "JH-LXXN"  # 兰溪西路南延
CODE_LANXI_E_S = "JH-LXDN"  # 兰溪东路南延
CODE_CHONGWEN_N = "JH-CWBY"  # 崇文路北延
CODE_TAOLI_E = "JH-TLDY"  # 桃李路东延
CODE_JINGCHENG = "PS-JCHY"  # 景城花园南水沟污染治理项目

OTHER_ROADS = [
    "明德路",
    "兴业路",
    "文峰路",
    "翠湖路",
    "华山路",
    "东二路",
    "东三路",
    "富民路",
    "创业路",
    "振兴路",
    "金桥路",
    "和谐路",
    "经一路",
    "经二路",
    "纬三路",
    "纬五路",
]
CROSS = ["滨河路", "沂河路", "华山路", "翠湖路", "文峰路", "苍山路", "兴业路"]
METER_PLACES = [
    "大新庄",
    "东埝头",
    "人大宿舍楼",
    "公路局家属院",
    "新华书店家属院",
    "税苑小区",
    "粮食局家属院",
    "供销社家属院",
    "实验小学家属院",
    "水利局宿舍",
]


def _money(rng: Any, lo: int, hi: int) -> Decimal:
    return D(rng.randint(lo * 100, hi * 100)) / 100


def _streets(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind == "street"]


def _month_starts(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


# --- 市政道路与重点工程 -------------------------------------------------------------


def projects(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import MunicipalProject, ProjectProgress

    rng = ctx.rng
    city, east, west = _streets(ctx)[:3]
    specs: list[dict[str, Any]] = []

    def road(code: str, name: str, road_name: str, unit: OrgUnit, **kw: Any) -> None:
        specs.append({"code": code, "name": name, "road": road_name, "unit": unit, **kw})

    hb_from = rng.randint(3, 9)
    road(
        CODE_HUIBAO,
        "会宝路东延",
        "会宝路",
        east,
        segment_from=f"{hb_from}号路",
        segment_to=f"{hb_from + rng.randint(3, 8)}号路",
        area="东城新区",
    )
    road(
        CODE_TAOLI,
        "桃李路",
        "桃李路",
        east,
        segment_from=f"{rng.randint(2, 12)}号路",
        segment_to="苍山路",
        area="东城新区",
    )
    road(
        CODE_DONGYI,
        "东一路",
        "东一路",
        east,
        segment_from="玉泉路",
        segment_to=rng.choice(CROSS[:5]),
        area="东城新区",
    )
    for i, name in enumerate(rng.sample(OTHER_ROADS, rng.randint(9, 14)), start=1):
        first = rng.randint(1, 15)
        road(
            f"DC-{i:02d}",
            name,
            name,
            rng.choice((east, east, city, west)),
            segment_from=f"{first}号路",
            segment_to=rng.choice(CROSS),
            area="东城新区" if i % 3 else "老城区",
        )
    rows = []
    progress_plan: list[tuple[int, dt.date, dt.date | None]] = []  # (row, start, open)
    for spec in specs:
        started = ctx.date(2021, 3, 10) if rng.random() < 0.8 else ctx.date(2020, 4, 10)
        opens = rng.random() < 0.35
        opened = ctx.date(2022, 7, 12) if opens else None
        rows.append(
            MunicipalProject(
                org_unit=spec["unit"],
                code=spec["code"],
                name=spec["name"],
                kind="road",
                area=spec.get("area", ""),
                road=spec["road"],
                segment_from=spec["segment_from"],
                segment_to=spec["segment_to"],
                length_m=D(rng.randrange(600, 3200, 10)),
                planned_investment=D(rng.randrange(1800, 9000, 10)),
                stage="opened" if opened else "building",
                started_on=started,
                target_open_on=opened or ctx.date(2023, 3, 10),
                opened_on=opened,
                plan_year=2021,
            )
        )
        progress_plan.append((len(rows) - 1, started, opened))
    underpass_road = rng.choice(["泉山路", "沂河路", "文峰路", "兴业路", "崇文路"])
    rows.append(
        MunicipalProject(
            org_unit=city,
            code=CODE_UNDERPASS,
            name=f"{underpass_road}箱涵立交工程",
            kind="key",
            area="老城区",
            road=underpass_road,
            segment_from="",
            segment_to="",
            length_m=D(rng.randrange(400, 900, 10)),
            planned_investment=D(rng.randrange(6000, 15000, 10)),
            stage="building",
            started_on=ctx.date(2021, 4, 8),
            target_open_on=dt.date(2022, rng.randint(7, 9), rng.choice((10, 15, 20, 25, 30))),
            plan_year=2021,
        )
    )
    progress_plan.append((len(rows) - 1, rows[-1].started_on, None))
    planned = [
        (CODE_LANXI_W_S, "兰溪西路南延", "兰溪西路", "", ""),
        ("JH-QSBY", "泉山路北延", "泉山路", "", ""),
        (CODE_LANXI_E_S, "兰溪东路南延", "兰溪东路", "", ""),
        (CODE_CHONGWEN_N, "崇文路北延", "崇文路", "", ""),
        (CODE_TAOLI_E, "桃李路东延", "桃李路", f"{rng.randint(13, 20)}号路", "苍山路"),
        ("JH-LXXB", "兰溪西路北延", "兰溪西路", "", ""),
        ("LC-ZS1", "珠山一路附属设施", "珠山一路", "会宝路", "顺和路"),
        ("LC-WHBY", "文化路北延附属设施", "文化路", "迎宾路", "第十五小学"),
        ("LC-YQ", "玉泉路附属设施", "玉泉路", "滨河西路", "文化路"),
    ]
    for code, name, road_name, seg_from, seg_to in planned:
        rows.append(
            MunicipalProject(
                org_unit=city if code.startswith("LC") else east,
                code=code,
                name=name,
                kind="road",
                area="老城区" if code.startswith("LC") else "东城新区",
                road=road_name,
                segment_from=seg_from,
                segment_to=seg_to,
                length_m=D(rng.randrange(300, 1600, 10)),
                planned_investment=D(rng.randrange(800, 5000, 10)),
                stage="planned",
                plan_year=2022,
            )
        )
    saved = ctx.save(MunicipalProject, rows)
    from zhujian.domains.urban import figures

    named = {
        CODE_HUIBAO: figures.TAG_HUIBAO,
        CODE_TAOLI: figures.TAG_TAOLI,
        CODE_DONGYI: figures.TAG_DONGYI,
        CODE_UNDERPASS: figures.TAG_UNDERPASS,
        CODE_LANXI_W_S: figures.TAG_LANXI_W_S,
        CODE_LANXI_E_S: figures.TAG_LANXI_E_S,
        CODE_CHONGWEN_N: figures.TAG_CHONGWEN_N,
        CODE_TAOLI_E: figures.TAG_TAOLI_E,
    }
    for project in saved:
        if project.code in named:
            ctx.tag(project, named[project.code])
    reports = []
    end = dt.date(2022, 12, 31)
    for index, started, opened in progress_plan:
        project = saved[index]
        cum, pct = D(0), D(0)
        day = started + dt.timedelta(days=rng.randint(20, 40))
        while day <= end:
            if pct < 100:
                pct = min(D(100), pct + D(rng.randint(30, 90)) / 10)
                cum = min(
                    project.planned_investment,
                    cum + project.planned_investment * D(rng.randint(25, 60)) / 1000,
                ).quantize(D("0.01"))
            if opened and day >= opened:
                pct, cum = D(100), project.planned_investment
            reports.append(
                ProjectProgress(
                    project=project,
                    org_unit_id=project.org_unit_id,
                    reported_on=day,
                    cumulative_investment=cum,
                    percent_complete=pct,
                    note=rng.choice(
                        ["路基施工", "管网铺设", "水稳层摊铺", "沥青摊铺", "附属设施施工"]
                    ),
                )
            )
            if opened and day >= opened:
                break
            month = day.month % 12 + 1
            day = dt.date(day.year + (month == 1), month, rng.randint(20, 28))
    ctx.save(ProjectProgress, reports)


# --- 燃气 ------------------------------------------------------------------------------


def gas(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import GasCompany, GasInspection, GasSupply

    rng = ctx.rng
    streets = _streets(ctx)
    towns = [t for t in ctx.townships if t.kind != "street"]
    companies = [
        GasCompany(
            org_unit=streets[i % len(streets)],
            name=name,
            kind="pipeline",
            licence_number=f"鲁{rng.randint(202000, 202199)}{i:03d}",
            licence_expires_on=dt.date(2024 + i % 3, rng.randint(1, 12), 1),
            address=f"{streets[i % len(streets)].name}{rng.choice(CROSS)}{rng.randint(1, 300)}号",
            contact=ctx.person(),
        )
        for i, name in enumerate(["华润燃气有限公司", "中石油昆仑燃气有限公司", "新奥燃气有限公司"])
    ]
    companies.insert(  # deregistered before the demo years: no supply or inspections
        0,
        GasCompany(
            org_unit=towns[0],
            name=f"{towns[0].name}旧液化气站（已注销）",
            kind="lpg",
            address=f"{towns[0].name}驻地",
            contact=ctx.person(),
            active=False,
        ),
    )
    for i, town in enumerate(rng.sample(towns, rng.randint(9, 13))):
        companies.append(
            GasCompany(
                org_unit=town,
                name=f"{town.name}液化气站",
                kind="lpg",
                licence_number=f"鲁{rng.randint(202000, 202199)}{100 + i:03d}",
                licence_expires_on=dt.date(2023 + i % 4, rng.randint(1, 12), 1),
                address=f"{town.name}驻地",
                contact=ctx.person(),
            )
        )
    for i in range(rng.randint(1, 3)):
        companies.append(
            GasCompany(
                org_unit=streets[i],
                name=f"{streets[i].name}CNG加气站",
                kind="cng",
                address=f"{streets[i].name}国道旁",
                contact=ctx.person(),
            )
        )
    companies = [c for c in ctx.save(GasCompany, companies) if c.active]
    supplies = []
    for company in companies:
        base = D(rng.randint(60, 220)) if company.kind == "pipeline" else D(0)
        for year in ctx.years:
            growth = D(1) if year == 2021 else D(rng.randint(98, 112)) / 100
            for month in _month_starts(year):
                winter = (
                    D("1.9")
                    if month.month in (1, 2, 12)
                    else D("1.3")
                    if month.month in (3, 11)
                    else D(1)
                )
                supplies.append(
                    GasSupply(
                        company=company,
                        org_unit_id=company.org_unit_id,
                        month=month,
                        natural_gas=(
                            base * winter * growth * D(rng.randint(90, 110)) / 100
                        ).quantize(D("0.01"))
                        if company.kind != "lpg"
                        else D(0),
                        lpg_tonnes=D(rng.randint(20, 90)) if company.kind == "lpg" else D(0),
                        users=rng.randint(20000, 60000)
                        if company.kind == "pipeline"
                        else rng.randint(300, 3000),
                    )
                )
    ctx.save(GasSupply, supplies)
    inspections = []
    for year in ctx.years:
        for quarter in (1, 2, 3, 4):
            for company in companies:
                inspections.append(
                    GasInspection(
                        org_unit_id=company.org_unit_id,
                        code=f"RQJC-{year}Q{quarter}-{company.pk}",
                        kind="safety",
                        company=company,
                        inspected_on=ctx.date(year, 3 * quarter - 2, 3 * quarter),
                        quarter=quarter,
                        inspectors=f"{ctx.person()}、{ctx.person()}",
                        findings="对企业安全生产责任落实、设施设备运行、应急管理等进行检查",
                    )
                )
        for half in (1, 2):
            for i in range(rng.randint(3, 8)):
                street = rng.choice(streets)
                inspections.append(
                    GasInspection(
                        org_unit=street,
                        code=f"RQDD-{year}H{half}-{i + 1:02d}",
                        kind="alarm",
                        target=f"{street.name}餐饮场所",
                        inspected_on=ctx.date(year, 6 * half - 5, 6 * half),
                        inspectors=f"{ctx.person()}、{ctx.person()}",
                        findings="督导餐饮场所燃气泄漏报警器安装及使用情况",
                    )
                )
    saved = ctx.save(GasInspection, inspections)
    _hazards_for(
        ctx,
        "gas",
        [i for i in saved if i.kind == "safety"],
        lambda i: f"{i.inspected_on.year}年第{'一二三四'[i.quarter - 1]}季度安全生产检查",
        "燃整改",
        ["equipment", "management", "operation", "fire"],
        GAS_HAZARDS,
        max_per=4,
    )


GAS_HAZARDS = [
    "调压箱锈蚀，未按规定设置警示标识",
    "液化气钢瓶存放区未设置可燃气体报警装置",
    "充装台账记录不完整",
    "部分员工未经岗位安全培训",
    "灭火器过期未更换",
    "应急预案未按规定开展演练",
    "管道阀门井内积水",
    "超期未检钢瓶未及时隔离",
    "站区内堆放杂物",
    "巡检记录缺失",
]
FLOOD_HAZARDS = {
    "low_lying": ["排水口堵塞", "雨水篦子淤积", "低洼路段警示标识缺失", "积水点排涝泵未调试"],
    "manhole": ["井盖破损", "井盖缺失", "井盖松动异响", "井座沉降"],
    "underpass": ["下穿通道排水泵故障", "警示水位标尺缺失"],
    "channel": ["沟渠垃圾淤积", "护栏破损"],
}


def _hazards_for(
    ctx: DemoContext,
    line: str,
    inspections: list[Any],
    source: Any,
    notice_prefix: str,
    categories: list[str],
    texts: Any,
    max_per: int,
    date_field: str = "inspected_on",
) -> None:
    """Hazards found by ``inspections``, each inspection's under one rectification notice."""
    from django.contrib.contenttypes.models import ContentType

    from zhujian.hazards.models import Hazard

    rng = ctx.rng
    rows = []
    seq: dict[int, int] = {}
    today = dt.date(2022, 12, 31)
    for inspection in inspections:
        n = rng.choice([0, 0, *range(1, max_per + 1)])
        if not n:
            continue
        found = getattr(inspection, date_field)
        year = found.year
        seq[year] = seq.get(year, 0) + 1
        notice = f"{notice_prefix}〔{year}〕{seq[year]}号"
        issued = found + dt.timedelta(days=rng.randint(0, 3))
        deadline = issued + dt.timedelta(days=rng.choice((7, 10, 15, 30)))
        ctype = ContentType.objects.get_for_model(type(inspection))
        for k in range(n):
            fate = rng.random()
            rectified = verified = None
            if fate < 0.85:
                rectified = issued + dt.timedelta(days=rng.randint(1, (deadline - issued).days))
            elif fate < 0.94:
                rectified = deadline + dt.timedelta(days=rng.randint(1, 20))
            if rectified and rectified > today:
                rectified = None
            if rectified and rng.random() < 0.92:
                verified = rectified + dt.timedelta(days=rng.randint(1, 7))
                if verified > today:
                    verified = None
            options = texts if isinstance(texts, list) else texts[inspection.point_kind]
            hazard = Hazard(
                org_unit_id=inspection.org_unit_id,
                code=f"YH-{line.upper()}-{found:%Y%m%d}-{inspection.pk}-{k + 1}",
                line=line,
                source_type=ctype,
                source_id=inspection.pk,
                source=source(inspection),
                category=rng.choice(categories),
                description=rng.choice(options),
                location=getattr(inspection, "location", "") or str(inspection.company or ""),
                found_on=found,
                found_by=inspection.inspectors,
                notice_number=notice,
                notice_issued_on=issued,
                notice_deadline=deadline,
                rectified_on=rectified,
                rectification_evidence="已按要求整改，附整改前后照片" if rectified else "",
                verified_on=verified,
                verified_by=ctx.person() if verified else "",
            )
            hazard.status = hazard.derive_status()
            rows.append(hazard)
    ctx.save(Hazard, rows)


def gas_cases(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import GasCase

    rng = ctx.rng
    city = _streets(ctx)[0]
    big = ctx.date(2022, 3, 5)
    rows = [
        GasCase(
            org_unit=city,
            number="燃执〔2022〕1号",
            opened_on=big,
            violation="液化气违法充装销售",
            party=f"{ctx.person()}等",
            address=f"{city.name}{rng.choice(CROSS)}东侧院落",
            seized_cylinders=rng.randint(80, 260),
            transferred_to="城关派出所",
            transferred_on=big + dt.timedelta(days=rng.randint(1, 5)),
            result="依法移交公安机关处理",
        )
    ]
    towns = [t for t in ctx.townships if t.kind != "street"]
    for year in ctx.years:
        for i in range(rng.randint(2, 5)):
            opened = ctx.date(year, 1, 12)
            rows.append(
                GasCase(
                    org_unit=rng.choice(towns),
                    number=f"燃执〔{year}〕{i + 2}号",
                    opened_on=opened,
                    violation=rng.choice(
                        ["向无证经营者供应液化气", "使用超期未检钢瓶充装", "无证经营瓶装液化气"]
                    ),
                    party=ctx.person(),
                    seized_cylinders=rng.randint(0, 40),
                    closed_on=min(
                        opened + dt.timedelta(days=rng.randint(10, 60)), dt.date(2022, 12, 31)
                    ),
                    result="责令改正并处罚款",
                )
            )
    ctx.save(GasCase, rows)


def gas_services(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import GasService

    rng = ctx.rng
    communities = [v for t in _streets(ctx) for v in ctx.villages[t.pk] if v.kind == "community"]
    towns = [t for t in ctx.townships if t.kind != "street"]
    rows = []
    seen = set()
    for year in ctx.years:
        # Home services during the spring lockdown months; coordinated purchases for stations.
        for kind, count, lo, hi in (
            ("water_card", rng.randint(25, 45), 5, 40),
            ("gas_card", rng.randint(30, 60), 5, 50),
            ("lpg_delivery", rng.randint(20, 40), 3, 25),
        ):
            for _ in range(count if year == 2022 else count // 4):
                unit = rng.choice(communities)
                day = ctx.date(year, 3, 5)
                if (kind, day, unit.name) in seen:
                    continue
                seen.add((kind, day, unit.name))
                rows.append(
                    GasService(
                        org_unit=unit,
                        kind=kind,
                        served_on=day,
                        recipient=unit.name,
                        quantity=D(rng.randint(lo, hi)),
                        staff=ctx.person(),
                    )
                )
        for town in rng.sample(towns, rng.randint(5, 10)):
            day = ctx.date(year, 3, 5)
            rows.append(
                GasService(
                    org_unit=town,
                    kind="purchase",
                    served_on=day,
                    recipient=f"{town.name}液化气站",
                    quantity=D(rng.randint(20, 120)) / 10 * 5,
                    staff=ctx.person(),
                )
            )
    ctx.save(GasService, rows)


# --- 供热 ------------------------------------------------------------------------------


def heating(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import (
        HeatingMaintenance,
        HeatingProject,
        HeatingSeason,
        HeatSource,
    )

    rng = ctx.rng
    office = ctx.departments["chengjian"]
    area = D(rng.randint(650, 900))
    seasons = []
    for start in (2019, 2020, 2021, 2022):
        seasons.append(
            HeatingSeason(
                org_unit=office,
                start_year=start,
                end_year=start + 1,
                started_on=dt.date(start, 11, 15),
                ended_on=dt.date(start + 1, 3, 15) if start < 2022 else None,
                heated_area=area,
                households=int(area * 95),
                complaints=rng.randint(150, 600),
                summary="供热运行平稳，室温达标" if start < 2022 else "",
            )
        )
        area += D(rng.randint(200, 900)) / 10
    ctx.save(HeatingSeason, seasons)
    sources = [
        ("县热电厂", "cogeneration", "县热电有限公司"),
        ("汇泉热力东区锅炉房", "boiler", "汇泉热力有限公司"),
        ("汇泉热力西区锅炉房", "boiler", "汇泉热力有限公司"),
        ("经济开发区工业余热", "waste_heat", "开发区热力公司"),
    ]
    ctx.save(
        HeatSource,
        [
            HeatSource(
                org_unit=office,
                name=name,
                kind=kind,
                operator=operator,
                capacity_mw=D(rng.randint(40, 280)),
                area_served=D(rng.randint(80, 400)),
            )
            for name, kind, operator in sources
        ],
    )
    projects = []
    for year in ctx.years:
        for i in range(rng.randint(4, 8)):
            kind = rng.choice(["pipeline", "pipeline", "old_community"])
            planned = D(rng.randrange(150, 1500, 5))
            share = D(1) if year == 2021 else D(rng.randint(30, 90)) / 100
            projects.append(
                HeatingProject(
                    org_unit=office,
                    code=f"GR-{year}-{i + 1:02d}",
                    name=(
                        f"{rng.choice(CROSS)}供热管网建设工程"
                        if kind == "pipeline"
                        else f"{rng.choice(METER_PLACES)}供热改造工程"
                    )
                    + f"（{year}-{i + 1}）",
                    kind=kind,
                    year=year,
                    planned_investment=planned,
                    completed_investment=(planned * share).quantize(D("0.01")),
                    pipe_length_m=D(rng.randrange(300, 3000, 10)) if kind == "pipeline" else D(0),
                    started_on=ctx.date(year, 3, 5),
                    completed_on=ctx.date(year, 9, 10) if year == 2021 else None,
                )
            )
    ctx.save(HeatingProject, projects)
    orders = []
    for year in ctx.years:
        for i in range(rng.randint(30, 60)):
            reported = ctx.date(year, *rng.choice(((1, 3), (11, 12), (6, 9))))
            orders.append(
                HeatingMaintenance(
                    org_unit=office,
                    number=f"GRWX-{year}-{i + 1:03d}",
                    reported_on=reported,
                    facility=rng.choice(["换热站", "阀门井", "供热管道", "循环泵", "补水泵"]),
                    location=f"{rng.choice(METER_PLACES)}附近",
                    problem=rng.choice(["阀门渗漏", "管道保温层破损", "水泵异响", "压力异常"]),
                    completed_on=min(
                        reported + dt.timedelta(days=rng.randint(0, 5)), dt.date(2022, 12, 31)
                    ),
                    crew=f"维修{rng.randint(1, 4)}班",
                )
            )
    ctx.save(HeatingMaintenance, orders)


# --- 供水 ------------------------------------------------------------------------------


def water(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import MeterInstallation, WaterMain, WaterSupply

    rng = ctx.rng
    office = ctx.departments["chengjian"]
    streets = _streets(ctx)
    base = D(rng.randint(70, 95))
    supply = []
    for year in ctx.years:
        for month in _month_starts(year):
            summer = D("1.15") if month.month in (6, 7, 8) else D(1)
            volume = (base * summer * D(rng.randint(94, 106)) / 100).quantize(D("0.01"))
            supply.append(
                WaterSupply(
                    org_unit=office,
                    month=month,
                    volume=volume,
                    revenue=(volume * D(rng.randint(270, 300)) / 100).quantize(D("0.01")),
                    users=rng.randint(95000, 110000),
                )
            )
        base = base * D(rng.randint(101, 106)) / 100
    ctx.save(WaterSupply, supply)
    mains = []
    for year in ctx.years:
        for i in range(rng.randint(4, 9)):
            first, last = (3, 6) if i % 2 == 0 else (7, 11)  # laid in both halves of the year
            mains.append(
                WaterMain(
                    org_unit=rng.choice(streets),
                    name=f"{year}年{rng.choice(OTHER_ROADS + CROSS)}供水主管道工程（{i + 1}）",
                    road=rng.choice(OTHER_ROADS),
                    diameter_mm=rng.choice((200, 300, 400, 500, 600)),
                    length_km=D(rng.randint(30, 320)) / 100,
                    completed_on=ctx.date(year, first, last),
                )
            )
    ctx.save(WaterMain, mains)
    meters = []
    for year in ctx.years:
        for place in (
            rng.sample(METER_PLACES, rng.randint(5, 8)) if year == 2021 else METER_PLACES[:6]
        ):
            for kind, lo, hi in (("household", 60, 650), ("bulk", 3, 40)):
                meters.append(
                    MeterInstallation(
                        org_unit=rng.choice(streets),
                        place=place,
                        kind=kind,
                        installed_on=ctx.date(year, 2, 6),
                        quantity=rng.randint(lo, hi),
                    )
                )
    ctx.save(MeterInstallation, meters)


# --- 排水 ------------------------------------------------------------------------------


def drainage(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import (
        Discharger,
        DischargerSample,
        DrainageProject,
        EffluentSample,
        PlantActivity,
        WastewaterPlant,
    )

    rng = ctx.rng
    streets = _streets(ctx)
    trades = ["餐饮", "洗车", "医院", "宾馆", "农贸市场", "汽修", "食品加工", "洗浴"]
    dischargers = ctx.save(
        Discharger,
        [
            Discharger(
                org_unit=rng.choice(streets),
                name=f"{rng.choice(CROSS + OTHER_ROADS)}{rng.choice(trades)}排水户{i + 1:03d}",
                trade=rng.choice(trades),
                permit_number=f"排许{rng.randint(2019, 2022)}{i + 1:04d}",
                permit_expires_on=dt.date(2024 + i % 3, rng.randint(1, 12), 1),
            )
            for i in range(rng.randint(60, 90))
        ],
    )
    samples, seen = [], set()
    for year in ctx.years:
        for half in (1, 2):
            for _ in range(rng.randint(90, 160)):
                who = rng.choice(dischargers)
                day = ctx.date(year, 6 * half - 5, 6 * half)
                if (who.pk, day) in seen:
                    continue
                seen.add((who.pk, day))
                cod = D(rng.randint(80, 520))
                samples.append(
                    DischargerSample(
                        discharger=who,
                        org_unit_id=who.org_unit_id,
                        sampled_on=day,
                        cod=cod,
                        ammonia=D(rng.randint(500, 4500)) / 100,
                        compliant=cod <= 500,
                        sampler=ctx.person(),
                    )
                )
    ctx.save(DischargerSample, samples)
    plants = ctx.save(
        WastewaterPlant,
        [
            WastewaterPlant(
                org_unit=streets[i],
                name=name,
                operator=f"{name[:3]}水务运营有限公司",
                capacity=cap,
                in_operation=i < 2,
                commissioned_on=dt.date(2008 + 6 * i, 6, 1) if i < 2 else None,
            )
            for i, (name, cap) in enumerate(
                (("第一污水处理厂", D(4)), ("第二污水处理厂", D(3)), ("第三污水处理厂", D(3)))
            )
        ],
    )
    working = plants[:2]
    effluent, activities = [], []
    for year in ctx.years:
        for half in (1, 2):
            for plant in working:
                days = {ctx.date(year, 6 * half - 5, 6 * half) for _ in range(rng.randint(12, 26))}
                for day in sorted(days):
                    effluent.append(
                        EffluentSample(
                            plant=plant,
                            org_unit_id=plant.org_unit_id,
                            sampled_on=day,
                            cod=D(rng.randint(120, 480)) / 10,
                            ammonia=D(rng.randint(20, 450)) / 100,
                            compliant=True,
                        )
                    )
            drills = rng.randint(1, 3)
            for kind, count in (
                ("assessment", rng.randint(1, 4)),
                ("confined_drill", drills),
                ("flood_drill", drills),
            ):
                used = set()
                for _ in range(count):
                    plant = rng.choice(working)
                    day = ctx.date(year, 6 * half - 5, 6 * half)
                    while (plant.pk, day) in used:
                        day += dt.timedelta(days=1)
                    used.add((plant.pk, day))
                    activities.append(
                        PlantActivity(
                            plant=plant,
                            org_unit_id=plant.org_unit_id,
                            kind=kind,
                            held_on=day,
                            participants=rng.randint(15, 60),
                            score=D(rng.randint(850, 990)) / 10 if kind == "assessment" else None,
                        )
                    )
    ctx.save(EffluentSample, effluent)
    ctx.save(PlantActivity, activities)
    total = D(rng.randrange(800, 2400, 10))
    drainage_projects = ctx.save(
        DrainageProject,
        [
            DrainageProject(
                org_unit=streets[1],
                code=CODE_JINGCHENG,
                name="景城花园南水沟污染治理项目",
                investment=D(rng.randrange(200, 900, 5)),
                total_length_m=total,
                laid_length_m=(total * D(rng.randint(55, 95)) / 100).quantize(D(1)),
                started_on=ctx.date(2022, 2, 4),
                expected_done_on=dt.date(2022, rng.randint(7, 10), rng.randint(11, 20)),
            ),
            DrainageProject(
                org_unit=streets[2],
                code="PS-DSWS",
                name="第三污水处理厂建设工程",
                investment=D(rng.randrange(8000, 15000, 10)),
                total_length_m=D(rng.randrange(3000, 6000, 10)),
                laid_length_m=D(rng.randrange(1000, 3000, 10)),
                started_on=ctx.date(2021, 3, 6),
                expected_done_on=dt.date(2022, 12, 31),
            ),
            DrainageProject(
                org_unit=streets[0],
                code="PS-YWFL-2021",
                name="老城区雨污分流改造工程（一期）",
                investment=D(rng.randrange(1200, 3000, 10)),
                total_length_m=D(3200),
                laid_length_m=D(3200),
                started_on=ctx.date(2021, 3, 4),
                expected_done_on=dt.date(2021, 11, 30),
                completed_on=dt.date(2021, 11, rng.randint(1, 28)),
            ),
        ],
    )
    from zhujian.domains.urban import figures

    for project in drainage_projects:
        if project.code == CODE_JINGCHENG:
            ctx.tag(project, figures.TAG_JINGCHENG)


# --- 防汛 ------------------------------------------------------------------------------


def flood(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import (
        DutyShift,
        EmergencyMember,
        EmergencyTeam,
        FloodDrill,
        FloodInspection,
        FloodMaterial,
        FloodPlan,
    )

    rng = ctx.rng
    office = ctx.departments["chengjian"]
    streets = _streets(ctx)
    plans = []
    for year in ctx.years:
        plans += [
            FloodPlan(
                org_unit=office,
                title=f"{year}年度县城防汛工作实施方案",
                number=f"住建发〔{year}〕{rng.randint(10, 30)}号",
                year=year,
                issued_on=ctx.date(year, 4, 5),
            ),
            FloodPlan(
                org_unit=office,
                title="住建领域防汛紧急处置及转移避险方案"
                + ("" if year == 2022 else "（2021年版）"),
                number=f"住建发〔{year}〕{rng.randint(31, 50)}号",
                year=year,
                issued_on=ctx.date(year, 5, 5),
            ),
        ]
    ctx.save(FloodPlan, plans)
    inspections = []
    for year in ctx.years:
        for i in range(rng.randint(60, 110)):
            kind = rng.choice(["low_lying", "manhole", "manhole", "underpass", "channel"])
            inspections.append(
                FloodInspection(
                    org_unit=rng.choice(streets),
                    code=f"FXJC-{year}-{i + 1:03d}",
                    inspected_on=ctx.date(year, 4, 9),
                    point_kind=kind,
                    location=f"{rng.choice(OTHER_ROADS + CROSS)}与{rng.choice(CROSS)}交叉口",
                    inspectors=f"{ctx.person()}、{ctx.person()}",
                    problems_found=0,
                    findings="对低洼易涝点、井盖等防汛重点部位进行督导检查",
                )
            )
    saved = ctx.save(FloodInspection, inspections)
    _hazards_for(
        ctx,
        "flood",
        saved,
        lambda i: f"{i.inspected_on.year}年防汛督导检查",
        "防汛整改",
        ["drainage", "manhole"],
        FLOOD_HAZARDS,
        max_per=2,
    )
    from django.db.models import Count

    from zhujian.hazards.models import Hazard

    counts = dict(
        Hazard.objects.filter(line="flood")
        .values_list("source_id")
        .annotate(n=Count("pk"))
        .values_list("source_id", "n")
    )
    for inspection in saved:
        inspection.problems_found = counts.get(inspection.pk, 0)
    FloodInspection.objects.bulk_update(saved, ["problems_found"])
    drills = []
    for year in ctx.years:
        for i in range(rng.randint(2, 4)):
            drills.append(
                FloodDrill(
                    org_unit=office,
                    held_on=ctx.date(year, 5, 6),
                    scenario=rng.choice(
                        ["模拟汛期城区洪涝", "模拟排水管网淤堵", "模拟下穿立交积水"]
                    )
                    + f"（第{i + 1}场）",
                    location=rng.choice(["城区滨河路", "东城新区排涝泵站", "老城区低洼片区"]),
                    participants=rng.randint(30, 90),
                    equipment=rng.randint(10, 40),
                )
            )
    ctx.save(FloodDrill, drills)
    teams, lineup = [], []
    bureau_units = [
        ctx.departments[k]
        for k in ("chengjian", "zhubao", "jianzhu", "zhijian", "ranqi", "renfang")
    ]
    for year in ctx.years:
        formed = dt.date(year, 5, rng.randint(10, 31))
        for i in range(rng.randint(3, 6)):
            teams.append(
                EmergencyTeam(
                    org_unit=office,
                    name=f"{year}年防汛抢险突击{'一二三四五六'[i]}队",
                    formed_on=formed,
                    disbanded_on=dt.date(year, 10, 31) if year < 2022 else None,
                    captain=ctx.person(),
                    phone=f"139{rng.randint(10000000, 99999999)}",
                )
            )
    teams = ctx.save(EmergencyTeam, teams)
    for team in teams:
        for k in range(rng.randint(8, 20)):
            lineup.append(
                EmergencyMember(
                    team=team,
                    org_unit=rng.choice(bureau_units),
                    name=ctx.person(),
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    role="队员" if k else "副队长",
                    joined_on=team.formed_on,
                    left_on=team.disbanded_on,
                )
            )
    ctx.save(EmergencyMember, lineup)
    materials = [
        ("编织袋", "50×80cm", "条"),
        ("救生衣", "成人", "件"),
        ("移动排水泵", "300m³/h", "台"),
        ("发电机", "30kW", "台"),
        ("雨衣雨靴", "套装", "套"),
        ("应急照明灯", "充电式", "个"),
        ("砂石料", "中砂", "立方米"),
        ("井盖", "球墨铸铁", "套"),
    ]
    ctx.save(
        FloodMaterial,
        [
            FloodMaterial(
                org_unit=office,
                name=name,
                spec=spec,
                quantity=D(rng.randint(5, 800)),
                unit=unit,
                depot=depot,
                checked_on=ctx.date(2022, 4, 5),
            )
            for name, spec, unit in materials
            for depot in ("城建股防汛物资库", "东城新区物资库")
        ],
    )
    leaders = [ctx.person() for _ in range(8)]
    shifts = []
    for year in ctx.years:
        day = dt.date(year, 6, 1)
        while day <= dt.date(year, 9, 30):
            shifts.append(
                DutyShift(
                    org_unit=office,
                    day=day,
                    leader=leaders[day.toordinal() % len(leaders)],
                    rank=rng.choice(["副科级", "正科级"]),
                    staff=f"{ctx.person()}、{ctx.person()}",
                    hours=24,
                )
            )
            day += dt.timedelta(days=1)
    ctx.save(DutyShift, shifts)
