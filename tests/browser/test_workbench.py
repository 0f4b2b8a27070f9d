"""The 待办 workbench and the hazard loop's step screens, as a township clerk on a phone
and as department staff on an office PC: the township rectifies with a photo, the
department accepts, and the rectifying account cannot accept its own work."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE
from tests.core.test_files import PNG
from zhujian.core.models import Role, User
from zhujian.hazards.models import Hazard, HazardStatus

pytestmark = [pytest.mark.browser]
OFFICE_PC = {"width": 1024, "height": 768}


def _notified_hazard(township_user: User) -> Hazard:
    hazard = (
        Hazard.objects.filter(
            status=HazardStatus.NOTIFIED,
            org_unit__path__startswith=township_user.org_unit.path,
        )
        .order_by("notice_deadline", "pk")
        .first()
    )
    assert hazard is not None, "the demo county has no notified hazard in 城关街道"
    return hazard


def _department_for(line: str) -> User:
    return next(
        u for u in User.objects.filter(role=Role.DEPARTMENT) if line in (u.business_lines or [])
    )


@pytest.mark.parametrize("viewport", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_township_rectifies_and_department_accepts_from_their_workbenches(
    open_page, live_server, viewport
):
    town = User.objects.select_related("org_unit").get(username="town01")
    hazard = _notified_hazard(town)
    link = f'a[href="/hazards/{hazard.pk}/"]'

    page = open_page("town01", viewport, start=None)
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    pending = page.locator("#pending")
    expect(pending.locator(link).first).to_be_visible()
    pending.locator(link).first.click()

    expect(page.get_by_test_id("next-action")).to_contain_text(
        f"整改责任单位（{town.org_unit.name}）"
    )
    page.get_by_label("整改情况及佐证").fill("已更换老化软管，附现场照片")
    page.get_by_label("佐证材料").set_input_files(
        {"name": "整改后.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="提交：登记整改完成").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator(".stage-bar [aria-current=step]")).to_contain_text("验收销号")
    expect(page.get_by_test_id("next-action")).to_contain_text("待验收股室")
    # The rectifying account is offered no acceptance form, and is told why.
    expect(page.locator('input[name="verified_on"]')).to_have_count(0)
    expect(page.get_by_test_id("why-not")).to_contain_text("须由验收股室")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED and hazard.evidence_file

    department = _department_for(hazard.line)
    page = open_page(department.username, viewport, start=None)
    pending = page.locator("#pending")
    expect(pending.locator(link).first).to_be_visible()
    pending.locator(link).first.click()
    expect(page.get_by_role("heading", name="验收销号")).to_be_visible()
    page.get_by_role("button", name="提交：验收销号").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.get_by_test_id("next-action")).to_contain_text("已全部办结")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    # Touch targets on the step buttons and stage bar are at least 44 px high.
    box = page.locator(".stage-bar li").first.bounding_box()
    assert box is not None and box["height"] >= 44
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-wrap'))
            .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert not wide, f"wider than the screen: {wide}"


@pytest.mark.parametrize("viewport", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_petition_clerk_takes_a_case_through_its_steps_one_form_each(open_page, viewport):
    from tests.domains.petitions.test_steps import registered_case

    case = registered_case()
    day = lambda n: (case.received_on + dt.timedelta(days=n)).isoformat()  # noqa: E731
    page = open_page("xinfang", viewport, start=f"/work/petitions_petitioncase/{case.pk}/")
    bar = page.locator(".stage-bar [aria-current=step]")
    expect(bar).to_contain_text("分流")
    form = page.locator(".step-form form")
    expect(form.locator("input:visible, select:visible, textarea:visible")).to_have_count(3)
    form.get_by_label("分流方式").select_option("accept")
    form.get_by_label("书面告知日期").fill(day(3))
    form.get_by_label("受理日期").fill(day(3))
    page.get_by_role("button", name="提交：分流").click()

    expect(bar).to_contain_text("受理")
    expect(page.get_by_label("分流方式")).to_have_count(0)  # the current step's form only
    page.get_by_label("经办人").fill("张敏")
    page.get_by_role("button", name="提交：受理").click()

    expect(bar).to_contain_text("答复")
    page.get_by_role("link", name="办理延期").click()
    page.get_by_label("延长办理天数").fill("30")
    page.get_by_label("延期理由").fill("需现场核查")
    page.get_by_label("延期批准人（负责人）").fill("王局长")
    page.get_by_label("延期批准日期").fill(day(50))
    page.get_by_role("button", name="提交：延期").click()

    expect(page.locator(".stage-bar .stage-done")).to_contain_text(["分流", "受理", "延期"])
    page.get_by_label("答复日期").fill(day(70))
    page.get_by_label("处理意见").select_option("support")
    page.get_by_label("答复意见").fill("已督促施工单位足额支付")
    page.get_by_role("button", name="提交：答复").click()
    expect(page.get_by_test_id("next-action")).to_contain_text("已全部办结")
    expect(page.locator("#transitions li")).to_have_count(4)
