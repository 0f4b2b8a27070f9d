"""Every declared workflow: each step's actor rule holds through the edit form, the API
and the Excel import, and separation of duties holds on the step screens.

The cases come from the workflow registry, so a workflow declared later is tested too.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from tests.core.helpers import form_data
from zhujian.core import versions, workflows
from zhujian.core.models import Role, Transition, User
from zhujian.core.registry import registry
from zhujian.core.workflows import (
    GENERAL_KINDS,
    Handler,
    LineDepartment,
    RecordTownship,
    RecordUnit,
    Step,
    Workflow,
)
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db

CASES = [(wf, step) for wf in workflows.registry for step in wf.steps]
IDS = [f"{wf.name}-{step.code}" for wf, step in CASES]


def at_step(wf: Workflow, step: Step):
    """A demo record put at ``step`` (its own date cleared: a set-up write), and the value
    it had. Preferably one whose later steps are not done yet, so that taking the step
    again leaves a record every rule of the model accepts."""
    qs = wf.model._default_manager.filter(step.done_q())
    for earlier in wf.steps[: list(wf.steps).index(step)]:
        if not earlier.optional:
            qs = qs.filter(earlier.done_q())
    if step.when is not None:
        qs = qs.filter(step.when)
    later = [t for t in list(wf.steps)[list(wf.steps).index(step) + 1 :] if not t.optional]
    natural = qs
    for t in later:
        natural = natural.filter(~t._set_q())
    obj = natural.select_related("org_unit").order_by("pk").first()
    if obj is None and not step.optional:
        obj = qs.select_related("org_unit").order_by("pk").first()
    else:
        later = []
    if obj is None and not step.optional:
        # No demo record went through the step yet (the plan's commitments fall due after
        # the demo's data end): take one at it, and the step's date is today.
        obj = wf.model._default_manager.filter(wf.at_q(step.code)).order_by("pk").first()
        field = wf.model._meta.get_field(step.done)
        if obj is not None and isinstance(field, models.DateField):
            return obj, dt.date.today()
    if obj is None:
        pytest.skip(f"the demo county has no record that went through {step.label}")
    value = getattr(obj, step.done)
    cleared = {s.done: "" if s.text else None for s in [step, *later]}
    for s in later:  # a later step's other fields too (a 检验结论 without its date)
        for name in s.all_fields():
            field = wf.model._meta.get_field(name)
            if field.null:
                cleared[name] = None
            elif isinstance(field, models.CharField) and field.blank:
                cleared[name] = ""
    wf.model._default_manager.filter(pk=obj.pk).update(**cleared)
    obj.refresh_from_db()
    assert wf.current(obj) == step or step in wf.available(obj)
    return obj, value


def township_user(obj) -> User:
    return User.objects.get(role=Role.TOWNSHIP, org_unit=obj.org_unit.township())


def department_user(wf: Workflow, obj) -> User:
    line = wf.line_of(obj)
    return next(
        u for u in User.objects.filter(role=Role.DEPARTMENT) if line in (u.business_lines or [])
    )


def actor_and_other(wf: Workflow, step: Step, obj) -> tuple[User, User]:
    """An account the step's rule names, and one it does not (with the record in view)."""
    actor = step.actor.unit if isinstance(step.actor, Handler) else step.actor
    if actor is None:  # a handler whose unit is the line's department
        actor = LineDepartment(step.actor.role)
    in_township = obj.org_unit.township() is not None
    if isinstance(actor, RecordUnit) and obj.org_unit.kind not in GENERAL_KINDS:
        unit_user = User.objects.filter(
            role__in=[Role.DEPARTMENT, Role.TOWNSHIP], org_unit=obj.org_unit
        ).first()
        other = User.objects.filter(role=Role.DEPARTMENT).exclude(org_unit=obj.org_unit).first()
        return unit_user, other
    if isinstance(actor, RecordTownship) and in_township:
        return township_user(obj), department_user(wf, obj)
    assert isinstance(actor, (RecordTownship, LineDepartment))
    other = township_user(obj) if in_township else User.objects.get(username="town01")
    return department_user(wf, obj), other


def write(path: str, client, tmp_path, user: User, wf: Workflow, obj, field: str, value):
    """Set ``field`` of ``obj`` to ``value`` as ``user`` through ``path``; True if stored."""
    ledger = registry.for_model(wf.model)
    client.force_login(user)
    if path == "form":
        data = form_data(ledger, obj)
        data[field] = getattr(value, "isoformat", lambda: value)()
        data[versions.VERSION_FIELD] = versions.token(obj)
        client.post(reverse("web:ledger_update", args=[ledger.name, obj.pk]), data)
    elif path == "api":
        client.patch(
            f"/api/ledgers/{ledger.name}/{obj.pk}/",
            {field: getattr(value, "isoformat", lambda: value)()},
            content_type="application/json",
        )
    else:
        if any(getattr(obj, k) in (None, "") for k in ledger.natural_key):
            pytest.skip(
                "a record without its natural key yet (an application before its "
                "permit number) is not in any sheet"
            )
        file = tmp_path / "one.xlsx"
        export_rows(ledger, wf.model._default_manager.filter(pk=obj.pk), file)
        book = load_workbook(file)
        sheet = book["数据"]
        header = [c.value for c in sheet[1]].index(ledger.field_label(field)) + 1
        sheet.cell(row=2, column=header).value = value
        book.save(file)
        import_file(ledger, file, user)
    return getattr(wf.model._default_manager.get(pk=obj.pk), field) == value


@pytest.mark.parametrize("path", ["form", "api", "import"])
@pytest.mark.parametrize(("wf", "step"), CASES, ids=IDS)
def test_a_step_is_refused_to_an_account_its_rule_does_not_name(wf, step, path, client, tmp_path):
    obj, value = at_step(wf, step)
    _actor, other = actor_and_other(wf, step, obj)
    assert not write(path, client, tmp_path, other, wf, obj, step.done, value)
    again = wf.model._default_manager.get(pk=obj.pk)
    assert not step.is_done(again)
    assert not workflows.transitions_of(obj).exists()


@pytest.mark.parametrize("path", ["form", "api", "import"])
@pytest.mark.parametrize(("wf", "step"), CASES, ids=IDS)
def test_a_step_taken_by_its_actor_is_recorded_with_its_path(wf, step, path, client, tmp_path):
    if step.optional:
        pytest.skip("an optional step fills several fields at once: see its step-page test")
    obj, value = at_step(wf, step)
    actor, _other = actor_and_other(wf, step, obj)
    from zhujian.core import scope

    if not scope.restrict(wf.model._default_manager.filter(pk=obj.pk), actor, "change").exists():
        pytest.skip("this actor takes the step on its step page only (no edit rights)")
    assert write(path, client, tmp_path, actor, wf, obj, step.done, value)
    taken = workflows.transitions_of(obj).get()
    assert (taken.step, taken.user, taken.via) == (step.code, actor, path)


def test_the_rule_names_itself_in_the_refusal(client, user):
    wf = workflows.registry.get("rural_dilapidatedhousing")
    step = wf.step("approved")
    obj, value = at_step(wf, step)
    town = township_user(obj)
    client.force_login(town)
    ledger = registry.for_model(wf.model)
    data = form_data(ledger, obj)
    data["approved_on"] = value.isoformat()
    data[versions.VERSION_FIELD] = versions.token(obj)
    body = client.post(reverse("web:ledger_update", args=[ledger.name, obj.pk]), data)
    assert "“审核审批”须由村镇建设股室（村镇建设股）办理" in body.content.decode()


def test_the_account_that_completed_cannot_accept_on_the_step_page(client, admin_user):
    wf = workflows.registry.get("rural_dilapidatedhousing")
    obj, value = at_step(wf, wf.step("completed"))
    url = reverse("web:work_step", args=[wf.name, obj.pk])
    client.force_login(admin_user)  # the administrator may act, but not on both sides
    version = versions.token(obj)
    response = client.post(url, {"completed_on": value.isoformat(), "_version": version})
    assert response.status_code == 302
    obj.refresh_from_db()
    accepted = (value + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"accepted_on": accepted, "_version": versions.token(obj)})
    assert response.status_code == 403
    assert "职责分离" in response.content.decode()
    obj.refresh_from_db()
    assert obj.accepted_on is None
    # A department account accepts it.
    dept = department_user(wf, obj)
    client.force_login(dept)
    response = client.post(url, {"accepted_on": accepted, "_version": versions.token(obj)})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.accepted_on == dt.date.fromisoformat(accepted)
    steps = list(workflows.transitions_of(obj).values_list("step", "user__username"))
    assert steps == [("completed", "admin"), ("accepted", dept.username)]


def test_send_back_needs_a_reason_and_is_recorded(client):
    wf = workflows.registry.get("rural_dilapidatedhousing")
    obj, _value = at_step(wf, wf.step("accepted"))
    dept = department_user(wf, obj)
    client.force_login(dept)
    url = reverse("web:work_step", args=[wf.name, obj.pk])
    response = client.post(
        url, {"action": "send_back", "reason": "", "_version": versions.token(obj)}
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {"action": "send_back", "reason": "门窗未安装", "_version": versions.token(obj)},
    )
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.completed_on is None and wf.current(obj).code == "completed"
    back = workflows.transitions_of(obj).get()
    assert (back.action, back.reason, back.user) == (Transition.Action.RETURN, "门窗未安装", dept)
    assert obj.stage_change_reason == "门窗未安装"


def test_step_screen_shows_the_current_steps_form_only(client):
    wf = workflows.registry.get("rural_dilapidatedhousing")
    obj, _value = at_step(wf, wf.step("started"))
    client.force_login(township_user(obj))
    body = client.get(reverse("web:work_step", args=[wf.name, obj.pk])).content.decode()
    assert 'name="started_on"' in body
    assert 'name="completed_on"' not in body and 'name="approved_on"' not in body
    assert "提交：开工建设" in body
    assert "待属地乡镇" in body  # the one line: who must do what next


def test_list_has_a_current_stage_column_and_filter(client, admin_user):
    wf = workflows.registry.get("rural_selfbuilthouse")
    client.force_login(admin_user)
    url = reverse("web:ledger_list", args=["rural_selfbuilthouse"])
    response = client.get(url, {"stage": "appraised"})  # 初判 done, 鉴定 missing
    assert "当前阶段" in response.content.decode()
    expected = wf.model._default_manager.filter(wf.at_q("appraised")).count()
    assert expected and response.context["total"] == expected
    for obj, cells in response.context["rows"]:
        assert wf.current(obj).code == "appraised" and cells[-1] == "鉴定"
    assert client.get(url, {"stage": "no-such-stage"}).context["total"] == (
        wf.model._default_manager.count()
    )


def test_a_record_with_steps_taken_cannot_be_deleted_by_form_or_api(client, user):
    wf = workflows.registry.get("hazards_hazard")
    hazard = wf.model._default_manager.filter(wf.step("rectify").done_q()).first()
    department = department_user(wf, hazard)
    client.force_login(department)
    response = client.post(reverse("web:ledger_delete", args=["hazards_hazard", hazard.pk]))
    assert response.status_code == 403 and "不能删除" in response.content.decode()
    response = client.delete(f"/api/ledgers/hazards_hazard/{hazard.pk}/")
    assert response.status_code == 403
    assert wf.model._default_manager.filter(pk=hazard.pk).exists()
