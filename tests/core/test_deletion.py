"""Deleting a parent record: the page shows what goes along and wants a confirmation, the
API refuses without ?cascade=true, a cascade never reaches outside the user's scope, and
every cascaded deletion is in the history (audit item 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhujian.core import deletion
from zhujian.domains.rural.models import SewageOperation, SewageStation
from zhujian.domains.urban.models import GasCompany, MunicipalProject, ProjectProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> MunicipalProject:
    """A project with several progress reports."""
    return MunicipalProject.objects.filter(progress__isnull=False).order_by("pk").distinct().first()


@pytest.fixture
def chengjian(user):
    return user("chengjian")  # 城建股: the municipal line county-wide


def delete_url(ledger: str, pk: int) -> str:
    return reverse("web:ledger_delete", args=[ledger, pk])


def test_delete_page_lists_the_children_and_refuses_without_confirmation(
    client, chengjian, project
):
    progress = list(project.progress.order_by("-reported_on", "-pk"))
    assert len(progress) >= 2
    client.force_login(chengjian)
    url = delete_url("urban_municipalproject", project.pk)
    page = client.get(url).content.decode()
    assert f"工程进度 <small>{len(progress)} 条" in page
    assert reverse("web:ledger_detail", args=["urban_projectprogress", progress[0].pk]) in page
    assert 'name="confirm_cascade"' in page
    assert f'name="expected_children" value="{len(progress)}"' in page

    response = client.post(url, {"expected_children": str(len(progress))})
    assert response.status_code == 400
    assert "请勾选确认" in response.content.decode()
    assert MunicipalProject.objects.filter(pk=project.pk).exists()
    assert project.progress.count() == len(progress)


def test_confirmed_delete_takes_the_children_and_records_each_in_history(
    client, chengjian, project
):
    ids = list(project.progress.values_list("pk", flat=True))
    client.force_login(chengjian)
    response = client.post(
        delete_url("urban_municipalproject", project.pk),
        {"confirm_cascade": "1", "expected_children": str(len(ids))},
    )
    assert response.status_code == 302
    assert not MunicipalProject.objects.filter(pk=project.pk).exists()
    assert not ProjectProgress.objects.filter(pk__in=ids).exists()
    gone = ProjectProgress.history.filter(id__in=ids, history_type="-")
    assert gone.count() == len(ids)
    assert set(gone.values_list("history_user__username", flat=True)) == {"chengjian"}
    assert set(gone.values_list("history_change_reason", flat=True)) == {f"随“{project}”一并删除"}
    parent = MunicipalProject.history.get(id=project.pk, history_type="-")
    assert parent.history_user == chengjian


def test_children_that_changed_since_the_page_need_a_new_confirmation(client, chengjian, project):
    shown = project.progress.count()
    client.force_login(chengjian)
    response = client.post(
        delete_url("urban_municipalproject", project.pk),
        {"confirm_cascade": "1", "expected_children": str(shown - 1)},
    )
    assert response.status_code == 409
    assert MunicipalProject.objects.filter(pk=project.pk).exists()


def test_api_refuses_a_cascade_with_409_unless_asked(client, chengjian, project):
    count = project.progress.count()
    client.force_login(chengjian)
    url = f"/api/ledgers/urban_municipalproject/{project.pk}/"
    response = client.delete(url)
    assert response.status_code == 409
    body = response.json()
    assert f"工程进度 {count} 条" in body["detail"] and "?cascade=true" in body["detail"]
    assert body["would_delete"] == [
        {"ledger": "urban_projectprogress", "label": "工程进度", "count": count}
    ]
    assert project.progress.count() == count

    assert client.delete(url + "?cascade=true").status_code == 204
    assert not MunicipalProject.objects.filter(pk=project.pk).exists()
    assert ProjectProgress.history.filter(project_id=project.pk, history_type="-").count() == (
        count
    )


def test_a_record_without_children_is_deleted_without_ceremony(client, chengjian, project):
    report = project.progress.order_by("pk").first()
    client.force_login(chengjian)
    page = client.get(delete_url("urban_projectprogress", report.pk)).content.decode()
    assert "confirm_cascade" not in page
    assert client.delete(f"/api/ledgers/urban_projectprogress/{report.pk}/").status_code == 204


@pytest.fixture
def station_with_a_foreign_child(town_a, town_b) -> SewageStation:
    """A station of town B (青山镇) one of whose monthly records is filed under town A."""
    station = (
        SewageStation.objects.filter(
            org_unit__path__startswith=town_b.org_unit.path, operations__isnull=False
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    assert station is not None and station.operations.count() >= 2
    stray = station.operations.order_by("pk").first()
    SewageOperation.objects.filter(pk=stray.pk).update(org_unit=town_a.org_unit)
    return station


def test_a_cascade_reaching_outside_the_users_scope_is_refused(
    client, town_b, station_with_a_foreign_child
):
    station = station_with_a_foreign_child
    count = station.operations.count()
    client.force_login(town_b)
    url = delete_url("rural_sewagestation", station.pk)
    page = client.get(url).content.decode()
    assert f"{count} 条，其中 1 条不在您的查看范围内" in page  # counted, not shown
    assert "其中有您无权删除的记录" in page and "确认删除" not in page
    response = client.post(url, {"confirm_cascade": "1", "expected_children": str(count)})
    assert response.status_code == 403
    api = client.delete(f"/api/ledgers/rural_sewagestation/{station.pk}/?cascade=true")
    assert api.status_code == 403 and "无权删除" in api.json()["detail"]
    assert SewageStation.objects.filter(pk=station.pk).exists()
    assert station.operations.count() == count


def test_the_plan_counts_everything_but_shows_only_what_the_user_may_see(
    town_b, station_with_a_foreign_child
):
    plan = deletion.plan(station_with_a_foreign_child, town_b)
    (group,) = plan.groups
    assert group.count == station_with_a_foreign_child.operations.count()
    assert (group.visible, group.hidden, group.forbidden) == (group.count - 1, 1, 1)
    assert len(group.samples) == min(deletion.SAMPLE_SIZE, group.visible)


def test_protected_children_keep_their_message(client, user):
    company = GasCompany.objects.filter(inspections__isnull=False).order_by("pk").first()
    client.force_login(user("ranqi"))
    message = f"“{company}”还有关联记录，不能删除；请先删除关联记录。"
    page = client.get(delete_url("urban_gascompany", company.pk)).content.decode()
    assert message in page and "确认删除" not in page
    response = client.post(delete_url("urban_gascompany", company.pk), follow=True)
    assert message in response.content.decode()
    api = client.delete(f"/api/ledgers/urban_gascompany/{company.pk}/?cascade=true")
    assert api.status_code == 409 and api.json()["detail"] == message
    assert GasCompany.objects.filter(pk=company.pk).exists()
