"""Drill-downs with a 合计 row and an export, a rate that lists the records missing from
it, overdue lists with 逾期天数 and their export, and the printable 整改通知书 (issue 23)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.conftest import login
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(response.streaming_content)
    return load_workbook(BytesIO(body)).active


def test_a_rate_drills_down_to_the_records_missing_from_it(client, user) -> None:
    leader = user("leader")
    login(client, leader)
    period = Period.parse("2022H1")
    found = catalog.records("construction.hazards_found", period, None, leader)
    fixed = catalog.records("construction.hazards_found_rectified", period, None, leader)
    expected = found.exclude(pk__in=fixed.values("pk")).count()
    assert 0 < expected < found.count()
    response = client.get("/figures/construction.hazards_rate/records/", {"period": "2022H1"})
    assert response.status_code == 200
    assert response.context["total"] == expected
    assert "未计入" in response.content.decode()


def test_a_drill_down_has_a_total_row_and_an_export(client, user) -> None:
    login(client, user("leader"))
    url = "/figures/toilet.problem_households/records/"
    response = client.get(url, {"period": "2022H1"})
    html = response.content.decode()
    assert "合计（" in html and 'class="total-row"' in html
    ws = _sheet(client.get(url, {"period": "2022H1", "format": "xlsx"}))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[-1][0] == "合计"
    assert len(rows) == response.context["total"] + 2  # header and 合计
    assert ws.freeze_panes == "A2"


def test_the_hazard_overdue_list_has_days_overdue_units_and_an_export(client, user) -> None:
    login(client, user("leader"))
    html = client.get("/hazards/overdue/").content.decode()
    assert "逾期天数" in html and "责任单位" in html and "format=xlsx" in html
    ws = _sheet(client.get("/hazards/overdue/", {"format": "xlsx"}))
    header = [c.value for c in ws[1]]
    assert "逾期天数" in header and "责任单位" in header and "乡镇（街道）" in header
    overdue = Hazard.objects.overdue(dt.date.today()).count()
    assert ws.max_row == overdue + 1
    days = [r[header.index("逾期天数")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert all(d > 0 for d in days)
    assert ws.cell(2, 1).number_format == "@"  # the hazard code stays text


def test_a_township_user_exports_only_its_own_hazards(client, user) -> None:
    town = user("town01")
    login(client, town)
    ws = _sheet(client.get("/hazards/", {"format": "xlsx", "status": "all"}))
    header = [c.value for c in ws[1]]
    towns = {r[header.index("乡镇（街道）")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert towns <= {town.org_unit.name}


def test_the_deadline_list_shows_days_overdue_and_exports(client, user) -> None:
    login(client, user("leader"))
    html = client.get("/deadlines/petitions_petitioncase/", {"state": "overdue"}).content.decode()
    assert "逾期天数" in html and "年" in html
    ws = _sheet(
        client.get("/deadlines/petitions_petitioncase/", {"state": "overdue", "format": "xlsx"})
    )
    assert [c.value for c in ws[1]][-1] == "逾期天数"


def test_the_hazard_notice_prints(client, user) -> None:
    hazard = Hazard.objects.exclude(notice_number="").select_related("org_unit").first()
    login(client, user("leader"))
    response = client.get(f"/hazards/{hazard.pk}/print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "安全隐患整改通知书" in html and hazard.notice_number in html
    assert "data-print" in html
    other = user("town01")
    hidden = (
        Hazard.objects.exclude(notice_number="")
        .exclude(org_unit__path__startswith=other.org_unit.path)
        .first()
    )
    login(client, other)
    assert client.get(f"/hazards/{hidden.pk}/print/").status_code == 404


def test_the_escrow_account_page_shows_balance_cap_and_what_may_be_released(client, user):
    from zhujian.core.registry import registry
    from zhujian.domains.realestate.models.escrow import EscrowAccount
    from zhujian.domains.realestate.panels import escrow_position

    account = EscrowAccount.objects.filter(deposits__isnull=False).first()
    login(client, user("admin"))
    ledger = registry.for_model(EscrowAccount)
    html = client.get(ledger.url("detail", pk=account.pk)).content.decode()
    assert "账户余额" in html and "当前拨付上限" in html and "可拨付" in html
    pos = escrow_position(account, dt.date.today())
    assert pos["balance"] == pos["deposited"] - pos["released"]
    assert pos["available"] == max(pos["limit"] - pos["released"], 0)


def test_the_project_page_shows_wages_by_month_with_unpaid_workers(client, user):
    from zhujian.core.registry import registry
    from zhujian.domains.construction.models import ConstructionProject
    from zhujian.domains.wages.models import Attendance

    project = ConstructionProject.objects.get(
        pk=Attendance.objects.values("project").first()["project"]
    )
    login(client, user("admin"))
    ledger = registry.for_model(ConstructionProject)
    html = client.get(ledger.url("detail", pk=project.pk)).content.decode()
    assert "农民工工资支付" in html and "未发放人数" in html and "有考勤人数" in html
    assert "年" in html and "月</th>" in html
