"""Entering a record through the generic form, finding it, and reading its history."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import screenshot

pytestmark = pytest.mark.browser

TOPIC = "浏览器测试：学习党的二十大精神"


def test_create_find_edit_and_read_history(open_page, live_server) -> None:
    page = open_page("bangongshi")  # 办公室 edits the party line county-wide
    page.goto("/ledgers/party_partyactivity/")
    page.get_by_role("link", name="新增").click()
    page.wait_for_url(re.compile(r"/party_partyactivity/new/"))

    assert page.get_by_label("活动类型").locator("option").first.inner_text() == "— 请选择 —"
    # inline validation: nothing is sent while a required field is empty
    page.get_by_role("button", name="保存", exact=True).click()
    assert page.get_by_text("请填写活动日期").is_visible()
    assert page.get_by_text("请填写主题").is_visible()
    assert page.get_by_label("活动日期").get_attribute("aria-invalid") == "true"
    assert page.url.endswith("/new/")
    screenshot(page, "ledger-form.png")

    page.get_by_label("所属单位").select_option(index=1)
    page.get_by_label("活动日期").fill("2022-05-20")
    page.get_by_label("活动类型").select_option(index=1)
    page.get_by_label("主题").fill(TOPIC)
    page.get_by_label("参加人数").fill("35")
    assert not page.get_by_text("请填写主题").is_visible()
    page.get_by_role("button", name="保存", exact=True).click()

    page.wait_for_url(re.compile(r"/party_partyactivity/\d+/$"))
    detail_url = page.url
    assert TOPIC in page.locator("h1").inner_text()
    history = page.locator("#history")
    assert "修改记录" in history.inner_text()
    assert "新增" in history.locator("tbody tr").first.inner_text()

    # the list finds it by searching its topic
    page.goto("/ledgers/party_partyactivity/")
    page.get_by_label("搜索").fill("二十大精神")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"q=%E4%BA%8C"))
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 1
    assert TOPIC in rows.first.inner_text()
    screenshot(page, "ledger-list.png")

    # an edit shows up in the history with the old and new value
    page.goto(detail_url)
    page.get_by_role("link", name="编辑").click()
    page.get_by_label("参加人数").fill("40")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(detail_url)
    latest = page.locator("#history tbody tr").first.inner_text()
    assert "修改" in latest
    assert "参加人数" in latest and "35" in latest and "40" in latest
    page.locator("#history").scroll_into_view_if_needed()
    screenshot(page, "record-history.png")


def test_an_out_of_range_number_is_flagged_beside_the_field(open_page) -> None:
    page = open_page("bangongshi")
    page.goto("/ledgers/party_partyactivity/new/")
    page.get_by_label("所属单位").select_option(index=1)
    page.get_by_label("活动日期").fill("2022-05-20")
    page.get_by_label("活动类型").select_option(index=1)
    page.get_by_label("主题").fill(TOPIC)
    page.get_by_label("参加人数").fill("-3")
    page.get_by_role("button", name="保存", exact=True).click()
    assert page.get_by_text("参加人数不能小于 0").is_visible()
    assert page.url.endswith("/new/")
