"""Idle sign-out in a real browser (等保 2.0 L3-CES1-02): the page warns before the end,
"继续使用" keeps the session, and without it the page goes to the login page and the
session is over — all under the Content-Security-Policy (idle.js is a static file)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_an_idle_page_warns_then_signs_out(open_page, live_server, settings):
    settings.ZHUJIAN_IDLE_TIMEOUT_MINUTES = 0.1  # 6 s: warned 3 s before the end
    settings.ZHUJIAN_IDLE_WARNING_SECONDS = 3
    page = open_page("town01")
    page.goto("/")
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible")
    assert "秒后自动退出" in warning.inner_text()
    page.wait_for_url("**/accounts/login/**")
    assert "idle=1" in page.url
    page.goto("/")
    page.wait_for_url("**/accounts/login/**")  # the server ended the session too
    assert page.get_by_label("用户名").is_visible()


def test_continue_keeps_the_session(open_page, live_server, settings):
    settings.ZHUJIAN_IDLE_TIMEOUT_MINUTES = 0.15  # 9 s, warned 4 s before
    settings.ZHUJIAN_IDLE_WARNING_SECONDS = 4
    page = open_page("town01")
    page.goto("/")
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible")
    with page.expect_response("**/accounts/keepalive/") as answer:
        page.get_by_role("button", name="继续使用").click()
    assert answer.value.ok
    warning.wait_for(state="hidden")
    assert "/accounts/login/" not in page.url
