"""Data requests (报送任务): pre-fill, correct, submit on time or late, withdraw, approval
levels with return and unapproval, lapse when records change, 报送率 figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import login
from zhujian.core import clock
from zhujian.core.models import TOWNSHIP_KINDS, OrgUnit, Role, User
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.catalog import Aggregate
from zhujian.figures.periods import Period
from zhujian.requests import service
from zhujian.requests.models import Assignment, RequestEvent
from zhujian.web import workbench

pytestmark = pytest.mark.django_db

PERIOD = "2022H1"
DEADLINE = dt.date(2022, 7, 10)
BEFORE = dt.datetime(2022, 7, 5, 10, 0)
AFTER = dt.datetime(2022, 7, 12, 9, 0)


@pytest.fixture
def office(user) -> User:
    found = next(
        u for u in User.objects.filter(role=Role.DEPARTMENT) if "general" in u.business_lines
    )
    return found


def township_user(unit: OrgUnit) -> User:
    return User.objects.filter(role=Role.TOWNSHIP, org_unit=unit, is_active=True).first()


@pytest.fixture
def towns() -> list[OrgUnit]:
    units = [u for u in OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).order_by("path")]
    return [u for u in units if township_user(u)][:3]


def prefill_figure(unit: OrgUnit) -> str:
    period = Period.parse(PERIOD)
    for fig in catalog.all_figures():
        if isinstance(fig, Aggregate) and fig.func == "count":
            value = catalog.evaluate([fig.id], period, unit)[fig.id].value
            if value:
                return fig.id
    raise AssertionError("no count figure with a value for the township")


@pytest.fixture
def issued(office, towns):
    fid = prefill_figure(towns[0])
    return service.issue(
        office,
        title="上半年报表",
        period=PERIOD,
        deadline=DEADLINE,
        units=towns,
        measures=[
            service.MeasureSpec("本期数量", "count", "个", figure_id=fid),
            service.MeasureSpec("情况说明", "text"),
        ],
        levels=["issuer"],
    )


def _a(req, unit) -> Assignment:
    return Assignment.objects.select_related("request", "unit").get(request=req, unit=unit)


def test_prefill_correct_submit_late_missing_return_approve(issued, towns, office):
    a_unit, b_unit, c_unit = towns
    ua, ub = township_user(a_unit), township_user(b_unit)
    a = _a(issued, a_unit)
    answers = service.prefill(a)
    count, text = answers
    expected = catalog.evaluate([count.measure.figure_id], Period.parse(PERIOD), a_unit)
    assert count.prefilled == str(expected[count.measure.figure_id].value) == count.value
    # A corrects one value and submits before the deadline.
    with clock.frozen(BEFORE):
        service.save_answers(a, ua, {count.measure_id: str(int(count.value) + 3)})
        service.submit(a, ua)
    a.refresh_from_db()
    assert a.answers.get(measure=count.measure).value == str(int(count.prefilled) + 3)
    assert a.answers.get(measure=count.measure).history.count() == 2
    # B submits late; C does not.
    with clock.frozen(AFTER):
        service.submit(_a(issued, b_unit), ub)
    rates = {
        k: catalog.evaluate([f"requests.all.{k}"], Period.parse(PERIOD))[f"requests.all.{k}"].value
        for k in ("ontime", "late", "missing")
    }
    assert rates == {"ontime": 1, "late": 1, "missing": 1}
    fid = f"requests.{issued.pk}.missing"
    assert catalog.evaluate([fid], Period.parse(PERIOD))[fid].value == 1
    assert catalog.evaluate([fid], Period.parse(PERIOD), c_unit)[fid].value == 1
    assert catalog.evaluate([fid], Period.parse(PERIOD), a_unit)[fid].value == 0
    # B may not withdraw after the deadline.
    with clock.frozen(AFTER), pytest.raises(service.RequestRefused, match="截止"):
        service.withdraw(_a(issued, b_unit), ub)
    # The township cannot approve its own; return needs a reason.
    with pytest.raises(service.RequestRefused):
        service.approve(_a(issued, a_unit), ua)
    with pytest.raises(service.RequestRefused, match="原因"):
        service.send_back(_a(issued, a_unit), office, "  ")
    with clock.frozen(AFTER):
        service.send_back(_a(issued, a_unit), office, "数量与台账不符")
        a = _a(issued, a_unit)
        assert a.status == Assignment.Status.RETURNED
        assert any(i.obj.pk == a.pk for i in workbench.pending(ua, AFTER.date()))
        service.save_answers(a, ua, {text.measure_id: "已核实"})
        service.submit(a, ua)
        service.approve(_a(issued, a_unit), office)
    a = _a(issued, a_unit)
    assert service.fully_approved(a) and service.is_late(a) is False  # still on time
    actions = list(a.events.values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve"]


def test_unapprove_only_below_an_unapproved_level_with_a_reason(office, towns, user):
    leader = User.objects.filter(role=Role.LEADER).first()
    req = service.issue(
        office,
        title="两级审核",
        period=PERIOD,
        deadline=DEADLINE,
        units=towns[:1],
        measures=[service.MeasureSpec("数量", "count")],
        levels=["issuer", "leader"],
    )
    a = _a(req, towns[0])
    service.submit(a, township_user(towns[0]))
    service.approve(a, office)
    with pytest.raises(service.RequestRefused, match="原因"):
        service.unapprove(_a(req, towns[0]), office, "")
    service.approve(_a(req, towns[0]), leader)
    # The level above approved: the first level can no longer be undone by the office.
    with pytest.raises(service.RequestRefused):
        service.unapprove(_a(req, towns[0]), office, "发现错误")
    service.unapprove(_a(req, towns[0]), leader, "需复核")
    service.unapprove(_a(req, towns[0]), office, "复核数量")
    a = _a(req, towns[0])
    assert a.approved == 0
    reasons = list(a.events.filter(action="unapprove").values_list("level", "reason"))
    assert reasons == [("leader", "需复核"), ("issuer", "复核数量")]


def _bound_ledger(unit: OrgUnit):
    """A dated ledger where ``unit`` has exactly one record in the period, with an integer
    field in its form."""
    from django.db import models

    period = Period.parse(PERIOD)
    for ledger in registry:
        if not ledger.date_field or not ledger.model._meta.model_name:
            continue
        qs = ledger.model._default_manager.filter(
            org_unit=unit,
            **{f"{ledger.date_field}__gte": period.start, f"{ledger.date_field}__lte": period.end},
        )
        if qs.count() != 1:
            continue
        for name in ledger.form_fields:
            f = ledger.field(name)
            if (
                isinstance(f, models.PositiveIntegerField | models.IntegerField)
                and not f.choices
                and not f.is_relation
            ):
                if getattr(qs.first(), name) is not None:
                    return ledger, name, qs.first()
    return None


def test_bound_correction_goes_into_the_record_and_a_later_change_drops_approval(office, towns):
    admin = User.objects.get(username="admin")
    found = None
    for unit in OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS):
        found = _bound_ledger(unit)
        if found:
            break
    if found is None:
        pytest.skip("the demo county has no township with a single dated record")
    ledger, field, record = found
    unit = record.org_unit
    req = service.issue(
        admin,
        title="绑定",
        period=PERIOD,
        deadline=DEADLINE,
        units=[unit],
        measures=[service.MeasureSpec("字段", "count", ledger=ledger.name, field=field)],
        levels=["issuer"],
    )
    a = _a(req, unit)
    (answer,) = service.prefill(a)
    assert answer.value == str(getattr(record, field))
    new = getattr(record, field) + 1
    service.save_answers(a, admin, {answer.measure_id: str(new)})
    record.refresh_from_db()
    assert getattr(record, field) == new
    assert record.history.first().history_change_reason.startswith("报送任务")
    service.submit(_a(req, unit), admin)
    service.approve(_a(req, unit), admin)
    assert service.fully_approved(_a(req, unit))
    # Changed after approval (any path writes history): the approval drops back.
    record.refresh_from_db()
    setattr(record, field, new + 1)
    record.save()
    a = _a(req, unit)
    assert service.lapse(a)
    a.refresh_from_db()
    assert a.approved == 0
    event = a.events.get(action=RequestEvent.Action.DROPPED)
    assert f"第{record.pk}号记录" in event.reason


def test_scope_a_township_sees_and_answers_only_its_own(client, issued, towns):
    a_unit, b_unit = towns[0], towns[1]
    ub = township_user(b_unit)
    a = _a(issued, a_unit)
    login(client, ub)
    assert client.get(reverse("requests:assignment", args=[a.pk])).status_code == 404
    response = client.post(reverse("requests:assignment", args=[a.pk]), {"action": "submit"})
    assert response.status_code == 404
    with pytest.raises(service.RequestRefused):
        service.submit(a, ub)
    assert _a(issued, a_unit).status == Assignment.Status.DRAFT
    # A bad value names the item.
    with pytest.raises(service.RequestRefused, match="本期数量"):
        service.save_answers(a, township_user(a_unit), {a.request.measures.first().pk: "十二"})
    # The drill-down of a township user lists only its own unit.
    page = client.get(reverse("requests:rates") + f"?period={PERIOD}&request={issued.pk}")
    assert b_unit.name in page.content.decode() and a_unit.name not in page.content.decode()


def test_rates_drill_down_names_the_missing_units(client, issued, towns, office):
    login(client, office)
    url = reverse("web:figure_records", args=[f"requests.{issued.pk}.missing"])
    response = client.get(url + f"?period={PERIOD}", follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    for unit in towns:
        assert f'data-unit="{unit.name}"' in text


def test_approved_data_only_counts_approved_units_until_a_record_changes(office, towns):
    period = Period.parse(PERIOD)
    a_unit = towns[0]
    fid = ledger = None
    for fig in catalog.all_figures():
        if not (isinstance(fig, Aggregate) and fig.func == "count" and fig.mode == "within"):
            continue
        lg = registry.find(fig.model)
        if lg is not None and lg.date_field and lg.date_field == fig.date:
            if catalog.evaluate([fig.id], period, a_unit)[fig.id].value:
                fid, ledger = fig.id, lg
                break
    assert fid is not None, "no dated count figure with records in the township"
    req = service.issue(
        office,
        title="台账审核",
        period=PERIOD,
        deadline=DEADLINE,
        units=towns,
        kind="records",
        ledgers=[ledger.name],
        levels=["issuer"],
    )
    live = catalog.evaluate([fid], period, a_unit)[fid].value
    assert catalog.evaluate([fid], period, a_unit, approved_only=True)[fid].value == 0
    a = _a(req, a_unit)
    service.submit(a, township_user(a_unit))
    service.approve(_a(req, a_unit), office)
    assert catalog.evaluate([fid], period, a_unit, approved_only=True)[fid].value == live
    assert catalog.evaluate([fid], period, approved_only=True)[fid].value == live
    record = catalog.records(fid, period, a_unit).first()
    record._change_reason = "审核后修改"
    record.save()
    assert catalog.evaluate([fid], period, a_unit, approved_only=True)[fid].value == 0
    assert _a(req, a_unit).events.filter(action="dropped").exists()


def test_the_api_keeps_the_same_rules(client, issued, towns, office):
    a_unit, b_unit = towns[0], towns[1]
    a = _a(issued, a_unit)
    base = f"/api/requests/submissions/{a.pk}/"
    login(client, township_user(b_unit))
    assert client.get(base).status_code == 404
    assert client.post(base + "submit/").status_code == 404
    login(client, township_user(a_unit))
    body = client.get(base).json()
    count = body["answers"][0]
    response = client.post(
        base + "answers/",
        {"values": {str(count["measure"]): "x"}},
        content_type="application/json",
    )
    assert response.status_code == 403 and "不是数字" in response.json()["detail"]
    response = client.post(
        base + "answers/",
        {"values": {str(count["measure"]): "7"}},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["answers"][0]["value"] == "7"
    with clock.frozen(BEFORE):
        assert client.post(base + "submit/").json()["outcome"] == "ontime"
    assert client.post(base + "approve/").status_code == 403  # not its own reviewer
    login(client, office)
    assert (
        client.post(base + "return/", {"reason": ""}, content_type="application/json").status_code
        == 403
    )
    assert client.post(base + "approve/").json()["approved_levels"] == ["issuer"]
    response = client.post(base + "unapprove/", {}, content_type="application/json")
    assert response.status_code == 403 and "原因" in response.json()["detail"]
    response = client.post(base + "unapprove/", {"reason": "复核"}, content_type="application/json")
    assert response.json()["approved_levels"] == []
    assert _a(issued, a_unit).events.filter(action="unapprove", via="api").exists()


def test_a_bulk_write_as_imports_do_also_drops_the_approval(office, towns):
    """Imports write changed records with ``bulk_update_with_history`` (no ``save()``):
    the lapse is read from the history, so it holds through them too."""
    from simple_history.utils import bulk_update_with_history

    period = Period.parse(PERIOD)
    a_unit = towns[0]
    for fig in catalog.all_figures():
        if isinstance(fig, Aggregate) and fig.func == "count" and fig.mode == "within":
            lg = registry.find(fig.model)
            if lg and lg.date_field == fig.date and hasattr(fig.model, "history"):
                record = catalog.records(fig.id, period, a_unit)
                if record is not None and record.exists():
                    record = record.first()
                    break
    else:
        raise AssertionError("no dated record with history in the township")
    req = service.issue(
        office,
        title="导入",
        period=PERIOD,
        deadline=DEADLINE,
        units=[a_unit],
        kind="records",
        ledgers=[lg.name],
        levels=["issuer"],
    )
    service.submit(_a(req, a_unit), township_user(a_unit))
    service.approve(_a(req, a_unit), office)
    bulk_update_with_history([record], fig.model, ["updated_at"], default_change_reason="导入")
    a = _a(req, a_unit)
    assert service.lapse(a) and a.approved == 0
