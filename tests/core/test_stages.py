"""Staged entities: declared stages over date fields, the order rules and counts by stage."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from zhujian.core.stages import Stages
from zhujian.domains.rural.models import DilapidatedHousing
from zhujian.figures.periods import Period

STAGES = Stages([("a", "申请", "a_on"), ("b", "鉴定", "b_on"), ("c", "开工", "c_on")])
D1, D2, D3 = dt.date(2022, 1, 10), dt.date(2022, 2, 10), dt.date(2022, 3, 10)


def entity(a=None, b=None, c=None, reason=""):
    return SimpleNamespace(a_on=a, b_on=b, c_on=c, stage_change_reason=reason)


def test_current_stage_is_the_last_dated_one() -> None:
    assert STAGES.current(entity(D1, D2)).code == "b"
    assert STAGES.current(entity()) is None


def test_stage_on_a_date_ignores_later_dates() -> None:
    e = entity(D1, D2, D3)
    assert STAGES.on(e, dt.date(2022, 2, 15)).code == "b"
    assert STAGES.on(e, dt.date(2022, 1, 1)) is None
    assert STAGES.on(e, Period.parse("2022H1")).code == "c"


def test_skipping_a_stage_is_refused() -> None:
    errors = STAGES.errors(entity(D1, None, D3))
    assert "c_on" in errors and "鉴定" in errors["c_on"]


def test_dates_out_of_order_are_refused() -> None:
    errors = STAGES.errors(entity(D2, D1))
    assert "b_on" in errors and "不能早于" in errors["b_on"]


def test_going_back_needs_a_reason() -> None:
    before = [D1, D2, None]
    assert "stage_change_reason" in STAGES.errors(entity(D1), before)
    assert STAGES.errors(entity(D1, reason="鉴定报告作废，重新鉴定"), before) == {}


def test_going_forward_needs_no_reason() -> None:
    assert STAGES.errors(entity(D1, D2, D3), [D1, None, None]) == {}


def _case(**kw) -> DilapidatedHousing:
    from zhujian.core.models import OrgUnit

    village = OrgUnit.objects.filter(kind="village").first()
    return DilapidatedHousing(
        org_unit=village,
        case_number=kw.pop("case_number", "WG-T-0001"),
        year=2022,
        head_name="张三",
        id_number="3713**********1234",
        category="other",
        subsidy=20000,
        **kw,
    )


@pytest.mark.django_db
def test_model_clean_refuses_going_back_without_reason() -> None:
    case = _case(applied_on=D1, appraised_on=D2, appraisal_grade="C")
    case.full_clean()
    case.save()
    case = DilapidatedHousing.objects.get(pk=case.pk)
    case.appraised_on = None
    case.appraisal_grade = ""
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "stage_change_reason" in exc.value.message_dict
    case.stage_change_reason = "鉴定结论有误，退回重新鉴定"
    case.full_clean()


@pytest.mark.django_db
def test_counts_by_stage_as_of_a_date_are_one_query(django_assert_num_queries) -> None:
    DilapidatedHousing.objects.all().delete()
    _case(case_number="WG-T-1", applied_on=D1).save()
    _case(case_number="WG-T-2", applied_on=D1, appraised_on=D2, appraisal_grade="C").save()
    _case(case_number="WG-T-3").save()
    stages = DilapidatedHousing.stages
    with django_assert_num_queries(1):
        counts = stages.counts(DilapidatedHousing.objects.all(), dt.date(2022, 1, 31))
    assert counts["applied"] == 2 and counts["appraised"] == 0 and counts[""] == 1
    assert stages.counts(DilapidatedHousing.objects.all(), D2)["appraised"] == 1
