"""An inspection's page lists the hazards it found and links to register another."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def linked_hazard() -> Hazard:
    return (
        Hazard.objects.filter(line="gas", source_id__isnull=False)
        .select_related("source_type")
        .first()
    )


def test_inspection_page_lists_its_hazards(client, user):
    hazard = linked_hazard()
    client.force_login(user("ranqi"))
    model = hazard.source_type.model_class()
    page = client.get(
        reverse("web:ledger_detail", args=[f"urban_{model._meta.model_name}", hazard.source_id])
    )
    body = page.content.decode()
    assert "本次检查发现的隐患" in body and hazard.code in body
    assert "登记隐患" in body


def test_readers_see_the_hazards_without_the_register_link(client, user):
    hazard = linked_hazard()
    client.force_login(user("leader"))
    model = hazard.source_type.model_class()
    body = client.get(
        reverse("web:ledger_detail", args=[f"urban_{model._meta.model_name}", hazard.source_id])
    ).content.decode()
    assert hazard.code in body and "登记隐患" not in body


def test_pages_of_other_ledgers_have_no_hazard_panel(client, user):
    client.force_login(user("admin"))
    from zhujian.domains.party.models import PartyActivity

    obj = PartyActivity.objects.first()
    body = client.get(
        reverse("web:ledger_detail", args=["party_partyactivity", obj.pk])
    ).content.decode()
    assert "本次检查发现的隐患" not in body
    assert ContentType.objects.get_for_model(
        PartyActivity
    )  # the panel is per inspecting ledger only
