"""Pages that read on a township phone (390×844) and an old office PC (1024×768): no
sideways scrolling, the dashboard's alerts on the first screen, lists as cards on a phone,
the 乡镇 → 村 unit cascader, and the drawer that closes on a tap outside or Esc (issue 23)."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PHONE, screenshot
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry

pytestmark = pytest.mark.browser

OLD_PC = {"width": 1024, "height": 768}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(OLD_PC, id="old-pc")]
LEDGER = "rural_toilethousehold"


def _ledger():
    return registry.get(LEDGER)


def _main_pages() -> list[str]:
    record = _ledger().model.objects.order_by("pk").first()
    return [
        "/",
        "/workbench/",
        _ledger().url_list,
        _ledger().url("detail", pk=record.pk),
        "/hazards/",
        "/report/",
    ]


def _no_sideways_scroll(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30))""",
        page.viewport_size["width"],
    )
    assert width <= page.viewport_size["width"], f"{page.url}: {width}px wide: {wide}"


@pytest.mark.parametrize("size", SIZES)
def test_main_pages_do_not_scroll_sideways(open_page, size) -> None:
    page = open_page("leader", viewport=size, start=None)
    for url in _main_pages():
        page.goto(url)
        _no_sideways_scroll(page)
    page = open_page("town01", viewport=size, start=None)
    for url in ["/", _ledger().url_list, "/hazards/"]:
        page.goto(url)
        _no_sideways_scroll(page)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", ["leader", "town01"])
def test_the_first_screen_of_the_dashboard_holds_the_alerts(open_page, size, username) -> None:
    page = open_page(username, viewport=size)
    alerts = page.locator("#alerts .alert")
    alerts.first.wait_for()
    labels = alerts.all_inner_texts()
    assert any("逾期未销号隐患" in t for t in labels)
    if username == "leader":
        for word in ("欠薪", "信访", "离线"):
            assert any(word in t for t in labels), (word, labels)
    bottom = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#alerts .alert')]"
        ".map(e => e.getBoundingClientRect().bottom))"
    )
    assert bottom <= size["height"], f"alerts end at {bottom}px"
    screenshot(page, f"dashboard-first-screen-{username}-{size['width']}.png")


def test_line_cards_are_folded_and_open_on_a_tap(open_page) -> None:
    page = open_page("leader", viewport=PHONE)
    card = page.locator("details.line-card").first
    assert card.get_attribute("open") is None
    link = card.locator("a.kpi-main").first
    assert not link.is_visible()
    card.locator("summary").click()
    link.wait_for(state="visible")


def test_a_phone_shows_the_list_as_cards(open_page) -> None:
    page = open_page("town01", viewport=PHONE, start=_ledger().url_list)
    page.wait_for_selector("table.grid[data-cards] td[data-label]", state="attached")
    assert not page.locator("table.grid thead").is_visible()
    row = page.locator("table.grid tbody tr").first
    assert page.evaluate("(tr) => getComputedStyle(tr).display", row.element_handle()) == "block"
    label = page.evaluate(
        "(td) => getComputedStyle(td, '::before').content",
        row.locator("td").nth(1).element_handle(),
    )
    assert label.strip('"') == _ledger().field_label(_ledger().list_display[1])
    screenshot(page, "ledger-list-phone.png")
    # the same list is a table on the old PC
    page.set_viewport_size(OLD_PC)
    page.locator("table.grid thead").wait_for(state="visible")


@pytest.mark.parametrize("size", SIZES)
def test_the_unit_cascader_chooses_a_township_then_a_village(open_page, size) -> None:
    page = open_page("leader", viewport=size, start=_ledger().url_list)
    box = page.locator("form.filters .unit-cascader.is-ready")
    box.wait_for()
    town = OrgUnit.objects.townships().filter(children__isnull=False).order_by("path").first()
    village = town.children.villages().order_by("path").last()
    box.locator("select[data-uc=town]").select_option(town.code)
    villages = box.locator("select[data-uc=village]")
    villages.locator(f'option[value="{village.code}"]').wait_for(state="attached")
    villages.select_option(village.code)
    assert box.locator("input[name=unit]").input_value() == village.code
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(rf"unit={village.code}"))
    expected = _ledger().model.objects.filter(org_unit__path__startswith=village.path).count()
    assert f"共 {expected} 条" in page.locator("h1").inner_text()
    # the choice is shown again after the page reloads
    box = page.locator("form.filters .unit-cascader.is-ready")
    box.wait_for()
    assert box.locator("select[data-uc=town]").input_value() == town.code
    page.wait_for_function(
        "code => document.querySelector('select[data-uc=village]').value === code", arg=village.code
    )


def test_typing_a_village_name_finds_it(open_page) -> None:
    village = OrgUnit.objects.villages().select_related("parent").order_by("path")[5]
    page = open_page("leader", viewport=PHONE, start=_ledger().url_list)
    box = page.locator("form.filters .unit-cascader.is-ready")
    box.wait_for()
    box.get_by_label("按名称查找村（社区）或乡镇").fill(village.name)
    hit = box.locator(".uc-results button", has_text=f"{village.name}（{village.parent.name}）")
    hit.click()
    page.wait_for_function(
        "code => document.querySelector('form.filters input[name=unit]').value === code",
        arg=village.code,
    )
    assert box.locator("select[data-uc=town]").input_value() == village.parent.code
    # without the script, the same name typed into the filter finds it too
    page.goto(f"{_ledger().url_list}?unit={village.name}")
    expected = _ledger().model.objects.filter(org_unit__name=village.name).count()
    assert f"共 {expected} 条" in page.locator("h1").inner_text()


def test_a_township_user_cannot_reach_another_townships_villages(open_page) -> None:
    page = open_page("town01", viewport=PHONE, start=_ledger().url_list)
    box = page.locator("form.filters .unit-cascader.is-ready")
    box.wait_for()
    codes = box.locator("select[data-uc=town] option").evaluate_all("os => os.map(o => o.value)")
    assert [c for c in codes if c] == [OrgUnit.objects.get(name="城关街道").code]


def test_the_drawer_closes_on_a_tap_outside_and_on_escape(open_page) -> None:
    page = open_page("town01", viewport=PHONE)
    menu = page.get_by_role("button", name="☰ 菜单")
    sidebar = page.locator("#sidebar")
    menu.click()
    sidebar.wait_for(state="visible")
    page.mouse.click(370, 600)  # outside the drawer
    sidebar.wait_for(state="hidden")
    menu.click()
    sidebar.wait_for(state="visible")
    page.keyboard.press("Escape")
    sidebar.wait_for(state="hidden")
    assert menu.get_attribute("aria-expanded") == "false"


def test_the_sidebar_search_finds_a_ledger(open_page) -> None:
    page = open_page("leader", viewport=OLD_PC)
    page.get_by_label("查找功能和台账").fill("改厕")
    link = page.locator("#sidebar details[data-nav-group] li:not([hidden]) a").first
    link.wait_for(state="visible")
    assert "改厕" in link.inner_text() or "厕" in link.inner_text()
    hidden = page.locator("#sidebar details[data-nav-group][hidden]").count()
    assert hidden > 0


def test_touch_targets_on_a_phone_are_at_least_44px(open_page) -> None:
    page = open_page("town01", viewport=PHONE, start=_ledger().url_list)
    selector = (
        "main .button, main button, main select, main input:not([type=hidden]):not([type=checkbox]),"
        " .menu-toggle"
    )
    small = page.evaluate(
        """sel => [...document.querySelectorAll(sel)]
            .filter(e => e.offsetParent !== null)
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))""",
        selector,
    )
    assert small == []


def test_a_finished_job_downloads_its_file_without_a_second_click(open_page) -> None:
    page = open_page("leader", viewport=OLD_PC, start="/report/?period=2022H1")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 Word").click()
    assert info.value.suggested_filename.endswith("-2022H1.docx")
    page.locator("#job-progress").get_by_text("已完成", exact=True).wait_for()
