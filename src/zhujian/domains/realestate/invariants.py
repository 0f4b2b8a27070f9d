"""The real-estate rules that span records (see :mod:`zhujian.core.invariants`).

* ``presale_permit`` — 城市房地产管理法第四十五条、城市商品房预售管理办法第六条: a sale
  contract is signed only for a unit of a building that a presale permit covers, issued on
  or before the signing date; one unit is not sold twice while a contract on it is live
  (signed and not cancelled). Anchor: the development project.
* ``escrow_cap`` — 城市商品房预售管理办法第十一条 and the county's supervision rules
  (caps per construction node, ``ZHUJIAN_ESCROW_RELEASE_CAPS``): at every point in time the
  cumulative releases stay within the cap of the node reached on that day, applied to the
  money paid in by that day. Checked over the account's whole history, so a release dated
  before others (backdated) must keep every later point under its cap too; a deposit that
  releases were made against cannot be deleted. Anchor: the escrow account.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhujian.core import invariants
from zhujian.core.invariants import Attack, Invariant, Reads, Violation
from zhujian.domains.realestate.models import (
    DevelopmentProject,
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
    PresalePermit,
    SalesContract,
)
from zhujian.domains.realestate.models.escrow import CENT, NODE_PHRASES

# --- presale ------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_BUILDING_WORDS = re.compile(r"(号楼|号|楼|栋|幢|座|#|＃)$")


def building_key(text: str) -> str:
    """One building however it is written: ``1#``, ``1#楼``, ``1号楼``, ``1栋`` → ``1``."""
    key = text.strip().upper().replace("＃", "#")
    while True:
        shorter = _BUILDING_WORDS.sub("", key).strip()
        if shorter == key:
            return key
        key = shorter


def permit_buildings(permit_buildings_text: str) -> set[str]:
    """The buildings a permit's 预售楼栋 lists (``1#、2#、5#楼``)."""
    return {building_key(t) for t in _SEPARATORS.split(permit_buildings_text) if t.strip()}


def check_presale(project: DevelopmentProject) -> list[Violation]:
    permits = [
        (permit_buildings(p.buildings), p.issued_on, p.permit_no)
        for p in PresalePermit.objects.filter(project=project, issued_on__isnull=False).only(
            "buildings", "issued_on", "permit_no"
        )
    ]
    contracts = list(
        SalesContract.objects.filter(project=project, signed_on__isnull=False)
        .only("contract_no", "building", "room", "signed_on", "cancelled_on", "project_id")
        .order_by("signed_on", "pk")
    )
    out: list[Violation] = []
    by_unit: dict[tuple[str, str], list[SalesContract]] = defaultdict(list)
    for contract in contracts:
        building = building_key(contract.building)
        by_unit[(building, contract.room.strip().upper())].append(contract)
        covering = [p for p in permits if building in p[0]]
        if any(issued <= contract.signed_on for _, issued, _ in covering):
            continue
        where = f"合同{contract.contract_no}（{contract.building}楼栋{contract.room}）"
        if covering:
            first = min(covering, key=lambda p: p[1])
            why = f"该楼栋的预售许可证{first[2]}于{first[1]}才核发，网签早于发证"
        else:
            why = "本项目没有覆盖该楼栋的商品房预售许可证"
        out.append(
            Violation(
                f"{where}于{contract.signed_on}网签，{why}，未取得预售许可不得预售",
                contract,
                "building",
            )
        )
    for (_, _), sales in by_unit.items():
        for i, later in enumerate(sales):
            for earlier in sales[:i]:
                if earlier.cancelled_on is None or earlier.cancelled_on > later.signed_on:
                    out.append(
                        Violation(
                            f"{later.building}楼栋{later.room}已由合同{earlier.contract_no}于"
                            f"{earlier.signed_on}网签且当时未注销，合同{later.contract_no}于"
                            f"{later.signed_on}再次网签：同一套房屋不得重复销售"
                            "（原合同已注销的，请先登记注销日期和原因）",
                            later,
                            "room",
                        )
                    )
                    break
    return out


def _projects_with_contracts() -> QuerySet:
    return DevelopmentProject.objects.filter(contracts__signed_on__isnull=False).distinct()


def _project_for_attack() -> DevelopmentProject:
    project = DevelopmentProject.objects.order_by("pk").first()
    assert project is not None, "the demo county has development projects"
    return DevelopmentProject.objects.create(
        org_unit=project.org_unit,
        code="RULE-ATTACK",
        name="规则测试楼盘",
        developer="规则测试房地产开发有限公司",
    )


def _permit_values(project: DevelopmentProject, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "permit_no": "规则测试预字第001号",
        "buildings": "1#、2#楼",
        "residential_area": Decimal("12000"),
        "units": 100,
        "applied_on": dt.date(2024, 2, 25),
        "issued_on": dt.date(2024, 3, 1),
        "land_premium_paid": True,
        "land_certificate_no": "规则测试土地证1号",
        "planning_permit_no": "规则测试规划证1号",
        "construction_permit_no": "规则测试施工证1号",
        "total_investment": Decimal("30000"),
        "invested": Decimal("12000"),
        "delivery_on": dt.date(2026, 6, 30),
        **extra,
    }


def _contract_values(project: DevelopmentProject, no: str, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "contract_no": no,
        "building": "1#",
        "room": "1-101",
        "use": "residential",
        "area": Decimal("100.00"),
        "price": Decimal("600000.00"),
        "buyer": "规则测试买受人",
        "signed_on": dt.date(2024, 4, 1),
        **extra,
    }


def presale_attacks() -> list[Attack]:
    """A project with a permit for 1# and 2# issued 2024-03-01, a live contract on
    1#-1-101 and a cancelled one on 2#-1-101, then writes that break the rule."""
    project = _project_for_attack()
    unit = project.org_unit
    permit = PresalePermit.objects.create(org_unit=unit, **_permit_values(project))
    SalesContract.objects.create(org_unit=unit, **_contract_values(project, "RULE-WQ-1"))
    cancelled = SalesContract.objects.create(
        org_unit=unit,
        **_contract_values(
            project,
            "RULE-WQ-2",
            building="2#",
            cancelled_on=dt.date(2024, 4, 10),
            cancel_reason="双方协商解除合同",
        ),
    )
    SalesContract.objects.create(
        org_unit=unit,
        **_contract_values(project, "RULE-WQ-3", building="2#", signed_on=dt.date(2024, 4, 20)),
    )
    return [
        Attack(
            "没有预售许可的楼栋",
            SalesContract,
            _contract_values(project, "RULE-WQ-9", building="3#"),
        ),
        Attack(
            "网签日期早于预售许可发证日期",
            SalesContract,
            _contract_values(project, "RULE-WQ-9", room="1-102", signed_on=dt.date(2024, 2, 20)),
            backdated=True,
        ),
        Attack("一房二卖", SalesContract, _contract_values(project, "RULE-WQ-9")),
        Attack(
            "已注销合同的注销日期改到新合同网签之后",
            SalesContract,
            {"cancelled_on": dt.date(2024, 5, 1)},
            target=cancelled,
        ),
        Attack("预售许可删去已售楼栋", PresalePermit, {"buildings": "2#"}, target=permit),
        Attack(
            "预售许可发证日期改到网签之后",
            PresalePermit,
            {"issued_on": dt.date(2024, 4, 15), "applied_on": dt.date(2024, 4, 10)},
            target=permit,
        ),
        Attack("删除已有网签合同的预售许可", PresalePermit, target=permit),
    ]


# --- escrow -------------------------------------------------------------------------------


def check_escrow(account: EscrowAccount) -> list[Violation]:
    """The cap at every day anything changes (a release, a deposit, a node), from the
    account's whole history; claimed dates no later than today and not before opening."""
    today = timezone.localdate()
    deposits = list(EscrowDeposit.objects.filter(account=account).order_by("deposited_on", "pk"))
    releases = list(EscrowRelease.objects.filter(account=account).order_by("released_on", "pk"))
    out: list[Violation] = []
    for deposit in deposits:
        if deposit.deposited_on < account.opened_on:
            out.append(
                Violation(
                    f"入账凭证{deposit.voucher_no}的入账日期{deposit.deposited_on}早于监管账户"
                    f"开户日期{account.opened_on}",
                    deposit,
                    "deposited_on",
                )
            )
        elif deposit.deposited_on > today:
            out.append(
                Violation(
                    f"入账凭证{deposit.voucher_no}的入账日期{deposit.deposited_on}晚于今天"
                    f"（{today}），不能预先登记入账",
                    deposit,
                    "deposited_on",
                )
            )
    for release in releases:
        if release.released_on < account.opened_on:
            out.append(
                Violation(
                    f"拨付凭证{release.voucher_no}的拨付日期{release.released_on}早于监管账户"
                    f"开户日期{account.opened_on}，开户前不能拨付",
                    release,
                    "released_on",
                )
            )
        elif release.released_on > today:
            out.append(
                Violation(
                    f"拨付凭证{release.voucher_no}的拨付日期{release.released_on}晚于今天"
                    f"（{today}），不能预先登记拨付",
                    release,
                    "released_on",
                )
            )
    stages = type(account).stages
    for stage in stages:
        day = getattr(account, stage.field)
        if day is not None and day > today:
            out.append(
                Violation(
                    f"监管账户{account.account_no}的{stage.label}日期{day}晚于今天（{today}），"
                    "节点须在达到后登记",
                    account,
                    stage.field,
                )
            )
    if out:
        return out
    days = sorted(
        {r.released_on for r in releases}
        | {d.deposited_on for d in deposits}
        | {getattr(account, s.field) for s in stages if getattr(account, s.field)}
    )
    released = deposited = Decimal(0)
    r_i = d_i = 0
    last_release: EscrowRelease | None = None
    for day in days:
        while r_i < len(releases) and releases[r_i].released_on <= day:
            released += releases[r_i].amount
            last_release = releases[r_i]
            r_i += 1
        while d_i < len(deposits) and deposits[d_i].deposited_on <= day:
            deposited += deposits[d_i].amount
            d_i += 1
        if not released:
            continue
        cap = account.cap_on(day)
        if cap is None:
            continue  # before opening: reported above
        node, percent = cap
        limit = (deposited * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        if released > limit:
            assert last_release is not None
            return [
                Violation(
                    f"截至{day}，监管账户{account.account_no}累计拨付{released}元，超过"
                    f"{NODE_PHRASES[node]}可拨付上限{limit}元（截至当日累计入账{deposited}元的"
                    f"{percent}%），超出{released - limit}元；此前最近一笔拨付为凭证"
                    f"{last_release.voucher_no}（{last_release.released_on}，"
                    f"{last_release.amount}元）",
                    last_release,
                    "amount",
                )
            ]
    return out


def refuse_deposit_deletion(deposit: Any) -> str | None:
    """A deposit that releases were made against (releases dated on or after it) stays."""
    after = EscrowRelease.objects.filter(
        account_id=deposit.account_id, released_on__gte=deposit.deposited_on
    )
    count = after.count()
    if not count:
        return None
    return (
        f"入账凭证{deposit.voucher_no}（{deposit.deposited_on}入账{deposit.amount}元）之后"
        f"已有{count}笔拨付，已拨付的入账资金不能删除；入账有误的，请修改并注明原因"
    )


def _accounts_with_releases() -> QuerySet:
    return EscrowAccount.objects.filter(releases__isnull=False).distinct()


def _release_values(account: EscrowAccount, no: str, **extra: Any) -> dict[str, Any]:
    return {
        "account": account,
        "voucher_no": no,
        "released_on": dt.date(2024, 3, 2),
        "amount": Decimal("200000.00"),
        "purpose": "支付工程进度款",
        "payee": "规则测试建筑有限公司",
        "approved_by": "规则测试审核人",
        **extra,
    }


def escrow_attacks() -> list[Attack]:
    """An account opened 2024-01-01 (cap 50 % before 主体结构验收), 1,000,000 元 paid in on
    2024-01-10 and 400,000 元 released on 2024-03-01; then writes that break the cap."""
    project = _project_for_attack()
    unit = project.org_unit
    account = EscrowAccount.objects.create(
        org_unit=unit,
        project=project,
        account_no="RULE-ESCROW-1",
        bank="规则测试银行",
        opened_on=dt.date(2024, 1, 1),
    )
    deposit = EscrowDeposit.objects.create(
        org_unit=unit,
        account=account,
        voucher_no="RULE-RZ-1",
        deposited_on=dt.date(2024, 1, 10),
        amount=Decimal("1000000.00"),
    )
    EscrowRelease.objects.create(
        org_unit=unit,
        **_release_values(
            account, "RULE-BF-1", released_on=dt.date(2024, 3, 1), amount=Decimal("400000")
        ),
    )
    return [
        Attack("超过节点限额拨付", EscrowRelease, _release_values(account, "RULE-BF-9")),
        Attack(
            "倒签拨付：当日未超限，之后的时点超限",
            EscrowRelease,
            _release_values(
                account, "RULE-BF-9", released_on=dt.date(2024, 2, 1), amount=Decimal("150000")
            ),
            backdated=True,
        ),
        Attack("调减入账金额", EscrowDeposit, {"amount": Decimal("600000.00")}, target=deposit),
        Attack(
            "入账日期改到拨付之后",
            EscrowDeposit,
            {"deposited_on": dt.date(2024, 3, 5)},
            target=deposit,
            backdated=False,
        ),
        Attack("删除已拨付的入账", EscrowDeposit, target=deposit),
        Attack(
            "拨付日期晚于今天",
            EscrowRelease,
            _release_values(
                account,
                "RULE-BF-9",
                released_on=timezone.localdate() + dt.timedelta(days=30),
                amount=Decimal("1000"),
            ),
        ),
    ]


invariants.register(
    Invariant(
        code="presale_permit",
        title="商品房预售须取得预售许可、一房不得二卖",
        law="城市房地产管理法",
        article="第四十五条",
        also="城市商品房预售管理办法第六条",
        anchor=DevelopmentProject,
        reads=[Reads(PresalePermit, "project"), Reads(SalesContract, "project")],
        check=check_presale,
        candidates=_projects_with_contracts,
        dated=True,
        attacks=presale_attacks,
        note="网签合同的楼栋须有网签日当日或之前核发的预售许可；同一套房屋在原合同注销前不得再次网签。",
    )
)

invariants.register(
    Invariant(
        code="escrow_cap",
        title="预售资金按工程节点限额拨付",
        law="城市商品房预售管理办法",
        article="第十一条",
        also="本县商品房预售资金监管规定",
        anchor=EscrowAccount,
        reads=[
            Reads(EscrowAccount),
            Reads(EscrowDeposit, "account", on_delete=refuse_deposit_deletion),
            Reads(EscrowRelease, "account"),
        ],
        check=check_escrow,
        candidates=_accounts_with_releases,
        dated=True,
        attacks=escrow_attacks,
        note="任一时点的累计拨付不超过当日所达节点的限额（当日累计入账×节点比例）；已拨付的入账不能删除。",
    )
)
