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


def _crane_at_install_notice():
    """A machine on a project, taken back to before its installation notice."""
    from zhujian.domains.construction.models import LiftingMachine

    machine = LiftingMachine.objects.filter(project__isnull=False).order_by("pk").first()
    LiftingMachine.objects.filter(pk=machine.pk).update(
        install_notice_on=None,
        installed_on=None,
        inspected_on=None,
        inspection_result="",
        accepted_on=None,
        acceptance_result="",
        registered_on=None,
        registration_number="",
        removal_notice_on=None,
        removed_on=None,
        cancelled_on=None,
        registration_due_on=None,
    )
    machine.refresh_from_db()
    return machine


def _submit(page, step: str) -> None:
    page.get_by_role("button", name=f"提交：{step}").click()
    expect(page.locator(".messages")).to_contain_text(f"“{step}”已提交")


@pytest.mark.parametrize("viewport", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_a_crane_goes_through_its_steps_by_two_departments(open_page, viewport):
    machine = _crane_at_install_notice()
    url = f"/work/construction_liftingmachine/{machine.pk}/"
    bar_now = ".stage-bar [aria-current=step]"

    # 建筑业管理站 records the notice and the installer's self-inspection …
    page = open_page("jianzhu", viewport, start=url)
    expect(page.locator(bar_now)).to_contain_text("安装告知")
    form = page.locator(".step-form form").first
    expect(form.locator("input:visible, select:visible, textarea:visible")).to_have_count(2)
    _submit(page, "安装告知")
    expect(page.locator(bar_now)).to_contain_text("安装/自检")
    expect(page.get_by_label("安装告知日期")).to_have_count(0)  # the current step's form only
    _submit(page, "安装/自检")
    # … and may not record the inspection of the installation it recorded.
    expect(page.locator(bar_now)).to_contain_text("检验检测")
    expect(page.get_by_test_id("why-not")).to_contain_text("职责分离")
    expect(page.locator('select[name="inspection_result"]')).to_have_count(0)

    # 质量安全监督站 records the inspection body's result and the acceptance.
    other = open_page("zhijian", viewport, start=url)
    other.get_by_label("检验结论").select_option("passed")
    _submit(other, "检验检测")
    other.get_by_label("验收结论").select_option("passed")
    _submit(other, "验收")
    expect(other.get_by_test_id("why-not")).to_contain_text("职责分离")

    # The use registration is granted by the other account, which closes the steps.
    page.goto(url)
    expect(page.locator(bar_now)).to_contain_text("使用登记")
    page.get_by_label("使用登记编号").fill("鲁QD-TEST-0001")
    _submit(page, "使用登记")
    expect(page.get_by_test_id("next-action")).to_contain_text("已全部办结")
    machine.refresh_from_db()
    assert machine.registration_number == "鲁QD-TEST-0001" and machine.registered_on
    assert list(machine_transitions(machine).values_list("step", "user__username")) == [
        ("install_notice", "jianzhu"),
        ("installed", "jianzhu"),
        ("inspected", "zhijian"),
        ("accepted", "zhijian"),
        ("registered", "jianzhu"),
    ]


def machine_transitions(obj):
    from zhujian.core import workflows

    return workflows.transitions_of(obj).order_by("at", "pk")


def _second_realestate_account() -> User:
    """A second account of the 房产服务中心: the 承办人 who reviews applications."""
    from django.contrib.auth.hashers import make_password

    from zhujian.demo.county import DEMO_PASSWORD

    first = User.objects.get(username="fangchan")
    return User.objects.create(
        username="fangchan2",
        first_name="李晓梅",
        role=Role.DEPARTMENT,
        org_unit=first.org_unit,
        business_lines=["realestate"],
        password=make_password(DEMO_PASSWORD),
    )


@pytest.mark.parametrize("viewport", [PHONE, OFFICE_PC], ids=["phone", "office-pc"])
def test_a_presale_permit_is_accepted_reviewed_and_issued_by_two_accounts(open_page, viewport):
    from zhujian.domains.realestate.models import PresalePermit

    permit = PresalePermit.objects.filter(accepted_on__isnull=True, issued_on__isnull=True).first()
    assert permit is not None, "the demo county has no presale application waiting"
    reviewer = _second_realestate_account()
    url = f"/work/realestate_presalepermit/{permit.pk}/"
    bar_now = ".stage-bar [aria-current=step]"
    day = lambda n: (permit.applied_on + dt.timedelta(days=n)).isoformat()  # noqa: E731

    # The department accepts the application and names the 承办人 …
    page = open_page("fangchan", viewport, start=url)
    expect(page.locator(bar_now)).to_contain_text("受理")
    page.get_by_label("受理日期").fill(day(1))
    page.get_by_label("承办人").fill(reviewer.first_name)
    _submit(page, "受理")
    expect(page.get_by_test_id("next-action")).to_contain_text(
        f"承办人（房产服务中心 {reviewer.first_name}）"
    )

    # … who finds it in their own 待我处理 and reviews it.
    other = open_page(reviewer.username, viewport, start=None)
    link = other.locator(f'#pending a[href="{url}"]').first
    expect(link).to_be_visible()
    link.click()
    expect(other.get_by_label("受理日期")).to_have_count(0)
    other.get_by_label("审核日期").fill(day(3))
    other.get_by_label("审核意见").fill("符合预售条件，同意核发")
    _submit(other, "审核")
    # The reviewer may not sign off the permit it reviewed.
    expect(other.get_by_test_id("why-not")).to_contain_text("职责分离")
    expect(other.locator('input[name="permit_no"]')).to_have_count(0)

    page.goto(url)
    expect(page.locator(bar_now)).to_contain_text("核发")
    page.get_by_label("发证日期").fill(day(5))
    page.get_by_label("预售许可证号").fill("示房预字（测试）第001号")
    _submit(page, "核发")
    expect(page.get_by_test_id("next-action")).to_contain_text("已全部办结")
    permit.refresh_from_db()
    assert permit.permit_no == "示房预字（测试）第001号" and permit.issued_on
    assert list(machine_transitions(permit).values_list("step", "user__username")) == [
        ("accept", "fangchan"),
        ("review", reviewer.username),
        ("issue", "fangchan"),
    ]
