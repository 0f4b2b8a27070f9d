"""The gas sentence speaks of “2022年第一、二季度安全生产检查”: inspections count by their
所属季度, not by the day they were carried out (issue 20)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhujian.domains.urban.figures import inspections_of_quarters
from zhujian.domains.urban.models import GasCompany, GasInspection
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def value(period: Period = H1):
    return evaluate(["gas.companies_inspected"], period, None)["gas.companies_inspected"].value


def _company(name: str) -> GasCompany:
    company = GasCompany.objects.order_by("pk").first()
    company.pk = company.id = None
    company._state.adding = True
    company.name = name
    company.derive()
    company.save()
    return company


def _inspect(company: GasCompany, code: str, day: dt.date, quarter: int | None) -> None:
    inspection = GasInspection.objects.filter(kind="safety").order_by("pk").first()
    inspection.pk = inspection.id = None
    inspection._state.adding = True
    inspection.code, inspection.company = code, company
    inspection.inspected_on, inspection.quarter = day, quarter
    inspection.derive()
    inspection.save()


def test_a_second_quarter_inspection_finished_in_july_counts_for_the_first_half():
    before = value()
    _inspect(_company("测试燃气公司甲"), "RQJC-T-1", dt.date(2022, 7, 3), 2)
    assert value() == before + 1
    q3 = GasInspection.objects.filter(inspections_of_quarters(Period.parse("2022Q3")))
    assert not q3.filter(code="RQJC-T-1").exists()


def test_a_fourth_quarter_inspection_of_2021_done_in_january_does_not():
    before = value()
    _inspect(_company("测试燃气公司乙"), "RQJC-T-2", dt.date(2022, 1, 5), 4)
    assert value() == before
    q4 = GasInspection.objects.filter(inspections_of_quarters(Period.parse("2021Q4")))
    assert q4.filter(code="RQJC-T-2").exists()


def test_an_inspection_without_a_quarter_counts_by_its_date():
    before = value()
    _inspect(_company("测试燃气公司丙"), "RQJC-T-3", dt.date(2022, 5, 10), None)
    assert value() == before + 1


def test_a_month_counts_by_the_inspection_date():
    may = GasInspection.objects.filter(inspections_of_quarters(Period.parse("2022-05")))
    assert all(i.inspected_on.month == 5 for i in may)
