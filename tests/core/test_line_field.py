"""A ledger shared by lines (the hazard loop): the record's line decides who may change it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.core.helpers import form_data
from zhujian.core import scope
from zhujian.core.registry import registry
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db
LEDGER = registry.get("hazards_hazard")


def test_gas_staff_change_gas_hazards_only(user):
    ranqi = user("ranqi")
    changeable = scope.restrict(Hazard.objects.all(), ranqi, "change")
    assert changeable.exists()
    assert set(changeable.values_list("line", flat=True)) == {"gas"}
    assert scope.restrict(Hazard.objects.all(), ranqi, "view").count() == Hazard.objects.count()


def test_gas_staff_use_the_generic_pages_for_their_line(client, user):
    ranqi = user("ranqi")
    client.force_login(ranqi)
    gas = Hazard.objects.filter(line="gas").first()
    flood = Hazard.objects.filter(line="flood").first()
    assert client.get(reverse("web:ledger_update", args=[LEDGER.name, gas.pk])).status_code == 200
    assert client.get(reverse("web:ledger_update", args=[LEDGER.name, flood.pk])).status_code == 404
    form = client.get(reverse("web:ledger_create", args=[LEDGER.name])).context["form"]
    assert [c for c, _ in form.fields["line"].choices if c] == ["gas"]


def test_a_form_cannot_file_a_hazard_under_another_line(client, user):
    client.force_login(user("ranqi"))
    sample = Hazard.objects.filter(line="gas").first()
    data = form_data(LEDGER, sample) | {"line": "flood", "code": "TEST-FLOOD-1"}
    response = client.post(reverse("web:ledger_create", args=[LEDGER.name]), data)
    assert response.status_code == 400
    assert not Hazard.objects.filter(code="TEST-FLOOD-1").exists()


def test_api_follows_the_record_line(client, user):
    client.force_login(user("ranqi"))
    flood = Hazard.objects.filter(line="flood").first()
    assert (
        client.patch(
            f"/api/ledgers/{LEDGER.name}/{flood.pk}/", {}, content_type="application/json"
        ).status_code
        == 404
    )
    gas = Hazard.objects.filter(line="gas").first()
    assert (
        client.patch(
            f"/api/ledgers/{LEDGER.name}/{gas.pk}/", {}, content_type="application/json"
        ).status_code
        == 200
    )


def test_leader_still_changes_nothing(client, user):
    client.force_login(user("leader"))
    assert client.get(reverse("web:ledger_create", args=[LEDGER.name])).status_code == 403
