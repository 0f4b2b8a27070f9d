"""（三）村镇建设 ledger rules (Model.clean), one behaviour each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhujian.core.models import OrgUnit
from zhujian.domains.rural.models import SelfBuiltHouse, ToiletHousehold, mask_id_number

pytestmark = pytest.mark.django_db


def _household(**kw) -> ToiletHousehold:
    base = dict(
        org_unit=OrgUnit.objects.filter(kind="village").first(),
        household_code="X0001",
        head_name="王五",
        id_number="3713**********123X",
        surveyed_on=dt.date(2022, 3, 1),
        renovated=True,
        toilet_type="three_tank",
    )
    base.update(kw)
    return ToiletHousehold(**base)


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    return exc.value.message_dict


def test_masked_id_number_is_accepted() -> None:
    _household().clean()


def test_full_id_number_is_refused() -> None:
    assert "id_number" in _errors(_household(id_number="37131219800101123X"))


def test_mask_id_number_keeps_first_and_last_four() -> None:
    assert mask_id_number("371312198001011234") == "3713**********1234"


def test_household_must_belong_to_a_village() -> None:
    township = OrgUnit.objects.filter(kind="town").first()
    assert "org_unit" in _errors(_household(org_unit=township))


def test_unrenovated_household_has_no_toilet_problems() -> None:
    errors = _errors(_household(renovated=False, toilet_type="dry", problem_count=1))
    assert "problem_count" in errors


def test_problems_need_a_category() -> None:
    assert "problem_category" in _errors(_household(problem_count=2))


def test_willingness_is_only_asked_of_unrenovated_households() -> None:
    assert "willing" in _errors(_household(willing=True))


def test_selfbuilt_appraisal_only_for_hazardous_houses() -> None:
    house = SelfBuiltHouse(
        org_unit=OrgUnit.objects.filter(kind="village").first(),
        code="T1",
        address="某村1号",
        floors=2,
        structure="frame",
        use="shop",
        surveyed_on=dt.date(2022, 4, 1),
        judged_on=dt.date(2022, 4, 5),
        hazard=False,
        appraised_on=dt.date(2022, 5, 1),
        grade="C",
    )
    assert "appraised_on" in _errors(house)


def test_selfbuilt_cannot_be_rectified_before_appraisal() -> None:
    house = SelfBuiltHouse(
        org_unit=OrgUnit.objects.filter(kind="village").first(),
        code="T2",
        address="某村2号",
        floors=2,
        structure="frame",
        use="shop",
        surveyed_on=dt.date(2022, 4, 1),
        judged_on=dt.date(2022, 4, 5),
        hazard=True,
        rectified_on=dt.date(2022, 5, 1),
        measure="加固处理",
    )
    assert "rectified_on" in _errors(house)


def test_demo_records_satisfy_their_rules() -> None:
    from zhujian.core.registry import registry

    for ledger in registry:
        if ledger.model._meta.app_label != "rural":
            continue
        for obj in ledger.model._default_manager.all()[:300]:
            obj.full_clean()
