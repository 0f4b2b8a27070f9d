"""A finished draw cannot be altered, and a published list cannot change, by any path:
the form, the API, an Excel import, the admin, or the model itself."""

from __future__ import annotations

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.core.helpers import api_data, form_data
from tests.domains.housing import helpers
from zhujian.core import versions
from zhujian.core.registry import registry
from zhujian.domains.housing.draw import service
from zhujian.domains.housing.models import (
    AllocationRound,
    DrawResult,
    PublicInput,
    RecordLocked,
    RoundHousehold,
)
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db
ROUNDS = registry.get("housing_allocationround")
HOUSEHOLDS = registry.get("housing_roundhousehold")


@pytest.fixture
def staff(user):
    return user("zhubao")


@pytest.fixture
def drawn(staff):
    return helpers.drawn_round(staff)


@pytest.fixture
def published(staff):
    return service.freeze(helpers.make_round(staff, "KAT-PUB"), staff)


def _unchanged(rnd: AllocationRound) -> None:
    fresh = AllocationRound.objects.get(pk=rnd.pk)
    assert (fresh.name, fresh.seed, fresh.status) == (rnd.name, rnd.seed, rnd.status)


def _set_cell(path, header: str, value, row: int = 2) -> None:
    wb = load_workbook(path)
    ws = wb["数据"]
    ws.cell(row=row, column=[c.value for c in ws[1]].index(header) + 1).value = value
    wb.save(path)


# --- the model itself -------------------------------------------------------------------


def test_saving_a_changed_drawn_round_is_refused(drawn):
    drawn.name = "改过的名称"
    with pytest.raises(RecordLocked, match="不能修改"):
        drawn.save()
    _unchanged(AllocationRound.objects.get(pk=drawn.pk))


def test_a_stale_copy_of_a_round_cannot_overwrite_the_draw(staff):
    rnd = helpers.make_round(staff)
    stale = AllocationRound.objects.get(pk=rnd.pk)  # loaded while still a draft
    service.freeze(rnd, staff)
    stale.name = "改过的名称"
    with pytest.raises(RecordLocked):
        stale.save()  # the stored status decides, not the copy's


def test_deleting_a_drawn_round_or_its_list_is_refused(drawn):
    with pytest.raises(RecordLocked):
        drawn.delete()
    with pytest.raises(RecordLocked):
        drawn.households.first().delete()
    assert AllocationRound.objects.filter(pk=drawn.pk).exists()


def test_results_and_inputs_cannot_change_or_go(drawn):
    result = DrawResult.objects.filter(round=drawn, unit__isnull=False).first()
    result.unit = None
    with pytest.raises(RecordLocked):
        result.save()
    with pytest.raises(RecordLocked):
        DrawResult.objects.get(pk=result.pk).delete()
    entry = PublicInput.objects.filter(round=drawn).first()
    entry.value = "9999"
    with pytest.raises(RecordLocked):
        entry.save()
    with pytest.raises(RecordLocked):
        PublicInput.objects.get(pk=entry.pk).delete()


def test_the_stored_published_list_cannot_be_rewritten(published):
    stored = published.published_list
    stored.document = stored.document.replace("王建国", "王建民")
    with pytest.raises(RecordLocked):
        stored.save()
    with pytest.raises(RecordLocked):
        stored.delete()


def test_a_published_list_takes_no_new_household(published):
    extra = RoundHousehold(round=published, seq=99, household_code="X-99", head_name="新增户")
    with pytest.raises(RecordLocked, match="公示冻结"):
        extra.save()


# --- forms --------------------------------------------------------------------------------


def test_the_form_refuses_to_change_a_drawn_round(client, staff, drawn):
    client.force_login(staff)
    data = form_data(ROUNDS, drawn) | {"name": "改过的名称"}
    data[versions.VERSION_FIELD] = versions.token(drawn)
    response = client.post(ROUNDS.url("update", pk=drawn.pk), data)
    assert response.status_code == 400
    assert "结果已公告，不能修改" in response.content.decode()
    _unchanged(drawn)


def test_the_form_refuses_a_household_for_a_published_list(client, staff, published):
    client.force_login(staff)
    sample = published.households.first()
    data = form_data(HOUSEHOLDS, sample) | {"seq": 99, "household_code": "X-99"}
    response = client.post(HOUSEHOLDS.url("create"), data)
    assert response.status_code == 400
    assert "公示冻结" in response.content.decode()
    assert not RoundHousehold.objects.filter(round=published, seq=99).exists()


def test_the_delete_page_refuses_a_drawn_round(client, staff, drawn):
    client.force_login(staff)
    response = client.post(ROUNDS.url("delete", pk=drawn.pk), follow=True)
    assert "不能删除" in response.content.decode()
    assert AllocationRound.objects.filter(pk=drawn.pk).exists()


# --- API ----------------------------------------------------------------------------------


def test_the_api_refuses_to_change_or_delete_a_drawn_round(client, staff, drawn):
    client.force_login(staff)
    url = f"/api/ledgers/{ROUNDS.name}/{drawn.pk}/"
    response = client.patch(url, {"name": "改过的名称"}, content_type="application/json")
    assert response.status_code == 400 and "不能修改" in str(response.json()["name"])
    response = client.put(url, api_data(ROUNDS, drawn) | {"venue": "别处"}, "application/json")
    assert response.status_code == 400
    assert client.delete(url).status_code == 403
    _unchanged(drawn)


def test_the_api_refuses_a_household_for_a_published_list(client, staff, published):
    client.force_login(staff)
    data = api_data(HOUSEHOLDS, published.households.first()) | {
        "seq": 99,
        "household_code": "X-99",
    }
    response = client.post(f"/api/ledgers/{HOUSEHOLDS.name}/", data, "application/json")
    assert response.status_code == 400 and "公示冻结" in str(response.json()["round"])


# --- Excel import -------------------------------------------------------------------------


def test_an_import_changing_a_drawn_round_names_the_row_and_column(tmp_path, staff, drawn):
    path = tmp_path / "rounds.xlsx"
    export_rows(ROUNDS, AllocationRound.objects.filter(pk=drawn.pk), path)
    _set_cell(path, "轮次名称", "改过的名称")
    history = AllocationRound.history.count()
    result = import_file(ROUNDS, path, staff)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "轮次名称")]
    assert "不能修改" in result.errors[0].reason
    assert AllocationRound.history.count() == history
    _unchanged(drawn)


def test_an_import_of_an_unchanged_drawn_round_changes_nothing(tmp_path, staff, drawn):
    path = tmp_path / "rounds.xlsx"
    export_rows(ROUNDS, AllocationRound.objects.filter(pk=drawn.pk), path)
    result = import_file(ROUNDS, path, staff)
    assert result.ok and result.unchanged == 1


def test_an_import_adding_a_household_to_a_published_list_is_refused(tmp_path, staff, published):
    path = tmp_path / "households.xlsx"
    export_rows(HOUSEHOLDS, published.households.filter(seq=1), path)
    _set_cell(path, "公示序号", 99)
    _set_cell(path, "户编号", "X-99")
    before = RoundHousehold.objects.count()
    result = import_file(HOUSEHOLDS, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "分房轮次")]
    assert RoundHousehold.objects.count() == before


def test_an_import_editing_a_published_household_is_refused(tmp_path, staff, published):
    path = tmp_path / "households.xlsx"
    export_rows(HOUSEHOLDS, published.households.filter(seq=1), path)
    _set_cell(path, "户主姓名", "改名")
    result = import_file(HOUSEHOLDS, path, staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "户主姓名")]
    assert published.households.get(seq=1).head_name == helpers.HOUSEHOLDS[0][0]


# --- admin --------------------------------------------------------------------------------


def test_the_admin_refuses_to_change_a_drawn_round(client, admin_user, drawn):
    client.force_login(admin_user)
    url = reverse("admin:housing_allocationround_change", args=[drawn.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "org_unit": drawn.org_unit_id,
        "code": drawn.code,
        "name": "改过的名称",
        "project": drawn.project_id,
        "scheduled_on": drawn.scheduled_on.isoformat(),
        "venue": drawn.venue,
        "supervisors": drawn.supervisors,
        "stage_change_reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "不能修改" in response.content.decode()
    _unchanged(drawn)


def test_the_admin_offers_no_delete_for_a_drawn_round(client, admin_user, drawn):
    client.force_login(admin_user)
    url = reverse("admin:housing_allocationround_delete", args=[drawn.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AllocationRound.objects.filter(pk=drawn.pk).exists()
    changelist = client.get(reverse("admin:housing_allocationround_changelist"))
    assert "delete_selected" not in changelist.content.decode()


# --- what may still change ----------------------------------------------------------------


def test_a_published_round_may_still_be_rescheduled(published):
    published.venue = "改在社区服务中心"
    published.full_clean()
    published.save()
    assert AllocationRound.objects.get(pk=published.pk).venue == "改在社区服务中心"
