"""Report tags (报告标记): a template names a record by a tag staff set and move on its page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from zhujian.core import tags
from zhujian.core.models import RecordTag
from zhujian.core.registry import registry
from zhujian.domains.urban import figures as urban
from zhujian.domains.urban.models import MunicipalProject
from zhujian.figures import catalog
from zhujian.figures.periods import Period

pytestmark = pytest.mark.django_db
PROJECTS = registry.get("urban_municipalproject")
H1 = Period.parse("2022H1")


def value(figure_id: str) -> object:
    return catalog.evaluate([figure_id], H1)[figure_id].value


def test_moving_a_tag_moves_what_the_report_says():
    tagged = tags.records_with(MunicipalProject, urban.TAG_HUIBAO).get()
    other = MunicipalProject.objects.exclude(pk=tagged.pk).exclude(segment_from="").first()
    assert value("municipal.huibao_from") == urban.road_stem(tagged.segment_from)
    tags.remove(tagged, urban.TAG_HUIBAO)
    assert value("municipal.huibao_from") is None
    tags.add(other, urban.TAG_HUIBAO)
    assert value("municipal.huibao_from") == urban.road_stem(other.segment_from)


def test_no_figure_module_selects_records_by_the_demo_generators_codes():
    domains = Path(__file__).resolve().parents[2] / "src" / "zhujian" / "domains"
    for path in domains.glob("*/figures.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                assert not (node.module.endswith(path.parent.name) and "demo" in names), path
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert node.value.id != "demo", f"{path}: demo.{node.attr}"


def test_staff_add_and_remove_a_tag_on_the_record_page(client, user):
    project = MunicipalProject.objects.order_by("pk").first()
    client.force_login(user("chengjian"))
    page = client.get(PROJECTS.url("detail", pk=project.pk)).content.decode()
    assert "报告标记" in page and 'name="tag"' in page
    url = reverse("web:ledger_tags", args=[PROJECTS.name, project.pk])
    assert client.post(url, {"tag": "  测试  标记 "}).status_code == 302
    assert "测试 标记" in tags.tags_of(project)
    history = RecordTag.history.filter(tag="测试 标记").get()
    assert history.history_user.username == "chengjian"
    client.post(url, {"remove": "测试 标记"})
    assert "测试 标记" not in tags.tags_of(project)


def test_a_tag_that_is_too_long_is_refused_with_a_message(client, user):
    project = MunicipalProject.objects.order_by("pk").first()
    client.force_login(user("chengjian"))
    url = reverse("web:ledger_tags", args=[PROJECTS.name, project.pk])
    response = client.post(url, {"tag": "长" * 51}, follow=True)
    assert "最多 50 个字" in response.content.decode()
    assert not RecordTag.objects.filter(record_id=project.pk, tag="长" * 51).exists()


def test_readers_see_tags_but_cannot_change_them(client, user):
    project = tags.records_with(MunicipalProject, urban.TAG_UNDERPASS).get()
    client.force_login(user("leader"))
    page = client.get(PROJECTS.url("detail", pk=project.pk)).content.decode()
    assert urban.TAG_UNDERPASS in page and 'name="tag"' not in page
    url = reverse("web:ledger_tags", args=[PROJECTS.name, project.pk])
    assert client.post(url, {"tag": "x"}).status_code == 403


def test_a_township_cannot_tag_another_townships_record(client, town_b):
    project = MunicipalProject.objects.exclude(
        org_unit__path__startswith=town_b.org_unit.path
    ).first()
    client.force_login(town_b)
    url = reverse("web:ledger_tags", args=[PROJECTS.name, project.pk])
    assert client.post(url, {"tag": "x"}).status_code == 404
    assert "x" not in tags.tags_of(project)
