"""The public draw pages on a resident's phone (390×844, issue 23): a household finds its
own result by 户编号 or the last ID digits, marked 已核验; the verification page shows
long digests wrapped; neither page scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.helpers import PHONE
from zhujian.domains.housing.draw import files
from zhujian.domains.housing.models import AllocationRound, RoundStatus

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture
def phone(browser, live_server, demo):
    """An anonymous phone-sized page (the residents do not sign in)."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _drawn_round() -> AllocationRound:
    return (
        AllocationRound.objects.filter(status=RoundStatus.DRAWN, redraw__isnull=True)
        .order_by("-drawn_on")
        .first()
    )


def test_a_resident_finds_the_households_result_on_a_phone(phone):
    rnd = _drawn_round()
    household = rnd.households.filter(result__unit__isnull=False).order_by("seq").first()
    phone.goto("/housing/draws/result/")
    phone.get_by_label("分房轮次").select_option(rnd.code)
    phone.get_by_label("户编号或身份证号后4位").fill(household.household_code)
    phone.get_by_role("button", name="查询").click()
    card = phone.locator(".draw-card")
    card.get_by_text("已核验").wait_for()
    assert household.result.unit.code in card.inner_text()
    assert household.head_name not in phone.content()  # the name is masked
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    digest = card.locator("code.hex")
    assert digest.inner_text() == rnd.result_sha256
    box = digest.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the hex wraps
    for control in (phone.get_by_label("分房轮次"), phone.get_by_role("button", name="查询")):
        assert control.bounding_box()["height"] >= 44  # touch targets


def test_a_resident_finds_the_result_by_the_last_id_digits(phone):
    rnd = _drawn_round()
    suffixes = {}
    for h in rnd.households.exclude(id_number=""):
        suffixes.setdefault(h.id_number[-4:], []).append(h)
    digits, (household,) = next((k, v) for k, v in suffixes.items() if len(v) == 1)
    phone.goto(f"/housing/draws/result/?round={rnd.code}")
    phone.get_by_label("户编号或身份证号后4位").fill(digits)
    phone.get_by_role("button", name="查询").click()
    phone.locator(".draw-card").get_by_text(household.household_code).wait_for()
    assert phone.locator(".draw-card").get_by_text("已核验").is_visible()


def test_the_verification_page_wraps_digests_on_a_phone(phone, tmp_path):
    rnd = _drawn_round()
    path = tmp_path / "摇号文件.json"
    path.write_bytes(files.to_json(files.from_round(rnd)))
    phone.goto("/housing/draws/verify/")
    phone.get_by_label("摇号文件或公告").set_input_files(str(path))
    phone.get_by_role("button", name="验证").click()
    phone.get_by_role("heading", name="验证通过").wait_for()
    assert phone.get_by_text(rnd.list_sha256).first.is_visible()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
