"""The 上报中心's pages: scope, filters, retry, export, the record's panel."""

from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from zhujian.core.models import Role, User
from zhujian.domains.wages.exchange import TARGET
from zhujian.domains.wages.models import Worker
from zhujian.exchange.models import Outbox, Upload

pytestmark = pytest.mark.django_db


def _upload(worker: Worker, state: str, reason: str = "") -> Upload:
    upload = Upload.objects.create(
        target=TARGET,
        kind="ProjectWorker",
        content_type=ContentType.objects.get_for_model(Worker),
        object_id=worker.pk,
        org_unit=worker.org_unit,
        line="wages",
        label=str(worker),
        state=state,
        reason=reason,
        version=1,
        digest="x",
    )
    Outbox.objects.create(
        upload=upload,
        target=TARGET,
        kind="ProjectWorker",
        order=40,
        version=1,
        action="add",
        digest="x",
        state="failed" if state == "failed" else "done",
        reason=reason,
    )
    return upload


@pytest.fixture
def two_townships(db):
    workers = list(Worker.objects.select_related("org_unit").order_by("pk"))
    first = workers[0]
    town = first.org_unit.township()
    other = next(w for w in workers if w.org_unit.township() != town)
    return (
        _upload(first, "failed", "平台处理失败：[workerName] 格式不正确"),
        _upload(other, "failed", "平台处理失败：[idCardNumber] 解密失败"),
        town,
    )


def test_a_township_user_sees_and_retries_only_its_own(two_townships, client) -> None:
    mine, theirs, town = two_townships
    user = User.objects.filter(role=Role.TOWNSHIP, org_unit=town).first()
    client.force_login(user)
    page = client.get("/exchange/?state=failed").content.decode()
    assert mine.label in page and theirs.label not in page
    assert client.get(f"/exchange/{theirs.pk}/").status_code == 404
    assert client.post(f"/exchange/{theirs.pk}/retry").status_code == 404
    other_town = theirs.org_unit.township()
    assert client.get(f"/exchange/?unit={other_town.code}").status_code == 404
    book = load_workbook(io.BytesIO(client.get("/exchange/export.xlsx").content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert mine.label in cells and theirs.label not in cells
    assert "失败" in cells and "failed" not in cells  # Chinese labels, not codes
    assert client.post("/exchange/send/workers_platform").status_code == 403


def test_retry_queues_the_failed_version_again(two_townships, client) -> None:
    mine, _theirs, _town = two_townships
    dept = next(u for u in User.objects.filter(role=Role.DEPARTMENT) if "wages" in u.business_lines)
    client.force_login(dept)
    detail = client.get(f"/exchange/{mine.pk}/").content.decode()
    assert "格式不正确" in detail and "重新上报" in detail
    assert client.post(f"/exchange/{mine.pk}/retry").status_code == 302
    mine.refresh_from_db()
    assert mine.state == Upload.State.PENDING and mine.reason == ""
    row = mine.outbox.get()
    assert row.state == Outbox.State.QUEUED and row.attempts == 0
    leader = User.objects.filter(role=Role.LEADER).first()
    client.force_login(leader)
    theirs = Upload.objects.filter(state="failed").first()
    assert client.post(f"/exchange/{theirs.pk}/retry").status_code == 403


def test_the_records_page_shows_its_upload_state(two_townships, client) -> None:
    mine, _theirs, _town = two_townships
    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/ledgers/wages_worker/{mine.object_id}/").content.decode()
    assert "上报平台" in page and "全国建筑工人管理服务信息平台" in page
    assert "格式不正确" in page
