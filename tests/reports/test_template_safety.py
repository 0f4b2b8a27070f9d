"""A report template is saved only if it checks clean and renders (security audit, issue 9
item 13); the report page with a broken stored template: tests/web/test_bad_input.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from zhujian.reports import template as tpl
from zhujian.reports.build import DEFAULT_TITLE, default_body
from zhujian.reports.forms import ReportTemplateForm
from zhujian.reports.models import ReportTemplate

pytestmark = pytest.mark.django_db

BROKEN = [
    # (body, what the Chinese message says)
    ("{{ some.figure|nosuchfilter }}", "未知的格式 |nosuchfilter"),
    ("燃气 {{ gas.hazards_found|nosuchfilter }} 处", "未知的格式 |nosuchfilter"),
    ("{{ gas.hazards_found|fixed:abc }}", "格式 |fixed 的参数有误"),
    ("{{ gas.hazards_found|fixed:1:2 }}", "格式 |fixed 的参数个数有误"),
    ("{{ gas.hazards_found|sign:下降 }}", "格式 |sign 的参数有误"),
    ("{{ gas.hazards_found|month }}", "格式 |month 只能用于日期"),
    ("{{ party.xwjc_kickoff_date|wan }}", "格式 |wan 只能用于数值"),
    ("{{ townplan.historic_town|day }}", "格式 |day 只能用于日期"),
    ("{{ gas.hazards_found|abs:1 }}", "格式 |abs 不带参数"),
    # a computed figure's kind is known only by evaluating it: the test render catches it
    ("{{ general.county_name|month }}", "试生成报告失败"),
]


@pytest.fixture
def template():
    return ReportTemplate.objects.create(name="测试模板", title="测试", body="第一段")


@pytest.mark.parametrize(("body", "message"), BROKEN)
def test_web_editor_refuses_a_template_that_does_not_render(client, user, template, body, message):
    login(client, user("leader"))
    response = client.post(
        reverse("reports:edit", args=[template.pk]),
        {"name": template.name, "title": template.title, "body": body},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    template.refresh_from_db()
    assert template.body == "第一段"


def test_creating_a_template_is_checked_too(client, user):
    login(client, user("admin"))
    response = client.post(
        reverse("reports:create"),
        {"name": "新模板", "title": "{{ gas.hazards_found|md }}", "body": "正文"},
    )
    assert response.status_code == 200
    assert "标题：格式 |md 只能用于日期" in response.content.decode()
    assert not ReportTemplate.objects.filter(name="新模板").exists()


def test_form_renders_in_the_users_scope(user):
    """The trial build runs as the editor would see the report (a township: its own)."""
    data = {"name": "乡镇模板", "title": "标题", "body": "{{ general.county_name|month }}"}
    form = ReportTemplateForm(data, user=user("town01"))
    assert not form.is_valid()
    assert "按 2022H1 试生成报告失败" in str(form.non_field_errors())


def test_good_filters_still_save(client, user, template):
    login(client, user("leader"))
    body = (
        "{{ gas.hazards_found|fixed:2 }} {{ party.xwjc_kickoff_date|md }}"
        " {{ dilapidated.paid|wan|fixed:1 }} {{ gas.hazards_found|sign:少:多 }}"
    )
    response = client.post(
        reverse("reports:edit", args=[template.pk]),
        {"name": template.name, "title": template.title, "body": body},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == body


def test_default_template_passes_the_check():
    assert tpl.check(default_body()) == []
    assert tpl.check(DEFAULT_TITLE) == []


def test_restoring_a_broken_version_is_refused(client, user, template):
    ReportTemplate.objects.filter(pk=template.pk).update(body="占位")
    template.body = "{{ gas.hazards_found|fixed:abc }}"
    template.save()  # a version saved before templates were checked
    broken = template.history.first()
    template.body = "好的正文"
    template.save()
    login(client, user("leader"))
    response = client.post(
        reverse("reports:restore", args=[template.pk, broken.history_id]), follow=True
    )
    assert "不能恢复" in response.content.decode()
    template.refresh_from_db()
    assert template.body == "好的正文"


def test_render_errors_name_the_line_and_the_reference():
    from zhujian.figures import catalog
    from zhujian.figures.periods import Period

    values = catalog.evaluate(["general.county_name"], Period.parse("2022H1"))
    with pytest.raises(tpl.TemplateError, match=r"第2行：格式 \|wan 不能用于"):
        tpl.render_lines("甲\n{{ general.county_name|wan }}", values)
