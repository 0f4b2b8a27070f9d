"""The LPG figures come from the rows: each expected value is computed here from records."""

from __future__ import annotations

import datetime as dt

import pytest

from zhujian.domains.lpg import conf, rules
from zhujian.domains.lpg.models import Cylinder, CylinderInspection, ScanEvent
from zhujian.figures import headlines
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def value(fid: str, period: Period = H1):
    return evaluate([fid], period)[fid].value


def scans(period: Period = H1):
    return ScanEvent.objects.filter(scanned_on__range=(period.start, period.end))


def test_fills_count_accepted_fill_scans_in_the_period():
    assert value("gas.lpg_fills") == scans().filter(kind="fill", status="accepted").count() > 0


def test_refusals_by_reason_add_up_to_all_refusals():
    parts = [value(f"gas.lpg_refused_{r.value}") for r in rules.Reason]
    assert sum(parts) == value("gas.lpg_refusals") == scans().filter(status="refused").count()
    assert all(p > 0 for p in parts[:3])  # the demo has unknown, others' and scrapped


def test_fill_refusal_rate_is_refused_fills_over_fill_scans():
    fills = scans().filter(kind="fill")
    expected = fills.filter(status="refused").count() * 100 / fills.count()
    assert float(value("gas.lpg_fill_refusal_rate")) == pytest.approx(expected)


def test_year_on_year_compares_with_the_pilot_year():
    now, before = value("gas.lpg_fills"), value("gas.lpg_fills", Period.parse("2021H1"))
    assert before > 0
    assert float(value("gas.lpg_fills_yoy")) == pytest.approx((now - before) * 100 / before)


def _last_passed(cylinder: Cylinder, day: dt.date) -> dt.date | None:
    dates = [
        r.inspected_on
        for r in cylinder.inspections.all()
        if r.result == "passed" and r.inspected_on <= day
    ]
    return max(dates, default=None)


@pytest.mark.parametrize("code", ["2022H1", "2021H1", "@2022-06-15"])
def test_overdue_and_expired_cylinders_are_counted_as_of_the_period_end(code):
    period = Period.parse(code)
    day = period.end
    overdue = expired = in_service = 0
    for cylinder in Cylinder.objects.prefetch_related("inspections"):
        if cylinder.registered_on > day or (cylinder.scrapped_on and cylinder.scrapped_on <= day):
            continue
        in_service += 1
        last = _last_passed(cylinder, day)
        if rules.scrap_due(cylinder.manufactured_on, last) < day:
            expired += 1
        elif (
            rules.add_years(
                last or cylinder.manufactured_on, conf.inspection_cycle_years(cylinder.spec)
            )
            < day
        ):
            overdue += 1
    assert value("gas.lpg_cylinders", period) == in_service
    assert value("gas.lpg_cylinders_overdue", period) == overdue > 0
    assert value("gas.lpg_cylinders_expired", period) == expired > 0


def test_todays_overdue_figure_agrees_with_the_register_dates():
    today = dt.date(2022, 6, 30)
    live = Cylinder.objects.exclude(scrapped_on__lte=today).filter(registered_on__lte=today)
    register = live.filter(next_inspection_due__lt=today, scrap_due__gte=today).count()
    assert value("gas.lpg_cylinders_overdue", Period.parse("@2022-06-30")) == register


def test_inspections_and_scrapped_cylinders_in_the_period():
    inspections = CylinderInspection.objects.filter(inspected_on__range=(H1.start, H1.end))
    assert value("gas.lpg_inspections") == inspections.count()
    assert value("gas.lpg_inspections_scrapped") == inspections.filter(result="scrapped").count()
    scrapped = Cylinder.objects.filter(status="scrapped", scrapped_on__range=(H1.start, H1.end))
    assert value("gas.lpg_cylinders_scrapped") == scrapped.count()


def test_hazards_from_refusals_are_counted_apart_and_within_the_gas_lines():
    from_scans = Hazard.objects.filter(
        line="gas", source_type__model="station", found_on__range=(H1.start, H1.end)
    )
    assert value("gas.lpg_hazards_found") == from_scans.count() > 0
    assert value("gas.hazards_found") >= from_scans.count()


def test_a_township_sees_only_its_own_stations_scans():
    unit = ScanEvent.objects.filter(scanned_on__year=2022).first().station.org_unit
    values = evaluate(["gas.lpg_fills"], H1, unit=unit)
    expected = scans().filter(kind="fill", status="accepted", org_unit=unit).count()
    assert values["gas.lpg_fills"].value == expected


def test_refusals_and_overdue_cylinders_are_on_the_dashboard(client, admin_user):
    gas = next(h for h in headlines.all_lines() if h.line == "gas")
    assert {"gas.lpg_refusals", "gas.lpg_cylinders_overdue"} <= set(gas.figures)
    client.force_login(admin_user)
    page = client.get("/").content.decode()
    assert "扫码拒绝（全部原因）" in page and "超期未检钢瓶" in page
