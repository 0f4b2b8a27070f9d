"""ID numbers, phones and bank cards of workers: masked on pages, API and Excel exports
for everyone but their handlers, and every unmasked view recorded."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhujian.core import personal
from zhujian.core.models import PersonalDataAccess
from zhujian.core.registry import registry
from zhujian.domains.wages.models import WagePayment, Worker

pytestmark = pytest.mark.django_db
WORKERS = registry.get("wages_worker")
PAYMENTS = registry.get("wages_wagepayment")


def _worker() -> Worker:
    return Worker.objects.exclude(bank_card="").exclude(phone="").order_by("pk").first()


def _accesses(obj, ledger=WORKERS, **kw):
    return PersonalDataAccess.objects.filter(ledger=ledger.name, record_id=obj.pk, **kw)


def _export(client, ledger, **params) -> list[list]:
    response = client.get(reverse("web:ledger_export", args=[ledger.name]), params)
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)))["数据"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_list_page_masks_id_numbers_and_cards_even_for_handlers(client, user):
    worker = _worker()
    client.force_login(user("jianzhu"))  # edits the wage line county-wide
    body = client.get(WORKERS.url("list"), {"q": worker.code}).content.decode()
    assert worker.code in body
    assert worker.id_number not in body and worker.bank_card not in body
    assert personal.mask_id_number(worker.id_number) in body


def test_the_record_page_reveals_to_the_handler_and_records_it(client, user):
    worker = _worker()
    client.force_login(user("jianzhu"))
    body = client.get(WORKERS.url("detail", pk=worker.pk)).content.decode()
    assert worker.id_number in body and worker.bank_card in body and worker.phone in body
    seen = set(_accesses(worker, source="page").values_list("field", flat=True))
    assert seen == {"id_number", "phone", "bank_card"}


@pytest.mark.parametrize("login", ["leader", "zhijian", "town01"])
def test_others_see_the_record_page_masked_and_nothing_is_recorded(client, user, login):
    worker = (
        Worker.objects.filter(org_unit__path__startswith=user("town01").org_unit.path)
        .exclude(bank_card="")
        .first()
        or _worker()
    )
    client.force_login(user(login))
    response = client.get(WORKERS.url("detail", pk=worker.pk))
    if response.status_code == 404:  # outside a township user's scope: not even masked
        assert login == "town01"
        return
    body = response.content.decode()
    assert worker.id_number not in body and worker.bank_card not in body
    assert personal.mask_bank_card(worker.bank_card) in body
    assert not _accesses(worker).exists()


def test_the_api_masks_and_unmasks_only_on_request_for_handlers(client, user):
    worker = _worker()
    url = f"/api/ledgers/{WORKERS.name}/{worker.pk}/"
    client.force_login(user("leader"))
    data = client.get(url).json()
    assert data["id_number"] == personal.mask_id_number(worker.id_number)
    assert data["bank_card"] == personal.mask_bank_card(worker.bank_card)
    assert client.get(f"/api/ledgers/{WORKERS.name}/?unmask=1").status_code == 403
    client.force_login(user("jianzhu"))
    assert client.get(url).json()["id_number"] != worker.id_number  # masked by default
    data = client.get(url, {"unmask": "1"}).json()
    assert (data["id_number"], data["bank_card"]) == (worker.id_number, worker.bank_card)
    assert _accesses(worker, source="api", field="id_number").exists()


def test_the_excel_export_is_masked_unless_the_user_has_the_right(client, user):
    worker = _worker()
    header_of = {str(WORKERS.field(n).verbose_name): n for n in WORKERS.excel_fields}
    client.force_login(user("leader"))
    rows = _export(client, WORKERS, q=worker.code, unmask="1")  # no right: still masked
    cells = dict(zip([header_of.get(h) for h in rows[0]], rows[1], strict=True))
    assert cells["id_number"] == personal.mask_id_number(worker.id_number)
    assert cells["bank_card"] == personal.mask_bank_card(worker.bank_card)
    assert not _accesses(worker).exists()
    client.force_login(user("jianzhu"))
    rows = _export(client, WORKERS, q=worker.code)
    assert worker.id_number not in rows[1]
    rows = _export(client, WORKERS, q=worker.code, unmask="1")
    assert worker.id_number in rows[1] and worker.bank_card in rows[1]
    assert _accesses(worker, source="export").count() == 3


def test_the_payee_card_of_a_bank_payment_is_masked(client, user):
    payment = WagePayment.objects.order_by("pk").first()
    client.force_login(user("leader"))
    body = client.get(PAYMENTS.url("list")).content.decode()
    assert payment.payee_card not in body
    data = client.get(f"/api/ledgers/{PAYMENTS.name}/{payment.pk}/").json()
    assert data["payee_card"] == personal.mask_bank_card(payment.payee_card)


def test_a_masked_card_typed_into_the_form_is_refused():
    with pytest.raises(Exception, match="脱敏"):
        personal.validate_bank_card("6222***********0123")
