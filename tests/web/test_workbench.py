"""The 待办 workbench: landing page, 待我处理, 逾期/临期, 我已办, 我发起的 with 催办, the
leaders' 督办 view and its drill-downs, the top bar's counts, and ``zhujian remind``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.hazards.helpers import township_of
from zhujian.core import versions, workflows
from zhujian.core.models import Role, Transition, User
from zhujian.demo.county import DEMO_PASSWORD
from zhujian.hazards import loop
from zhujian.hazards.models import Hazard, HazardStatus
from zhujian.web import workbench

pytestmark = pytest.mark.django_db


def test_every_user_lands_on_the_workbench(client, town_a):
    response = client.post(
        reverse("login"), {"username": town_a.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    page = client.get("/workbench/").content.decode()
    assert "我的待办" in page and "待我处理" in page
    assert "驾驶舱" not in page  # a township's home is its work, not the county cockpit
    assert "下载与导入记录" in page and "我的任务" not in page


def test_township_sees_the_hazards_it_must_rectify_and_only_those(client, town_a):
    expected = Hazard.objects.filter(
        status=HazardStatus.NOTIFIED, org_unit__path__startswith=town_a.org_unit.path
    )
    assert expected.exists()
    items = workbench.pending(town_a)
    hazards = {i.obj.pk for i in items if isinstance(i.obj, Hazard)}
    assert hazards == set(expected.values_list("pk", flat=True))
    item = next(i for i in items if isinstance(i.obj, Hazard))
    assert f"整改责任单位（{town_a.org_unit.name}）" in item.next_action
    client.force_login(town_a)
    assert client.get("/workbench/").context["pending_total"] == len(items)


def test_department_sees_rectified_hazards_of_its_lines_to_accept(client, user):
    ranqi = user("ranqi")
    client.force_login(ranqi)
    items = client.get("/workbench/").context["pending"]
    hazards = [i.obj for i in items if isinstance(i.obj, Hazard)]
    assert hazards and all(h.line == "gas" for h in hazards)
    assert {h.status for h in hazards} <= {HazardStatus.FOUND, HazardStatus.RECTIFIED}


def test_overdue_items_carry_the_year_and_the_days(client, town_a):
    client.force_login(town_a)
    response = client.get("/workbench/")
    late = response.context["overdue"]
    assert late, "the demo township has overdue hazards"
    first = late[0]
    assert first.days_left < 0
    body = response.content.decode()
    assert f"{first.due.year}年{first.due.month}月{first.due.day}日" in body
    assert f"已逾期 {-first.days_left} 天" in body


def test_top_bar_shows_the_counts(client, town_a):
    client.force_login(town_a)
    response = client.get(reverse("hazards:list"))
    counts = response.context["work_counts"]
    assert counts["pending"] > 0 and counts["overdue"] > 0
    assert f'title="待我处理">{counts["pending"]}</b>' in response.content.decode()


def test_supervision_counts_equal_the_overdue_lists_and_drill_down(client, user):
    leader = user("leader")
    client.force_login(leader)
    view = client.get("/workbench/").context["supervision"]
    assert view["townships"] and view["departments"]
    for row in view["townships"]:
        drill = client.get(row["url"])
        assert drill.status_code == 200
        assert drill.context["total"] == row["count"]
        if row["unit"] is None:
            continue
        hazards = [i for i in drill.context["items"] if isinstance(i.obj, Hazard)]
        listed = loop.filtered(leader, {"township": str(row["unit"].pk)}, overdue=True)
        assert {h.obj.pk for h in hazards} == set(listed.values_list("pk", flat=True))
    for row in view["departments"]:
        drill = client.get(row["url"])
        assert drill.context["total"] == row["count"]
        lines = {
            ln
            for u in User.objects.filter(role=Role.DEPARTMENT, org_unit=row["unit"])
            for ln in u.business_lines
        }
        hazards = {i.obj.pk for i in drill.context["items"] if isinstance(i.obj, Hazard)}
        expected = Hazard.objects.overdue(dt.date.today()).filter(line__in=lines)
        assert hazards == set(expected.values_list("pk", flat=True))
    total = sum(r["count"] for r in view["townships"])
    assert total == client.get("/workbench/").context["overdue_total"]


def test_a_township_sees_no_supervision_and_cannot_drill_into_another_township(
    client, town_a, town_b
):
    client.force_login(town_a)
    assert client.get("/workbench/").context["supervision"] is None
    response = client.get(reverse("web:workbench_overdue"), {"township": town_b.org_unit.pk})
    assert response.status_code == 404


def test_started_items_can_be_chased_and_the_reminder_is_recorded(client, user):
    ranqi = user("ranqi")
    hazard = Hazard.objects.filter(line="gas", status=HazardStatus.NOTIFIED).first()
    record = hazard.history.earliest("history_date")
    type(record).objects.filter(pk=record.pk).update(history_user=ranqi)
    client.force_login(ranqi)
    started = client.get("/workbench/").context["started"]
    assert hazard.pk in {r["item"].obj.pk for r in started}
    url = reverse("web:work_remind", args=["hazards_hazard", hazard.pk])
    assert client.post(url).status_code == 302
    chased = workflows.transitions_of(hazard).get()
    assert (chased.action, chased.user, chased.step) == (Transition.Action.REMIND, ranqi, "rectify")
    body = client.get("/workbench/").content.decode()
    assert "已催办 1 次" in body


def test_done_lists_the_steps_taken_with_history(client, user):
    ranqi = user("ranqi")
    hazard = Hazard.objects.filter(line="gas", status=HazardStatus.RECTIFIED).first()
    client.force_login(ranqi)
    response = client.post(
        reverse("hazards:step", args=[hazard.pk, "verify"]),
        {
            "verified_on": dt.date.today().isoformat(),
            "verified_by": "王强",
            versions.VERSION_FIELD: versions.token(hazard),
        },
    )
    assert response.status_code == 302
    done = client.get("/workbench/").context["done"]
    assert done[0]["obj"].pk == hazard.pk and done[0]["transition"].step == "verify"


def test_rectifier_cannot_accept_even_as_an_administrator(client, admin_user):
    hazard = Hazard.objects.filter(status=HazardStatus.NOTIFIED).first()
    client.force_login(admin_user)
    url = reverse("hazards:step", args=[hazard.pk, "rectify"])
    today = dt.date.today().isoformat()
    data = {"rectified_on": today, "rectification_evidence": "已整改"}
    response = client.post(url, {**data, versions.VERSION_FIELD: versions.token(hazard)})
    assert response.status_code == 302
    hazard.refresh_from_db()
    response = client.post(
        reverse("hazards:step", args=[hazard.pk, "verify"]),
        {
            "verified_on": today,
            "verified_by": "管理员",
            versions.VERSION_FIELD: versions.token(hazard),
        },
    )
    assert response.status_code == 403
    assert "职责分离" in response.content.decode()


def test_the_township_account_cannot_accept_through_the_api(client):
    hazard = Hazard.objects.filter(status=HazardStatus.RECTIFIED).first()
    client.force_login(township_of(hazard))
    response = client.post(
        f"/hazards/api/{hazard.pk}/verify/",
        {"verified_on": dt.date.today().isoformat(), "verified_by": "乡镇"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "验收股室" in response.json()["detail"]


def test_remind_sends_each_user_one_notice_through_the_channel(settings, town_a):
    settings.ZHUJIAN_REMIND_CHANNELS = ["email"]
    User.objects.filter(pk=town_a.pk).update(email="town01@example.cn")
    call_command("remind")
    mine = [m for m in mail.outbox if m.to == ["town01@example.cn"]]
    assert len(mine) == 1
    assert mine[0].subject.startswith("待办提醒：逾期")
    assert "整改" in mine[0].body


def test_hazard_list_says_who_must_act_next(client, town_a):
    client.force_login(town_a)
    body = client.get(reverse("hazards:list"), {"status": HazardStatus.NOTIFIED}).content.decode()
    assert "下一步（责任方及期限）" in body
    assert f"待整改责任单位（{town_a.org_unit.name}）整改并上传佐证，期限" in body
