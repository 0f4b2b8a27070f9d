"""Overdue and due-soon lists of ledgers with deadlines, per handling unit and on the
dashboard; a township sees its own records only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhujian.domains.petitions.models import DEADLINES, PetitionCase
from zhujian.web import deadline_views

pytestmark = pytest.mark.django_db
LEDGER = "petitions_petitioncase"
END_2022 = dt.date(2022, 12, 31)


def _url(state: str, as_of: dt.date = END_2022, **extra: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"state": state, "as_of": as_of, **extra}.items())
    return f"{reverse('web:deadlines', args=[LEDGER])}?{query}"


def test_overdue_list_shows_every_overdue_case(client, user):
    client.force_login(user("leader"))
    response = client.get(_url("overdue"))
    assert response.status_code == 200
    expected = PetitionCase.objects.filter(DEADLINES.overdue_q(END_2022))
    assert response.context["total"] == expected.count() > 0
    listed = {item.object.pk for item in response.context["page"]}
    assert listed == set(expected.values_list("pk", flat=True))


def test_due_soon_list_excludes_the_overdue(client, user):
    client.force_login(user("leader"))
    response = client.get(_url("soon"))
    listed = {item.object.pk for item in response.context["page"]}
    soon = set(
        PetitionCase.objects.filter(DEADLINES.due_soon_q(END_2022)).values_list("pk", flat=True)
    )
    assert listed == soon
    assert not listed & set(
        PetitionCase.objects.filter(DEADLINES.overdue_q(END_2022)).values_list("pk", flat=True)
    )


def test_counts_per_handling_unit_add_up(user):
    summary = deadline_views.summary(deadline_views.registry.get(LEDGER), END_2022, user("leader"))
    assert sum(r.overdue for r in summary.by_unit) == summary.total_overdue
    assert (
        summary.total_overdue == PetitionCase.objects.filter(DEADLINES.overdue_q(END_2022)).count()
    )


def test_a_township_sees_only_its_own_cases(client, user):
    case = PetitionCase.objects.filter(
        org_unit__kind__in=("town", "township", "street"),
        reply_due_on__lt=END_2022,
        review_requested_on__isnull=True,
    ).first()
    PetitionCase.objects.filter(pk=case.pk).update(replied_on=None)  # still unanswered
    township_user = next(
        u
        for u in deadline_views.User.objects.filter(role="township")
        if u.org_unit_id == case.org_unit_id
    )
    client.force_login(township_user)
    listed = [i.object for i in client.get(_url("overdue")).context["page"]]
    assert case in listed
    assert all(o.org_unit.path.startswith(township_user.org_unit.path) for o in listed)


def test_dashboard_shows_the_petition_deadline_panel(client, user):
    client.force_login(user("leader"))
    response = client.get(reverse("web:home"), {"period": "2022H1"})
    body = response.content.decode()
    assert "信访事项办理期限" in body
    (panel,) = [
        p for p in response.context["panels"] if p["template"] == "web/_deadline_panel.html"
    ]
    (summary,) = panel["summaries"]
    as_of = dt.date(2022, 6, 30)
    assert summary.total_overdue == PetitionCase.objects.filter(DEADLINES.overdue_q(as_of)).count()
    assert summary.total_soon == PetitionCase.objects.filter(DEADLINES.due_soon_q(as_of)).count()


def test_a_ledger_without_deadlines_has_no_list(client, user):
    client.force_login(user("leader"))
    url = reverse("web:deadlines", args=["party_partyactivity"])
    assert client.get(url).status_code == 404


def test_plan_tasks_use_the_same_lists(client, user):
    client.force_login(user("leader"))
    url = reverse("web:deadlines", args=["plans_plantask"])
    assert client.get(url, {"state": "overdue", "as_of": "2023-01-31"}).status_code == 200
