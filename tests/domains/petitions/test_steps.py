"""A petition case on its step screen: one form per step, 延期 offered beside 答复, and
the case's own unit (or the 信访办 for the bureau's cases) acting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from zhujian.core import versions, workflows
from zhujian.core.models import OrgUnitKind
from zhujian.domains.petitions.models import PetitionCase

pytestmark = pytest.mark.django_db

STEP_FIELDS = {
    "routing": "",
    "notified_on": None,
    "accepted_on": None,
    "handler": "",
    "extension_days": None,
    "extension_reason": "",
    "extension_approver": "",
    "extended_on": None,
    "replied_on": None,
    "outcome": "",
    "reply": "",
    "review_requested_on": None,
    "review_replied_on": None,
    "review_outcome": "",
    "recheck_requested_on": None,
    "recheck_replied_on": None,
    "recheck_outcome": "",
    "satisfaction": "",
}


def registered_case() -> PetitionCase:
    """A bureau-level case put back to 登记 (a set-up write)."""
    case = (
        PetitionCase.objects.filter(org_unit__kind=OrgUnitKind.DEPARTMENT)
        .order_by("-received_on", "pk")
        .first()
    )
    PetitionCase.objects.filter(pk=case.pk).update(**STEP_FIELDS)
    case = PetitionCase.objects.get(pk=case.pk)
    case.save()  # derive the status and clocks again
    return case


def submit(client, case: PetitionCase, data: dict, step: str = ""):
    case.refresh_from_db()
    url = reverse("web:work_step", args=["petitions_petitioncase", case.pk])
    payload = {**data, versions.VERSION_FIELD: versions.token(case)}
    if step:
        payload["step"] = step
    return client.post(url, payload)


def test_a_clerk_takes_a_case_through_its_steps_one_form_each(client, user):
    clerk = user("xinfang")
    client.force_login(clerk)
    case = registered_case()
    url = reverse("web:work_step", args=["petitions_petitioncase", case.pk])
    page = client.get(url).content.decode()
    assert 'name="routing"' in page and 'name="replied_on"' not in page
    received = case.received_on
    day = lambda n: (received + dt.timedelta(days=n)).isoformat()  # noqa: E731
    routed = {"routing": "accept", "notified_on": day(3), "accepted_on": day(3)}
    assert submit(client, case, routed).status_code == 302
    page = client.get(url).content.decode()
    assert 'name="handler"' in page and 'name="routing"' not in page
    assert submit(client, case, {"handler": "张敏"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'name="replied_on"' in page and "办理延期" in page
    extension = {
        "extension_days": "30",
        "extension_reason": "需现场核查",
        "extension_approver": "王局长",
        "extended_on": day(50),
    }
    assert 'name="extension_days"' in client.get(url + "?step=extend").content.decode()
    assert submit(client, case, extension, step="extend").status_code == 302
    reply = {"replied_on": day(70), "outcome": "support", "reply": "已督促整改"}
    assert 'name="extension_days"' not in client.get(url).content.decode()
    assert submit(client, case, reply).status_code == 302
    case.refresh_from_db()
    assert case.replied_on and case.extended_on and case.handler == "张敏"
    steps = [t.step for t in workflows.transitions_of(case)]
    assert steps == ["route", "accept", "extend", "reply"]


def test_a_township_cannot_route_a_case_of_the_bureau(client, town_a):
    case = registered_case()
    client.force_login(town_a)
    url = reverse("web:work_step", args=["petitions_petitioncase", case.pk])
    assert client.get(url).status_code == 404  # not in its scope at all
