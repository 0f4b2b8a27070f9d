"""The import engine's fast insert writes the same records and history as simple-history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

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


@pytest.mark.django_db
def test_a_conflict_rolls_back_to_the_savepoint_and_the_transaction_goes_on(admin_user) -> None:
    """On PostgreSQL the insert is written by a thread beside the caller; its error must
    still reach ``atomic()`` as Django's IntegrityError, so the savepoint is rolled back
    and the next statement of the same transaction works (on SQLite the insert is plain)."""
    from django.db import IntegrityError, transaction

    insert_with_history([_household("T0004")], ToiletHousehold)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with_history([_household("T0004")], ToiletHousehold)
        ToiletHousehold.objects.count()  # the first statement after the write meets its error
    (again,) = insert_with_history([_household("T0005")], ToiletHousehold)
    assert ToiletHousehold.objects.filter(household_code__in=["T0004", "T0005"]).count() == 2
    assert ToiletHousehold.history.filter(id=again.pk, history_type="+").exists()


@pytest.mark.django_db
def test_a_conflict_at_the_end_of_a_savepoint_is_rolled_back_too(admin_user) -> None:
    """The error may first surface when the savepoint is released."""
    from django.db import IntegrityError, transaction

    insert_with_history([_household("T0006")], ToiletHousehold)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with_history([_household("T0006")], ToiletHousehold)
    assert ToiletHousehold.objects.filter(household_code="T0006").count() == 1


@pytest.mark.django_db
def test_values_of_another_type_are_prepared_as_django_would(admin_user) -> None:
    """A date given as text, a number as a string, a flag as 0/1: prepared the way
    ``bulk_create`` prepares them, so PostgreSQL's binary COPY gets the types it needs."""
    obj = _household("T0007")
    obj.surveyed_on = "2022-03-05"
    obj.rectified_on = dt.datetime(2022, 4, 1).date().isoformat()
    obj.problem_count = "3"
    obj.willing = 1
    (written,) = insert_with_history([obj], ToiletHousehold, user=admin_user)
    saved = ToiletHousehold.objects.get(pk=written.pk)
    assert saved.surveyed_on == dt.date(2022, 3, 5)
    assert saved.rectified_on == dt.date(2022, 4, 1)
    assert saved.problem_count == 3 and saved.willing is True
    (row,) = ToiletHousehold.history.filter(id=written.pk)
    assert row.surveyed_on == dt.date(2022, 3, 5) and row.problem_count == 3


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_binary_copy_only_for_column_types_it_knows() -> None:
    from zhujian.imports.bulk import _binary_copy_types

    with connection.cursor() as cursor:
        columns = [f.column for f in ToiletHousehold._meta.concrete_fields]
        types = _binary_copy_types(cursor, ToiletHousehold._meta.db_table, columns)
        assert types is not None and len(types) == len(columns)
        # core_job has JSON columns: copied as text.
        assert _binary_copy_types(cursor, "core_job", ["id", "params"]) is None
