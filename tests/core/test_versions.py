"""No lost updates: ETag/If-Match on the API, a version field on forms and hazard steps,
checked with the row locked (audit item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhujian.core import versions
from zhujian.core.registry import registry
from zhujian.domains.party.models import PartyActivity
from zhujian.hazards.models import Hazard, HazardStatus
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db
LEDGER = registry.get("party_partyactivity")
API = "/api/ledgers/party_partyactivity/"


@pytest.fixture
def record() -> PartyActivity:
    return PartyActivity.objects.order_by("pk").first()


@pytest.fixture
def editor(user):
    return user("bangongshi")  # 办公室 edits the party line county-wide


def last_change(obj) -> str:
    row = obj.history.order_by("-history_id").first()
    return timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M:%S")


# --- API ---------------------------------------------------------------------------


def test_retrieve_has_an_etag_and_a_fresh_if_match_updates(client, editor, record):
    client.force_login(editor)
    response = client.get(f"{API}{record.pk}/")
    etag = response["ETag"]
    assert etag == f'"{versions.token(record)}"'
    response = client.patch(
        f"{API}{record.pk}/",
        {"topic": "新主题"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] not in ("", etag)
    assert response["ETag"] == f'"{versions.token(record)}"'
    record.refresh_from_db()
    assert record.topic == "新主题"


def test_stale_if_match_is_refused_with_412_and_changes_nothing(client, editor, admin_user, record):
    client.force_login(editor)
    stale = client.get(f"{API}{record.pk}/")["ETag"]
    client.force_login(admin_user)
    assert (
        client.patch(
            f"{API}{record.pk}/", {"topic": "管理员改过"}, content_type="application/json"
        ).status_code
        == 200
    )
    client.force_login(editor)
    response = client.patch(
        f"{API}{record.pk}/",
        {"topic": "办公室改的"},
        content_type="application/json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    detail = response.json()["detail"]
    assert str(admin_user) in detail and "主题" in detail and last_change(record) in detail
    assert "If-Match" in detail and "本次没有保存" in detail
    record.refresh_from_db()
    assert record.topic == "管理员改过"
    put = client.put(
        f"{API}{record.pk}/",
        {"topic": "办公室改的"},
        content_type="application/json",
        HTTP_IF_MATCH=stale,
    )
    assert put.status_code == 412
    assert client.delete(f"{API}{record.pk}/", HTTP_IF_MATCH=stale).status_code == 412
    assert PartyActivity.objects.filter(pk=record.pk, topic="管理员改过").exists()
    fresh = client.get(f"{API}{record.pk}/")["ETag"]
    assert client.delete(f"{API}{record.pk}/", HTTP_IF_MATCH=fresh).status_code == 204


def test_if_match_star_weak_tags_and_lists_are_understood(client, editor, record):
    client.force_login(editor)
    tag = client.get(f"{API}{record.pk}/")["ETag"]
    for header in ("*", "W/{}", '"0-0", {}'):
        response = client.patch(
            f"{API}{record.pk}/",
            {},
            content_type="application/json",
            HTTP_IF_MATCH=header.format(tag),
        )
        assert response.status_code == 200, header
        tag = response["ETag"]


def test_the_version_changes_when_an_import_changes_the_record(tmp_path, editor, record):
    before = versions.token(record)
    path = tmp_path / "export.xlsx"
    export_rows(LEDGER, PartyActivity.objects.filter(pk=record.pk), path)
    wb = load_workbook(path)
    ws = wb["数据"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("备注") + 1, value="导入改的备注")
    wb.save(path)
    result = import_file(LEDGER, path, editor)
    assert result.ok and result.updated == 1
    assert versions.token(record) != before


def test_openapi_documents_if_match_etag_and_412(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/").content.decode()
    assert "If-Match" in schema and "ETag" in schema and "'412':" in schema


# --- forms ---------------------------------------------------------------------------


def edit(client, record, ledger: str = LEDGER.name, **changes):
    """Open the edit page and return (url, the form data it would post)."""
    url = reverse("web:ledger_update", args=[ledger, record.pk])
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or name in ("photo", "evidence_file"):
            continue
        data[name] = "on" if value is True else ("" if value is False else value)
    return url, {**data, **changes}


def test_edit_form_carries_the_version(client, editor, record):
    client.force_login(editor)
    body = client.get(reverse("web:ledger_update", args=[LEDGER.name, record.pk])).content
    assert f'name="_version" value="{versions.token(record)}"'.encode() in body


def test_stale_form_is_refused_naming_who_changed_what_and_when(client, editor, admin_user, record):
    client.force_login(editor)
    url, mine = edit(client, record, topic="办公室改的")
    client.force_login(admin_user)
    _, theirs = edit(client, record, topic="管理员改过")
    assert client.post(url, theirs).status_code == 302

    client.force_login(editor)
    response = client.post(url, mine)
    assert response.status_code == 409
    page = response.content.decode()
    assert "本次没有保存" in page and str(admin_user) in page and "“主题”" in page
    assert last_change(record) in page
    assert 'value="办公室改的"' in page  # what the user typed is kept
    record.refresh_from_db()
    assert record.topic == "管理员改过"
    # the re-rendered form carries the current version: saving again is a decision
    assert f'name="_version" value="{versions.token(record)}"' in page
    again = {**mine, versions.VERSION_FIELD: versions.token(record)}
    assert client.post(url, again).status_code == 302
    record.refresh_from_db()
    assert record.topic == "办公室改的"


def test_form_without_a_version_is_refused(client, editor, record):
    client.force_login(editor)
    url, data = edit(client, record, topic="没有版本")
    del data[versions.VERSION_FIELD]
    response = client.post(url, data)
    assert response.status_code == 409
    assert "页面可能已过期" in response.content.decode()
    record.refresh_from_db()
    assert record.topic != "没有版本"


def test_saves_lock_the_row(client, editor, record):
    qs = versions.locked(PartyActivity.objects.all())
    assert qs.query.select_for_update and qs.query.select_for_update_of == ("self",)
    client.force_login(editor)
    url, data = edit(client, record, topic="加锁")
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    if connection.features.has_select_for_update:  # PostgreSQL: the row, not its org unit
        assert any("FOR UPDATE OF" in q["sql"] for q in queries.captured_queries)


# --- hazard loop ---------------------------------------------------------------------


def found_gas_hazard() -> Hazard:
    """A newly found gas hazard, registered as the loop's register form does."""
    unit = Hazard.objects.filter(line="gas").order_by("pk").first().org_unit
    return Hazard.objects.create(
        line="gas",
        org_unit=unit,
        source="并发测试",
        category="equipment",
        description="调压箱锈蚀",
        found_on=dt.date(2022, 5, 10),
    )


def notice_for(hazard: Hazard) -> dict[str, str]:
    return {
        "notice_number": "燃整改并发1",
        "notice_issued_on": (hazard.found_on + dt.timedelta(days=1)).isoformat(),
        "notice_deadline": (hazard.found_on + dt.timedelta(days=15)).isoformat(),
    }


def test_hazard_step_form_carries_the_version(client, user):
    hazard = found_gas_hazard()
    client.force_login(user("ranqi"))
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert f'name="_version" value="{versions.token(hazard)}"' in page


def test_stale_hazard_step_is_refused(client, user, admin_user):
    hazard = found_gas_hazard()
    opened_at = versions.token(hazard)  # ranqi opens the hazard's page
    client.force_login(admin_user)
    url, data = edit(client, hazard, "hazards_hazard", description="管理员补充了隐患描述")
    assert client.post(url, data).status_code == 302

    client.force_login(user("ranqi"))
    response = client.post(
        reverse("hazards:step", args=[hazard.pk, "notice"]),
        {**notice_for(hazard), versions.VERSION_FIELD: opened_at},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "本次没有保存" in page and "“隐患描述”" in page and str(admin_user) in page
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.FOUND and not hazard.notice_number


def test_hazard_step_api_honours_if_match(client, user):
    client.force_login(user("ranqi"))
    hazard = found_gas_hazard()
    stale = f'"{versions.token(hazard)}"'
    Hazard.objects.get(pk=hazard.pk).save()  # someone saved it meanwhile
    url = reverse("hazards:api_step", args=[hazard.pk, "notice"])
    notice = notice_for(hazard)
    response = client.post(url, notice, content_type="application/json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert "本次没有保存" in response.json()["detail"]
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.FOUND
    fresh = client.get(f"/api/ledgers/hazards_hazard/{hazard.pk}/")["ETag"]
    response = client.post(url, notice, content_type="application/json", HTTP_IF_MATCH=fresh)
    assert response.status_code == 200, response.json()
    assert response["ETag"] == f'"{versions.token(hazard)}"'
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.NOTIFIED
