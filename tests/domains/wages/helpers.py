"""Small factories for the wage-supervision tests, on top of the demo county."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from zhujian.core import personal
from zhujian.core.models import OrgUnit, User
from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.models import (
    PayLine,
    PaySheet,
    ProjectWageSetup,
    WagePayment,
    Worker,
)

_serial = itertools.count(1)
MAY = dt.date(2022, 5, 1)


def valid_id(first17: str = "37131219900101123") -> str:
    return first17 + personal.id_check_digit(first17)


def project_in(unit: OrgUnit) -> ConstructionProject:
    """A fresh project in ``unit`` with the contractor of a demo project, on site."""
    model = ConstructionProject.objects.filter(contractor__isnull=False).order_by("pk").first()
    n = next(_serial)
    return ConstructionProject.objects.create(
        org_unit=unit,
        code=f"TEST-WG-{n:04d}",
        name=f"测试工资项目{n}",
        use=model.use,
        developer="测试建设单位",
        contractor=model.contractor,
        area_kind=model.area_kind,
        floor_area=Decimal(10000),
        cost=Decimal(3000),
        permitted_on=dt.date(2022, 1, 5),
        started_on=dt.date(2022, 1, 20),
        realname_on=dt.date(2022, 1, 20),
    )


def setup_for(project: ConstructionProject, **kw) -> ProjectWageSetup:
    values = {
        "account_bank": "中国农业银行",
        "account_number": "6228480012345678901",
        "account_opened_on": dt.date(2022, 1, 10),
        "guarantee_kind": "deposit",
        "guarantee_amount": Decimal(300000),
        "officer": "王劳资",
        "officer_phone": "13800001111",
        "notice_board": True,
        **kw,
    }
    return ProjectWageSetup.objects.create(project=project, **values)


def worker_on(project: ConstructionProject, **kw) -> Worker:
    n = next(_serial)
    values = {
        "code": f"TW{n:06d}",
        "employer_id": project.contractor_id,
        "name": f"测试工人{n}",
        "id_number": valid_id(f"3713121990010{n % 10000:04d}"),
        "phone": "13912345678",
        "trade": "rebar",
        "contract_signed_on": dt.date(2022, 2, 1),
        "realname_on": dt.date(2022, 2, 1),
        "bank_name": "中国农业银行",
        "bank_card": f"62284800{n:011d}",
        "entered_on": dt.date(2022, 2, 2),
        **kw,
    }
    return Worker.objects.create(project=project, **values)


def sheet_for(project: ConstructionProject, month: dt.date = MAY, **kw) -> PaySheet:
    n = next(_serial)
    return PaySheet.objects.create(
        project=project,
        employer_id=project.contractor_id,
        number=f"TGZ-{n:05d}",
        month=month,
        submitted_on=month + dt.timedelta(days=35),
        **kw,
    )


def line_for(sheet: PaySheet, worker: Worker, signed: bool = True, **kw) -> PayLine:
    return PayLine.objects.create(
        sheet=sheet, worker=worker, days=Decimal(20), gross=Decimal(5000), signed=signed, **kw
    )


def pay(sheet: PaySheet, worker: Worker, paid_on: dt.date, **kw) -> WagePayment:
    n = next(_serial)
    values = {"amount": Decimal(5000), **kw}
    return WagePayment.objects.create(
        number=f"TYH{n:08d}",
        sheet=sheet,
        worker=worker,
        payee_card=worker.bank_card,
        paid_on=paid_on,
        **values,
    )


def grant_wages(user: User) -> User:
    """Give a township user the wage line (a township labour office)."""
    user.business_lines = [*(user.business_lines or []), "wages"]
    user.save()
    return user


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path
