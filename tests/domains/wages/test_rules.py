"""The rules of 《保障农民工工资支付条例》 as the wage ledgers enforce them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.domains.construction.helpers import messages
from tests.domains.wages.helpers import (
    MAY,
    line_for,
    pay,
    project_in,
    setup_for,
    sheet_for,
    valid_id,
    worker_on,
)
from zhujian.core import personal
from zhujian.core.invariants import RuleViolation
from zhujian.domains.wages.models import PayLine, WagePayment, Worker

pytestmark = pytest.mark.django_db


# --- ID numbers (GB 11643) ------------------------------------------------------------------


def test_the_check_digit_of_a_known_id_number():
    # The standard's worked example: 11010519491231002 → X.
    assert personal.id_check_digit("11010519491231002") == "X"
    assert personal.id_number_problem("11010519491231002X") is None
    assert personal.id_number_problem("11010519491231002x") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "校验位不正确"),
        ("11010519491331002X", "出生日期无效"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "应为18位"),
        ("1101**********002X", "脱敏"),
    ],
)
def test_a_worker_with_a_bad_id_number_is_refused(township, value, reason):
    worker = Worker(id_number=value)
    with pytest.raises(ValidationError) as exc:
        worker.full_clean(validate_unique=False, validate_constraints=False)
    assert reason in " ".join(exc.value.message_dict["id_number"])


def test_a_worker_registers_before_entering_the_site(township):
    worker = worker_on(project_in(township))
    worker.realname_on = worker.entered_on + dt.timedelta(days=3)
    assert "先登记、后进场" in messages(worker)["realname_on"][0]


def test_a_worker_is_employed_by_the_contractor_or_a_subcontractor(township):
    from zhujian.domains.construction.models import Enterprise

    project = project_in(township)
    worker = worker_on(project)
    worker.employer = Enterprise.objects.exclude(pk=project.contractor_id).first()
    assert messages(worker)["employer"] == ["用工单位须为本项目的施工总承包单位或分包单位"]


# --- pay sheets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "reason"),
    [("contract_signed_on", "未签订劳动合同"), ("realname_on", "未完成实名登记")],
)
def test_a_worker_without_contract_or_registration_cannot_be_on_a_pay_sheet(
    township, missing, reason
):
    project = project_in(township)
    worker = worker_on(project, **{missing: None})
    line = PayLine(sheet=sheet_for(project), worker=worker, gross=Decimal(3000), signed=True)
    problem = messages(line)["worker"][0]
    assert reason in problem and "不能列入工资表" in problem


def test_a_worker_of_another_project_cannot_be_on_the_pay_sheet(township):
    project = project_in(township)
    stranger = worker_on(project_in(township))
    line = PayLine(sheet=sheet_for(project), worker=stranger, gross=Decimal(3000), signed=True)
    assert messages(line)["worker"] == ["该工人不是本项目实名登记的工人"]


def test_the_net_pay_is_gross_less_deductions(township):
    project = project_in(township)
    line = line_for(sheet_for(project), worker_on(project), deductions=Decimal("120.50"))
    line.refresh_from_db()
    assert line.net == Decimal("4879.50")


def test_a_pay_sheet_with_an_unsigned_line_cannot_be_paid(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    signed, unsigned = worker_on(project), worker_on(project)
    line_for(sheet, signed)
    line_for(sheet, unsigned, signed=False)
    sheet.paid_on = dt.date(2022, 6, 10)
    with pytest.raises(RuleViolation) as exc:
        sheet.save()
    assert "1行未经工人本人签字确认" in exc.value.messages[0]
    assert "保障农民工工资支付条例第三十一条" in exc.value.messages[0]
    pay(sheet, signed, dt.date(2022, 6, 10))  # the signed worker's own line may be paid


def test_a_bank_slip_does_not_replace_the_signature(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    worker = worker_on(project)
    line_for(sheet, worker, signed=False, bank_slip="HD2022060001")
    with pytest.raises(RuleViolation) as exc:
        pay(sheet, worker, dt.date(2022, 6, 10))
    assert "回单不能代替本人签字" in exc.value.messages[0]
    assert not WagePayment.objects.filter(sheet=sheet).exists()


def test_a_payment_above_the_net_pay_is_refused_with_the_numbers(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    worker = worker_on(project)
    line_for(sheet, worker)  # net 5,000
    pay(sheet, worker, dt.date(2022, 6, 10), amount=Decimal(3000))
    with pytest.raises(RuleViolation) as exc:
        pay(sheet, worker, dt.date(2022, 6, 12), amount=Decimal("2000.01"))
    assert "实发工资5000.00元，已代发5000.01元，多发0.01元" in exc.value.messages[0]
    pay(sheet, worker, dt.date(2022, 6, 12), amount=Decimal(2000))  # exactly the rest


def test_lowering_a_paid_line_below_its_payments_is_refused(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    worker = worker_on(project)
    line = line_for(sheet, worker)
    pay(sheet, worker, dt.date(2022, 6, 10))
    line.deductions = Decimal(100)
    with pytest.raises(RuleViolation):
        line.save()


def test_payment_goes_to_the_workers_own_card(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    worker = worker_on(project)
    line_for(sheet, worker)
    payment = WagePayment(
        number="X2",
        sheet=sheet,
        worker=worker,
        payee_card="6222020000000000001",
        amount=Decimal(100),
        paid_on=dt.date(2022, 6, 10),
    )
    assert "工资须直接支付到工人本人账户" in messages(payment)["payee_card"][0]


def test_payment_needs_the_special_account_and_the_worker_on_the_sheet(township):
    project = project_in(township)
    sheet = sheet_for(project)
    worker, other = worker_on(project), worker_on(project)
    line_for(sheet, worker)
    payment = WagePayment(
        number="X3",
        sheet=sheet,
        worker=other,
        payee_card=other.bank_card,
        amount=Decimal(100),
        paid_on=dt.date(2022, 6, 10),
    )
    errors = messages(payment)
    assert errors["sheet"] == ["该项目未开立农民工工资专用账户，不能登记代发"]
    setup_for(project)
    with pytest.raises(RuleViolation) as exc:
        payment.save()
    assert "不在工资表" in exc.value.messages[0]


def test_a_payment_files_under_its_project_and_month(township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project, month=dt.date(2022, 5, 17))
    worker = worker_on(project)
    line_for(sheet, worker)
    payment = pay(sheet, worker, dt.date(2022, 6, 10))
    assert (payment.project_id, payment.month, payment.org_unit_id) == (
        project.pk,
        MAY,
        project.org_unit_id,
    )


# --- one person, one registration; no child labour -----------------------------------------


def test_an_id_number_is_stored_with_an_upper_case_x_on_every_path(township):
    project = project_in(township)
    worker = worker_on(project, id_number=valid_id("11010519491231002").lower())
    worker.refresh_from_db()
    assert worker.id_number == "11010519491231002X"


def test_one_person_is_one_registration_whatever_the_case_of_x(township):
    from django.db import IntegrityError, transaction

    project = project_in(township)
    worker_on(project, id_number="11010519491231002X")
    with pytest.raises(IntegrityError), transaction.atomic():
        worker_on(project, id_number="11010519491231002x")


def test_a_worker_under_16_on_the_day_of_entry_is_refused(township):
    project = project_in(township)
    with pytest.raises(RuleViolation) as exc:
        worker_on(project, id_number=valid_id("37131220080215123"), entered_on=dt.date(2024, 2, 14))
    message = exc.value.messages[0]
    assert "出生于2008-02-15" in message and "15周岁" in message
    assert "禁止使用童工规定第二条" in message
    adult = worker_on(  # on the 16th birthday: allowed
        project,
        id_number=valid_id("37131220080215123"),
        entered_on=dt.date(2024, 2, 15),
        realname_on=dt.date(2024, 2, 15),
    )
    assert adult.pk


def test_valid_id_helper_makes_valid_numbers():
    assert personal.id_number_problem(valid_id()) is None
