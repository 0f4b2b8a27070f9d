"""A data request end to end, in the browser: the 办公室 asks three townships for their
half-year numbers with a deadline; A finds the form pre-filled, corrects one value and
submits on time; B submits after the deadline; C does not. The 办公室 returns A's with a
reason, A fixes it, the 办公室 approves; the 报送率 figures and their drill-downs show
exactly that. Time moves by the declared clock (``core.clock``), never by sleeping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from zhujian.core import clock
from zhujian.core.models import TOWNSHIP_KINDS, OrgUnit, Role, User
from zhujian.figures import catalog
from zhujian.figures.catalog import Aggregate
from zhujian.figures.periods import Period
from zhujian.requests.models import Assignment, DataRequest

pytestmark = [pytest.mark.browser]
OFFICE_PC = {"width": 1024, "height": 768}
PERIOD = "2022H1"


def _township_users() -> list[User]:
    out = []
    for unit in OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).order_by("path"):
        u = User.objects.filter(role=Role.TOWNSHIP, org_unit=unit, is_active=True).first()
        if u is not None:
            out.append(u)
    return out[:3]


def _count_figure(unit: OrgUnit) -> str:
    period = Period.parse(PERIOD)
    for fig in catalog.all_figures():
        if isinstance(fig, Aggregate) and fig.func == "count":
            if catalog.evaluate([fig.id], period, unit)[fig.id].value:
                return fig.id
    raise AssertionError("no count figure with a value in the township")


@pytest.fixture
def clocked():
    yield clock.set_now
    clock.set_now(None)


def test_office_request_to_three_townships_with_rates(open_page, live_server, clocked):
    office = next(
        u for u in User.objects.filter(role=Role.DEPARTMENT) if "general" in u.business_lines
    )
    ua, ub, uc = _township_users()
    fid = _count_figure(ua.org_unit)
    prefilled = catalog.evaluate([fid], Period.parse(PERIOD), ua.org_unit)[fid].value
    clocked(dt.datetime(2022, 7, 5, 9, 0))

    # The 办公室 issues the request.
    page = open_page(office.username, OFFICE_PC, start="/requests/new/")
    page.get_by_label("任务名称").fill("上半年工作数据报送")
    page.get_by_label("报送期间").fill(PERIOD)
    page.get_by_label("截止日期").fill("2022-07-10")
    for u in (ua, ub, uc):
        page.locator(f'input[name="units"][value="{u.org_unit_id}"]').check()
    page.locator('input[name="m0_label"]').fill("本期数量")
    page.locator('select[name="m0_kind"]').select_option("count")
    page.locator('select[name="m0_figure"]').select_option(fid)
    page.locator('input[name="m1_label"]').fill("情况说明")
    page.locator('select[name="m1_kind"]').select_option("text")
    page.get_by_role("button", name="发起").click()
    expect(page.get_by_text("已向 3 个单位发起")).to_be_visible()
    request = DataRequest.objects.get(title="上半年工作数据报送")
    detail_url = page.url

    # Township A: from its 待办, finds the value pre-filled, corrects it and submits.
    a_page = open_page(ua.username, start="/workbench/")
    a_page.locator("#pending").get_by_role("link", name=re.compile("上半年工作数据报送")).click()
    box = a_page.get_by_label("本期数量")
    expect(box).to_have_value(str(prefilled))
    box.fill(str(prefilled + 2))
    a_page.get_by_role("button", name="报送", exact=True).click()
    expect(a_page.locator("#status")).to_have_text("已报送，待发起股室审核")

    # After the deadline: B submits late; C does nothing.
    clocked(dt.datetime(2022, 7, 12, 15, 0))
    b_page = open_page(ub.username, start="/workbench/")
    b_page.locator("#pending").get_by_role("link", name=re.compile("上半年工作数据报送")).click()
    b_page.get_by_role("button", name="报送", exact=True).click()
    expect(b_page.get_by_text("记为逾期报送")).to_be_visible()

    # The 办公室 returns A's submission with a reason.
    page.goto(detail_url)
    page.locator(f'tr[data-unit="{ua.org_unit.name}"] a').click()
    page.get_by_label("退回原因").fill("本期数量与台账不符，请核实")
    page.get_by_role("button", name="退回").click()
    expect(page.locator("#status")).to_have_text("已退回，待修改")

    # A finds it back in its 待办 with the reason, fixes it and submits again.
    a_page.goto("/workbench/")
    item = a_page.locator("#pending .work-item", has_text="上半年工作数据报送")
    expect(item).to_contain_text("本期数量与台账不符")
    item.get_by_role("link").click()
    a_page.get_by_label("本期数量").fill(str(prefilled + 1))
    a_page.get_by_role("button", name="报送", exact=True).click()
    expect(a_page.locator("#status")).to_have_text("已报送，待发起股室审核")

    # The 办公室 approves.
    page.reload()
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#status")).to_have_text("已报送，审核通过")

    # 报送率: the figure of the catalog drills down to the missing unit, C only.
    page.goto(f"/figures/requests.{request.pk}.missing/records/?period={PERIOD}")
    expect(page.locator("[data-count=ontime]")).to_have_text("1")
    expect(page.locator("[data-count=late]")).to_have_text("1")
    expect(page.locator("[data-count=missing]")).to_have_text("1")
    rows = page.locator("table.rates-units tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-unit", uc.org_unit.name)
    page.goto(f"/figures/requests.{request.pk}.late/records/?period={PERIOD}")
    expect(page.locator("table.rates-units tbody tr")).to_have_count(1)
    expect(page.locator("table.rates-units tbody tr").first).to_have_attribute(
        "data-unit", ub.org_unit.name
    )
    page.goto(f"/figures/requests.{request.pk}.ontime/records/?period={PERIOD}")
    expect(page.locator("table.rates-units tbody tr").first).to_have_attribute(
        "data-unit", ua.org_unit.name
    )
    expect(page.locator("table.rates-units tbody tr").first).to_contain_text("审核通过")

    values = catalog.evaluate(
        [f"requests.{request.pk}.{k}" for k in ("ontime", "late", "missing", "approved")],
        Period.parse(PERIOD),
    )
    assert [v.value for v in values.values()] == [1, 1, 1, 1]
    a = Assignment.objects.get(request=request, unit=ua.org_unit)
    assert a.answers.get(measure__label="本期数量").value == str(prefilled + 1)
    assert list(a.events.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
