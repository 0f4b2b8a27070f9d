"""Personal data: masked on pages, history, API and exports for all but the record's
handlers; every unmasked view recorded; a masked value sent back changes nothing.

The petition ledger is the sample (its phone and ID number are declared personal)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhujian.core import personal
from zhujian.core.models import PersonalDataAccess
from zhujian.core.registry import Ledger, registry
from zhujian.domains.petitions.models import PetitionCase
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
LEDGER = registry.get("petitions_petitioncase")


def _case(**filters) -> PetitionCase:
    return (
        PetitionCase.objects.exclude(phone="")
        .exclude(id_number="")
        .filter(**filters)
        .order_by("pk")
        .first()
    )


def _office_case() -> PetitionCase:
    return _case(org_unit__name="信访办")


def _accesses(case: PetitionCase, **kw) -> PersonalDataAccess:
    return PersonalDataAccess.objects.filter(ledger=LEDGER.name, record_id=case.pk, **kw)


# --- masks ---------------------------------------------------------------------------------


def test_masks_keep_the_ends_of_the_number():
    assert personal.mask_phone("13812345678") == "138****5678"
    assert personal.mask_id_number("371312198001011234") == "3713**********1234"
    assert personal.mask_bank_card("6222 0212 3456 7890 123") == "6222***********0123"


def test_a_personal_field_may_not_be_searched():
    from zhujian.domains.petitions.models import PetitionCase as Model

    with pytest.raises(ValueError, match="search"):
        Ledger(
            model=Model,
            line="petition",
            list_display=["code"],
            natural_key=["code"],
            search=["phone"],
            personal=personal.PersonalData({"phone": personal.PHONE}),
        )


# --- pages ---------------------------------------------------------------------------------


def test_the_handler_sees_the_full_number_and_the_view_is_recorded(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    body = client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk])).content.decode()
    assert case.phone in body and case.id_number in body
    fields = set(_accesses(case, source="page").values_list("field", flat=True))
    assert fields == {"phone", "id_number"}
    assert _accesses(case).first().username == "xinfang"


def test_a_leader_sees_the_mask_and_nothing_is_recorded(client, user):
    case = _office_case()
    client.force_login(user("leader"))
    body = client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk])).content.decode()
    assert case.phone not in body and personal.mask_phone(case.phone) in body
    assert case.id_number not in body
    assert not _accesses(case).exists()


def test_another_department_sees_the_mask(client, user):
    case = _office_case()
    client.force_login(user("zhubao"))
    body = client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk])).content.decode()
    assert case.phone not in body


def test_the_township_handling_a_case_sees_it_in_full(client):
    from zhujian.core.models import User

    case = _case(org_unit__kind__in=["town", "township", "street"])
    handler = User.objects.get(role="township", org_unit=case.org_unit)
    client.force_login(handler)
    body = client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk])).content.decode()
    assert case.phone in body
    assert _accesses(case, username=handler.username).exists()


def test_the_edit_form_shows_the_full_number_and_is_recorded(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    body = client.get(reverse("web:ledger_update", args=[LEDGER.name, case.pk])).content.decode()
    assert f'value="{case.phone}"' in body
    assert _accesses(case, source="edit").count() == 2


def test_the_history_table_masks_personal_values(client, user):
    case = _office_case()
    old = case.phone
    case.phone = "13900001111"
    case.save()
    client.force_login(user("xinfang"))
    body = client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk])).content.decode()
    history = body[body.index('id="history"') :]
    assert old not in history and "13900001111" not in history
    assert personal.mask_phone(old) in history and "139****1111" in history


def test_the_list_page_never_shows_full_numbers(client, user):
    client.force_login(user("xinfang"))
    body = client.get(reverse("web:ledger_list", args=[LEDGER.name])).content.decode()
    case = _office_case()
    assert case.phone not in body


# --- API ---------------------------------------------------------------------------------------


def _api(case: PetitionCase | None = None) -> str:
    base = f"/api/ledgers/{LEDGER.name}/"
    return f"{base}{case.pk}/" if case else base


def test_api_reads_are_masked_by_default(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    data = client.get(_api(case)).json()
    assert data["phone"] == personal.mask_phone(case.phone)
    assert data["id_number"] == personal.mask_id_number(case.id_number)
    assert not _accesses(case).exists()


def test_api_unmask_by_a_handler_reveals_and_records(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    data = client.get(_api(case), {"unmask": "1"}).json()
    assert data["phone"] == case.phone
    assert set(_accesses(case, source="api").values_list("field", flat=True)) == {
        "phone",
        "id_number",
    }


def test_api_list_unmask_records_each_record_shown(client, user):
    client.force_login(user("xinfang"))
    page = client.get(_api(), {"unmask": "1", "page_size": 10}).json()["results"]
    shown = {row["id"] for row in page if row["phone"] and "*" not in row["phone"]}
    assert shown
    recorded = set(
        PersonalDataAccess.objects.filter(source="api", field="phone").values_list(
            "record_id", flat=True
        )
    )
    assert recorded == shown


def test_api_unmask_is_refused_to_a_reader(client, user):
    client.force_login(user("leader"))
    assert client.get(_api(_office_case()), {"unmask": "1"}).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_api_put_of_a_masked_value_keeps_the_stored_one(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    data = client.get(_api(case)).json()
    data.pop("id")
    response = client.put(_api(case), data, content_type="application/json")
    assert response.status_code == 200, response.json()
    stored = PetitionCase.objects.get(pk=case.pk)
    assert (stored.phone, stored.id_number) == (case.phone, case.id_number)


def test_api_refuses_a_masked_number_on_a_new_record(client, user):
    case = _office_case()
    client.force_login(user("xinfang"))
    data = client.get(_api(case)).json()
    data.pop("id")
    data["code"] = "API-MASKED"
    response = client.post(_api(), data, content_type="application/json")
    assert response.status_code == 400
    assert "phone" in response.json()


# --- exports and imports ------------------------------------------------------------------------


def _export(client, **params) -> list[tuple]:
    response = client.get(reverse("web:ledger_export", args=[LEDGER.name]), params)
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(wb["数据"].iter_rows(values_only=True))


def _phone_column(rows: list[tuple]) -> int:
    return list(rows[0]).index("联系电话")


def test_export_is_masked_by_default(client, user):
    client.force_login(user("xinfang"))
    rows = _export(client)
    col = _phone_column(rows)
    assert all(r[col] is None or "*" in r[col] for r in rows[1:])
    assert not PersonalDataAccess.objects.exists()


def test_export_unmasked_by_a_handler_is_recorded_per_record(client, user):
    client.force_login(user("xinfang"))
    rows = _export(client, unmask="1")
    col = _phone_column(rows)
    full = [r for r in rows[1:] if r[col] and "*" not in r[col]]
    assert len(full) == PetitionCase.objects.exclude(phone="").count()
    assert PersonalDataAccess.objects.filter(source="export", field="phone").count() == len(full)


def test_export_unmask_by_a_reader_stays_masked(client, user):
    client.force_login(user("leader"))
    rows = _export(client, unmask="1")
    col = _phone_column(rows)
    assert all(r[col] is None or "*" in r[col] for r in rows[1:])
    assert not PersonalDataAccess.objects.exists()


def test_a_masked_export_imported_back_changes_nothing(client, user, tmp_path):
    editor = user("xinfang")
    client.force_login(editor)
    response = client.get(reverse("web:ledger_export", args=[LEDGER.name]))
    path = tmp_path / "masked.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    before = dict(PetitionCase.objects.values_list("pk", "phone"))
    result = import_file(LEDGER, path, editor)
    assert result.ok, [str(e) for e in result.errors[:3]]
    assert result.updated == 0 and result.unchanged == len(before)
    assert dict(PetitionCase.objects.values_list("pk", "phone")) == before


def test_cli_export_unmasked_is_recorded(tmp_path):
    from django.core.management import call_command

    call_command(
        "export", LEDGER.name, "-o", str(tmp_path / "e.xlsx"), "--user", "xinfang", "--unmask"
    )
    assert PersonalDataAccess.objects.filter(source="cli").exists()


# --- the access record ----------------------------------------------------------------------------


def test_the_audit_administrator_reads_the_access_record_and_nobody_edits_it(client, user):
    from zhujian.core.models import Role, User

    case = _office_case()
    client.force_login(user("xinfang"))
    client.get(reverse("web:ledger_detail", args=[LEDGER.name, case.pk]))
    client.force_login(user("admin"))  # 三员分立: the system administrator reads no audit record
    assert client.get("/admin/core/personaldataaccess/").status_code == 403
    client.force_login(User.objects.get(username="shenji", role=Role.AUDITOR))
    listing = client.get("/admin/core/personaldataaccess/")
    assert listing.status_code == 200 and "xinfang" in listing.content.decode()
    assert client.get("/admin/core/personaldataaccess/add/").status_code == 403


def test_a_known_id_number_passes_its_check_digit():
    assert personal.id_number_problem("11010519491231002X") is None
    assert "校验位" in personal.id_number_problem("110105194912310021")
