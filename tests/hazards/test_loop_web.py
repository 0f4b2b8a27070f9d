"""The hazard loop end to end in the web UI: register, notice, rectify, verify — audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.hazards.helpers import township_of
from zhujian.core import versions
from zhujian.domains.urban.models import GasInspection
from zhujian.hazards.models import Hazard, HazardStatus

pytestmark = pytest.mark.django_db


def post_step(client, hazard: Hazard, step: str, data: dict):
    """Post a step as the hazard's page does: with the version the page was opened at."""
    opened_at = versions.token(Hazard.objects.get(pk=hazard.pk))
    return client.post(
        reverse("hazards:step", args=[hazard.pk, step]),
        {**data, versions.VERSION_FIELD: opened_at},
    )


def test_gas_staff_take_a_hazard_from_inspection_to_closed(client, user):
    ranqi = user("ranqi")
    client.force_login(ranqi)
    inspection = GasInspection.objects.filter(kind="safety").order_by("pk").first()
    url = reverse("hazards:create") + f"?ledger=urban_gasinspection&id={inspection.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["org_unit"] == inspection.org_unit_id
    response = client.post(
        url,
        {
            "line": "gas",
            "org_unit": inspection.org_unit_id,
            "source": "季度检查",
            "category": "equipment",
            "description": "测试隐患：调压箱锈蚀",
            "found_on": "2022-05-10",
        },
    )
    assert response.status_code == 302
    hazard = Hazard.objects.get(description="测试隐患：调压箱锈蚀")
    assert hazard.source_record == inspection
    steps = [
        (
            "notice",
            {
                "notice_number": "燃整改测试1",
                "notice_issued_on": "2022-05-11",
                "notice_deadline": "2022-05-25",
            },
        ),
        ("rectify", {"rectified_on": "2022-05-20", "rectification_evidence": "已除锈刷漆，附照片"}),
        ("verify", {"verified_on": "2022-05-22", "verified_by": "王强"}),
    ]
    for step, data in steps:
        # The township the hazard lies in rectifies; the department notifies and accepts.
        client.force_login(township_of(hazard) if step == "rectify" else ranqi)
        response = post_step(client, hazard, step, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.CLOSED
    reasons = list(
        hazard.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["登记隐患", "下达整改通知", "登记整改完成", "验收销号"]
    assert set(hazard.history.values_list("history_user__username", flat=True)) == {
        "ranqi",
        township_of(hazard).username,
    }
    assert "验收销号" in client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()


def test_step_out_of_order_is_refused_with_a_message(client, user):
    client.force_login(user("ranqi"))
    hazard = Hazard.objects.filter(line="gas", status=HazardStatus.NOTIFIED).first() or (
        Hazard.objects.filter(line="gas", status=HazardStatus.CLOSED).first()
    )
    response = post_step(
        client, hazard, "verify", {"verified_on": "2022-12-30", "verified_by": "王强"}
    )
    assert response.status_code == 400
    assert "不能验收销号" in response.content.decode()


def test_verify_without_evidence_is_refused(client, user):
    client.force_login(user("ranqi"))
    hazard = Hazard.objects.filter(line="gas", status=HazardStatus.RECTIFIED).first()
    Hazard.objects.filter(pk=hazard.pk).update(rectification_evidence="")
    response = post_step(
        client,
        hazard,
        "verify",
        {"verified_on": dt.date(2022, 12, 31).isoformat(), "verified_by": "王强"},
    )
    assert response.status_code == 400
    assert "没有整改佐证材料，隐患不能销号" in response.content.decode()


def test_another_lines_staff_cannot_progress_a_gas_hazard(client, user):
    client.force_login(user("chengjian"))
    hazard = (
        Hazard.objects.filter(line="gas", status=HazardStatus.FOUND).first()
        or Hazard.objects.filter(line="gas").first()
    )
    response = client.post(reverse("hazards:step", args=[hazard.pk, "notice"]), {})
    assert response.status_code == 403


def test_leader_reads_the_loop_but_cannot_register(client, user):
    client.force_login(user("leader"))
    assert client.get(reverse("hazards:list")).status_code == 200
    assert client.get(reverse("hazards:create")).status_code == 403


def test_overdue_page_lists_only_overdue_hazards_of_the_chosen_line(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("hazards:overdue"), {"line": "flood"})
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    today = dt.date.today()
    assert listed and all(h.line == "flood" and h.is_overdue(today) for h in listed)
    assert len(listed) == min(50, Hazard.objects.filter(line="flood").overdue(today).count())


def test_list_filters_by_township(client, admin_user, township):
    client.force_login(admin_user)
    response = client.get(reverse("hazards:list"), {"township": township.pk, "status": "all"})
    assert response.context["page"].paginator.count == (
        Hazard.objects.filter(org_unit__path__startswith=township.path).count()
    )


def test_township_user_sees_only_its_township(client, town_a):
    client.force_login(town_a)
    outside = Hazard.objects.exclude(org_unit__path__startswith=town_a.org_unit.path).first()
    assert client.get(reverse("hazards:detail", args=[outside.pk])).status_code == 404
    response = client.get(reverse("hazards:list"), {"status": "all"})
    assert response.context["page"].paginator.count == (
        Hazard.objects.filter(org_unit__path__startswith=town_a.org_unit.path).count()
    )
