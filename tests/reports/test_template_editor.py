"""Report templates edited in the web UI: permissions, validation, preview, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.reports.build import default_body, ensure_default_template
from zhujian.reports.models import ReportTemplate
from zhujian.reports.views import body_diff

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(user):
    return user("leader")


@pytest.fixture
def template():
    return ReportTemplate.objects.create(
        name="测试模板", title="{{ general.county_name }}县测试", body="第一段\n第二段"
    )


def edit(client, template, **changes):
    data = {"name": template.name, "title": template.title, "body": template.body}
    return client.post(reverse("reports:edit", args=[template.pk]), {**data, **changes})


def test_township_user_may_not_save(client, town_a, template):
    response = edit(login(client, town_a), template, body="改了")
    assert response.status_code == 403
    template.refresh_from_db()
    assert template.body == "第一段\n第二段"


def test_township_user_may_not_open_the_create_page(client, town_a):
    assert login(client, town_a).get(reverse("reports:create")).status_code == 403


def test_township_user_may_view_a_template(client, town_a, template):
    response = login(client, town_a).get(reverse("reports:edit", args=[template.pk]))
    assert response.status_code == 200
    assert "只有系统管理员和局领导可以修改" in response.content.decode()


def test_leader_may_edit(client, leader, template):
    response = edit(login(client, leader), template, body="新的一段")
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "新的一段"


def test_admin_may_create_a_copy(client, admin_user, template):
    page = login(client, admin_user).get(reverse("reports:create") + f"?copy={template.pk}")
    assert "测试模板（副本）" in page.content.decode()
    response = client.post(
        reverse("reports:create"), {"name": "副本", "title": template.title, "body": "甲"}
    )
    assert response.status_code == 302
    assert ReportTemplate.objects.get(name="副本").body == "甲"


def test_save_records_a_version_with_its_user_and_reason(client, leader, template):
    edit(login(client, leader), template, body="新的一段", change_reason="改写第一段")
    latest = template.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.body) == (
        leader,
        "改写第一段",
        "新的一段",
    )


def test_unknown_figure_is_refused_with_a_chinese_message(client, leader, template):
    response = edit(login(client, leader), template, body="燃气 {{ gas.no_such_figure }} 处")
    assert response.status_code == 200
    assert "第1行：未定义的指标 gas.no_such_figure" in response.content.decode()
    template.refresh_from_db()
    assert template.body == "第一段\n第二段"


def test_unknown_filter_in_the_title_is_refused(client, leader, template):
    response = edit(login(client, leader), template, title="{{ general.county_name|bold }}")
    assert "标题：未知的格式 |bold" in response.content.decode()


def test_preview_renders_a_figure_value(client, town_a):
    counts = [f.id for f in catalog.all_figures() if getattr(f, "func", "") == "count"]
    values = catalog.evaluate(counts, Period.parse("2022H1"), town_a.org_unit, town_a)
    figure_id, value = next((k, v) for k, v in values.items() if v.value)  # a non-zero count
    response = login(client, town_a).post(
        reverse("reports:preview"),
        {"title": "预览", "body": f"共 {{{{ {figure_id} }}}} 个", "preview_period": "2022H1"},
    )
    assert response.status_code == 200
    assert f">{value}</a>" in response.content.decode()


def test_preview_shows_problems_and_still_renders_the_rest(client, leader):
    response = login(client, leader).post(
        reverse("reports:preview"),
        {"title": "", "body": "{{ gas.no_such_figure }} 与 {{ general.county_name }}"},
    )
    text = response.content.decode()
    assert "未定义的指标 gas.no_such_figure" in text
    assert "【缺】" in text


def test_restore_brings_back_an_old_body(client, leader, template):
    login(client, leader)
    edit(client, template, body="改过的正文")
    original = template.history.order_by("history_date").first()
    response = client.post(reverse("reports:restore", args=[template.pk, original.history_id]))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "第一段\n第二段"
    assert template.history.count() == 3


def test_township_user_may_not_restore(client, town_a, template):
    record = template.history.first()
    url = reverse("reports:restore", args=[template.pk, record.history_id])
    assert login(client, town_a).post(url).status_code == 403


def test_history_page_shows_the_changed_line(client, leader, template):
    login(client, leader)
    edit(client, template, body="第一段\n第二段改")
    text = client.get(reverse("reports:history", args=[template.pk])).content.decode()
    assert "<ins>改</ins>" in text
    assert "恢复此版本" in text


def test_body_diff_lists_only_changed_lines():
    rows = body_diff("甲\n乙\n丙", "甲\n乙二\n丙")
    assert [kind for kind, _ in rows] == ["hunk", "del", "add"]
    assert rows[2][1] == "乙<ins>二</ins>"


def test_default_template_can_be_reset_to_the_shipped_text(client, admin_user):
    default = ensure_default_template()
    ReportTemplate.objects.filter(pk=default.pk).update(body="被改乱了")
    response = login(client, admin_user).post(reverse("reports:reset_default", args=[default.pk]))
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.body == default_body()


def test_report_page_uses_the_chosen_template(client, town_a, template):
    response = login(client, town_a).get(reverse("web:report") + "?template=测试模板")
    text = response.content.decode()
    assert "第二段" in text
    assert reverse("reports:edit", args=[template.pk]) in text


def test_the_editors_own_help_examples_save(client, leader, template):
    """Issue 23: the title's help text showed ``{{ core.county_name }}``, which the editor
    refused. Every figure reference the help texts give as an example is accepted."""
    import re

    page = login(client, leader).get(reverse("reports:edit", args=[template.pk])).content.decode()
    examples = re.findall(r"如 (\{\{ [a-z_]+\.[a-z_]+ \}\})", page)
    assert examples
    for example in examples:
        response = edit(client, template, title=f"{example}县测试")
        assert response.status_code == 302, (example, response.content.decode()[:2000])
