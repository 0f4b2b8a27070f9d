"""Demo records for （三）村镇建设, 2021 and 2022, and the plan's commitments for the line.

``ctx.size == "county"`` builds the full household survey (~300k households); the default
demo keeps a few thousand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from zhujian.domains.plans.demo import TaskSpec, add

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

add(
    TaskSpec("2022H2-toilet-rectify", "toilet", "立查立改问题户厕完成整改", "cunzhen", (9, 10)),
    TaskSpec(
        "2022H2-selfbuilt-appraise",
        "selfbuilt",
        "全面完成经营性自建房排查鉴定",
        "cunzhen",
        (8, 9),
    ),
    TaskSpec(
        "2022H2-selfbuilt-rectify",
        "selfbuilt",
        "完成初判存在安全隐患经营性自建房整治",
        "cunzhen",
        (10, 12),
        True,
    ),
    TaskSpec(
        "2022H2-dilapidated-finish",
        "dilapidated",
        "全面完成农村危房改造任务，资金拨付到位",
        "cunzhen",
        (10, 11),
        True,
    ),
    TaskSpec(
        "2022H2-cleanheat-install",
        "cleanheat",
        "完成农村清洁取暖设备安装",
        "cunzhen",
        (10, 10),
        True,
    ),
    TaskSpec(
        "2022H2-cleanheat-accept",
        "cleanheat",
        "完成农村清洁取暖设备验收和调试",
        "cunzhen",
        (11, 12),
        True,
    ),
    TaskSpec(
        "2022H2-sewage-plan",
        "sewage",
        "完成建制镇生活污水治理专项规划编制并报市备案",
        "cunzhen",
        (11, 12),
        True,
    ),
)


def _after(ctx: DemoContext, day: dt.date, lo: int, hi: int, limit: dt.date) -> dt.date | None:
    """A day ``lo``–``hi`` days after ``day``, or None if that falls after ``limit``."""
    nxt = day + dt.timedelta(days=ctx.rng.randint(lo, hi))
    return nxt if nxt <= limit else None


def _masked_id(ctx: DemoContext) -> str:
    return f"3713{'*' * 10}{ctx.rng.randint(0, 999):03d}{ctx.rng.choice('0123456789X')}"


def _townships_rural(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind != "street"]


# --- 农村改厕 ------------------------------------------------------------------------------


def toilet_households(ctx: DemoContext) -> None:
    """The 户户到 survey: every household of every village (a sample in the default demo).

    At county size this makes ~300k rows, so values are drawn from small pools and the rows
    go through the import engine's fast insert.
    """
    from zhujian.domains.rural.models import ToiletHousehold
    from zhujian.domains.rural.models.toilets import ProblemCategory, ToiletType

    rng = ctx.rng
    county = ctx.size == "county"
    sanitary = [ToiletType.THREE_TANK.value] * 6 + [
        ToiletType.DOUBLE_URN.value,
        ToiletType.DOUBLE_URN.value,
        ToiletType.SEWER.value,
        ToiletType.BIOGAS.value,
    ]
    other = [ToiletType.DRY.value, ToiletType.DRY.value, ToiletType.NONE.value]
    categories = [str(c) for c in ProblemCategory.values]
    names = [ctx.person() for _ in range(3000)]
    autumn_2021 = _days(dt.date(2021, 10, 1), dt.date(2021, 12, 31))
    spring_2022 = _days(dt.date(2022, 2, 1), dt.date(2022, 6, 30))
    limit = dt.date(2022, 12, 31)
    rows = []
    for village in ctx.rural_villages():
        n = rng.randint(500, 607) if county else rng.randint(5, 11)
        for i in range(1, n + 1):
            surveyed = rng.choice(autumn_2021 if rng.random() < 0.15 else spring_2022)
            renovated = rng.random() < 0.82
            problems = rng.choice((1, 1, 1, 2, 2, 3)) if renovated and rng.random() < 0.12 else 0
            rectified = None
            if problems and rng.random() < 0.6:
                rectified = surveyed + dt.timedelta(days=rng.randint(5, 90))
                rectified = rectified if rectified <= limit else None
            rows.append(
                ToiletHousehold(
                    org_unit_id=village.pk,
                    household_code=f"{village.code}{i:04d}",
                    head_name=rng.choice(names),
                    id_number=f"3713**********{rng.randrange(10000):04d}",
                    surveyed_on=surveyed,
                    renovated=renovated,
                    toilet_type=rng.choice(sanitary if renovated else other),
                    problem_count=problems,
                    problem_category=rng.choice(categories) if problems else "",
                    willing=not renovated and rng.random() < 0.45,
                    rectified_on=rectified,
                )
            )
        if len(rows) >= 20_000:
            _save_fast(ctx, ToiletHousehold, rows)
            rows = []
    _save_fast(ctx, ToiletHousehold, rows)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]


def _save_fast(ctx: DemoContext, model: type, rows: list) -> None:
    """``ctx.save`` through the import engine's fast insert (same records and history)."""
    from zhujian.imports.bulk import insert_with_history

    insert_with_history(rows, model, user=ctx.users["admin"], change_reason="示例数据")


def public_toilets(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import PublicToilet

    rng = ctx.rng
    problems_text = ["洗手设施损坏", "照明不足", "保洁不到位", "化粪池满溢", "无障碍设施缺失"]
    rows = []
    for township in _townships_rural(ctx):
        villages = [v for v in ctx.villages[township.pk] if v.kind == "village"]
        for i in range(1, rng.randint(4, 9) * ctx.scale + 1):
            village = rng.choice(villages)
            surveyed = ctx.date(2021, 9, 12) if rng.random() < 0.2 else ctx.date(2022, 2, 6)
            n = rng.choice((0, 0, 0, 1, 1, 2, 3))
            rows.append(
                PublicToilet(
                    org_unit=village,
                    code=f"GC{township.code[6:9]}{i:03d}",
                    name=f"{village.name}公厕{i}号",
                    address=f"{village.name}村委会旁",
                    surveyed_on=surveyed,
                    problem_count=n,
                    problems="、".join(rng.sample(problems_text, n)),
                    rectified_on=_after(ctx, surveyed, 7, 60, dt.date(2022, 12, 31))
                    if n and rng.random() < 0.5
                    else None,
                )
            )
    ctx.save(PublicToilet, rows)


def toilet_stations(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import ToiletStation

    rng = ctx.rng
    rows = [
        ToiletStation(
            org_unit=township,
            code=f"GHZ{township.code[6:9]}",
            name=f"{township.name}农村无害化厕所管护服务站",
            surveyed_on=ctx.date(2022, 3, 6),
            staff=rng.randint(3, 8),
        )
        for township in _townships_rural(ctx)
        if rng.random() < 0.8
    ]
    ctx.save(ToiletStation, rows)


def toilet_funds(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import ToiletFund, ToiletFundAllocation

    rng = ctx.rng
    dept = ctx.departments["cunzhen"]
    towns = _townships_rural(ctx)
    funds = []
    for year in ctx.years:
        funds.append(
            ToiletFund(
                org_unit=dept,
                document_number=f"鲁财农指〔{year}〕{rng.randint(10, 90)}号",
                name=f"{year}年乡村振兴重大专项资金（农村厕所革命）",
                source="province",
                amount=Decimal(rng.randint(30, 150) * 10),
                received_on=ctx.date(year, 3, 5),
                allocation_planned=True,
                payment_requested_on=None,
            )
        )
        funds.append(
            ToiletFund(
                org_unit=dept,
                document_number=f"县财农〔{year}〕{rng.randint(10, 90)}号",
                name=f"{year}年农村改厕县级配套资金",
                source="county",
                amount=Decimal(rng.randint(50, 150) * 10),
                received_on=ctx.date(year, 4, 8),
            )
        )
    for town in towns:  # every township adds funds of its own (乡镇自筹) each year
        for year in ctx.years:
            funds.append(
                ToiletFund(
                    org_unit=town,
                    document_number=f"{town.name}自筹〔{year}〕{rng.randint(1, 9)}号",
                    name=f"{year}年{town.name}改厕管护自筹资金",
                    source="township",
                    amount=Decimal(rng.randint(5, 40)),
                    received_on=ctx.date(year, 2, 10),
                )
            )
    for fund in funds:
        if fund.allocation_planned:
            fund.payment_requested_on = fund.received_on + dt.timedelta(days=rng.randint(10, 40))
    funds = ctx.save(ToiletFund, funds)
    allocations = []
    for fund in funds:
        if not fund.allocation_planned:
            continue
        weights = [rng.randint(200, 900) for _ in towns]
        share = fund.amount / sum(weights)
        for town, households in zip(towns, weights, strict=True):
            allocations.append(
                ToiletFundAllocation(
                    org_unit=town,
                    fund=fund,
                    amount=(share * households).quantize(Decimal("0.01")),
                    households=households,
                    paid_on=fund.received_on + dt.timedelta(days=rng.randint(60, 120))
                    if fund.received_on.year == 2021
                    else None,
                )
            )
    ctx.save(ToiletFundAllocation, allocations)


def equipment(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import EquipmentAllocation, EquipmentPurchase

    rng = ctx.rng
    dept = ctx.departments["cunzhen"]
    towns = _townships_rural(ctx)
    purchases = []
    for year in ctx.years:
        units = rng.randint(len(towns), 2 * len(towns))
        volume = Decimal(rng.choice((3, 4, 5, 6)))
        purchases.append(
            EquipmentPurchase(
                org_unit=dept,
                contract_number=f"SZCG-{year}-{rng.randint(100, 999)}",
                kind="suction_truck",
                volume=volume,
                units=units,
                investment=Decimal(units * rng.randint(120, 160) / 10).quantize(Decimal("0.01"))
                + Decimal(rng.randint(0, 99)) / 100,
                by_tender=True,
                purchased_on=ctx.date(year, 3, 6),
                supplier=rng.choice(["山东某专用汽车有限公司", "湖北某专用车制造有限公司"]),
            )
        )
    for town in towns:  # townships also buy small vacuum trucks for themselves
        year = rng.choice(list(ctx.years))
        units = rng.randint(1, 2)
        purchases.append(
            EquipmentPurchase(
                org_unit=town,
                contract_number=f"XZCG-{town.code[6:9]}-{year}",
                kind="small_truck",
                volume=Decimal(rng.choice((1, 2))),
                units=units,
                investment=Decimal(units * rng.randint(40, 70) / 10).quantize(Decimal("0.01")),
                by_tender=False,
                purchased_on=ctx.date(year, 4, 9),
            )
        )
    purchases = ctx.save(EquipmentPurchase, purchases)
    allocations = []
    for purchase in purchases:
        if purchase.org_unit_id != dept.pk:
            continue
        left = purchase.units
        for i, town in enumerate(towns):
            give = left if i == len(towns) - 1 else min(left, rng.choice((1, 1, 2)))
            left -= give
            if give:
                allocations.append(
                    EquipmentAllocation(
                        org_unit=town,
                        purchase=purchase,
                        units=give,
                        allocated_on=purchase.purchased_on + dt.timedelta(days=rng.randint(5, 30)),
                        basis_households=rng.randint(200, 900),
                    )
                )
    ctx.save(EquipmentAllocation, allocations)


# --- 经营性自建房 ----------------------------------------------------------------------------


def selfbuilt(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import SelfBuiltHouse
    from zhujian.domains.rural.models.selfbuilt import BuildingUse, Structure

    rng = ctx.rng
    limit = dt.date(2022, 12, 31)
    measures = ["加固处理", "停止经营", "限制使用", "拆除重建", "消除隐患后恢复使用"]
    streets = ["中心街", "人民路", "振兴路", "商贸街", "建设路", "文化路"]
    rows = []
    seq = 0
    for village in ctx.all_villages():
        for _ in range(rng.randint(1, 4) * ctx.scale):
            seq += 1
            surveyed = ctx.date(2022, 4, 6) if rng.random() < 0.9 else ctx.date(2021, 10, 12)
            hazard = rng.random() < 0.08
            judged = _after(ctx, surveyed, 1, 20, limit)
            appraised = grade = rectified = None
            measure = ""
            if hazard and judged and rng.random() < 0.75:
                appraised = _after(ctx, judged, 5, 60, limit)
                if appraised:
                    grade = rng.choice("BCCD")
                    if rng.random() < 0.6:
                        rectified = _after(ctx, appraised, 5, 60, limit)
                        measure = rng.choice(measures) if rectified else ""
            rows.append(
                SelfBuiltHouse(
                    org_unit=village,
                    code=f"ZJF{village.code[6:]}{seq:05d}",
                    address=f"{village.name}{rng.choice(streets)}{rng.randint(1, 200)}号",
                    owner=ctx.person(),
                    floors=rng.choice((1, 2, 2, 3, 3, 4, 5)),
                    structure=rng.choice(Structure.values),
                    use=rng.choice(BuildingUse.values),
                    surveyed_on=surveyed,
                    judged_on=judged,
                    hazard=hazard and judged is not None,
                    appraised_on=appraised,
                    grade=grade or "",
                    rectified_on=rectified,
                    measure=measure,
                )
            )
    ctx.save(SelfBuiltHouse, rows)


# --- 农村危房改造 ----------------------------------------------------------------------------


def dilapidated(ctx: DemoContext) -> None:
    """The year's task split among townships, and each household's steps."""
    from zhujian.domains.rural.models import DilapidatedHousing, DilapidatedTask

    rng = ctx.rng
    tasks, households = [], []
    for year in ctx.years:
        issued = ctx.date(year, 2, 3)
        number = f"鲁建村字〔{year}〕{rng.randint(2, 30)}号"
        # 2021's cases are all finished; 2022's are under way at mid-year.
        limit = dt.date(year, 12, 31) if year < 2022 else dt.date(2022, 12, 20)
        seq = 0
        for township in _townships_rural(ctx):
            villages = [v for v in ctx.villages[township.pk] if v.kind == "village"]
            n = rng.randint(2, 7) * ctx.scale
            subsidies = [Decimal(rng.choice((15000, 20000, 25000, 30000, 35000))) for _ in range(n)]
            total = sum(subsidies, Decimal(0)) / 10000
            central = (total * Decimal("0.7")).quantize(Decimal("0.01"))
            tasks.append(
                DilapidatedTask(
                    org_unit=township,
                    year=year,
                    document_number=number,
                    issued_on=issued,
                    households=n,
                    central_funds=central,
                    provincial_funds=total - central,
                )
            )
            for subsidy in subsidies:
                seq += 1
                dates = [ctx.date(year, 1, 3)]
                for lo, hi in ((3, 15), (3, 15), (10, 40), (30, 90), (3, 20), (3, 20)):
                    nxt = _after(ctx, dates[-1], lo, hi, limit)
                    if nxt is None or (year == 2022 and rng.random() < 0.04):
                        break
                    dates.append(nxt)
                dates += [None] * (7 - len(dates))
                households.append(
                    DilapidatedHousing(
                        org_unit=rng.choice(villages),
                        case_number=f"WG{year}{seq:04d}",
                        year=year,
                        head_name=ctx.person(),
                        id_number=_masked_id(ctx),
                        category=rng.choice(("low_income", "scattered", "poor_edge", "other")),
                        appraisal_grade=rng.choice("CD") if dates[1] else "",
                        method=rng.choice(("repair", "repair", "rebuild")),
                        applied_on=dates[0],
                        appraised_on=dates[1],
                        approved_on=dates[2],
                        started_on=dates[3],
                        completed_on=dates[4],
                        accepted_on=dates[5],
                        paid_on=dates[6],
                        subsidy=subsidy,
                        channel="book" if dates[6] else "",
                    )
                )
    ctx.save(DilapidatedTask, tasks)
    ctx.save(DilapidatedHousing, households)


# --- 农村清洁取暖 ----------------------------------------------------------------------------


def cleanheat(ctx: DemoContext) -> None:
    """The year's task split among townships; 2021's households installed and accepted,
    2022's waiting for the equipment tender at mid-year."""
    from zhujian.domains.rural.models import CleanHeatHousehold, CleanHeatTask
    from zhujian.domains.rural.models.heating import HeatDevice

    rng = ctx.rng
    tasks, households = [], []
    for year in ctx.years:
        issued = ctx.date(year, 3, 4)
        number = f"鲁建村字〔{year}〕{rng.randint(31, 60)}号"
        seq = 0
        for township in _townships_rural(ctx):
            villages = [v for v in ctx.villages[township.pk] if v.kind == "village"]
            n = rng.randint(15, 55) * ctx.scale
            tasks.append(
                CleanHeatTask(
                    org_unit=township,
                    year=year,
                    document_number=number,
                    issued_on=issued,
                    households=n,
                )
            )
            for _ in range(n):
                seq += 1
                installed = accepted = None
                if year < 2022:
                    installed = ctx.date(year, 9, 10)
                    accepted = installed + dt.timedelta(days=rng.randint(15, 45))
                households.append(
                    CleanHeatHousehold(
                        org_unit=rng.choice(villages),
                        household_code=f"QJ{year}{seq:05d}",
                        year=year,
                        head_name=ctx.person(),
                        device=rng.choice(HeatDevice.values),
                        installed_on=installed,
                        accepted_on=accepted,
                        tested=accepted is not None,
                    )
                )
    ctx.save(CleanHeatTask, tasks)
    ctx.save(CleanHeatHousehold, households)


# --- 限额以下工程 ----------------------------------------------------------------------------


def small_works(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import SmallWork

    rng = ctx.rng
    kinds = ["村委会办公用房", "村级卫生室", "文化广场配套用房", "农贸市场棚改", "幼儿园附属用房"]
    rows = []
    for township in ctx.townships:
        for year in ctx.years:
            for i in range(1, rng.randint(2, 6) + 1):
                started = ctx.date(year, 1, 12)
                complete = rng.random() < 0.9
                rows.append(
                    SmallWork(
                        org_unit=township,
                        code=f"XE{year}{township.code[6:9]}{i:02d}",
                        name=f"{township.name}{rng.choice(kinds)}工程（{year}-{i}）",
                        builder=rng.choice(["某建筑工程有限公司", "某建设集团有限公司"]),
                        investment=Decimal(rng.randint(30, 380)),
                        started_on=started,
                        checked_on=started + dt.timedelta(days=rng.randint(3, 20)),
                        has_drawings=True,
                        has_contract=True,
                        has_qualified_builder=complete,
                        has_safety_measures=True,
                        has_registration=complete or rng.random() < 0.5,
                        video_installed=year == 2022 or rng.random() < 0.6,
                    )
                )
    ctx.save(SmallWork, rows)


# --- 规划与名镇保护 -----------------------------------------------------------------------


def planning(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import HistoricTownPlan, PlanningDocument

    rng = ctx.rng
    dept = ctx.departments["cunzhen"]
    county = ctx.county.name
    docs = []
    for year in ctx.years:
        drafted = ctx.date(year, 2, 3)
        consulted = drafted + dt.timedelta(days=rng.randint(15, 40))
        submitted = consulted + dt.timedelta(days=rng.randint(15, 40))
        issued = submitted + dt.timedelta(days=rng.randint(20, 60)) if year < 2022 else None
        status = "issued" if issued else "submitted"
        for kind, title in (
            ("urbanization_plan", f"{county}新型城镇化建设{year}年行动计划"),
            ("task_division", f"{county}新型城镇化重点任务分工（{year}年）"),
        ):
            docs.append(
                PlanningDocument(
                    org_unit=dept,
                    title=title,
                    kind=kind,
                    status=status,
                    drafted_on=drafted,
                    consulted_on=consulted,
                    submitted_on=submitted,
                    issued_on=issued,
                )
            )
        docs.append(
            PlanningDocument(
                org_unit=dept,
                title=f"{county}农村清洁取暖工作实施方案（{year}年）",
                kind="clean_heat_scheme",
                status="issued",
                drafted_on=ctx.date(year, 3, 4),
                issued_on=ctx.date(year, 5, 6),
            )
        )
    docs.append(
        PlanningDocument(
            org_unit=dept,
            title=f"{county}建制镇生活污水治理专项规划",
            kind="sewage_plan",
            status="drafting",
            drafted_on=ctx.date(2022, 5, 7),
        )
    )
    ctx.save(PlanningDocument, docs)
    towns = [t for t in ctx.townships if t.kind == "town"]
    first, second = rng.sample(towns, 2)
    reviewed = ctx.date(2022, 1, 3)
    plans = [
        HistoricTownPlan(
            org_unit=first,
            town_name=first.name.removesuffix("镇"),
            title=f"{first.name}历史文化名镇保护规划",
            compiler="某城乡规划设计研究院",
            started_on=ctx.date(2021, 3, 8),
            reviewed_on=reviewed,
            approved_on=reviewed + dt.timedelta(days=rng.randint(20, 80)),
        ),
        HistoricTownPlan(
            org_unit=second,
            town_name=second.name.removesuffix("镇"),
            title=f"{second.name}历史文化名镇保护规划",
            compiler="某城乡规划设计研究院",
            started_on=ctx.date(2022, 7, 10),
        ),
    ]
    ctx.save(HistoricTownPlan, plans)


# --- 乡镇驻地生活污水处理站 -----------------------------------------------------------------


def sewage(ctx: DemoContext) -> None:
    from zhujian.domains.rural.models import SewageOperation, SewageStation

    rng = ctx.rng
    stations = []
    for township in _townships_rural(ctx):
        stations.append(
            SewageStation(
                org_unit=township,
                code=f"WS{township.code[6:9]}",
                name=f"{township.name}驻地生活污水处理站",
                capacity=rng.choice((300, 500, 800, 1000, 1500)),
                commissioned_on=dt.date(rng.randint(2016, 2020), rng.randint(1, 12), 1),
                status="running",
                operator=rng.choice(["某环保科技有限公司", "某水务运营有限公司"]),
            )
        )
    stations = ctx.save(SewageStation, stations)
    ops = []
    for station in stations:
        for year in ctx.years:
            for month in range(1, 13):
                days = 28 if month == 2 else 30
                running = days - (rng.randint(1, 5) if rng.random() < 0.1 else 0)
                ops.append(
                    SewageOperation(
                        org_unit_id=station.org_unit_id,
                        station=station,
                        month=dt.date(year, month, 1),
                        treated=Decimal(station.capacity * running * rng.randint(55, 90) // 100),
                        running_days=running,
                        effluent_ok=rng.random() < 0.97,
                    )
                )
    ctx.save(SewageOperation, ops)
