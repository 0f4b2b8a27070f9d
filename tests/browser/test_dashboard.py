"""The dashboard (驾驶舱) in a real browser: leader and township views, drill-down."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PHONE, screenshot
from zhujian.core import lines
from zhujian.figures import catalog, headlines
from zhujian.web import dashboard

pytestmark = pytest.mark.browser


def _count(page) -> int:
    text = page.locator("h2", has_text="来源记录").inner_text()
    return int(re.search(r"共 (\d+) 条", text)[1])


def test_leader_sees_every_line_headlines_and_charts(open_page) -> None:
    page = open_page("leader")
    assert page.title().startswith("驾驶舱")
    cards = page.locator(".line-card h3")
    shown = cards.all_inner_texts()
    assert shown == [lines.get_line(e.line).label for e in headlines.all_lines() if e.figures]
    page.wait_for_selector("#unit-chart canvas")
    page.wait_for_selector("#unit-table table", state="attached")
    trends = page.locator("[data-trend] canvas")
    trends.first.wait_for()
    assert trends.count() == page.locator("[data-trend]").count() > 0
    if dashboard._hazard_model() is not None:
        assert page.locator(".overdue-list li a").count() > 0
    page.wait_for_timeout(300)  # let the charts' entry animation finish
    screenshot(page, "dashboard.png")
    screenshot(page, "dashboard-full.png", full_page=True)


def test_headline_number_drills_down_to_its_records(open_page) -> None:
    page = open_page("leader")
    fid = next(
        fid
        for e in headlines.all_lines()
        for fid in e.figures
        if isinstance(catalog.get(fid), catalog.Aggregate) and catalog.get(fid).func == "count"
    )
    link = page.locator(f'a.kpi-main[data-figure="{fid}"]')
    page.locator("details.line-card", has=link).locator("summary").click()  # folded at first
    shown = int(re.match(r"\d+", link.locator(".kpi-value").inner_text())[0])
    link.click()
    page.wait_for_url(re.compile(rf"/figures/{re.escape(fid)}/records/\?period=2022H1"))
    assert catalog.get(fid).label in page.locator("h1").inner_text()
    assert _count(page) == shown
    screenshot(page, "figure-records.png")


def test_township_user_compares_villages_on_a_phone(open_page) -> None:
    page = open_page("town01", viewport=PHONE)
    assert "城关街道" in page.locator("h1").inner_text()
    assert "各村（社区）对比" in page.locator("#unit-chart-title").inner_text()
    page.wait_for_selector("#unit-table table", state="attached")
    page.wait_for_timeout(300)
    screenshot(page, "dashboard-phone.png")
    # the menu opens the ledger list on a narrow screen
    assert not page.locator("#sidebar").is_visible()
    page.get_by_role("button", name="☰ 菜单").click()
    assert page.locator("#sidebar").is_visible()
    page.get_by_role("button", name="☰ 菜单").click()
    # drill from a village's number in the comparison table to that village's records
    page.locator("details.data-table summary").first.click()
    cell = page.locator("#unit-table tbody tr").first
    village = cell.locator("th").inner_text()
    value = int(cell.locator("a").inner_text())
    cell.locator("a").click()
    page.wait_for_url(re.compile(r"/records/\?period=2022H1&unit=\d{12}"))
    assert village in page.locator("h1").inner_text()
    assert _count(page) == value


def test_township_user_cannot_open_another_township(open_page, live_server) -> None:
    page = open_page("town01")
    response = page.goto("/?period=2022H1&unit=371399100000")  # 青山镇
    assert response.status == 404


def test_changing_the_compared_figure_redraws_the_chart(open_page) -> None:
    page = open_page("leader")
    page.wait_for_selector("#unit-table table", state="attached")
    select = page.get_by_label("对比指标")
    options = select.locator("option").all()
    assert len(options) > 1
    second = options[1].get_attribute("value")
    select.select_option(second)
    page.wait_for_selector(f'#unit-chart[data-figure="{second}"]')
    assert catalog.get(second).label in page.locator("#unit-table thead").text_content()


def test_keyboard_reaches_the_skip_link_and_the_filters(open_page) -> None:
    page = open_page("leader")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    page.get_by_label("期间", exact=True).fill("2022")
    page.get_by_label("期间", exact=True).press("Enter")
    page.wait_for_url(re.compile(r"period=2022(&|$)"))
    assert "2022年" in page.locator("h1").inner_text()


def test_dashboard_weighs_under_a_megabyte(open_page) -> None:
    page = open_page("leader")
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
    page.reload()
    page.wait_for_selector("#unit-table table", state="attached")
    assert sum(sizes) < 1_000_000
