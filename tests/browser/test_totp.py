"""The second factor in a real browser (等保 2.0 L3-CES1-04): a 安全管理员 without a device
is sent to enrol after the password, scans the QR code (here: reads the key beside it),
confirms with a code, sees the recovery codes once, and later signs in with a code."""

from __future__ import annotations

from base64 import b32decode

import pytest

from tests.browser.conftest import totp_code
from tests.browser.helpers import PHONE
from zhujian.core.models import RecoveryCode, Role, User
from zhujian.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_enrol_then_sign_in_with_totp(browser, live_server, demo):
    assert User.objects.get(username="anquan").role == Role.SECURITY  # the demo's
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, live_server, "anquan")
    page.wait_for_url(f"{live_server.url}/accounts/otp/enrol/")
    assert page.locator(".otp-qr svg").is_visible()  # drawn inline, no outside service
    box = page.locator(".otp-qr svg").bounding_box()
    assert box is not None and box["width"] <= 390
    text = page.locator("#otp-key").inner_text().replace(" ", "")
    key = b32decode(text + "=" * (-len(text) % 8))
    page.get_by_label("应用显示的 6 位动态口令").fill(totp_code(key))
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_url(f"{live_server.url}/accounts/otp/recovery/")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 8
    stored = list(
        RecoveryCode.objects.filter(user__username="anquan").values_list("digest", flat=True)
    )
    assert stored and not any(c.replace("-", "")[4:] in d for c in codes for d in stored)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.reload()  # shown once
    assert "安全管理员" in page.locator(".who").inner_text()
    page.goto("/accounts/otp/recovery/")
    page.wait_for_url(f"{live_server.url}/accounts/security/")
    assert page.locator(".recovery-codes").count() == 0

    page.get_by_role("button", name="退出").click()
    _sign_in(page, live_server, "anquan")
    page.wait_for_url(f"{live_server.url}/accounts/otp/")
    assert "/workbench/" not in page.url
    page.goto("/workbench/")  # no session before the code
    page.wait_for_url("**/accounts/login/**")
    _sign_in(page, live_server, "anquan")
    page.wait_for_url(f"{live_server.url}/accounts/otp/")
    page.get_by_label("动态口令或恢复码").fill(totp_code(key, drift=1))  # the enrolment used now's
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    context.close()


def test_a_business_role_is_not_asked_unless_configured(open_page, live_server):
    page = open_page("town01")  # the fixture would wait on /accounts/otp/ otherwise
    assert page.url.startswith(live_server.url)
    assert "乡镇" in page.locator(".who").inner_text()
