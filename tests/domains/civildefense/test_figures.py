"""The figures of report line 11 (#144–#154) come from the 人防 records."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from zhujian.core.models import OrgUnit
from zhujian.domains.civildefense.figures import full_weeks
from zhujian.domains.civildefense.models import (
    DefenseWork,
    DefenseWorkInspection,
    Patrol,
    SupervisionVisit,
)
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard
from zhujian.reports import coverage
from zhujian.reports.build import DEFAULT_DIR

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def value(fid: str, period: Period = H1, unit: OrgUnit | None = None):
    return evaluate([fid], period, unit)[fid].value


def within(qs, field: str, period: Period = H1):
    return qs.filter(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def test_weekly_patrols_are_the_fewest_in_any_whole_week():
    first, weeks = full_weeks(H1)
    days = Patrol.objects.filter(facility="command_post", kind="safety").values_list(
        "patrolled_on", flat=True
    )
    per_week = Counter((d - first).days // 7 for d in days if d >= first)
    expected = min(per_week.get(w, 0) for w in range(weeks))
    assert expected >= 1
    assert value("civildefense.post_patrols_weekly") == expected


def test_a_week_without_a_patrol_makes_the_weekly_frequency_zero():
    first, _ = full_weeks(H1)
    Patrol.objects.filter(
        facility="command_post",
        kind="safety",
        patrolled_on__gte=first + dt.timedelta(days=14),
        patrolled_on__lt=first + dt.timedelta(days=21),
    ).delete()
    assert value("civildefense.post_patrols_weekly") == 0


def test_full_weeks_start_on_the_first_monday_of_the_period():
    assert full_weeks(H1) == (dt.date(2022, 1, 3), 25)


def test_province_visit_date_and_problems_come_from_the_visit_and_its_hazards():
    visit = within(SupervisionVisit.objects.filter(level="province"), "visited_on").get()
    problems = Hazard.objects.filter(
        line="civildefense",
        source_type=ContentType.objects.get_for_model(SupervisionVisit),
        source_id=visit.pk,
    )
    assert value("civildefense.province_visit_date") == visit.visited_on
    assert value("civildefense.province_visit_problems") == problems.count() > 0
    assert all(h.rectified_on for h in problems)


def test_registered_supervised_and_accepted_works_follow_their_dates():
    registered = within(DefenseWork.objects, "registered_on")
    accepted = within(DefenseWork.objects, "accepted_on")
    inspections = within(DefenseWorkInspection.objects, "inspected_on")
    supervised = DefenseWork.objects.filter(pk__in=inspections.values("work"))
    assert value("civildefense.works_registered") == registered.count() > 0
    assert value("civildefense.works_registered_area") == registered.aggregate(s=Sum("area"))["s"]
    assert value("civildefense.works_supervised") == supervised.count() > 0
    assert value("civildefense.works_supervised_area") == supervised.aggregate(s=Sum("area"))["s"]
    assert value("civildefense.work_inspections") == inspections.count()
    assert value("civildefense.works_accepted") == accepted.count()
    assert value("civildefense.works_accepted_area") == accepted.aggregate(s=Sum("area"))["s"]


def test_other_periods_and_townships_give_their_own_figures():
    h1_2021 = Period.parse("2021H1")
    assert value("civildefense.works_registered", h1_2021) == (
        within(DefenseWork.objects, "registered_on", h1_2021).count()
    )
    town = OrgUnit.objects.get(code="371399001000")
    assert (
        value("civildefense.works_registered", unit=town)
        == (
            within(
                DefenseWork.objects.filter(org_unit__path__startswith=town.path), "registered_on"
            )
        ).count()
    )


def test_every_mark_of_the_civil_defence_line_is_filled_from_records():
    marks = coverage.marks((DEFAULT_DIR / "11.txt").read_text(encoding="utf-8"))
    assert len(marks) == 11
    assert all(m.source == "records" for m in marks)
    values = evaluate({m.figure_id for m in marks}, H1)
    assert not [fid for fid, fv in values.items() if fv.missing]
