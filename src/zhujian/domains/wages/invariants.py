"""The wage rules that span records (see :mod:`zhujian.core.invariants`).

* ``wage_pay_sheet`` — 保障农民工工资支付条例第三十一条 (the pay sheet, signed by each
  worker, is what the special account pays, to the worker's own account) and 第三条
  (full payment). Anchor: the pay sheet. Every payment's worker has a line on the sheet
  and has signed it — a bank slip does not replace the signature; the payments to a
  worker never exceed the line's net pay (an underpayment stays as arrears, which
  :mod:`~zhujian.domains.wages.arrears` sees); a sheet is marked paid only when every line
  is signed; a payment is not dated after today.
* ``child_labour`` — 禁止使用童工规定第二条: nobody under 16 is registered to work on a
  site, the date of birth read from the ID number, the age taken on the day of entry.
  Anchor: the worker's registration.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhujian.core import invariants, personal
from zhujian.core.invariants import Attack, Invariant, Reads, Violation
from zhujian.domains.wages.models import (
    PayLine,
    PaySheet,
    ProjectWageSetup,
    WagePayment,
    Worker,
)

MIN_WORKING_AGE = 16  # 禁止使用童工规定第二条: 不满16周岁的未成年人


def _who(worker: Worker) -> str:
    return f"{worker.name}（{worker.code}）"


def check_pay_sheet(sheet: PaySheet) -> list[Violation]:
    today = timezone.localdate()
    lines = {
        line.worker_id: line
        for line in PayLine.objects.filter(sheet=sheet).select_related("worker")
    }
    out: list[Violation] = []
    paid: dict[int, Decimal] = defaultdict(Decimal)
    last: dict[int, WagePayment] = {}
    for payment in (
        WagePayment.objects.filter(sheet=sheet).select_related("worker").order_by("paid_on", "pk")
    ):
        line = lines.get(payment.worker_id)
        if line is None:
            out.append(
                Violation(
                    f"代发记录{payment.number}的收款工人{_who(payment.worker)}不在工资表"
                    f"{sheet.number}中：专用账户只能按工资支付表代发",
                    payment,
                    "worker",
                )
            )
            continue
        if not line.signed:
            slip = (
                f"（已有银行回单{line.bank_slip}，回单不能代替本人签字）" if line.bank_slip else ""
            )
            out.append(
                Violation(
                    f"工资表{sheet.number}中{_who(line.worker)}的明细未经工人本人签字确认{slip}，"
                    f"不能代发（流水号{payment.number}）",
                    payment,
                    "worker",
                )
            )
        if payment.paid_on > today:
            out.append(
                Violation(
                    f"代发记录{payment.number}的交易日期{payment.paid_on}晚于今天（{today}），"
                    "不能预先登记代发",
                    payment,
                    "paid_on",
                )
            )
        paid[payment.worker_id] += payment.amount
        last[payment.worker_id] = payment
    for worker_id, total in paid.items():
        line = lines.get(worker_id)
        if line is not None and total > line.net:
            out.append(
                Violation(
                    f"工资表{sheet.number}中{_who(line.worker)}实发工资{line.net}元，已代发"
                    f"{total}元，多发{total - line.net}元：代发金额不得超过工资支付表所列实发"
                    "工资；确需补发的，请先更正工资表并由工人本人签字",
                    last[worker_id],
                    "amount",
                )
            )
    if sheet.paid_on:
        unsigned = [line for line in lines.values() if not line.signed]
        if unsigned:
            names = "、".join(_who(line.worker) for line in unsigned[:5])
            more = f"等{len(unsigned)}人" if len(unsigned) > 5 else ""
            out.append(
                Violation(
                    f"工资表{sheet.number}有{len(unsigned)}行未经工人本人签字确认（{names}{more}），"
                    "不能登记为已支付；银行回单不能代替本人签字",
                    sheet,
                    "paid_on",
                )
            )
    return out


def _sheets_with_payments() -> QuerySet:
    return PaySheet.objects.filter(Q(payments__isnull=False) | Q(paid_on__isnull=False)).distinct()


def check_child_labour(worker: Worker) -> list[Violation]:
    born = personal.birth_date(worker.id_number)
    if born is None or worker.entered_on is None:
        return []
    age = personal.age_on(worker.id_number, worker.entered_on)
    if age is None or age >= MIN_WORKING_AGE:
        return []
    try:
        sixteen = born.replace(year=born.year + MIN_WORKING_AGE)
    except ValueError:  # born on 29 February
        sixteen = dt.date(born.year + MIN_WORKING_AGE, 3, 1)
    return [
        Violation(
            f"{_who(worker)}按身份证号出生于{born}，{worker.entered_on}进场时{age}周岁，"
            f"不满{MIN_WORKING_AGE}周岁，不得招用（满{MIN_WORKING_AGE}周岁之日为{sixteen}）",
            worker,
            "entered_on",
        )
    ]


# --- attacks for the generic test ----------------------------------------------------------


def _project_with_account() -> Any:
    setup = (
        ProjectWageSetup.objects.exclude(account_number="")
        .filter(project__contractor__isnull=False)
        .select_related("project")
        .order_by("pk")
        .first()
    )
    assert setup is not None, "the demo county has a project with a special wage account"
    return setup.project


def _id(born: dt.date, serial: int) -> str:
    first17 = f"371312{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + personal.id_check_digit(first17)


def _worker_values(project: Any, code: str, born: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "employer_id": project.contractor_id,
        "code": code,
        "name": f"规则测试{code[-2:]}",
        "id_number": _id(born, int(code[-2:])),
        "trade": "labourer",
        "contract_signed_on": dt.date(2024, 6, 28),
        "realname_on": dt.date(2024, 6, 29),
        "bank_name": "中国农业银行",
        "bank_card": f"62284800{int(code[-2:]):011d}",
        "entered_on": dt.date(2024, 7, 1),
        **extra,
    }


def _payment_values(sheet: PaySheet, worker: Worker, no: str, **extra: Any) -> dict[str, Any]:
    return {
        "number": no,
        "sheet": sheet,
        "worker": worker,
        "payee_card": worker.bank_card,
        "amount": Decimal("1500.00"),
        "paid_on": dt.date(2024, 8, 10),
        **extra,
    }


def pay_sheet_attacks() -> list[Attack]:
    """A July 2024 sheet: worker 01 signed, net 6,000 元, paid 5,000 元; worker 02 not
    signed but with a bank slip, unpaid. Then writes that break the rule."""
    project = _project_with_account()
    unit = project.org_unit
    signed = Worker.objects.create(
        org_unit=unit, **_worker_values(project, "RULE-GR-01", dt.date(1990, 1, 1))
    )
    unsigned = Worker.objects.create(
        org_unit=unit, **_worker_values(project, "RULE-GR-02", dt.date(1991, 2, 2))
    )
    sheet = PaySheet.objects.create(
        org_unit=unit,
        number="RULE-GZ-1",
        project=project,
        employer_id=project.contractor_id,
        month=dt.date(2024, 7, 1),
        submitted_on=dt.date(2024, 8, 5),
    )
    line = PayLine.objects.create(
        org_unit=unit, sheet=sheet, worker=signed, days=25, gross=Decimal(6000), signed=True
    )
    PayLine.objects.create(
        org_unit=unit,
        sheet=sheet,
        worker=unsigned,
        days=20,
        gross=Decimal(4800),
        signed=False,
        bank_slip="RULE-HD-1",
    )
    WagePayment.objects.create(
        org_unit=unit, **_payment_values(sheet, signed, "RULE-YH-1", amount=Decimal(5000))
    )
    return [
        Attack("超过实发工资代发", WagePayment, _payment_values(sheet, signed, "RULE-YH-9")),
        Attack(
            "未经本人签字（仅有银行回单）代发",
            WagePayment,
            _payment_values(sheet, unsigned, "RULE-YH-9"),
        ),
        Attack(
            "交易日期晚于今天",
            WagePayment,
            _payment_values(
                sheet,
                signed,
                "RULE-YH-9",
                amount=Decimal(100),
                paid_on=timezone.localdate() + dt.timedelta(days=20),
            ),
        ),
        Attack("代发后调低实发工资", PayLine, {"gross": Decimal(4000)}, target=line),
        Attack("代发后撤销本人签字", PayLine, {"signed": False}, target=line),
        Attack(
            "有未签字明细的工资表登记为已支付",
            PaySheet,
            {"paid_on": dt.date(2024, 8, 12)},
            target=sheet,
        ),
        Attack("删除已代发工人的工资表明细", PayLine, target=line),
    ]


def child_labour_attacks() -> list[Attack]:
    """A worker born 2008-06-15 who entered on 2024-07-01 (16), then writes that make a
    worker under 16 on the day of entry."""
    project = _project_with_account()
    adult = Worker.objects.create(
        org_unit=project.org_unit,
        **_worker_values(project, "RULE-GR-11", dt.date(2008, 6, 15)),
    )
    return [
        Attack(
            "登记不满16周岁的工人",
            Worker,
            _worker_values(project, "RULE-GR-12", dt.date(2009, 3, 1)),
        ),
        Attack(
            "进场日期改到满16周岁之前",
            Worker,
            {"entered_on": dt.date(2024, 6, 1), "realname_on": dt.date(2024, 5, 30)},
            target=adult,
            backdated=True,
        ),
        Attack(
            "身份证号改为不满16周岁者",
            Worker,
            {"id_number": _id(dt.date(2009, 1, 2), 11)},
            target=adult,
        ),
    ]


invariants.register(
    Invariant(
        code="wage_pay_sheet",
        title="农民工工资按本人签字的工资支付表足额代发",
        law="保障农民工工资支付条例",
        article="第三十一条",
        also="第三条",
        anchor=PaySheet,
        reads=[
            Reads(PaySheet),
            Reads(PayLine, "sheet"),
            Reads(WagePayment, "sheet"),
        ],
        check=check_pay_sheet,
        candidates=_sheets_with_payments,
        attacks=pay_sheet_attacks,
        note=(
            "代发须有该工人在工资表中的明细且经本人签字（银行回单不能代替）；代发合计不超过实发工资，"
            "少发的部分列入欠薪预警；有未签字明细的工资表不能登记为已支付。"
        ),
    )
)

invariants.register(
    Invariant(
        code="child_labour",
        title="不得招用不满16周岁的未成年人",
        law="禁止使用童工规定",
        article="第二条",
        anchor=Worker,
        reads=[Reads(Worker)],
        check=check_child_labour,
        dated=True,
        attacks=child_labour_attacks,
        note="出生日期取自身份证号，按进场当日的周岁计算。",
    )
)
