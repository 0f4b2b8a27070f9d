"""Wage-arrears cases: sources, the hotline number, figures #192–#196."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from tests.domains.construction.helpers import H1, messages, value, within
from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.models import CaseSource, WageCase

pytestmark = pytest.mark.django_db


def test_a_hotline_case_needs_the_hotline_number():
    case = WageCase.objects.filter(source="hotline").first()
    case.hotline = ""
    assert "须填写热线号码" in messages(case)["hotline"][0]


def test_only_hotline_cases_carry_a_hotline_number():
    case = WageCase.objects.exclude(source="hotline").first()
    case.hotline = "12345"
    assert messages(case)["hotline"] == ["只有来源为热线的案件填写热线号码"]


def test_a_resolved_case_says_how():
    case = WageCase.objects.filter(resolved_on__isnull=False).first()
    case.handling = ""
    assert messages(case)["handling"] == ["办结的案件须填写处理情况"]


def test_resolved_cases_by_source_add_up_to_the_total():
    resolved = within(WageCase.objects, "resolved_on")
    parts = [value(f"wages.cases_{s.value}") for s in CaseSource]
    assert value("wages.cases_resolved") == sum(parts) == resolved.count() > 0
    assert value("wages.workers") == resolved.aggregate(s=Sum("workers"))["s"]
    assert value("wages.recovered") == resolved.aggregate(s=Sum("amount_recovered"))["s"]


def test_the_hotline_number_comes_from_the_cases():
    assert value("wages.hotlines") == "12345"
    case = within(WageCase.objects.filter(source="hotline"), "resolved_on").first()
    case.hotline = "12333"
    case.save()
    assert value("wages.hotlines") == "12333、12345"


def test_projects_on_the_real_name_platform_as_of_the_period_end():
    on_platform = ConstructionProject.objects.filter(realname_on__lte=H1.end)
    assert value("wages.realname_projects") == on_platform.count() > 0
