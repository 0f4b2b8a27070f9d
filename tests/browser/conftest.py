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
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/workbench/")
        if start is not None:
            page.goto(start)
        return page

    yield open_
    for context in contexts:
        context.close()
