"""（七）房地产 figures, computed from the rows themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Max, Min, Q, Sum

from zhujian.core import tags
from zhujian.domains.realestate.figures import TAG_EXPO
from zhujian.domains.realestate.models import NOT_HOUSING, PresalePermit, SalesContract, SalesEvent
from zhujian.figures.catalog import evaluate, records
from zhujian.figures.periods import Period
from zhujian.reports import coverage
from zhujian.reports.build import default_body

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def value(fid: str, period: Period = H1):
    return evaluate([fid], period)[fid].value


def sales(period: Period):
    """Contracts that are sales of 商品房 in ``period``, from the rows."""
    return SalesContract.objects.filter(
        signed_on__gte=period.start, signed_on__lte=period.end
    ).filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=period.end), ~Q(use__in=NOT_HOUSING))


def test_sales_are_signed_housing_contracts_not_cancelled_by_the_period_end():
    rows = sales(H1)
    assert value("realestate.units_sold") == rows.count() > 0
    assert value("realestate.sales_area") == rows.aggregate(s=Sum("area"))["s"]
    assert value("realestate.sales_amount") == rows.aggregate(s=Sum("price"))["s"]


def test_a_cancelled_contract_does_not_count():
    contract = sales(H1).first()
    before = value("realestate.units_sold")
    contract.cancelled_on, contract.cancel_reason = H1.end, "协商解除"
    contract.save()
    assert value("realestate.units_sold") == before - 1


def test_a_contract_cancelled_after_the_period_still_counts_in_it():
    contract = sales(H1).first()
    before = value("realestate.units_sold")
    contract.cancelled_on, contract.cancel_reason = H1.end + dt.timedelta(days=3), "协商解除"
    contract.save()
    assert value("realestate.units_sold") == before


def test_parking_spaces_are_not_counted_as_housing():
    parking = SalesContract.objects.filter(
        use="parking", signed_on__gte=H1.start, signed_on__lte=H1.end
    )
    assert parking.exists()
    assert not set(parking.values_list("pk", flat=True)) & set(
        records("realestate.units_sold", H1).values_list("pk", flat=True)
    )


def test_year_on_year_compares_with_the_same_period_a_year_before():
    now = sales(H1).aggregate(s=Sum("area"))["s"]
    before = sales(H1.previous_year()).aggregate(s=Sum("area"))["s"]
    assert value("realestate.sales_area_yoy") == (now - before) * 100 / before


def test_the_data_months_run_from_the_first_to_the_last_record_of_the_period():
    signed = SalesContract.objects.filter(signed_on__gte=H1.start, signed_on__lte=H1.end)
    issued = PresalePermit.objects.filter(issued_on__gte=H1.start, issued_on__lte=H1.end)
    first = min(
        signed.aggregate(d=Min("signed_on"))["d"], issued.aggregate(d=Min("issued_on"))["d"]
    )
    last = max(signed.aggregate(d=Max("signed_on"))["d"], issued.aggregate(d=Max("issued_on"))["d"])
    assert value("realestate.data_from") == first.replace(day=1)
    data_to = value("realestate.data_to")
    assert (data_to.year, data_to.month) == (last.year, last.month)
    assert (data_to + dt.timedelta(days=1)).day == 1  # the month's last day


def test_the_data_month_figures_and_their_year_on_year_cover_the_same_months():
    window = Period.parse(f"{value('realestate.data_from')}..{value('realestate.data_to')}")
    now = sales(window).aggregate(s=Sum("area"))["s"]
    before = sales(window.previous_year()).aggregate(s=Sum("area"))["s"]
    assert value("realestate.ytd_sales_area") == now
    assert value("realestate.ytd_sales_area_yoy") == (now - before) * 100 / before


def test_the_data_months_follow_the_latest_record():
    SalesContract.objects.filter(signed_on__gt=dt.date(2022, 4, 30)).delete()
    PresalePermit.objects.filter(issued_on__gt=dt.date(2022, 4, 30)).delete()
    assert value("realestate.data_to") == dt.date(2022, 4, 30)
    last = dt.date(2022, 6, 20)
    project = SalesContract.objects.first().project
    SalesContract.objects.create(
        project=project,
        contract_no="TEST-JUNE",
        building="1#",
        room="1-101",
        use="residential",
        area=Decimal("100"),
        price=Decimal("600000"),
        buyer="王五",
        signed_on=last,
    )
    assert value("realestate.data_to") == dt.date(2022, 6, 30)


def test_the_event_days_come_from_the_tagged_promotion():
    event = SalesEvent.objects.filter(tagged_event_q(), starts_on__year=2022).get()
    assert value("realestate.event_start") == event.starts_on
    assert value("realestate.event_end") == event.ends_on
    window = Period.parse(f"{event.starts_on}..{event.ends_on}")
    assert value("realestate.event_units") == sales(window).count()
    assert value("realestate.event_amount") == sales(window).aggregate(s=Sum("price"))["s"]


def test_moving_the_tag_moves_the_window():
    tagged = SalesEvent.objects.filter(tagged_event_q(), starts_on__year=2022).get()
    other = SalesEvent.objects.create(
        org_unit=tagged.org_unit,
        name="2022年端午购房节",
        starts_on=dt.date(2022, 6, 1),
        ends_on=dt.date(2022, 6, 5),
    )
    tags.remove(tagged, TAG_EXPO)
    tags.add(other, TAG_EXPO)
    assert value("realestate.event_start") == dt.date(2022, 6, 1)
    assert value("realestate.event_units") == sales(Period.parse("2022-06-01..2022-06-05")).count()


def tagged_event_q():
    return tags.tagged(SalesEvent, TAG_EXPO)


def test_the_window_figures_drill_down_to_the_window_contracts():
    window = Period.parse(f"{value('realestate.data_from')}..{value('realestate.data_to')}")
    listed = set(records("realestate.ytd_sales_area", H1).values_list("pk", flat=True))
    assert listed == set(sales(window).values_list("pk", flat=True))


def test_presale_area_is_the_permits_total_area():
    issued = PresalePermit.objects.filter(issued_on__gte=H1.start, issued_on__lte=H1.end)
    assert value("realestate.presale_area") == issued.aggregate(s=Sum("total_area"))["s"] > 0


def test_unfiled_contracts_past_30_days_are_counted_at_the_period_end():
    end = H1.end
    expected = SalesContract.objects.filter(
        cancelled_on__isnull=True, filing_due_on__lt=end
    ).filter(Q(filed_on__isnull=True) | Q(filed_on__gt=end))
    assert value("realestate.contracts_unfiled_overdue") == expected.count()


def test_section_seven_marks_are_all_computed_from_records():
    marks = [m for m in coverage.marks(default_body()) if 197 <= m.number <= 210]
    assert len(marks) == 14
    assert all(m.source == "records" for m in marks)
    ids = [m.figure_id for m in marks]
    assert all(v.value is not None for v in evaluate(ids, H1).values())
