"""Attendance is a lean ledger: pages, API and scope as usual, no history table."""

from __future__ import annotations

import pytest

from zhujian.core.models import has_history
from zhujian.core.registry import registry
from zhujian.domains.wages.models import Attendance, Worker

pytestmark = pytest.mark.django_db
LEDGER = registry.get("wages_attendance")


def test_attendance_has_no_history_but_workers_do():
    assert not has_history(Attendance) and has_history(Worker)


def test_the_record_page_says_why_there_is_no_history(client, user):
    row = Attendance.objects.order_by("pk").first()
    client.force_login(user("jianzhu"))
    body = client.get(LEDGER.url("detail", pk=row.pk)).content.decode()
    assert "不逐条保留修改记录" in body and row.worker.code in body


def test_attendance_files_under_its_workers_project(client, user):
    row = Attendance.objects.select_related("worker").order_by("pk").first()
    assert row.project_id == row.worker.project_id
    assert row.org_unit_id == row.worker.project.org_unit_id


def test_a_township_sees_only_its_own_attendance(client, town_a):
    client.force_login(town_a)
    data = client.get(f"/api/ledgers/{LEDGER.name}/").json()
    inside = Attendance.objects.filter(org_unit__path__startswith=town_a.org_unit.path)
    assert data["count"] == inside.count() < Attendance.objects.count()
