"""Every page works under the Content-Security-Policy (security audit, issue 9 item 11):
the browser reports no violation while pages load, charts draw, htmx swaps content and
the small page scripts run."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import PHONE
from zhujian.core.registry import registry
from zhujian.hazards.models import Hazard
from zhujian.reports.build import ensure_default_template

pytestmark = pytest.mark.browser

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(
    e.effectiveDirective + " " + (e.blockedURI || "") + " " + (e.sample || "") +
    " @ " + e.documentURI
  );
});
"""


def watched(page):
    """Collect CSP violations (DOM events and console reports) on ``page``."""
    seen: list[str] = []
    page.context.add_init_script(WATCH)
    page.on(
        "console",
        lambda msg: (
            seen.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    return seen


def violations(page, seen: list[str]) -> list[str]:
    return seen + page.evaluate("window.__cspViolations || []")


def visit(page, seen: list[str], url: str, ready: str | None = None) -> None:
    page.goto(url)
    if ready:
        page.wait_for_selector(ready, state="attached")
    page.wait_for_timeout(150)
    found = violations(page, seen)
    assert not found, found


def test_csp_header_is_sent(open_page) -> None:
    page = open_page("admin")
    response = page.goto("/figures/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_raise_no_csp_violation(open_page) -> None:
    page = open_page("admin")
    seen = watched(page)
    template = ensure_default_template()
    hazard = Hazard.objects.order_by("pk").first()
    ledger = registry.get("urban_floodinspection")
    record = ledger.model._default_manager.order_by("pk").first()
    visit(page, seen, "/", "#unit-chart canvas")
    page.locator("#ledger-overview").scroll_into_view_if_needed()
    page.wait_for_selector("#ledger-overview .cards", state="attached")  # htmx, on reveal
    visit(page, seen, "/figures/")
    visit(page, seen, "/figures/toilet.problem_households/records/")
    visit(page, seen, "/report/", "article.report-text")
    visit(page, seen, "/report/templates/")
    visit(page, seen, f"/report/templates/{template.pk}/history/")
    visit(page, seen, "/hazards/")
    visit(page, seen, f"/hazards/{hazard.pk}/")
    visit(page, seen, "/hazards/new/")
    visit(page, seen, ledger.url_list)
    visit(page, seen, ledger.url("detail", pk=record.pk))
    visit(page, seen, ledger.url("create"))
    visit(page, seen, ledger.url("import"))
    visit(page, seen, "/accounts/password_change/")
    visit(page, seen, "/no/such/page/")
    visit(page, seen, "/figures/?period=0001")
    visit(page, seen, "/admin/")
    visit(page, seen, "/admin/core/user/")
    visit(page, seen, "/admin/core/user/1/change/")
    visit(page, seen, "/api/docs/", ".swagger-ui .information-container")
    visit(page, seen, "/api/ledgers/urban_floodinspection/")


def test_report_editor_preview_and_confirm_work_under_csp(open_page) -> None:
    page = open_page("leader")
    seen = watched(page)
    template = ensure_default_template()
    page.goto(f"/report/templates/{template.pk}/")
    body = page.locator("textarea[name=body]")
    body.fill("燃气排查发现隐患 {{ gas.hazards_found }} 条")
    body.press("End")  # htmx posts the form on keyup: the preview shows the number
    page.wait_for_selector("#preview article p a.fig")
    page.locator("#figure-search").fill("供水量")
    assert "找到" in page.locator("#figure-search-count").inner_text()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_role("button", name="恢复为程序自带的默认模板").click()
    assert dialogs and "恢复为程序自带的版本" in dialogs[0]
    assert page.url.endswith(f"/report/templates/{template.pk}/")  # dismissed: not posted
    assert not violations(page, seen)


def test_template_picker_and_phone_menu_work_under_csp(open_page) -> None:
    from zhujian.reports.models import ReportTemplate

    ReportTemplate.objects.create(name="简表", title="简表", body="燃气 {{ gas.hazards_found }}")
    page = open_page("town01", viewport=PHONE)
    seen = watched(page)
    page.goto("/report/")
    page.locator("select[name=template]").select_option("简表")
    page.wait_for_url(re.compile(r"template=%E7%AE%80%E8%A1%A8"))
    menu = page.get_by_role("button", name="☰ 菜单")
    assert not page.locator("#sidebar").is_visible()
    menu.click()
    assert page.locator("#sidebar").is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    assert not violations(page, seen)
