"""A township user sees and changes only its township: pages, API, exports, imports."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook

from tests.core.helpers import form_data, records_inside, records_outside
from zhujian.core import scope
from zhujian.core.lines import LINES
from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db
LEDGERS = list(registry)
IDS = [lg.name for lg in LEDGERS]
TOWNSHIP_LINES = {line.code for line in LINES if line.township_reports}


@pytest.mark.parametrize("ledger", LEDGERS, ids=IDS)
def test_restrict_keeps_only_the_township(town_a, ledger):
    visible = scope.restrict(ledger.model._default_manager.all(), town_a)
    assert visible.count() == records_inside(ledger, town_a.org_unit).count()


@pytest.mark.parametrize("ledger", LEDGERS, ids=IDS)
def test_pages_and_api_answer_404_outside_the_township(client, town_a, ledger):
    outside = records_outside(ledger, town_a.org_unit).first()
    if outside is None:
        pytest.fail(f"{ledger.name}: demo data has no record outside {town_a.org_unit}")
    client.force_login(town_a)
    assert (
        client.get(reverse("web:ledger_detail", args=[ledger.name, outside.pk])).status_code == 404
    )
    assert client.get(f"/api/ledgers/{ledger.name}/{outside.pk}/").status_code == 404
    listed = client.get(f"/api/ledgers/{ledger.name}/", {"page_size": 1000}).json()
    assert listed["count"] == records_inside(ledger, town_a.org_unit).count()
    if ledger.line in TOWNSHIP_LINES:
        assert (
            client.get(reverse("web:ledger_update", args=[ledger.name, outside.pk])).status_code
            == 404
        )
        assert client.delete(f"/api/ledgers/{ledger.name}/{outside.pk}/").status_code == 404
        assert ledger.model._default_manager.filter(pk=outside.pk).exists()


@pytest.mark.parametrize("ledger", LEDGERS, ids=IDS)
def test_export_contains_only_the_township(client, town_a, ledger):
    client.force_login(town_a)
    response = client.get(reverse("web:ledger_export", args=[ledger.name]))
    assert response.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb["数据"].iter_rows(values_only=True))
    assert len(rows) - 1 == records_inside(ledger, town_a.org_unit).count()


def test_township_user_cannot_edit_bureau_lines(client, town_a):
    client.force_login(town_a)
    for ledger in LEDGERS:
        if ledger.line_field:  # a shared ledger: the record's line decides (test_line_field)
            form = client.get(reverse("web:ledger_create", args=[ledger.name])).context["form"]
            assert {c for c, _ in form.fields[ledger.line_field].choices if c} <= TOWNSHIP_LINES
        elif ledger.line not in TOWNSHIP_LINES:
            assert client.get(reverse("web:ledger_create", args=[ledger.name])).status_code == 403
            assert client.post(f"/api/ledgers/{ledger.name}/", {}).status_code == 403


def test_leader_reads_everything_and_changes_nothing(client, user):
    leader = user("leader")
    client.force_login(leader)
    for ledger in LEDGERS:
        listed = client.get(f"/api/ledgers/{ledger.name}/").json()
        assert listed["count"] == ledger.model._default_manager.count()
        assert client.get(reverse("web:ledger_create", args=[ledger.name])).status_code == 403


TOWNSHIP_LEDGERS = [lg for lg in LEDGERS if lg.line in TOWNSHIP_LINES and lg.parent is None]


@pytest.mark.parametrize("ledger", TOWNSHIP_LEDGERS, ids=[lg.name for lg in TOWNSHIP_LEDGERS])
def test_township_form_refuses_another_township(client, town_a, town_b, ledger):
    sample = (
        records_inside(ledger, town_b.org_unit).first() or ledger.model._default_manager.first()
    )
    data = form_data(ledger, sample)
    data["org_unit"] = town_b.org_unit.pk
    before = ledger.model._default_manager.count()
    client.force_login(town_a)
    response = client.post(reverse("web:ledger_create", args=[ledger.name]), data)
    assert response.status_code == 400
    assert ledger.model._default_manager.count() == before


@pytest.mark.parametrize("ledger", TOWNSHIP_LEDGERS, ids=[lg.name for lg in TOWNSHIP_LEDGERS])
def test_township_import_refuses_rows_of_another_township(tmp_path, town_a, ledger):
    path = tmp_path / "other.xlsx"
    export_rows(ledger, records_outside(ledger, town_a.org_unit).order_by("pk")[:3], path)
    before = ledger.model._default_manager.count()
    result = import_file(ledger, path, town_a)
    assert not result.ok
    assert any("管辖范围" in e.reason for e in result.errors)
    assert ledger.model._default_manager.count() == before


def test_import_writes_nothing_when_one_cell_is_bad(tmp_path, admin_user):
    ledger = registry.get("party_partyactivity")
    columns = build_columns(ledger)
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append([c.header for c in columns])
    good = {
        "org_unit": "371399900001",
        "held_on": "2022-05-04",
        "kind": "集中上党课",
        "topic": "导入测试党课",
        "participants": 20,
    }
    bad = dict(
        good, topic="导入测试党课二", held_on="2022-13-40", kind="不存在的类型", participants="很多"
    )
    for row in (good, bad):
        ws.append([row.get(c.field_name, "") for c in columns])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    before = ledger.model._default_manager.count()
    result = import_file(ledger, path, admin_user)
    assert ledger.model._default_manager.count() == before
    bad_cells = {(e.row, e.column) for e in result.errors}
    assert bad_cells == {(3, "活动日期"), (3, "活动类型"), (3, "参加人数")}
    assert all(e.sheet == "数据" for e in result.errors)
