"""The figures of report line 13 (#155–#191) come from the construction records."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from tests.domains.construction.helpers import H1, value, within
from zhujian.core.models import OrgUnit
from zhujian.domains.construction.models import (
    Building,
    ConstructionProject,
    FireAcceptance,
    Licence,
    LiftingMachine,
    PrefabApplication,
    SafetyAgreement,
    SiteDevice,
    SiteInspection,
    SmartSitePilot,
    Suspension,
    Tender,
    ViolationLead,
)
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard
from zhujian.reports import coverage
from zhujian.reports.build import DEFAULT_DIR

pytestmark = pytest.mark.django_db


def building_in(qs, period: Period = H1):
    return qs.filter(started_on__lte=period.end).filter(
        Q(completed_on__isnull=True) | Q(completed_on__gte=period.start)
    )


def area(qs, field: str = "area") -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or Decimal(0)


def test_works_area_sums_the_projects_under_construction_in_whole_wan():
    projects = building_in(ConstructionProject.objects)
    assert value("construction.works_area") == area(projects, "floor_area")
    assert value("construction.works_area_wan") == math.floor(area(projects, "floor_area") / 10000)


def test_county_town_projects_and_their_buildings_under_construction():
    projects = building_in(ConstructionProject.objects.filter(area_kind="county_town"))
    buildings = building_in(Building.objects.filter(project__area_kind="county_town"))
    assert value("construction.town_projects") == projects.count() > 0
    assert value("construction.town_buildings") == buildings.count() > projects.count()


def test_licensed_enterprises_and_agreements():
    licensed = Licence.objects.filter(
        kind="safety", enterprise__local=True, issued_on__lte=H1.end
    ).values("enterprise")
    assert value("construction.enterprises_licensed") == licensed.distinct().count() > 0
    # the letters of 2022 (责任年度) signed by the period's end, not those signed in it
    letters = SafetyAgreement.objects.filter(year=2022, signed_on__lte=H1.end)
    assert value("construction.agreements") == letters.count() > 0


def test_cranes_on_file_and_notified():
    on_file = LiftingMachine.objects.filter(filed_on__lte=H1.end).exclude(cancelled_on__lte=H1.end)
    notified = [
        m
        for m in LiftingMachine.objects.all()
        if any(
            d and H1.start <= d <= H1.end
            for d in (m.install_notice_on, m.registered_on, m.removal_notice_on)
        )
    ]
    assert value("construction.cranes_filed") == on_file.count() > 0
    assert value("construction.cranes_notified") == len(notified) > 0


def test_inspections_hazards_and_suspensions():
    supervision = within(SiteInspection.objects.exclude(kind="market"), "inspected_on")
    market = within(SiteInspection.objects.filter(kind="market"), "inspected_on")
    hazards = within(Hazard.objects.filter(line="construction"), "found_on")
    suspended = within(Suspension.objects, "ordered_on").values("enterprise").distinct()
    assert value("construction.inspection_person_times") == area(supervision, "person_times")
    assert value("construction.projects_inspected") == (
        supervision.values("project").distinct().count()
    )
    assert value("construction.hazards_found") == hazards.count() > 0
    assert value("construction.suspended_enterprises") == suspended.count()
    assert value("construction.market_projects_inspected") == (
        market.values("project").distinct().count()
    )
    assert value("construction.leads_transferred") == (
        within(ViolationLead.objects, "transferred_on").count()
    )


def test_smart_site_pilot_figures():
    active = SiteDevice.objects.filter(installed_on__lte=H1.end).exclude(removed_on__lte=H1.end)
    pilot = SmartSitePilot.objects.filter(launched_on__lte=H1.end).order_by("-launched_on").first()
    assert value("construction.pilot_sites") == (
        active.filter(pilot__isnull=False).values("project").distinct().count()
    )
    assert value("construction.pilot_threshold") == pilot.min_floor_area
    pilot_cameras = active.filter(kind="dome_camera", pilot__isnull=False)
    assert value("construction.dome_cameras") == pilot_cameras.count()
    assert value("construction.pm_sizes") == "2.5、PM10"


def test_pm_sizes_follow_what_the_devices_measure():
    SiteDevice.objects.filter(kind="dust").update(factors="a34004,LA")
    assert value("construction.pm_sizes") == "2.5"


def test_fire_acceptance_and_filing():
    accepted = within(
        FireAcceptance.objects.filter(kind="acceptance", result="passed"), "decided_on"
    )
    filed = within(FireAcceptance.objects.filter(kind="filing", result="filed"), "decided_on")
    assert value("construction.fire_categories") == accepted.values("category").distinct().count()
    assert value("construction.fire_accepted") == accepted.count() > 0
    assert value("construction.fire_accepted_area") == area(accepted)
    assert value("construction.fire_filed") == filed.count() > 0
    assert value("construction.fire_filed_area") == area(filed)


def test_prefab_area_and_applicants():
    started = within(Building.objects.filter(structure="prefab_concrete"), "started_on")
    applicants = within(PrefabApplication.objects, "applied_on").values("enterprise").distinct()
    assert value("construction.prefab_started_area") == area(started) > 0
    assert value("construction.prefab_applicants") == applicants.count() > 0


def test_tenders_and_their_year_on_year_change():
    now = within(Tender.objects, "awarded_on")
    before = within(Tender.objects, "awarded_on", H1.previous_year())
    assert value("construction.tenders") == now.count()
    change = Decimal((now.count() - before.count()) * 100) / before.count()
    assert value("construction.tenders_yoy") == change
    assert value("construction.tenders_cost") == area(now, "cost")


def test_tender_change_is_worded_by_its_sign():
    from zhujian.reports.template import render_lines

    line = "同比{{ construction.tenders_yoy|sign:下降:增长 }}{{ construction.tenders_yoy|abs }}%"
    values = evaluate(["construction.tenders_yoy"], H1)
    change = values["construction.tenders_yoy"].value
    text = render_lines(line, values)[0].text
    word = "下降" if change < 0 else "增长"
    assert text == f"同比{word}{abs(change).quantize(Decimal('0.1'))}%"


def test_a_township_report_counts_its_own_projects():
    town = OrgUnit.objects.get(code="371399001000")
    projects = building_in(
        ConstructionProject.objects.filter(area_kind="county_town", org_unit=town)
    )
    assert value("construction.town_projects", unit=town) == projects.count()


@pytest.mark.parametrize("period", ["2022H1", "2022Q2", "2022"])
def test_every_mark_of_the_construction_line_is_filled_from_records(period):
    marks = coverage.marks((DEFAULT_DIR / "13.txt").read_text(encoding="utf-8"))
    assert len(marks) == 42
    assert all(m.source == "records" for m in marks)
    values = evaluate({m.figure_id for m in marks}, Period.parse(period))
    assert not [fid for fid, fv in values.items() if fv.missing and "@" not in fid]
