"""Owners of items that only have a deadline, the new workflows' rules on the generic
paths, and the top bar's counts: equal to the workbench's lists for every role, computed
once per request and only when shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhujian.core import workflows
from zhujian.core.models import Role, User
from zhujian.domains.construction.models import LiftingMachine
from zhujian.domains.plans.models import PlanTask
from zhujian.domains.realestate.models import PresalePermit
from zhujian.web import workbench

pytestmark = pytest.mark.django_db


def _open_task() -> PlanTask:
    task = PlanTask.objects.filter(completed_on__isnull=True).select_related("org_unit").first()
    assert task is not None
    return task


def test_a_plan_task_is_handed_to_its_unit_and_not_to_another(client):
    task = _open_task()
    owner = User.objects.get(role=Role.DEPARTMENT, org_unit=task.org_unit)
    other = User.objects.filter(role=Role.DEPARTMENT).exclude(org_unit=task.org_unit).first()
    town = User.objects.filter(role=Role.TOWNSHIP).first()
    assert task.pk in {i.obj.pk for i in workbench.pending(owner) if isinstance(i.obj, PlanTask)}
    for someone in (other, town):
        theirs = [i.obj for i in workbench.pending(someone) if isinstance(i.obj, PlanTask)]
        assert task not in theirs
        assert all(someone.org_unit.contains(t.org_unit) for t in theirs)
    # The record page says in one line who must do what, and by when.
    client.force_login(owner)
    body = client.get(reverse("web:ledger_detail", args=["plans_plantask", task.pk])).content
    line = f"待责任单位（{task.org_unit.name}）完成任务，期限 {task.deadline:%Y年%-m月%-d日}"
    assert line in body.decode()


def test_a_plan_task_naming_a_handler_names_them_too():
    task = _open_task()
    owner = User.objects.get(role=Role.DEPARTMENT, org_unit=task.org_unit)
    task.handler = owner.get_full_name()
    task.save()
    item = next(i for i in workbench.pending(owner) if i.obj.pk == task.pk)
    assert f"责任单位（{task.org_unit.name} {owner.get_full_name()}）" in item.next_action


def test_completing_a_task_on_its_step_page_closes_it(client):
    task = _open_task()
    owner = User.objects.get(role=Role.DEPARTMENT, org_unit=task.org_unit)
    client.force_login(owner)
    url = reverse("web:work_step", args=["plans_plantask", task.pk])
    from zhujian.core import versions

    day = dt.date.today().isoformat()
    data = {"completed_on": day, "progress": "100", "latest_note": "已完成", "_version": ""}
    data["_version"] = versions.token(task)
    assert client.post(url, data).status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.completed_on
    assert task.pk not in {i.obj.pk for i in workbench.pending(owner)}


def test_a_clock_no_step_covers_keeps_its_owner():
    """A lifting machine's 安全评估 is not one of its steps: it is still listed, as the
    construction line's departments' item, and not as the real-estate department's."""
    today = dt.date.today()
    late = LiftingMachine.objects.filter(
        assessment_due_on__lt=today, assessed_on__isnull=True
    ).first()
    assert late is not None
    jianzhu, fangchan = User.objects.get(username="jianzhu"), User.objects.get(username="fangchan")
    mine = [i for i in workbench.dated(jianzhu, "overdue") if i.obj.pk == late.pk]
    assert any(i.step_label == "安全评估" for i in mine)
    assert any(
        i.obj.pk == late.pk and i.step_label == "安全评估" for i in workbench.pending(jianzhu)
    )
    assert not [i for i in workbench.pending(fangchan) if isinstance(i.obj, LiftingMachine)]


@pytest.mark.parametrize(
    "username", ["town01", "town02", "jianzhu", "fangchan", "bangongshi", "xinfang", "leader"]
)
def test_top_bar_counts_equal_the_workbench_lists(client, username):
    user = User.objects.get(username=username)
    expected = {
        "pending": len(workbench.pending(user)),
        "overdue": len(workbench.dated(user, "overdue")),
    }
    assert workbench.counts(user) == expected
    client.force_login(user)
    shown = client.get(reverse("web:ledger_list", args=["plans_plantask"])).context["work_counts"]
    assert dict(shown) == expected
    page = client.get(reverse("web:workbench"))
    assert dict(page.context["work_counts"]) == expected
    assert page.context["pending_total"] == expected["pending"]


def test_top_bar_counts_are_computed_once_and_only_when_shown():
    user = User.objects.get(username="town01")
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as nothing:
        context = workbench.top_counts(request)
    assert len(nothing) == 0  # a page that does not show them pays nothing
    with CaptureQueriesContext(connection) as first:
        assert context["work_counts"]["pending"] >= 0
    with CaptureQueriesContext(connection) as again:
        assert workbench.top_counts(request)["work_counts"]["overdue"] >= 0
    assert len(first) > 0 and len(again) == 0


def _application() -> PresalePermit:
    return PresalePermit.objects.filter(accepted_on__isnull=True, issued_on__isnull=True).first()


def test_a_step_cannot_be_skipped_through_the_api(client):
    permit = _application()
    client.force_login(User.objects.get(username="fangchan"))
    response = client.patch(
        f"/api/ledgers/realestate_presalepermit/{permit.pk}/",
        {"issued_on": permit.applied_on.isoformat(), "permit_no": "跳过审核001"},
        content_type="application/json",
    )
    assert response.status_code in (400, 403)
    assert "当前环节为“受理”" in response.content.decode()
    permit.refresh_from_db()
    assert permit.issued_on is None


def test_the_account_that_registered_an_application_cannot_accept_it(client):
    clerk = User.objects.get(username="fangchan")
    model = _application()
    client.force_login(clerk)
    fields = {
        "project": model.project_id,
        "org_unit": model.org_unit_id,
        "buildings": "30#",
        "residential_area": "5000",
        "units": "40",
        "applied_on": model.applied_on.isoformat(),
        "land_premium_paid": True,
        "land_certificate_no": model.land_certificate_no,
        "planning_permit_no": model.planning_permit_no,
        "construction_permit_no": model.construction_permit_no,
        "total_investment": "20000",
        "invested": "9000",
        "delivery_on": "2030-01-01",
    }
    api = "/api/ledgers/realestate_presalepermit/"
    # Registering and accepting in one write is refused …
    both = fields | {"accepted_on": model.applied_on.isoformat(), "handler": "李晓梅"}
    response = client.post(api, both, content_type="application/json")
    assert response.status_code in (400, 403) and "职责分离" in response.content.decode()
    # … and so is accepting later what the same account registered.
    response = client.post(api, fields, content_type="application/json")
    assert response.status_code == 201, response.content.decode()
    permit = PresalePermit.objects.get(buildings="30#")
    wf = workflows.registry.get("realestate_presalepermit")
    assert "职责分离：办理“申请登记”的账号不能再办理“受理”" in wf.can(
        clerk, permit, wf.step("accept")
    )
    assert permit.pk not in {i.obj.pk for i in workbench.pending(clerk)}
    assert workbench.counts(clerk)["pending"] == len(workbench.pending(clerk))
    other = User.objects.create(
        username="fangchan2",
        role=Role.DEPARTMENT,
        org_unit=clerk.org_unit,
        business_lines=["realestate"],
    )
    assert wf.can(other, permit, wf.step("accept")) is None


@pytest.mark.parametrize(
    ("name", "stage"),
    [("realestate_presalepermit", "review"), ("construction_liftingmachine", "registered")],
)
def test_the_new_workflows_lists_have_a_current_stage_filter(client, admin_user, name, stage):
    wf = workflows.registry.get(name)
    client.force_login(admin_user)
    response = client.get(reverse("web:ledger_list", args=[name]), {"stage": stage})
    expected = wf.model._default_manager.filter(wf.at_q(stage)).count()
    assert expected and response.context["total"] == expected
    assert "当前阶段" in response.content.decode()
    for obj, cells in response.context["rows"]:
        assert wf.current(obj).code == stage and cells[-1] == wf.step(stage).label


def test_a_crane_with_steps_taken_is_not_deleted_by_its_department(client):
    machine = LiftingMachine.objects.filter(installed_on__isnull=False).first()
    client.force_login(User.objects.get(username="jianzhu"))
    response = client.delete(f"/api/ledgers/construction_liftingmachine/{machine.pk}/")
    assert response.status_code == 403
    assert LiftingMachine.objects.filter(pk=machine.pk).exists()
