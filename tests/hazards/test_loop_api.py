"""The hazard loop through the API: register linked to an inspection, then each step."""

from __future__ import annotations

import pytest

from tests.hazards.helpers import township_of
from zhujian.domains.urban.models import FloodInspection
from zhujian.hazards.models import Hazard, HazardStatus

pytestmark = pytest.mark.django_db


def test_flood_staff_run_the_loop_through_the_api(client, user):
    client.force_login(user("chengjian"))
    inspection = FloodInspection.objects.order_by("pk").first()
    response = client.post(
        "/hazards/api/",
        {
            "line": "flood",
            "org_unit": inspection.org_unit_id,
            "source": "防汛督导检查",
            "category": "manhole",
            "description": "API测试：井盖缺失",
            "found_on": "2022-06-01",
            "source_ledger": "urban_floodinspection",
            "source_record": inspection.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert Hazard.objects.get(pk=pk).source_record == inspection
    for step, data in [
        (
            "notice",
            {
                "notice_number": "防汛整改API1",
                "notice_issued_on": "2022-06-01",
                "notice_deadline": "2022-06-08",
            },
        ),
        ("rectify", {"rectified_on": "2022-06-05", "rectification_evidence": "已补装井盖"}),
        ("verify", {"verified_on": "2022-06-06", "verified_by": "李明"}),
    ]:
        # The township the hazard lies in rectifies; the department notifies and accepts.
        client.force_login(township_of(inspection) if step == "rectify" else user("chengjian"))
        response = client.post(f"/hazards/api/{pk}/{step}/", data, content_type="application/json")
        assert response.status_code == 200, response.json()
    assert response.json()["status"] == HazardStatus.CLOSED
    assert Hazard.history.filter(id=pk).count() == 4


def test_api_reports_rule_violations_in_chinese(client, user):
    client.force_login(user("chengjian"))
    hazard = Hazard.objects.filter(line="flood", status=HazardStatus.FOUND).first()
    if hazard is None:
        hazard = Hazard.objects.filter(line="flood").first()
        Hazard.objects.filter(pk=hazard.pk).update(
            notice_number="",
            notice_issued_on=None,
            notice_deadline=None,
            rectified_on=None,
            verified_on=None,
            status=HazardStatus.FOUND,
        )
        hazard.refresh_from_db()
    response = client.post(
        f"/hazards/api/{hazard.pk}/notice/",
        {
            "notice_number": "X1",
            "notice_issued_on": hazard.found_on.isoformat(),
            "notice_deadline": hazard.found_on.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["notice_deadline"] == ["整改期限必须晚于隐患发现日期"]


def test_api_lists_overdue_hazards_by_line(client, admin_user):
    client.force_login(admin_user)
    body = client.get("/hazards/api/", {"line": "gas", "overdue": "1"}).json()
    assert body["count"] == Hazard.objects.filter(line="gas").overdue().count()
    assert all(row["overdue"] and row["line"] == "gas" for row in body["results"])


def test_api_refuses_a_step_on_another_line(client, user):
    client.force_login(user("ranqi"))
    hazard = Hazard.objects.filter(line="flood").first()
    assert (
        client.post(
            f"/hazards/api/{hazard.pk}/notice/", {}, content_type="application/json"
        ).status_code
        == 403
    )
