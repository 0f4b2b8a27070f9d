"""Deleting a project in the browser: the page names its progress reports and will not
delete until the user ticks the confirmation."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import screenshot
from zhujian.domains.urban.models import MunicipalProject, ProjectProgress

pytestmark = pytest.mark.browser


def test_delete_a_project_with_its_progress_reports(open_page) -> None:
    page = open_page("chengjian")
    project = (
        MunicipalProject.objects.filter(progress__isnull=False).distinct().order_by("pk").first()
    )
    reports = list(project.progress.values_list("pk", flat=True))
    page.goto(f"/ledgers/urban_municipalproject/{project.pk}/")
    page.get_by_role("link", name="删除").click()
    page.wait_for_url(re.compile(r"/delete/$"))
    heading = page.get_by_role("heading", name=f"将一并删除的关联记录（共 {len(reports)} 条）")
    assert heading.is_visible()
    screenshot(page, "ledger-delete.png", full_page=True)

    # the browser itself keeps the form from being sent without the tick
    page.get_by_role("button", name="确认删除").click()
    assert page.url.endswith("/delete/")
    assert MunicipalProject.objects.filter(pk=project.pk).exists()

    page.get_by_label(re.compile("我已了解")).check()
    page.get_by_role("button", name="确认删除").click()
    page.wait_for_url(re.compile(r"/ledgers/urban_municipalproject/$"))
    assert page.get_by_text(f"已删除：{project}（连同工程进度 {len(reports)} 条）").is_visible()
    assert not ProjectProgress.objects.filter(pk__in=reports).exists()
