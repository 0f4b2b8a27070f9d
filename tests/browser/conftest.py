"""Browser tests: a real Chromium driven by Playwright against pytest-django's live server.

Chromium is Debian's (``apt-get install -y chromium fonts-noto-cjk``), never a download;
set ``ZHUJIAN_CHROMIUM`` to use another binary. A missing browser FAILS these tests.

``live_server`` needs ``transactional_db``, which empties the database after each test,
so every test puts the demo county back (:func:`demo`) when it finds the database empty.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# in such a thread unless told it is safe (it is: one test, one thread at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.conftest import SEED, restore_demo
from zhujian.core.models import OrgUnit
from zhujian.demo.county import DEMO_PASSWORD


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if not path:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need it. Install Debian's "
            "chromium (apt-get install -y chromium fonts-noto-cjk) or set ZHUJIAN_CHROMIUM.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo county, put back after the previous browser test emptied the database:
    restored from the session's copy on SQLite, built again elsewhere."""
    if not OrgUnit.objects.exists() and not restore_demo():
        from zhujian.demo import run

        run.build(seed=SEED, log=lambda _msg: None)


def otp_key(username: str) -> bytes | None:
    """For a user who must sign in with TOTP: a confirmed device (made if missing, its
    replay counter cleared so each login may use the current code); its key. None for the
    others (no demo business role is asked unless the parameter OTP_ROLES says so)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhujian.core import twofactor
    from zhujian.core.models import User

    user = User.objects.get(username=username)
    if not twofactor.required(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, drift=0, throttling_failure_count=0)
    return device.bin_key


def totp_code(key: bytes, drift: int = 0) -> str:
    """The code an authenticator app shows now (``drift`` steps of 30 s later)."""
    from django_otp.oath import totp

    return f"{totp(key, drift=drift):06d}"


@pytest.fixture
def open_page(browser, live_server, demo):
    """``open_page(username, viewport=DESKTOP, start="/")``: a page signed in through the
    login form, which lands on the 待办 workbench; then opened at ``start`` (None: stay)."""
    contexts = []

    def open_(username: str, viewport: dict[str, int] = DESKTOP, start: str | None = "/"):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", base_url=live_server.url, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        key = otp_key(username)  # administrators sign in with a second factor (issue 24)
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        if key is not None:
            page.wait_for_url(f"{live_server.url}/accounts/otp/")
            page.get_by_label("动态口令或恢复码").fill(totp_code(key))
            page.get_by_role("button", name="验证并登录").click()
        page.wait_for_url(f"{live_server.url}/workbench/")
        if start is not None:
            page.goto(start)
        return page

    yield open_
    for context in contexts:
        context.close()
