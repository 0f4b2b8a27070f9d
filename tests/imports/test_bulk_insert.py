"""The import engine's fast insert writes the same records and history as simple-history."""

from __future__ import annotations

import datetime as dt

import pytest

from zhujian.core.models import OrgUnit
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports.bulk import insert_with_history


def _household(code: str) -> ToiletHousehold:
    village = OrgUnit.objects.filter(kind="village").first()
    return ToiletHousehold(
        org_unit=village,
        household_code=code,
        head_name="李四",
        id_number="3713**********0001",
        surveyed_on=dt.date(2022, 3, 1),
        renovated=True,
        toilet_type="three_tank",
    )


@pytest.mark.django_db
def test_insert_sets_primary_keys_and_timestamps(admin_user) -> None:
    objs = insert_with_history([_household("T0001"), _household("T0002")], ToiletHousehold)
    assert all(o.pk for o in objs)
    saved = ToiletHousehold.objects.get(pk=objs[1].pk)
    assert saved.household_code == "T0002" and saved.created_at is not None


@pytest.mark.django_db
def test_insert_writes_one_history_row_per_record_with_user_and_reason(admin_user) -> None:
    (obj,) = insert_with_history(
        [_household("T0003")], ToiletHousehold, user=admin_user, change_reason="Excel导入"
    )
    (row,) = ToiletHousehold.history.filter(id=obj.pk)
    assert row.history_type == "+"
    assert row.history_user_id == admin_user.pk
    assert row.history_change_reason == "Excel导入"
    assert row.surveyed_on == dt.date(2022, 3, 1) and row.renovated is True
