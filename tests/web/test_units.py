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


def test_the_clerk_types_the_full_id_number_and_the_system_masks_it(client, user) -> None:
    from zhujian.core import personal

    ledger = registry.get("rural_toilethousehold")
    field = ledger.field("id_number")
    assert personal.masked_on_entry(field)
    record = ledger.model.objects.select_related("org_unit").first()
    login(client, user("admin"))
    page = client.get(f"{ledger.url_list}new/").content.decode()
    assert "3713**********1234" not in page  # the form no longer asks for a mask
    assert personal.MASKED_ON_ENTRY_HELP in page
    full = "371312198001011234"
    full = full[:17] + personal.id_check_digit(full[:17])
    data = {
        "org_unit": record.org_unit.code,
        "household_code": record.org_unit.code + "9999",
        "head_name": "测试户",
        "id_number": full,
        "surveyed_on": "2022-05-06",
        "toilet_type": record.toilet_type,
        "problem_count": "0",
        "_next": "1",
    }
    for name in ledger.form_fields:
        if name not in data and getattr(record, name, None) not in (None, ""):
            value = getattr(record, name)
            data[name] = value.pk if hasattr(value, "pk") else value
    response = client.post(f"{ledger.url_list}new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ledger.model.objects.get(household_code=data["household_code"])
    assert saved.id_number == personal.mask_id_number(full)
    # 保存并新增下一条: the next form keeps the unit and the date
    assert response["Location"].startswith(f"{ledger.url_list}new/?")
    assert f"org_unit={record.org_unit.code}" in response["Location"]
    assert "surveyed_on=2022-05-06" in response["Location"]
    nxt = client.get(response["Location"]).content.decode()
    assert f'value="{record.org_unit.code}"' in nxt
    assert "请填写下一条" in nxt


def test_a_wrong_full_id_number_is_refused_with_the_reason() -> None:
    from django.core.exceptions import ValidationError

    from zhujian.core import personal

    with pytest.raises(ValidationError, match="校验位"):
        personal.mask_on_entry(
            "371312198001011230"
            if personal.id_check_digit("37131219800101123") != "0"
            else "371312198001011231"
        )
    assert personal.mask_on_entry("3713**********1234") == "3713**********1234"
    assert personal.mask_on_entry("") == ""
