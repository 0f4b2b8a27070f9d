"""Demo real-estate market for 2021 and 2022: projects, presale permits, sale contracts
from the housing-transaction system, the spring housing fair, and the escrow accounts.

The market cools in 2022 as the seed says (fewer permits, fewer and cheaper sales), and
the 2022 data end in late May or in June — the data month range the report states
(“1-5月份”) is taken from the latest contract. Numbers are drawn from the seed's RNG.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

D = Decimal

PROJECT_NAMES = [
    "锦绣华府",
    "滨河名苑",
    "翡翠城",
    "阳光水岸",
    "书香苑",
    "东城壹号院",
    "御景园",
    "金桥花园",
    "泰和家园",
    "幸福里",
    "盛世华庭",
    "文昌府",
    "龙泉湾",
    "凤凰城",
    "康宁苑",
    "兴华广场",
]
DEVELOPERS = ["鑫源置业", "华宇房地产开发", "恒泰置业", "沂河地产", "金鼎房地产", "城投置业"]
BANKS = [
    "中国农业银行示例县支行",
    "中国建设银行示例县支行",
    "示例县农村商业银行",
    "中国银行示例县支行",
]
USES = {  # use: (weight, area range m², unit price range 元/m² in 2021, or a total price range)
    "residential": (82, (85, 145), (5200, 7800)),
    "commercial": (6, (40, 200), (9000, 15000)),
    "office": (2, (60, 150), (6000, 9000)),
    "parking": (8, (12, 40), None),
    "storage": (2, (8, 20), (2000, 3000)),
}


def _money(value: float) -> Decimal:
    return D(str(round(value, 2)))


def _phone(rng: Any) -> str:
    return "1" + rng.choice("35789") + "".join(str(rng.randrange(10)) for _ in range(9))


def _id_number(rng: Any, region: str) -> str:
    from zhujian.core.personal import id_check_digit

    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def market(ctx: DemoContext) -> None:
    """Every real-estate ledger at once: each depends on the records before it."""
    rng = ctx.rng
    projects = _projects(ctx)
    data_end = (
        dt.date(2022, 5, rng.randint(20, 31))
        if rng.random() < 0.75
        else dt.date(2022, 6, rng.randint(5, 15))
    )
    permits = _permits(ctx, projects, data_end)
    events = _events(ctx, data_end)
    contracts = _contracts(ctx, permits, events, data_end)
    _escrow(ctx, permits, contracts, data_end)
    _unsold_permit(ctx, permits, data_end)
    _applications(ctx, permits, data_end)


# 承办人 of the 房产服务中心 who review presale applications (names are examples).
HANDLERS = ["王立新", "李晓梅", "赵文博"]


def _applications(ctx: DemoContext, permits: list[Any], data_end: dt.date) -> None:
    """Presale applications still in progress at the data end: one waiting to be
    accepted, one under review, one reviewed and waiting for its permit (made without the shared generator, so other demo data
    stay as they were)."""
    from zhujian.domains.realestate.models import PresalePermit

    model = max(permits, key=lambda p: (p.issued_on, p.pk))
    rows = []
    for k, (days_ago, accepted) in enumerate(((1, False), (4, True), (6, True)), start=1):
        applied = data_end - dt.timedelta(days=days_ago)
        permit = PresalePermit(
            project=model.project,
            org_unit=model.org_unit,
            buildings=f"{20 + k}#",
            residential_area=D(8000 + 400 * k),
            units=60 + 4 * k,
            applied_on=applied,
            accepted_on=applied + dt.timedelta(days=1) if accepted else None,
            handler=HANDLERS[1] if accepted else "",
            # the oldest one is reviewed, waiting for the permit to be signed off
            reviewed_on=applied + dt.timedelta(days=4) if k == 3 else None,
            review_opinion="符合预售条件，同意核发" if k == 3 else "",
            land_premium_paid=True,
            land_certificate_no=model.land_certificate_no,
            planning_permit_no=model.planning_permit_no,
            construction_permit_no=model.construction_permit_no,
            total_investment=D(22000),
            invested=D(9500),
            delivery_on=data_end + dt.timedelta(days=700),
        )
        permit.derive()
        rows.append(permit)
    ctx.save(PresalePermit, rows)


def _unsold_permit(ctx: DemoContext, permits: list[Any], data_end: dt.date) -> None:
    """A permit issued days before the data end, for a building nothing is sold in yet
    (made without the shared generator, so other demo data stay as they were)."""
    from zhujian.domains.realestate.models import PresalePermit

    model = max(permits, key=lambda p: (p.issued_on, p.pk))
    permit = PresalePermit(
        project=model.project,
        org_unit=model.org_unit,
        permit_no=f"示房预字（{data_end.year}）第{len(permits) + 1:03d}号",
        buildings="20#",
        residential_area=D(9600),
        units=80,
        applied_on=data_end - dt.timedelta(days=8),
        accepted_on=data_end - dt.timedelta(days=8),
        handler=HANDLERS[0],
        reviewed_on=data_end - dt.timedelta(days=3),
        review_opinion="符合预售条件，同意核发",
        issued_on=data_end - dt.timedelta(days=2),
        land_premium_paid=True,
        land_certificate_no=model.land_certificate_no,
        planning_permit_no=model.planning_permit_no,
        construction_permit_no=model.construction_permit_no,
        total_investment=D(20000),
        invested=D(9000),
        delivery_on=data_end + dt.timedelta(days=720),
    )
    permit.derive()
    ctx.save(PresalePermit, [permit])


def _projects(ctx: DemoContext) -> list[Any]:
    from zhujian.domains.realestate.models import DevelopmentProject

    rng = ctx.rng
    city, east, west = ctx.townships[:3]
    towns = ctx.townships[3:]
    units: list[OrgUnit] = [city] * 4 + [east] * 6 + [west] * 3 + rng.sample(towns, 3)
    rows = []
    for i, (name, unit) in enumerate(zip(PROJECT_NAMES, units, strict=True), start=1):
        phase = rng.choice(["", "一期", "二期", "三期"])
        rows.append(
            DevelopmentProject(
                org_unit=unit,
                code=f"FD{2018 + i % 4}{i:03d}",
                name=f"{name}{phase}",
                developer=f"示例县{rng.choice(DEVELOPERS)}有限公司",
                developer_licence=f"鲁房开{rng.randint(10000, 99999)}",
                address=f"{unit.name}{rng.choice(['滨河路', '文化路', '会宝路', '兴业路'])}{rng.randint(1, 300)}号",
                land_area=D(rng.randrange(15000, 90000, 100)),
                planned_area=D(rng.randrange(40000, 260000, 100)),
                started_on=ctx.date(rng.choice((2019, 2020, 2021)), 3, 10),
            )
        )
    return ctx.save(DevelopmentProject, rows)


def _permits(ctx: DemoContext, projects: list[Any], data_end: dt.date) -> list[Any]:
    from zhujian.domains.realestate.models import PresalePermit

    rng = ctx.rng
    selling = projects[:-2]  # the last two are still being planned: no permit yet
    rows = []
    plan = [(2021, 1, 12, rng.randint(16, 22)), (2022, 1, data_end.month, rng.randint(3, 6))]
    for year, first, last, n in plan:
        for k in range(n):
            project = selling[(k + year) % len(selling)]
            issued = ctx.date(year, first, last)
            if issued > data_end:
                issued = data_end - dt.timedelta(days=rng.randint(1, 20))
            if project.started_on and issued < project.started_on + dt.timedelta(days=90):
                issued = project.started_on + dt.timedelta(days=90 + rng.randint(0, 60))
                if issued > (data_end if year == 2022 else dt.date(2021, 12, 31)):
                    continue
            residential = D(rng.randrange(8000, 30000, 10))
            commercial = D(rng.randrange(0, 6000, 10)) if rng.random() < 0.5 else D(0)
            total_investment = D(rng.randrange(15000, 60000, 10))
            applied = issued - dt.timedelta(days=rng.choice((3, 5, 6, 7, 8, 9, 12)))
            rows.append(
                PresalePermit(
                    project=project,
                    org_unit=project.org_unit,
                    permit_no=f"示房预字（{issued.year}）第{len(rows) + 1:03d}号",
                    buildings="、".join(f"{b}#" for b in sorted(rng.sample(range(1, 19), 3))),
                    residential_area=residential,
                    commercial_area=commercial,
                    units=int(residential / rng.randint(100, 125)),
                    applied_on=applied,
                    accepted_on=applied + dt.timedelta(days=1),
                    handler=HANDLERS[len(rows) % len(HANDLERS)],
                    reviewed_on=issued - dt.timedelta(days=1),
                    review_opinion="符合预售条件，同意核发",
                    issued_on=issued,
                    land_premium_paid=True,
                    land_certificate_no=f"鲁（{project.started_on.year}）示例县不动产权第{rng.randint(1000, 9999)}号",
                    planning_permit_no=f"建字第371399{rng.randint(100000, 999999)}号",
                    construction_permit_no=f"371399{issued.year}{rng.randint(10000, 99999)}",
                    total_investment=total_investment,
                    invested=(total_investment * D(rng.randint(28, 60)) / 100).quantize(D("0.01")),
                    delivery_on=issued + dt.timedelta(days=rng.randint(540, 900)),
                )
            )
    for permit in rows:
        permit.derive()
    return ctx.save(PresalePermit, rows)


def _events(ctx: DemoContext, data_end: dt.date) -> list[Any]:
    from zhujian.domains.realestate.models import SalesEvent

    rng = ctx.rng
    city = ctx.townships[0]
    rows = []
    for year in (2021, 2022):
        start = dt.date(year, 5, rng.randint(1, 12))
        end = start + dt.timedelta(days=rng.randint(4, 7))
        if end > data_end and year == 2022:
            start, end = data_end - dt.timedelta(days=8), data_end - dt.timedelta(days=2)
        rows.append(
            SalesEvent(
                org_unit=city,
                name=f"{year}年春季房地产展示交易会",
                starts_on=start,
                ends_on=end,
                organiser="示例县住房和城乡建设局",
                projects=rng.randint(8, 14),
                note="现场签约享受契税补贴和团购优惠。",
            )
        )
    rows.append(
        SalesEvent(
            org_unit=ctx.townships[1],
            name="2021年金秋购房节",
            starts_on=dt.date(2021, 9, rng.randint(15, 22)),
            ends_on=dt.date(2021, 9, 28),
            organiser="示例县房地产业协会",
            projects=rng.randint(5, 9),
        )
    )
    from zhujian.domains.realestate.figures import TAG_EXPO

    saved = ctx.save(SalesEvent, rows)
    for event in saved[:2]:
        ctx.tag(event, TAG_EXPO)
    return saved


def _contracts(
    ctx: DemoContext, permits: list[Any], events: list[Any], data_end: dt.date
) -> list[Any]:
    from zhujian.domains.realestate.models import SalesContract

    rng = ctx.rng
    region = ctx.county.code[:6]
    uses = list(USES)
    weights = [USES[u][0] for u in uses]
    days: list[dt.date] = []
    day = dt.date(2021, 1, 1)
    while day <= data_end:
        base = 8 if day.year == 2021 else 6
        if day.month in (1, 2) or day.weekday() >= 5:
            base = base // 2
        boost = any(e.starts_on <= day <= e.ends_on for e in events)
        for _ in range(rng.randint(0, base * 2) + (rng.randint(8, 16) if boost else 0)):
            days.append(day)
        day += dt.timedelta(days=1)
    rows = []
    sold: set[tuple[int, str, str]] = set()  # one unit is sold once (rule presale_permit)
    spare = random.Random(ctx.seed)
    for n, signed in enumerate(days, start=1):
        open_permits = [p for p in permits if p.issued_on <= signed]
        if not open_permits:
            continue
        permit = rng.choice(open_permits)
        building = rng.choice(permit.buildings.split("、"))
        room = f"{rng.randint(1, 3)}-{rng.randint(1, 26)}{rng.randint(1, 4):02d}"
        tries = 0
        while (permit.project_id, building, room) in sold:
            # a unit already sold: another one, from a second generator so that the
            # shared one (and every later ledger's demo data) draws as before
            tries += 1
            room = f"{spare.randint(1, 3)}-{spare.randint(1, 26)}{spare.randint(1, 4):02d}"
            if tries > 200:  # the building is nearly sold out: a unit of a fourth unit-stair
                room = f"4-{n}"
        sold.add((permit.project_id, building, room))
        use = rng.choices(uses, weights)[0]
        lo, hi = USES[use][1]
        area = _money(rng.uniform(lo, hi))
        if use == "parking":
            price = D(rng.randrange(60000, 120000, 1000))
        else:
            unit_price = rng.uniform(*USES[use][2]) * (0.97 if signed.year == 2022 else 1.0)
            price = _money(float(area) * unit_price)
        contract = SalesContract(
            project=permit.project,
            org_unit=permit.org_unit,
            contract_no=f"WQ{signed:%Y%m}{n:06d}",
            building=building,
            room=room,
            use=use,
            area=area,
            price=price,
            buyer=ctx.person(),
            buyer_phone=_phone(rng),
            buyer_id_number=_id_number(rng, region),
            signed_on=signed,
        )
        roll = rng.random()
        age = (data_end - signed).days
        if roll < 0.04 and age > 60:
            contract.filed_on = signed + dt.timedelta(days=rng.randint(32, 60))
        elif age > 25 or roll < 0.7:
            contract.filed_on = min(signed + dt.timedelta(days=rng.randint(1, 20)), data_end)
        if contract.filed_on:
            contract.filing_no = f"BA{contract.filed_on:%Y}{n:06d}"
            if rng.random() < 0.02 and contract.filed_on + dt.timedelta(days=10) < data_end:
                contract.changed_on = contract.filed_on + dt.timedelta(days=rng.randint(10, 60))
                contract.changed_on = min(contract.changed_on, data_end)
                contract.change_note = rng.choice(["增加共有人", "变更付款方式"])
        last = contract.changed_on or contract.filed_on or signed
        if rng.random() < 0.03 and (data_end - last).days > 10:
            contract.cancelled_on = last + dt.timedelta(days=rng.randint(5, (data_end - last).days))
            contract.cancel_reason = rng.choice(["买受人贷款未获批准", "双方协商解除合同"])
        rows.append(contract)
    # A few drafts (草签) the buyer has not yet confirmed online.
    for i in range(rng.randint(3, 8)):
        permit = rng.choice(permits)
        rows.append(
            SalesContract(
                project=permit.project,
                org_unit=permit.org_unit,
                contract_no=f"CQ{data_end:%Y%m}{i + 1:04d}",
                building=permit.buildings.split("、")[0],
                room=f"1-{rng.randint(1, 26)}01",
                use="residential",
                area=D("118.50"),
                price=D("711000.00"),
                buyer=ctx.person(),
            )
        )
    for contract in rows:
        contract.derive()
    return ctx.save(SalesContract, rows)


def _escrow(ctx: DemoContext, permits: list[Any], contracts: list[Any], data_end: dt.date) -> None:
    from zhujian.domains.realestate.models import EscrowAccount, EscrowDeposit, EscrowRelease
    from zhujian.domains.realestate.rules import release_cap

    rng = ctx.rng
    first_permit: dict[int, Any] = {}
    for permit in sorted(permits, key=lambda p: p.issued_on):
        first_permit.setdefault(permit.project_id, permit)
    accounts = []
    for permit in first_permit.values():
        opened = permit.issued_on - dt.timedelta(days=rng.randint(5, 20))
        account = EscrowAccount(
            project=permit.project,
            org_unit=permit.org_unit,
            account_no=f"3713990{rng.randint(10**11, 10**12 - 1)}",
            bank=rng.choice(BANKS),
            opened_on=opened,
        )
        node = opened
        for field in ("structure_on", "completion_on", "filing_on", "registration_on"):
            node = node + dt.timedelta(days=rng.randint(150, 330))
            if node > data_end or rng.random() < 0.25:
                break
            setattr(account, field, node)
        accounts.append(account)
    accounts = ctx.save(EscrowAccount, accounts)
    by_project = {a.project_id: a for a in accounts}
    # Buyers' payments go into the account month by month (down payments and loans).
    monthly: dict[tuple[int, dt.date], Decimal] = {}
    for c in contracts:
        if c.signed_on and c.project_id in by_project:
            key = (c.project_id, c.signed_on.replace(day=1))
            monthly[key] = monthly.get(key, D(0)) + c.price
    deposits = []
    for (project_id, month), amount in sorted(monthly.items()):
        account = by_project[project_id]
        on = max(month + dt.timedelta(days=rng.randint(24, 27)), account.opened_on)
        on = min(on, data_end)
        deposits.append(
            EscrowDeposit(
                account=account,
                org_unit=account.org_unit,
                voucher_no=f"RZ{on:%Y%m}{len(deposits) + 1:05d}",
                deposited_on=on,
                amount=(amount * D(rng.randint(60, 80)) / 100).quantize(D("0.01")),
                payer="购房人首付款及按揭贷款",
            )
        )
    ctx.save(EscrowDeposit, deposits)
    # Releases each quarter, within the cap of the node the works have reached.
    releases = []
    for account in accounts:
        paid_in = sorted((d.deposited_on, d.amount) for d in deposits if d.account_id == account.pk)
        released = D(0)
        day = account.opened_on + dt.timedelta(days=40)
        while day <= data_end:
            node = EscrowAccount.stages.on(account, day)
            available = sum((a for on, a in paid_in if on <= day), D(0))
            cap = (available * release_cap(node.code) / 100).quantize(D("0.01"))
            room = cap - released
            if room > 10000:
                amount = (room * D(rng.randint(40, 85)) / 100).quantize(D("0.01"))
                released += amount
                releases.append(
                    EscrowRelease(
                        account=account,
                        org_unit=account.org_unit,
                        voucher_no=f"BF{day:%Y%m}{len(releases) + 1:05d}",
                        released_on=day,
                        amount=amount,
                        purpose=rng.choice(["支付工程进度款", "支付材料款", "支付农民工工资"]),
                        payee=f"示例县{rng.choice(['建工集团', '第一建筑公司', '宏达建设'])}有限公司",
                        approved_by=ctx.person(),
                    )
                )
            day += dt.timedelta(days=rng.randint(75, 100))
    ctx.save(EscrowRelease, releases)
