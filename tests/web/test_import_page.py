"""Excel import through the web page: progress page, refusal with an error report."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhujian.core.models import ImportJob
from zhujian.core.registry import registry
from zhujian.domains.party.models import PartyActivity
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db


def exported_file(bad: bool = False) -> BytesIO:
    ledger = registry.get("party_partyactivity")
    buffer = BytesIO()
    export_rows(ledger, PartyActivity.objects.order_by("pk")[:5], buffer)
    if bad:
        wb = load_workbook(BytesIO(buffer.getvalue()))
        wb["数据"]["F3"] = "很多人"
        buffer = BytesIO()
        wb.save(buffer)
    buffer.seek(0)
    buffer.name = "活动.xlsx"
    return buffer


def test_good_file_imports_and_reports_counts(client, user):
    client.force_login(user("bangongshi"))
    response = client.post(
        reverse("web:ledger_import", args=["party_partyactivity"]), {"file": exported_file()}
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("created_at")
    assert job.status == ImportJob.Status.DONE
    page = client.get(response["Location"]).content.decode()
    assert "导入完成" in page and "未变化 5" in page


def test_bad_file_is_refused_with_a_downloadable_error_report(client, user):
    client.force_login(user("bangongshi"))
    response = client.post(
        reverse("web:ledger_import", args=["party_partyactivity"]),
        {"file": exported_file(bad=True)},
    )
    job = ImportJob.objects.latest("created_at")
    assert job.status == ImportJob.Status.REFUSED
    page = client.get(response["Location"]).content.decode()
    assert "参加人数" in page and "应为整数" in page
    report = client.get(reverse("web:import_errors", args=[job.pk]))
    sheet = load_workbook(BytesIO(b"".join(report.streaming_content)))["错误清单"]
    assert [c.value for c in sheet[2]] == ["数据", 3, "参加人数", "很多人", "应为整数"]


def test_progress_partial_for_htmx(client, user):
    client.force_login(user("bangongshi"))
    client.post(
        reverse("web:ledger_import", args=["party_partyactivity"]), {"file": exported_file()}
    )
    job = ImportJob.objects.latest("created_at")
    partial = client.get(
        reverse("web:import_job", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<div id="job-progress"') and "hx-trigger" not in partial


def test_other_users_cannot_see_an_import_job(client, user):
    client.force_login(user("bangongshi"))
    client.post(
        reverse("web:ledger_import", args=["party_partyactivity"]), {"file": exported_file()}
    )
    job = ImportJob.objects.latest("created_at")
    client.force_login(user("town01"))
    assert client.get(reverse("web:import_job", args=[job.pk])).status_code == 404


def test_non_xlsx_upload_is_refused_with_a_message(client, user):
    client.force_login(user("bangongshi"))
    upload = BytesIO(b"a,b\n1,2\n")
    upload.name = "data.txt"
    response = client.post(
        reverse("web:ledger_import", args=["party_partyactivity"]), {"file": upload}, follow=True
    )
    assert "请选择一个 .xlsx 或 .csv 文件" in response.content.decode()
