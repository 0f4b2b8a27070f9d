"""Demo records for （四）住房保障, 2021 and 2022.

Everything is drawn from the seed's RNG. The records the report names are found by their
report tags, set here as a clerk would set them: the area tagged 龙沂庄二期 and the
resettlement project tagged 造纸厂三期, whose round is drawn through the real workflow
(freeze → public inputs → run), so its announcement verifies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

D = Decimal
LIMIT = dt.date(2022, 12, 31)  # the demo's records stop at the end of 2022
TAG_LONGYI = "龙沂庄二期"  # the same words as the report's figures (figures.TAG_*)
TAG_ZAOZHI = "造纸厂三期"

TAIL_AREAS = [
    "老粮所片区",
    "纺织厂片区",
    "火车站片区",
    "南关片区",
    "西关片区",
    "汽车站片区",
    "文峰片区",
    "沂河路北片区",
    "棉麻公司片区",
    "老酒厂片区",
]
SHANTY_NAMES = [
    "沂河花园安置小区二期",
    "北关安置小区",
    "南关棚改安置房",
    "纺织厂片区安置房",
    "火车站片区安置楼",
    "东关社区安置房",
    "文峰片区安置小区",
    "西关棚改安置房",
    "老粮所片区安置楼",
    "汽车站片区安置房",
    "棉麻公司片区安置房",
    "青山镇驻地棚改安置房",
    "白水镇驻地棚改安置房",
    "柳河镇驻地棚改安置房",
]
OLD_COMMUNITY_NAMES = [
    "粮食局家属院",
    "供销社宿舍",
    "实验小学家属院",
    "水利局宿舍",
    "人民医院家属院",
    "税苑小区",
    "新华书店家属院",
    "公路局家属院",
    "建设局宿舍",
    "农机公司宿舍",
    "百货大楼家属院",
    "一中家属院",
    "电业局宿舍",
    "邮电小区",
    "化肥厂宿舍",
    "纺织厂宿舍",
    "机械厂宿舍",
    "食品公司家属院",
]
ITEMS = {
    "basic": [
        "供水管网改造",
        "排水管网改造",
        "屋面防水",
        "外墙保温",
        "供暖管网改造",
        "消防设施改造",
        "强弱电线路规整",
    ],
    "improve": [
        "加装电梯",
        "停车位改造",
        "建筑节能改造",
        "楼道照明改造",
        "小区绿化提升",
        "无障碍设施",
    ],
    "enhance": ["社区养老服务站", "托育服务点", "便民市场", "社区食堂", "文体活动场所"],
}
RENTAL_ESTATES = ["幸福家园公租房", "康居小区廉租房", "滨河公租房小区", "阳光公寓公租房"]
COMPANY_WORDS = ["鑫源", "安泰", "德佳", "华信", "恒通", "锦程", "宜居", "和美", "嘉禾", "瑞丰"]
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
COMMUNITY_WORDS = ["花园", "小区", "家园", "新村", "公寓", "嘉园", "雅居", "名苑"]
COMMUNITY_STEMS = [
    "金桥",
    "翠园",
    "阳光",
    "锦绣",
    "泰和",
    "康宁",
    "书香",
    "滨河",
    "长青",
    "友谊",
    "文昌",
    "华府",
]


# --- helpers ------------------------------------------------------------------------


def _between(ctx: DemoContext, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=ctx.rng.randint(0, max((last - first).days, 0)))


def _after(ctx: DemoContext, day: dt.date | None, lo: int, hi: int) -> dt.date | None:
    """A day ``lo``–``hi`` days after ``day``; None when ``day`` is None or past the limit."""
    if day is None:
        return None
    nxt = day + dt.timedelta(days=ctx.rng.randint(lo, hi))
    return nxt if nxt <= LIMIT else None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _masked_id(ctx: DemoContext) -> str:
    return f"3713{'*' * 10}{ctx.rng.randint(0, 999):03d}{ctx.rng.choice('0123456789X')}"


def _streets(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind == "street"]


def _towns(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind != "street"]


def _communities(ctx: DemoContext, township: OrgUnit) -> list[OrgUnit]:
    found = [v for v in ctx.villages[township.pk] if v.kind == "community"]
    return found or [township]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


# --- 拆迁: tail-clearing areas, 龙沂庄, and the 自来水片区 whose households are rehoused ------


def demolition(ctx: DemoContext) -> None:
    from zhujian.domains.housing.models import DemolitionArea, DemolitionHousehold

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    city = streets[0]  # 城关街道
    areas: list[DemolitionArea] = []
    plans: list[tuple[int, str]] = []  # (area index, what to generate)
    homes = [city, *rng.sample(streets[1:], len(streets) - 1), *rng.sample(towns, 2)]
    names = rng.sample(TAIL_AREAS, rng.randint(6, 9))
    for i, name in enumerate(names):
        township = homes[i % len(homes)]
        areas.append(
            DemolitionArea(
                org_unit=rng.choice(_communities(ctx, township)),
                code=f"CQ{township.code[6:9]}{i + 1:02d}",
                name=name,
                started_on=dt.date(rng.randint(2016, 2020), rng.randint(1, 12), 1),
                purpose=rng.choice(["棚户区改造", "城市道路建设", "学校建设", "旧城改造"]),
            )
        )
        plans.append((len(areas) - 1, "tail"))
    areas.append(
        DemolitionArea(
            org_unit=rng.choice(_communities(ctx, city)),
            code="CQ-ZLS",
            name="自来水片区",
            started_on=dt.date(2019, rng.randint(3, 9), 1),
            purpose="棚户区改造",
            note="造纸厂三期安置房的回迁片区",
        )
    )
    plans.append((len(areas) - 1, "rehoused"))
    surveyed = rng.choice(towns)  # an area still being surveyed: no households yet
    areas.append(
        DemolitionArea(
            org_unit=rng.choice(_communities(ctx, surveyed)),
            code=f"CQ{surveyed.code[6:9]}-QQ",
            name=f"{surveyed.name}驻地北片区",
            purpose="旧城改造（前期摸底）",
        )
    )
    east = streets[1]
    for phase, started in (
        ("一期", _between(ctx, dt.date(2021, 3, 1), dt.date(2021, 5, 31))),
        ("二期配套区", _between(ctx, dt.date(2022, 2, 10), dt.date(2022, 4, 20))),
    ):
        areas.append(
            DemolitionArea(
                org_unit=rng.choice(_communities(ctx, east)),
                code=f"CQ-LYZ-{'1' if phase == '一期' else '2'}",
                name=f"龙沂庄{phase}",
                started_on=started,
                purpose="城市道路建设及配套",
            )
        )
        plans.append((len(areas) - 1, "longyi"))
    areas = ctx.save(DemolitionArea, areas)
    rows: list[DemolitionHousehold] = []
    for index, what in plans:
        area = areas[index]
        if what == "tail":
            rows += _tail_households(ctx, area)
        elif what == "rehoused":
            rows += _rehoused_households(ctx, area)
        else:
            rows += _longyi_households(ctx, area)
    ctx.save(DemolitionHousehold, rows)
    ctx.tag(areas[-1], TAG_LONGYI)
    ctx.cache["housing.rehoused_area"] = areas[plans[-3][0]].pk


def _household(ctx: DemoContext, area: Any, n: int, **kw: Any) -> Any:
    from zhujian.domains.housing.models import DemolitionHousehold

    return DemolitionHousehold(
        org_unit_id=area.org_unit_id,
        area=area,
        household_code=f"{area.code}-{n:03d}",
        head_name=ctx.person(),
        id_number=_masked_id(ctx),
        address=f"{area.name}{ctx.rng.randint(1, 40)}排{ctx.rng.randint(1, 12)}号",
        **kw,
    )


def _tail_households(ctx: DemoContext, area: Any) -> list[Any]:
    """The households left in an old area, put on the tail list in 2021 or early 2022."""
    rng = ctx.rng
    year = rng.choice((2021, 2022, 2022))
    listed_from = dt.date(2021, 3, 1) if year == 2021 else dt.date(2021, 11, 1)
    listed_to = dt.date(2021, 8, 31) if year == 2021 else dt.date(2022, 3, 31)
    hard = rng.random() < 0.35  # an area where a few households hold out
    out = []
    for n in range(1, rng.randint(4, 16) + 1):
        listed = _between(ctx, listed_from, listed_to)
        signed = demolished = None
        enforcement = ""
        if rng.random() < 0.2:  # signed years ago, never demolished
            signed = _between(ctx, area.started_on, listed - dt.timedelta(days=30))
        elif rng.random() < (0.55 if hard else 0.97):
            signed = _after(ctx, listed, 5, 250 if hard else 100)
        if signed and rng.random() < (0.6 if hard else 0.98):
            demolished = _after(ctx, max(signed, listed), 3, 120 if hard else 45)
        elif not signed and rng.random() < 0.3:  # demolished by court order
            demolished = _after(ctx, listed, 90, 200)
            if demolished:
                enforcement = f"（{demolished.year}）鲁1399行审{rng.randint(10, 99)}号"
        out.append(
            _household(
                ctx,
                area,
                n,
                tail_listed_on=listed,
                agreement_signed_on=signed,
                demolished_on=demolished,
                enforcement_document=enforcement,
            )
        )
    return out


def _rehoused_households(ctx: DemoContext, area: Any) -> list[Any]:
    """自来水片区: signed and demolished in 2019–2020; they wait for 造纸厂三期's units."""
    rng = ctx.rng
    out = []
    for n in range(1, rng.randint(36, 60) + 1):
        signed = _between(ctx, area.started_on, dt.date(2020, 6, 30))
        out.append(
            _household(
                ctx, area, n, agreement_signed_on=signed, demolished_on=_after(ctx, signed, 10, 120)
            )
        )
    return out


def _longyi_households(ctx: DemoContext, area: Any) -> list[Any]:
    rng = ctx.rng
    from zhujian.domains.housing.models import HomesteadKind

    first_phase = area.name.endswith("一期")
    out = []
    for n in range(1, rng.randint(40, 110) + 1):
        kind = HomesteadKind.PLANNED if rng.random() < 0.6 else HomesteadKind.UNPLANNED
        willing = 0.97 if first_phase else (0.88 if kind == HomesteadKind.PLANNED else 0.7)
        signed = _after(ctx, area.started_on, 3, 150) if rng.random() < willing else None
        out.append(
            _household(
                ctx,
                area,
                n,
                homestead_kind=kind,
                agreement_signed_on=signed,
                demolished_on=_after(ctx, signed, 15, 90) if first_phase else None,
            )
        )
    return out


# --- 棚户区改造 -------------------------------------------------------------------------------


# Where a project stands at mid-2022: the seed's categories, and how long each stage lasts.
CATEGORIES = ["accepted", "acceptance", "topped", "structure", "foundation", "stopped"]
CATEGORY_WEIGHTS = [4, 1.5, 2, 2, 1.5, 1]
STAGE_DAYS = [(60, 240), (90, 200), (300, 540), (60, 200), (60, 180)]  # stage i → i + 1
MID_2022 = dt.date(2022, 6, 30)
STAGE_INDEX = {"foundation": 1, "structure": 2, "topped": 3, "acceptance": 4, "accepted": 5}


def _shanty_dates(
    ctx: DemoContext, target: str
) -> tuple[list[dt.date | None], dt.date | None, dt.date | None]:
    """Stage dates (立项 … 综合验收) that put a project in ``target`` on 30 June 2022, with
    the stages before drawn backwards and those after forwards; and a stop, if any."""
    rng = ctx.rng
    stopped = resumed = None
    at = rng.randint(1, 3) if target == "stopped" else STAGE_INDEX[target]
    dates: list[dt.date | None] = [None] * 6
    if at == 5:
        dates[5] = _between(ctx, dt.date(2019, 6, 1), dt.date(2022, 6, 20))
    else:
        dates[at] = MID_2022 - dt.timedelta(days=rng.randint(10, STAGE_DAYS[at][1]))
    for i in range(at, 0, -1):
        dates[i - 1] = dates[i] - dt.timedelta(days=rng.randint(*STAGE_DAYS[i - 1]))
    if target == "stopped":
        stopped = _between(ctx, dates[at] + dt.timedelta(days=10), MID_2022 - dt.timedelta(days=5))
        if rng.random() < 0.4:
            resumed = _after(ctx, MID_2022, 60, 150)
        start = resumed
    else:
        start = dates[at]
    for i in range(at, 5):
        if start is None:
            break
        nxt = max(
            MID_2022 + dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(*STAGE_DAYS[i]))
        )
        if nxt > LIMIT or rng.random() < 0.3:
            break
        dates[i + 1] = start = nxt
    return dates, stopped, resumed


def shantytown(ctx: DemoContext) -> None:
    """Projects spread over the seed's categories; 造纸厂三期 accepted, ready to allocate."""
    from zhujian.domains.housing.models import ShantytownProject

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    rows: list[ShantytownProject] = []
    names = rng.sample(SHANTY_NAMES, rng.randint(11, 14))
    for i, name in enumerate(names, start=1):
        township = streets[i % len(streets)] if i % 4 else rng.choice(towns)
        target = "stopped" if i == 1 else rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        dates, stopped, resumed = _shanty_dates(ctx, target)
        approved = dates[0]
        reason = "demolition" if stopped else ""
        households = rng.randint(120, 900)
        rows.append(
            ShantytownProject(
                org_unit=rng.choice(_communities(ctx, township)),
                code=f"PG{approved.year}{i:02d}",
                name=name,
                households=households,
                units=households + rng.randint(0, 40),
                floor_area=D(households * rng.randint(95, 125)),
                investment=D(households * rng.randint(18, 30)),
                approved_on=dates[0],
                foundation_on=dates[1],
                structure_on=dates[2],
                topped_out_on=dates[3],
                acceptance_on=dates[4],
                accepted_on=dates[5],
                stopped_on=stopped,
                stop_reason=reason,
                resumed_on=resumed,
            )
        )
    # The projects whose housing the demo allocates by draw.
    city = streets[0]
    fixed = [
        (
            "PG-ZZC3",
            "造纸厂三期安置房",
            city,
            dt.date(2021, rng.randint(11, 12), rng.randint(1, 28)),
        ),
        (
            "PG-XG2",
            "西关安置小区二期",
            streets[2],
            dt.date(2021, rng.randint(6, 8), rng.randint(1, 28)),
        ),
        (
            "PG-DG3",
            "东关安置小区三期",
            streets[1],
            dt.date(2022, rng.randint(3, 5), rng.randint(1, 28)),
        ),
    ]
    for code, name, township, accepted in fixed:
        acceptance = accepted - dt.timedelta(days=rng.randint(60, 150))
        topped = acceptance - dt.timedelta(days=rng.randint(60, 180))
        structure = topped - dt.timedelta(days=rng.randint(240, 480))
        foundation = structure - dt.timedelta(days=rng.randint(90, 240))
        households = rng.randint(200, 600)
        rows.append(
            ShantytownProject(
                org_unit=rng.choice(_communities(ctx, township)),
                code=code,
                name=name,
                households=households,
                units=households + rng.randint(0, 30),
                floor_area=D(households * rng.randint(95, 125)),
                investment=D(households * rng.randint(18, 30)),
                approved_on=foundation - dt.timedelta(days=rng.randint(60, 240)),
                foundation_on=foundation,
                structure_on=structure,
                topped_out_on=topped,
                acceptance_on=acceptance,
                accepted_on=accepted,
            )
        )
    saved = ctx.save(ShantytownProject, rows)
    by_code = {p.code: p for p in saved}
    ctx.tag(by_code["PG-ZZC3"], TAG_ZAOZHI)
    ctx.cache["housing.projects"] = {c: by_code[c].pk for c, *_ in fixed}


# --- 回迁安置房分房: rounds drawn through the real workflow -----------------------------------


def allocation(ctx: DemoContext) -> None:
    """A draft round (its list being compiled), a 2021 round redrawn once, and the 2022
    造纸厂三期（自来水片区）round. The draft round's records come first, so that the generic
    tests find a deletable (not yet published) round, household and unit."""
    from zhujian.domains.housing.models import (
        AllocationRound,
        DemolitionHousehold,
        ShantytownProject,
    )

    rng = ctx.rng
    projects = {
        code: ShantytownProject.objects.get(pk=pk)
        for code, pk in ctx.cache["housing.projects"].items()
    }
    staff = ctx.users["zhubao"]
    _round(
        ctx,
        AllocationRound(
            code="FF2022-02",
            name="东关安置小区三期安置房分房",
            project=projects["PG-DG3"],
            scheduled_on=dt.date(2022, rng.randint(8, 9), rng.randint(1, 28)),
            venue="东城街道便民服务中心",
        ),
        [(ctx.person(), f"DG3-{n:03d}", _masked_id(ctx)) for n in range(1, rng.randint(25, 40))],
        groups=False,
    )
    from zhujian.domains.housing.draw import service

    west_day = dt.date(2021, rng.randint(9, 10), rng.randint(1, 28))
    first = _round(
        ctx,
        AllocationRound(
            code="FF2021-01",
            name="西关安置小区二期安置房分房",
            project=projects["PG-XG2"],
            scheduled_on=west_day,
            venue="西城街道社区服务中心",
            supervisors="县公证处、驻局纪检监察组",
        ),
        [(ctx.person(), f"XG2-{n:03d}", _masked_id(ctx)) for n in range(1, rng.randint(30, 55))],
        groups=False,
    )
    _draw(ctx, first, west_day)
    redone = service.redraw(first, staff, "公告期内复核发现1户家庭重复登记，经监督单位同意重新摇号")
    duplicate = redone.households.order_by("-seq").first()
    duplicate.delete()
    again = west_day + dt.timedelta(days=rng.randint(14, 30))
    redone.scheduled_on = again
    redone._history_user = staff
    redone.save()
    _draw(ctx, redone, again)

    households = DemolitionHousehold.objects.filter(
        area_id=ctx.cache["housing.rehoused_area"]
    ).order_by("household_code")
    day = _between(ctx, dt.date(2022, 3, 1), dt.date(2022, 6, 20))
    zaozhi = _round(
        ctx,
        AllocationRound(
            code="FF2022-01",
            name="造纸厂三期（自来水片区）安置房分房",
            project=projects["PG-ZZC3"],
            scheduled_on=day,
            venue="城关街道办事处会议室",
            supervisors="县公证处、驻局纪检监察组、自来水片区居民代表",
        ),
        [(h.head_name, h.household_code, h.id_number) for h in households],
        groups=True,
    )
    _draw(ctx, zaozhi, day)


def _round(
    ctx: DemoContext,
    round: Any,
    families: list[tuple[str, str, str]],
    groups: bool,
) -> Any:
    """Save a round with its list: families, and units a few more than families."""
    from zhujian.domains.housing.models import AllocationRound, RoundHousehold, RoundUnit

    rng = ctx.rng
    round.org_unit_id = round.project.org_unit_id
    round = ctx.save(AllocationRound, [round])[0]
    kinds = (
        [("两室", "A", (72, 90)), ("三室", "B", (95, 125))] if groups else [("两室", "", (80, 110))]
    )
    people = []
    for seq, (name, code, id_number) in enumerate(families, start=1):
        layout, group, _area = rng.choice(kinds)
        people.append(
            RoundHousehold(
                org_unit_id=round.org_unit_id,
                round=round,
                seq=seq,
                household_code=code,
                head_name=name,
                id_number=id_number,
                group=f"{group}组（{layout}）" if group else "",
            )
        )
    ctx.save(RoundHousehold, people)
    units = []
    wanted: dict[str, int] = {}
    for p in people:
        wanted[p.group] = wanted.get(p.group, 0) + 1
    seq = 0
    for layout, group, (lo, hi) in kinds:
        label = f"{group}组（{layout}）" if group else ""
        for _ in range(wanted.get(label, 0) + rng.randint(0, 3)):
            seq += 1
            building, entrance = 1 + seq // 24, 1 + (seq // 12) % 2
            floor, door = 1 + (seq % 12) // 2, 1 + seq % 2
            units.append(
                RoundUnit(
                    org_unit_id=round.org_unit_id,
                    round=round,
                    seq=seq,
                    code=f"{building}号楼{entrance}单元{floor}0{door}室",
                    group=label,
                    layout=layout,
                    floor_area=D(rng.randint(lo * 10, hi * 10)) / 10,
                )
            )
    ctx.save(RoundUnit, units)
    return round


def _draw(ctx: DemoContext, round: Any, day: dt.date) -> None:
    """Publish the list a week or two before ``day`` with the lottery draw whose numbers
    will enter the seed (the evening before ``day``), take public inputs in the days after
    publication, record the lottery's numbers, draw."""
    from zhujian.domains.housing import conf
    from zhujian.domains.housing.draw import service

    rng = ctx.rng
    staff = ctx.users["zhubao"]
    published = day - dt.timedelta(days=rng.randint(conf.draw_publication_days() + 2, 15))
    round.beacon_source = "中国福利彩票3D"
    round.beacon_issue = f"{day.year}{(day - dt.date(day.year, 1, 1)).days:03d}"
    round.beacon_date = day - dt.timedelta(days=1)
    round._history_user = staff
    round.save()
    service.freeze(round, staff, at=_aware(published, 16))
    families = list(round.households.order_by("seq"))
    ceremony = published + dt.timedelta(days=1)
    for k, family in enumerate(rng.sample(families, min(len(families), rng.randint(3, 6)))):
        service.add_input(
            round,
            f"第{family.seq}号家庭代表 {family.head_name}",
            f"{rng.randrange(10000):04d}",
            staff,
            at=_aware(ceremony, 9, 30 + k),
        )
    numbers = " ".join(str(rng.randrange(10)) for _ in range(3))
    service.set_beacon(round, numbers, staff, at=_aware(day, 9))
    service.run(round, staff, signed_by=ctx.person(), at=_aware(day, 10))


# --- 老旧小区改造 -----------------------------------------------------------------------------


def old_communities(ctx: DemoContext) -> None:
    from zhujian.domains.housing.models import OldCommunity, RenovationItem

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    names = rng.sample(OLD_COMMUNITY_NAMES, len(OLD_COMMUNITY_NAMES))
    rows = []
    for year in ctx.years:
        n = rng.randint(4, 7) if year == 2021 else rng.randint(6, 10)
        declared_from, declared_to = dt.date(year - 1, 10, 1), dt.date(year, 2, 15)
        for i in range(1, n + 1):
            township = streets[i % len(streets)] if i % 5 else rng.choice(towns)
            declared = _between(ctx, declared_from, declared_to)
            start_month = rng.choice((6, 7, 7, 8)) if year == 2021 else rng.choice((7, 7, 8))
            finish_month = min(12, start_month + rng.randint(3, 5))
            if year == 2021:
                tendered = _between(ctx, dt.date(2021, 3, 15), dt.date(2021, 5, 20))
                started = _between(
                    ctx, dt.date(2021, start_month, 1), dt.date(2021, start_month, 28)
                )
                accepted = _between(
                    ctx, dt.date(2021, finish_month, 1), dt.date(2021, finish_month, 28)
                )
            else:
                tendered = (
                    _between(ctx, dt.date(2022, 5, 10), dt.date(2022, 6, 28))
                    if rng.random() < 0.85
                    else _between(ctx, dt.date(2022, 7, 5), dt.date(2022, 7, 30))
                )
                started = _between(
                    ctx, dt.date(2022, start_month, 1), dt.date(2022, start_month, 28)
                )
                started = started if started > tendered else tendered + dt.timedelta(days=20)
                accepted = None
            households = rng.randint(60, 520)
            rows.append(
                OldCommunity(
                    org_unit=rng.choice(_communities(ctx, township)),
                    code=f"LJ{year}{i:02d}",
                    name=names.pop(),
                    year=year,
                    built_year=rng.randint(1982, 2000),
                    buildings=max(2, households // rng.randint(24, 48)),
                    households=households,
                    floor_area=D(households * rng.randint(62, 88)),
                    investment=D(households * rng.randint(20, 45)) / 10,
                    planned_start=dt.date(year, start_month, 1),
                    planned_finish=dt.date(year, finish_month, 1),
                    declared_on=declared,
                    tendered_on=tendered,
                    started_on=started,
                    accepted_on=accepted,
                )
            )
    saved = ctx.save(OldCommunity, rows)
    items = []
    for community in saved:
        chosen = [("basic", c) for c in rng.sample(ITEMS["basic"], rng.randint(2, 5))]
        chosen += [("improve", c) for c in rng.sample(ITEMS["improve"], rng.randint(1, 3))]
        chosen += [("enhance", c) for c in rng.sample(ITEMS["enhance"], rng.randint(0, 2))]
        share = community.investment / len(chosen)
        for item_class, content in chosen:
            items.append(
                RenovationItem(
                    org_unit_id=community.org_unit_id,
                    community=community,
                    item_class=item_class,
                    content=content,
                    investment=share.quantize(D("0.01")),
                )
            )
    ctx.save(RenovationItem, items)


# --- 公租房: units, tenancies, rent, yearly re-checks -------------------------------------------


def rental(ctx: DemoContext) -> None:
    from zhujian.domains.housing.models import (
        EligibilityReview,
        RentalUnit,
        RentBill,
        RentPayment,
        Tenancy,
    )

    rng = ctx.rng
    streets = _streets(ctx)
    units = []
    for i, estate in enumerate(RENTAL_ESTATES):
        township = streets[i % len(streets)]
        community = rng.choice(_communities(ctx, township))
        kind = "low_rent" if "廉租" in estate else "public"
        for n in range(1, rng.randint(18, 40) * ctx.scale + 1):
            area = D(rng.randint(380, 600)) / 10
            units.append(
                RentalUnit(
                    org_unit=community,
                    code=f"GZF{i + 1}{n:04d}",
                    kind=kind,
                    estate=estate,
                    building=str(1 + n // 24),
                    room=f"{1 + (n % 24) // 4}0{1 + n % 4}",
                    floor_area=area,
                    monthly_rent=(area * D("2.5" if kind == "low_rent" else "6")).quantize(D("1")),
                )
            )
    units = ctx.save(RentalUnit, units)
    tenancies: list[Any] = []
    # About one unit in ten is vacant; the first estate's second unit always is, so that
    # a unit without tenancies is among the first records (the generic tests delete one).
    vacant = [u for i, u in enumerate(units) if i == 1 or rng.random() < 0.1]
    for unit in vacant[len(vacant) // 2 :]:  # let in December for next year: no rent billed yet
        start = dt.date(2023, 1, 1)
        tenancies.append(
            Tenancy(
                org_unit_id=unit.org_unit_id,
                unit=unit,
                contract_number=f"{unit.code}-1",
                tenant_name=ctx.person(),
                id_number=_masked_id(ctx),
                members=rng.randint(1, 4),
                lease_start=start,
                lease_end=_add_years(start, 3) - dt.timedelta(days=1),
            )
        )
    for unit in units:
        if unit in vacant:
            continue
        start = _between(ctx, dt.date(2018, 6, 1), dt.date(2021, 12, 31))
        name, id_number = ctx.person(), _masked_id(ctx)
        n = 0
        while start <= LIMIT:
            n += 1
            end = _add_years(start, 3) - dt.timedelta(days=1)
            ended = None
            if rng.random() < 0.06:
                ended = _between(ctx, start + dt.timedelta(days=90), end)
                ended = ended if ended <= LIMIT else None
            tenancies.append(
                Tenancy(
                    org_unit_id=unit.org_unit_id,
                    unit=unit,
                    contract_number=f"{unit.code}-{n}",
                    tenant_name=name,
                    id_number=id_number,
                    members=rng.randint(1, 5),
                    lease_start=start,
                    lease_end=end,
                    ended_on=ended,
                )
            )
            if ended:
                break
            start = end + dt.timedelta(days=1)
    tenancies = ctx.save(Tenancy, tenancies)
    bills, reviews = [], []
    for t in tenancies:
        last = t.ended_on or t.lease_end
        for year in ctx.years:
            first_day, last_day = (
                max(t.lease_start, dt.date(year, 1, 1)),
                min(last, dt.date(year, 12, 31)),
            )
            if first_day > last_day:
                continue
            months = (last_day.year - first_day.year) * 12 + last_day.month - first_day.month + 1
            bills.append(
                RentBill(
                    org_unit_id=t.org_unit_id,
                    tenancy=t,
                    bill_number=f"ZJ{year}-{t.contract_number}",
                    year=year,
                    amount_due=t.unit.monthly_rent * months,
                    due_on=max(dt.date(year, 3, 31), first_day + dt.timedelta(days=30)),
                )
            )
            review_from = max(first_day, dt.date(year, 3, 1))
            if review_from <= dt.date(year, 6, 30) and rng.random() < 0.95:
                result = rng.choices(["qualified", "adjusted", "exit"], [90, 7, 3])[0]
                reviews.append(
                    EligibilityReview(
                        org_unit_id=t.org_unit_id,
                        tenancy=t,
                        year=year,
                        reviewed_on=_between(ctx, review_from, dt.date(year, 6, 30)),
                        result=result,
                    )
                )
    bills = ctx.save(RentBill, bills)
    ctx.save(EligibilityReview, reviews)
    payments = []
    for bill in bills:
        roll = rng.random()
        if roll < 0.78:
            paid = _between(ctx, bill.due_on - dt.timedelta(days=60), bill.due_on)
        elif roll < 0.93:  # arrears, paid in the collection campaign after the notice
            paid = _between(ctx, bill.due_on + dt.timedelta(days=20), dt.date(bill.year, 12, 20))
            if bill.year == 2022:
                paid = _between(ctx, dt.date(2022, 4, 15), dt.date(2022, 6, 30))
        else:
            paid = None  # still owing
        if paid is None or paid > LIMIT:
            continue
        payments.append(
            RentPayment(
                org_unit_id=bill.org_unit_id,
                bill=bill,
                receipt_number=f"SJ{bill.bill_number[2:]}",
                paid_on=paid,
                amount=bill.amount_due,
                arrears=paid > bill.due_on,
            )
        )
    ctx.save(RentPayment, payments)


def subsidies(ctx: DemoContext) -> None:
    """Rental subsidies paid each quarter, and 经济适用房 transactions."""
    from zhujian.domains.housing.models import AffordableTransaction, RentalSubsidy

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    rows = []
    for n in range(1, rng.randint(40, 80) * ctx.scale + 1):
        township = rng.choice(streets) if rng.random() < 0.75 else rng.choice(towns)
        unit = rng.choice(_communities(ctx, township))
        name, id_number = ctx.person(), _masked_id(ctx)
        first_quarter = rng.randint(0, 7)
        last_quarter = 7 if rng.random() < 0.85 else rng.randint(first_quarter, 7)
        per_quarter = D(rng.choice((300, 360, 450, 540, 600, 720)))
        for q in range(first_quarter, last_quarter + 1):
            year, month = 2021 + q // 4, 1 + 3 * (q % 4)
            rows.append(
                RentalSubsidy(
                    org_unit=unit,
                    household_code=f"ZB{township.code[6:9]}{n:04d}",
                    head_name=name,
                    id_number=id_number,
                    month=dt.date(year, month, 1),
                    paid_on=_between(ctx, dt.date(year, month, 10), dt.date(year, month + 2, 25)),
                    amount=per_quarter,
                )
            )
    ctx.save(RentalSubsidy, rows)
    deals = []
    for year in ctx.years:
        for n in range(1, rng.randint(10, 24) + 1):
            township = rng.choice(streets)
            roll = rng.random()
            kind = "listing" if roll < 0.72 else ("inheritance" if roll < 0.88 else "divorce")
            area = D(rng.randint(600, 1200)) / 10
            deals.append(
                AffordableTransaction(
                    org_unit=rng.choice(_communities(ctx, township)),
                    code=f"JS{year}{n:03d}",
                    kind=kind,
                    address=f"{rng.choice(['惠民小区', '安居小区', '民生家园'])}{rng.randint(1, 12)}号楼{rng.randint(1, 6)}0{rng.randint(1, 2)}室",
                    floor_area=area,
                    handled_on=ctx.date(year),
                    land_revenue=(area * rng.randint(150, 420)).quantize(D("1"))
                    if kind == "listing"
                    else D(0),
                )
            )
    ctx.save(AffordableTransaction, deals)


# --- 物业管理 -----------------------------------------------------------------------------------


def _maybe(ctx: DemoContext, p: float, first: dt.date = dt.date(2020, 6, 1)) -> dt.date | None:
    """A day between ``first`` and October 2022 with probability ``p``."""
    return _between(ctx, first, dt.date(2022, 10, 31)) if ctx.rng.random() < p else None


def property_management(ctx: DemoContext) -> None:
    from zhujian.domains.housing.models import (
        OwnersCommittee,
        PropertyCompany,
        ResidentialCommunity,
    )

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    words = rng.sample(COMPANY_WORDS, len(COMPANY_WORDS))
    companies = [  # registered in late 2022, no community under contract yet
        PropertyCompany(
            org_unit=rng.choice(towns),
            credit_code="92371399" + "".join(rng.choice(CREDIT_CHARS) for _ in range(10)),
            name=f"{ctx.county.name}{words[-1]}家政物业服务部",
            contact=ctx.person(),
        )
    ]
    for i in range(rng.randint(9, 14)):
        township = streets[i % len(streets)] if i % 4 else rng.choice(towns)
        party = (
            _between(ctx, dt.date(2019, 1, 1), dt.date(2022, 9, 30)) if rng.random() < 0.5 else None
        )
        companies.append(
            PropertyCompany(
                org_unit=township,
                credit_code="91371399" + "".join(rng.choice(CREDIT_CHARS) for _ in range(10)),
                name=f"{ctx.county.name}{words[i % len(words)]}{'物业服务' if i < len(words) else '物业管理'}有限公司",
                contact=ctx.person(),
                party_org_on=party,
            )
        )
    companies = ctx.save(PropertyCompany, companies)[1:]
    communities = []
    seq = 0
    for township in [*streets, *rng.sample(towns, 5)]:
        count = rng.randint(8, 14) if township.kind == "street" else rng.randint(1, 3)
        for _ in range(count):
            seq += 1
            unmanaged = handed = company = None
            if rng.random() < 0.3:
                unmanaged = _between(ctx, dt.date(2021, 3, 1), dt.date(2022, 3, 31))
                if rng.random() < 0.55:
                    handed = _after(ctx, unmanaged, 60, 300)
                    company = rng.choice(companies) if handed else None
            elif rng.random() < 0.85:
                company = rng.choice(companies)

            households = rng.randint(80, 900)
            communities.append(
                ResidentialCommunity(
                    org_unit=rng.choice(_communities(ctx, township)),
                    code=f"XQ{township.code[6:9]}{seq:03d}",
                    name=f"{rng.choice(COMMUNITY_STEMS)}{rng.choice(COMMUNITY_WORDS)}"
                    + ("" if rng.random() < 0.7 else f"{rng.choice('东西南北')}区"),
                    address=f"{township.name}{rng.choice(['建设路', '人民路', '文化路', '滨河路'])}{rng.randint(1, 300)}号",
                    buildings=max(1, households // rng.randint(30, 60)),
                    households=households,
                    built_year=rng.randint(1988, 2020),
                    company=company,
                    unmanaged_on=unmanaged,
                    handed_over_on=handed,
                    water_transferred_on=_maybe(ctx, 0.22),
                    power_transferred_on=_maybe(ctx, 0.18),
                    security_installed_on=_maybe(ctx, 0.35, dt.date(2021, 9, 1)),
                    ebike_installed_on=_maybe(ctx, 0.25),
                )
            )
    communities = ctx.save(ResidentialCommunity, communities)
    committees = []
    for community in communities:
        if rng.random() > 0.4:
            continue
        established = _between(ctx, dt.date(2016, 1, 1), dt.date(2022, 8, 31))
        dissolved = None
        if established.year <= 2018 and rng.random() < 0.5:  # 换届: a new committee follows
            dissolved = established.replace(year=established.year + 5)
            dissolved = dissolved if dissolved <= LIMIT else None
        for start, end in ((established, dissolved), (dissolved, None)):
            if start is None:
                break
            party = _after(ctx, start, 30, 700) if rng.random() < 0.45 else None
            if party and end and party >= end:
                party = None
            committees.append(
                OwnersCommittee(
                    org_unit_id=community.org_unit_id,
                    community=community,
                    established_on=start,
                    director=ctx.person(),
                    members=rng.choice((5, 5, 7, 7, 9)),
                    party_org_on=party,
                    dissolved_on=end,
                )
            )
    ctx.save(OwnersCommittee, committees)
