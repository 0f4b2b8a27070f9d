"""Demo wage-arrears cases, 2021 and 2022, most about the demo's construction projects."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models

from zhujian.core import personal

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

D = Decimal
DEMO_END = dt.date(2022, 12, 31)
HANDLING = [
    "约谈施工总承包单位，督促从农民工工资专用账户足额支付",
    "协调建设单位拨付工程款，由总包单位代发",
    "动用工资保证金支付拖欠工资",
    "经核实为劳务合同纠纷，引导通过劳动仲裁解决并已支付",
]


def cases(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import ConstructionProject
    from zhujian.domains.wages.models import WageCase

    rng = ctx.rng
    projects = list(
        ConstructionProject.objects.filter(started_on__isnull=False)
        .select_related("contractor")
        .order_by("pk")
    )
    sources = ["hotline"] * 9 + ["shoufa"] * 5 + ["petition"] * 3 + ["national"] * 3
    rows = []
    n = 0
    for year in ctx.years:
        for _ in range(rng.randint(45, 80) if year == 2021 else rng.randint(35, 70)):
            n += 1
            received = ctx.date(year)
            source = rng.choice(sources)
            project = rng.choice(projects) if rng.random() < 0.85 else None
            workers = rng.choice([1, 1, 2, 3, 5, 8, 12, 20, 35])
            claimed = D(rng.randint(3000, 16000) * workers)
            resolved = received + dt.timedelta(days=rng.randint(3, 45))
            resolved = resolved if resolved <= DEMO_END and rng.random() < 0.95 else None
            rows.append(
                WageCase(
                    org_unit_id=project.org_unit_id if project else rng.choice(ctx.townships).pk,
                    number=f"QX-{year}-{n:04d}",
                    source=source,
                    hotline="12345" if source == "hotline" else "",
                    received_on=received,
                    project=project,
                    enterprise=project.contractor if project else None,
                    complainant=ctx.person(),
                    workers=workers,
                    amount_claimed=claimed,
                    amount_recovered=(claimed * D(rng.randint(80, 100)) / 100).quantize(D("0.01"))
                    if resolved
                    else D(0),
                    resolved_on=resolved,
                    handling=rng.choice(HANDLING) if resolved else "",
                )
            )
    ctx.save(WageCase, rows)


# --- the real-name wage supervision ---------------------------------------------------------

SUPERVISION_START = dt.date(2022, 3, 1)
SUPERVISION_END = dt.date(2022, 6, 30)
CHECK_AS_OF = dt.date(2022, 7, 25)  # June's wages are due by 15 July, plus the grace days
BANKS = ["中国农业银行", "中国工商银行", "中国建设银行", "农村商业银行", "邮政储蓄银行"]
TRADES = ["rebar", "carpenter", "mason", "concrete", "scaffold", "electrician", "welder"]
TRADES += ["labourer"] * 4 + ["plumber", "painter"]
AREAS = ["371312", "371321", "371322", "371323", "371324", "371325", "411522", "341221"]


def _person(rng: random.Random) -> str:
    """A name from this line's own random stream (``ctx.person()`` would draw from the
    shared one and change every later line's demo data)."""
    from zhujian.demo.county import SURNAMES

    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志强海燕红梅"
    return rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def id_number(rng: random.Random, born: dt.date) -> str:
    """A valid 18-digit ID number (check digit per GB 11643) for demo data."""
    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + personal.id_check_digit(first17)


def supervision(ctx: DemoContext) -> None:
    """Projects on site in spring 2022 with their wage set-up (some with gaps), workers,
    gate attendance March–June, pay sheets and payments; a few months left unpaid, then
    the arrears check as of late July opens the warnings in the hazard loop."""
    from zhujian.domains.construction.models import ConstructionProject, Participant
    from zhujian.domains.construction.models.projects import SUBCONTRACT_ROLES
    from zhujian.domains.wages import arrears
    from zhujian.domains.wages.models import (
        Attendance,
        GuaranteeKind,
        PayLine,
        PaySheet,
        ProjectWageSetup,
        WageCase,
        WagePayment,
        Worker,
    )

    rng = random.Random(ctx.seed * 31 + 16)  # its own stream: other lines' data stay as they were
    on_site = list(
        ConstructionProject.objects.filter(
            started_on__lte=SUPERVISION_START, contractor__isnull=False
        )
        .filter(models.Q(completed_on__isnull=True) | models.Q(completed_on__gt=SUPERVISION_END))
        .select_related("contractor")
        .order_by("pk")
    )
    projects = rng.sample(on_site, min(len(on_site), 8 * ctx.scale))
    projects.sort(key=lambda p: p.pk)
    subs: dict[int, list] = {}
    for part in Participant.objects.filter(
        project__in=projects, role__in=SUBCONTRACT_ROLES
    ).select_related("enterprise"):
        subs.setdefault(part.project_id, []).append(part.enterprise)

    setups, workers, attendance = [], [], []
    n = 0
    for i, project in enumerate(projects):
        gap = i % 3 == 0  # every third project lacks something (the first: the account)
        setup = ProjectWageSetup(
            project=project,
            account_bank="" if i == 0 else rng.choice(BANKS),
            account_number="" if i == 0 else f"{rng.randint(10**18, 10**19 - 1)}",
            account_opened_on=None if i == 0 else project.started_on,
            guarantee_kind=rng.choice([GuaranteeKind.DEPOSIT, GuaranteeKind.BANK])
            if not (gap and i % 2)
            else "",
            guarantee_amount=D(rng.randrange(100000, 800000, 10000)) if not (gap and i % 2) else 0,
            officer="" if gap and i % 4 == 3 else _person(rng),
            notice_board=not gap or i == 0,
            pay_day=rng.choice([None, None, 10, 15, 20]),
        )
        if setup.officer:
            setup.officer_phone = f"13{rng.randint(100000000, 999999999)}"
        setup.derive()
        setups.append(setup)
        employers = [project.contractor, *subs.get(project.pk, [])]
        for k in range(rng.randint(8, 16)):
            n += 1
            entered = SUPERVISION_START + dt.timedelta(days=rng.randint(-30, 40))
            born = dt.date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
            unregistered = (i, k) == (0, 0) or rng.random() < 0.08
            left = entered + dt.timedelta(days=rng.randint(40, 200)) if rng.random() < 0.3 else None
            workers.append(
                Worker(
                    org_unit_id=project.org_unit_id,
                    code=f"GR{n:06d}",
                    project=project,
                    employer=rng.choice(employers),
                    name=_person(rng),
                    id_number=id_number(rng, born),
                    phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                    trade=rng.choice(TRADES),
                    contract_signed_on=None if unregistered else entered - dt.timedelta(days=2),
                    realname_on=None
                    if unregistered and rng.random() < 0.5
                    else entered - dt.timedelta(days=1),
                    bank_name=rng.choice(BANKS),
                    bank_card=f"6{rng.randint(10**17, 10**18 - 1)}",
                    entered_on=entered,
                    left_on=left,
                )
            )
    ctx.save(ProjectWageSetup, setups)
    workers = ctx.save(Worker, workers)
    for worker in workers:
        day = max(worker.entered_on, SUPERVISION_START)
        last = min(worker.left_on or SUPERVISION_END, SUPERVISION_END)
        while day <= last:
            if day.weekday() < 6 and rng.random() < 0.88:
                attendance.append(
                    Attendance(
                        org_unit_id=worker.org_unit_id,
                        worker=worker,
                        project_id=worker.project_id,
                        day=day,
                        hours=D(rng.choice([8, 8, 8, 9, 10, 7.5])).quantize(D("0.1")),
                    )
                )
            day += dt.timedelta(days=1)
    ctx.save(Attendance, attendance)
    _pay(ctx, rng, projects, setups, workers, attendance, PaySheet, PayLine, WagePayment)
    _closed_account(ctx, rng, ProjectWageSetup, WageCase)
    for month in (3, 4, 5, 6):
        arrears.check(dt.date(2022, month, 1), CHECK_AS_OF)


def _pay(ctx, rng, projects, setups, workers, attendance, PaySheet, PayLine, WagePayment) -> None:
    """A sheet per project, employer and month; paid from the special account where the
    project has one and every line is signed. Some project-months stay unpaid."""
    from zhujian.domains.wages.models.accounts import pay_deadline

    days: dict[tuple[int, int], int] = {}
    for row in attendance:
        key = (row.worker.pk, row.day.month)
        days[key] = days.get(key, 0) + 1
    has_account = {s.project.pk: bool(s.account_number) for s in setups}
    pay_day = {s.project.pk: s.pay_day for s in setups}
    by_project: dict[int, list] = {}
    for worker in workers:
        by_project.setdefault(worker.project_id, []).append(worker)
    sheets, lines, payments = [], [], []
    unpaid_month = {p.pk: rng.choice([4, 5, 6]) for p in projects if rng.random() < 0.3}
    s = 0
    for project in projects:
        for month in (3, 4, 5, 6):
            first = dt.date(2022, month, 1)
            groups: dict[int, list] = {}
            for worker in by_project.get(project.pk, []):
                if worker.payable and days.get((worker.pk, month)):
                    groups.setdefault(worker.employer_id, []).append(worker)
            for employer_id, members in sorted(groups.items()):
                s += 1
                due = pay_deadline(first, pay_day[project.pk])
                unsigned = rng.random() < 0.04
                paid = has_account[project.pk] and unpaid_month.get(project.pk) != month
                paid = paid and not unsigned
                sheet = PaySheet(
                    org_unit_id=project.org_unit_id,
                    number=f"GZ{first:%Y%m}-{s:05d}",
                    project=project,
                    employer_id=employer_id,
                    month=first,
                    submitted_on=due - dt.timedelta(days=rng.randint(5, 9)),
                    paid_on=due - dt.timedelta(days=rng.randint(0, 3)) if paid else None,
                )
                sheets.append(sheet)
                for j, worker in enumerate(members):
                    worked = days[(worker.pk, month)]
                    gross = D(worked * rng.choice([220, 240, 260, 280, 300, 350]))
                    deductions = D(rng.choice([0, 0, 0, 50, 100]))
                    line = PayLine(
                        org_unit_id=project.org_unit_id,
                        sheet=sheet,
                        worker=worker,
                        days=D(worked),
                        gross=gross,
                        deductions=deductions,
                        signed=not (unsigned and j == 0),
                    )
                    line.net = gross - deductions
                    lines.append(line)
                    if sheet.paid_on:
                        payments.append(
                            WagePayment(
                                org_unit_id=project.org_unit_id,
                                number=f"YH{sheet.paid_on:%Y%m%d}{len(payments) + 1:07d}",
                                sheet=sheet,
                                worker=worker,
                                payee_card=worker.bank_card,
                                amount=line.net,
                                paid_on=sheet.paid_on,
                                project_id=project.pk,
                                month=first,
                            )
                        )
    ctx.save(PaySheet, sheets)
    for line in lines:
        line.sheet_id = line.sheet.pk
    ctx.save(PayLine, lines)
    for payment in payments:
        payment.sheet_id = payment.sheet.pk
    ctx.save(WagePayment, payments)


def _closed_account(ctx, rng, ProjectWageSetup, WageCase) -> None:
    """A completed project whose special account was closed after its public notice."""
    from zhujian.domains.construction.models import ConstructionProject

    settled = WageCase.objects.filter(resolved_on__isnull=True).values("project_id")
    done = (
        ConstructionProject.objects.filter(
            completed_on__lt=dt.date(2022, 3, 1), contractor__isnull=False, wage_setup=None
        )
        .exclude(pk__in=settled)
        .order_by("-completed_on", "pk")
    )
    for project in done[:2]:
        notice = project.completed_on + dt.timedelta(days=rng.randint(20, 60))
        setup = ProjectWageSetup(
            project=project,
            account_bank=rng.choice(BANKS),
            account_number=f"{rng.randint(10**18, 10**19 - 1)}",
            account_opened_on=project.started_on,
            guarantee_kind="deposit",
            guarantee_amount=D(rng.randrange(100000, 500000, 10000)),
            officer=_person(rng),
            notice_board=True,
            closing_notice_on=notice,
            closed_on=notice + dt.timedelta(days=rng.randint(31, 45)),
        )
        setup.derive()
        ctx.save(ProjectWageSetup, [setup])
