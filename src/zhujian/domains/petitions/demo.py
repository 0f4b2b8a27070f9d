"""Demo petition cases for 2021 and 2022: a county bureau's letters, visits, online
petitions and 12345 work orders, handled by the 信访办 and the 乡镇/街道.

Every case received in the first half of 2022 is answered by 30 June (the seed reports
them all 办结); older cases still in 复查 and the second half's open cases fill the
overdue and due-soon lists.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

HOTLINE_PLATFORM = "12345热线"
SHOUFA_PLATFORM = "12345首发平台"
TRANSFER_PLATFORM = "市信访信息系统内网"

CHANNEL_WEIGHTS = {
    "hotline": 36,
    "shoufa": 16,
    "transfer": 8,
    "online": 16,
    "letter": 9,
    "visit": 15,
}
SUBJECTS = [
    ("appeal", "小区物业服务不到位，要求更换物业公司"),
    ("appeal", "商品房逾期交房，要求开发商承担违约责任"),
    ("appeal", "商品房延期办理不动产权证"),
    ("appeal", "拆迁安置补偿款未足额发放"),
    ("appeal", "回迁安置房分房进度慢"),
    ("appeal", "冬季供暖温度不达标"),
    ("appeal", "老旧小区改造施工影响出行"),
    ("appeal", "住宅楼顶层漏水，维修资金使用申请难"),
    ("appeal", "建筑工地拖欠农民工工资"),
    ("appeal", "公租房申请审核进度咨询"),
    ("appeal", "燃气开户安装收费过高"),
    ("appeal", "自来水水压不足"),
    ("accusation", "建筑工地夜间违规施工噪声扰民"),
    ("accusation", "液化气站违规充装"),
    ("accusation", "小区违规搭建彩钢房"),
    ("accusation", "房地产中介虚假宣传"),
    ("suggestion", "建议增设小区电动车充电桩"),
    ("suggestion", "建议加快东城新区道路建设"),
    ("suggestion", "建议完善老旧小区停车设施"),
]
REPLY_TEXT = {
    "support": "经调查核实，诉求合理，已督促责任单位限期解决。",
    "explain": "经调查核实，已向信访人解释相关政策和办理情况。",
    "reject": "经调查核实，诉求缺乏政策依据，不予支持，已告知救济途径。",
}


def _phone(rng: Any) -> str:
    return "1" + rng.choice("35789") + "".join(str(rng.randrange(10)) for _ in range(9))


def _id_number(rng: Any, region: str) -> str:
    from zhujian.core.personal import id_check_digit

    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def _weighted(rng: Any, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def cases(ctx: DemoContext) -> None:
    from zhujian.domains.petitions.models import PetitionCase

    rng = ctx.rng
    office = ctx.departments["xinfang"]
    region = ctx.county.code[:6]
    rows: list[PetitionCase] = []
    numbers: dict[int, int] = {}
    h1_end = dt.date(2022, 6, 30)

    def new(received: dt.date, **kw: Any) -> PetitionCase:
        numbers[received.year] = numbers.get(received.year, 0) + 1
        channel = kw.pop("channel", None) or _weighted(rng, CHANNEL_WEIGHTS)
        wanted = kw.pop("kind", None)
        kind, subject = rng.choice([s for s in SUBJECTS if wanted in (None, s[0])])
        people = 1
        representatives = None
        if channel == "visit" and rng.random() < 0.25:
            people = rng.randint(6, 30)
            representatives = rng.randint(2, 5)
        elif channel == "visit":
            people = rng.randint(1, 4)
        unit = office if rng.random() < 0.55 else rng.choice(ctx.townships)
        platform = {
            "hotline": HOTLINE_PLATFORM,
            "shoufa": SHOUFA_PLATFORM,
            "transfer": TRANSFER_PLATFORM,
        }.get(channel, "")
        case = PetitionCase(
            org_unit=unit,
            code=f"XF{received.year}-{numbers[received.year]:04d}",
            channel=channel,
            platform=platform,
            work_order_no=f"{received:%Y%m%d}{rng.randrange(10**6):06d}" if platform else "",
            received_on=received,
            petitioner=ctx.person(),
            phone=_phone(rng) if channel != "letter" or rng.random() < 0.6 else "",
            id_number=_id_number(rng, region) if rng.random() < 0.7 else "",
            address=f"{unit.name if unit != office else ctx.townships[0].name}某小区",
            people=people,
            representatives=representatives,
            kind=kind,
            subject=subject,
            request=f"{subject}，请求有关部门尽快处理。",
            facts="信访人反映的情况详见来信来访登记表。",
        )
        for name, value in kw.items():
            setattr(case, name, value)
        return case

    def handle(
        case: PetitionCase, *, reply_by: dt.date | None, extend: bool, late: bool = False
    ) -> None:
        """Route, accept and (unless ``reply_by`` is None) answer ``case``."""
        roll = rng.random()
        notified = case.received_on + dt.timedelta(days=rng.randint(0, 9))
        if reply_by is not None:
            notified = min(notified, reply_by)
        if roll < 0.06:
            transferred = case.received_on + dt.timedelta(days=rng.randint(0, 2))
            case.routing = "transfer"
            case.notified_on = min(transferred, reply_by) if reply_by else transferred
            return
        if roll < 0.1:
            case.routing, case.notified_on = "inform", notified
            return
        case.routing, case.notified_on, case.accepted_on = "accept", notified, notified
        case.handler = ctx.person()
        due = notified + dt.timedelta(days=60)
        if extend:
            case.extension_days = rng.randint(15, 30)
            case.extension_reason = "涉及多个部门，需进一步调查核实"
            case.extension_approver = "局长（示例）"
            case.extended_on = notified + dt.timedelta(days=rng.randint(40, 55))
            due += dt.timedelta(days=case.extension_days)
        if reply_by is None:
            return
        if late:
            replied = due + dt.timedelta(days=rng.randint(3, 20))
        else:
            replied = notified + dt.timedelta(days=rng.randint(3, 50))
        replied = max(notified, min(replied, reply_by))
        case.replied_on = replied
        # Served in person or by post within a few days (no draw: the generator's sequence
        # stays as it was); an extension is approved before the answer (第三十四条).
        case.reply_served_on = min(replied + dt.timedelta(days=case.received_on.day % 4), reply_by)
        if case.extended_on and case.extended_on > replied:
            case.extended_on = replied
        if case.kind == "appeal" or rng.random() < 0.5:
            case.outcome = rng.choices(["support", "explain", "reject"], [35, 50, 15])[0]
            case.reply = REPLY_TEXT[case.outcome]
        else:
            case.reply = REPLY_TEXT["explain"]
        case.satisfaction = rng.choices(["satisfied", "basic", "unsatisfied", ""], [62, 22, 8, 8])[
            0
        ]

    def review(case: PetitionCase, *, answer_by: dt.date | None, recheck: bool = False) -> None:
        case.review_requested_on = case.replied_on + dt.timedelta(days=rng.randint(3, 25))
        if answer_by is None:
            return
        case.review_replied_on = min(
            case.review_requested_on + dt.timedelta(days=rng.randint(10, 28)), answer_by
        )
        case.review_outcome = "uphold" if rng.random() < 0.8 else "change"
        case.review_served_on = case.review_replied_on + dt.timedelta(days=case.received_on.day % 3)
        if recheck:
            case.recheck_requested_on = case.review_replied_on + dt.timedelta(
                days=rng.randint(3, 20)
            )
            case.recheck_replied_on = case.recheck_requested_on + dt.timedelta(
                days=rng.randint(10, 25)
            )
            case.recheck_outcome = "uphold"

    per_half = {
        (2021, 1): rng.randint(110, 170),
        (2021, 2): rng.randint(100, 160),
        (2022, 1): rng.randint(90, 150),
        (2022, 2): rng.randint(80, 140),
    }
    for (year, half), n in per_half.items():
        first = 1 if half == 1 else 7
        for received in sorted(ctx.date(year, first, first + 5) for _ in range(n)):
            case = new(received)
            in_h1_2022 = (year, half) == (2022, 1)
            if (year, half) == (2022, 2) and received > dt.date(2022, 10, 20):
                reply_by = None if rng.random() < 0.55 else dt.date(2022, 12, 31)
            elif in_h1_2022:
                reply_by = h1_end  # the seed: every case of the half-year answered
            else:
                reply_by = received + dt.timedelta(days=120)
            handle(
                case,
                reply_by=reply_by,
                extend=rng.random() < 0.06,
                late=not in_h1_2022 and rng.random() < 0.04,
            )
            if case.replied_on and case.satisfaction == "unsatisfied" and rng.random() < 0.6:
                review(case, answer_by=case.replied_on + dt.timedelta(days=80), recheck=False)
            rows.append(case)

    # Cases whose 复查 was still running on 30 June 2022 (the half-year's deadline lists):
    # one answered in February, 复查 asked in March and not answered by 30 June (overdue) …
    late_review = new(dt.date(2021, 12, rng.randint(1, 10)), channel="visit", kind="appeal")
    _answered(late_review, dt.date(2022, 2, rng.randint(20, 28)), extension=30)
    late_review.review_requested_on = dt.date(2022, 3, rng.randint(5, 15))
    # … and one answered in May, 复查 asked on 3 June (due in the first days of July).
    soon_review = new(dt.date(2022, 3, rng.randint(16, 20)), channel="online", kind="appeal")
    _answered(soon_review, soon_review.received_on + dt.timedelta(days=rng.randint(50, 56)))
    soon_review.review_requested_on = dt.date(2022, 6, 3)
    # A case that went through 复查 and 复核 (终结), and a later one on the same facts,
    # which is not accepted again but told so.
    final = new(dt.date(2021, 3, rng.randint(1, 20)), channel="letter", kind="appeal")
    _answered(final, final.received_on + dt.timedelta(days=rng.randint(20, 40)))
    review(final, answer_by=dt.date(2021, 12, 31), recheck=True)
    rows += [late_review, soon_review, final]
    for case in rows:
        case.derive()
    ctx.save(PetitionCase, rows)
    final.refresh_from_db()
    repeat = new(dt.date(2022, 4, rng.randint(1, 28)), channel="letter", kind="appeal")
    repeat.previous_case = final
    repeat.routing, repeat.notified_on = "inform", repeat.received_on + dt.timedelta(days=5)
    repeat.derive()
    ctx.save(PetitionCase, [repeat])


def _answered(case: Any, replied: dt.date, extension: int | None = None) -> None:
    """Accept ``case`` on receipt and answer it (不予支持, 不满意) on ``replied``."""
    case.routing, case.notified_on, case.accepted_on = "accept", case.received_on, case.received_on
    if extension:
        case.extension_days, case.extended_on = extension, case.received_on + dt.timedelta(days=50)
        case.extension_reason = "涉及历史遗留问题，需会同相关部门调查"
        case.extension_approver = "局长（示例）"
    case.replied_on, case.outcome = replied, "reject"
    case.reply_served_on = replied + dt.timedelta(days=2)  # by post
    case.reply, case.satisfaction = REPLY_TEXT["reject"], "unsatisfied"
