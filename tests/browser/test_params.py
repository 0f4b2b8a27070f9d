"""参数设置 in a real browser: a missing holiday year is entered and the warning goes."""

from __future__ import annotations

import pytest

from zhujian.core import deadlines

pytestmark = pytest.mark.browser


def test_staff_enter_a_missing_year_and_the_dashboard_warning_goes(open_page) -> None:
    missing = deadlines.missing_years()
    page = open_page("admin")
    warning = page.locator(".calendar-warning")
    if missing:
        warning.wait_for()
        assert f"{missing[0]}年的法定节假日安排尚未录入系统" in warning.inner_text()
    nav = page.get_by_role("navigation", name="主要功能")
    nav.get_by_role("link", name="参数设置").click()
    page.wait_for_url("**/params/")
    for year in missing or [2099]:
        page.goto(f"/params/calendar/{year}/")
        page.get_by_label("依据文件").fill(f"国务院办公厅关于{year}年部分节假日安排的通知")
        page.get_by_label("放假日期").fill(f"{year}-10-01..{year}-10-07")
        page.get_by_label("修改原因").fill("国务院已公布")
        page.get_by_role("button", name="保存").click()
        page.locator(".messages li", has_text=f"{year}年法定节假日安排已保存").wait_for()
        row = page.locator("tr", has_text=f"{year}年")
        assert "本页录入" in row.first.inner_text()
    page.goto("/")
    page.locator(".kpi-grid, .line-card").first.wait_for()
    assert page.locator(".calendar-warning").count() == 0


def test_a_weekday_as_an_adjusted_working_day_is_refused_in_chinese(open_page) -> None:
    page = open_page("admin")
    page.goto("/params/calendar/new/")
    page.get_by_label("年度").fill("2030")
    page.get_by_label("依据文件").fill("国务院办公厅关于2030年部分节假日安排的通知")
    page.get_by_label("放假日期").fill("2030-10-01..2030-10-07")
    page.get_by_label("调休上班日期").fill("2030-10-09")  # a Wednesday
    page.get_by_label("修改原因").fill("录入")
    page.get_by_role("button", name="保存").click()
    error = page.locator(".field.has-error .error")
    error.first.wait_for()
    assert "2030-10-09 是工作日（星期三），调休上班日应是星期六或星期日" in error.first.inner_text()
