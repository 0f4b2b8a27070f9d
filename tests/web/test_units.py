"""The org-unit cascader's endpoint, the unit filter that takes a typed village name, the
乡镇 column of lists, and the ledger form's unit chosen by code or name (issue 23)."""

from __future__ import annotations

import pytest

from tests.conftest import login
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.core.units import MAX_FOUND

pytestmark = pytest.mark.django_db


def _township(user) -> OrgUnit:
    return OrgUnit.objects.townships().exclude(pk=user.org_unit_id).first()


def test_the_endpoint_lists_townships_then_their_villages(client, user) -> None:
    login(client, user("leader"))
    first = client.get("/units/options.json").json()["units"]
    town = next(u for u in first if u["villages"])
    villages = client.get("/units/options.json", {"parent": town["code"]}).json()["units"]
    unit = OrgUnit.objects.get(code=town["code"])
    assert [v["code"] for v in villages] == list(
        unit.children.villages().order_by("sort", "path").values_list("code", flat=True)
    )


def test_a_township_user_sees_only_its_own_township(client, user) -> None:
    town_user = user("town01")
    login(client, town_user)
    first = client.get("/units/options.json").json()["units"]
    assert [u["code"] for u in first] == [town_user.org_unit.code]
    other = _township(town_user)
    assert client.get("/units/options.json", {"parent": other.code}).json()["units"] == []
    village = other.children.villages().first()
    found = client.get("/units/options.json", {"q": village.name}).json()["units"]
    assert village.code not in [u["code"] for u in found]


def test_search_finds_a_village_by_name_and_is_bounded(client, user) -> None:
    login(client, user("leader"))
    village = OrgUnit.objects.villages().select_related("parent").first()
    found = client.get("/units/options.json", {"q": village.name}).json()["units"]
    assert found[0]["code"] == village.code
    assert found[0]["township"]["name"] == village.parent.name
    assert len(client.get("/units/options.json", {"q": "村"}).json()["units"]) <= MAX_FOUND
    assert client.get("/units/options.json", {"q": "x" * 5000}).status_code == 200
    assert client.get("/units/options.json", {"parent": "abc"}).status_code == 400


def test_the_unit_filter_takes_a_typed_village_name(client, user) -> None:
    ledger = next(lg for lg in registry if lg.line == "toilet" and lg.model.objects.exists())
    record = ledger.model.objects.select_related("org_unit").first()
    login(client, user("leader"))
    response = client.get(ledger.url_list, {"unit": record.org_unit.name})
    assert response.status_code == 200
    shown = response.context["total"]
    expected = ledger.model.objects.filter(org_unit__name=record.org_unit.name).count()
    assert shown >= expected > 0
    html = response.content.decode()
    assert "乡镇（街道）" in html  # the 乡镇 column
    assert 'class="unit-cascader"' in html


def test_the_ledger_form_offers_a_cascader_not_every_unit(client, user) -> None:
    ledger = next(lg for lg in registry if lg.line == "toilet" and "org_unit" in lg.form_fields)
    login(client, user("admin"))
    html = client.get(f"{ledger.url_list}new/").content.decode()
    assert 'class="unit-cascader"' in html
    assert html.count("<option") < 100
