"""城乡建设统计年报 in a real browser: a town on a phone reads its 村镇 column and opens a
cell's records; the 城建股 on a PC checks the 县城 return and marks it ready."""

from __future__ import annotations

import pytest

from tests.browser.helpers import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser


def test_a_town_reads_its_return_on_a_phone_and_opens_a_cell(open_page) -> None:
    page = open_page("town04", PHONE, "/report/statistics/?year=2022&scope=town")
    page.get_by_role("heading", name="村镇基本情况").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "statistics-town-phone.png")
    row = page.locator("tr", has_text="建成区户籍人口")
    row.get_by_role("link").first.click()  # 万人: computed from the persons recorded
    page.get_by_role("heading", name="由以下指标计算").wait_for()
    page.locator("main li a").first.click()
    page.locator("h2", has_text="来源记录：人口与面积年报").wait_for()
    assert "青山镇" in page.locator("main").inner_text()


def test_the_county_return_is_checked_and_marked_ready(open_page) -> None:
    page = open_page("chengjian", DESKTOP, "/report/statistics/?year=2022&scope=county")
    page.get_by_role("heading", name="县城市政公用设施水平").wait_for()
    assert "全部通过" in page.locator("#checks-title").inner_text()
    page.get_by_role("button", name="标记为可报送").click()
    page.locator(".messages li", has_text="已标记为可报送").wait_for()
    assert "已审核可报送" in page.locator("h1").inner_text()
    screenshot(page, "statistics-county-desktop.png")
