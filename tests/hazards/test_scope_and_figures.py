"""Scope of the shared hazard ledger by each record's line, and the loop's figures."""

from __future__ import annotations

import pytest

from zhujian.core import scope
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db


def test_department_changes_only_hazards_of_its_own_lines(user):
    ranqi = user("ranqi")
    changeable = scope.restrict(Hazard.objects.all(), ranqi, "change")
    assert changeable.exists()
    assert set(changeable.values_list("line", flat=True)) == {"gas"}
    assert scope.restrict(Hazard.objects.all(), ranqi, "view").count() == Hazard.objects.count()


def test_leader_changes_no_hazard(user):
    assert not scope.restrict(Hazard.objects.all(), user("leader"), "change").exists()


def test_loop_figures_count_each_step_in_the_period():
    period = Period.parse("2022H1")
    gas = Hazard.objects.filter(line="gas")
    values = evaluate(
        [
            "gas.hazards_found",
            "gas.hazards_notified",
            "gas.hazards_rectified",
            "gas.hazards_overdue",
            "gas.hazards_rate",
        ],
        period,
    )
    inside = {"found_on__range": (period.start, period.end)}
    assert values["gas.hazards_found"].value == gas.filter(**inside).count()
    notices = gas.filter(notice_issued_on__range=(period.start, period.end))
    assert (
        values["gas.hazards_notified"].value == notices.values("notice_number").distinct().count()
    )
    assert (
        values["gas.hazards_rectified"].value
        == gas.filter(rectified_on__range=(period.start, period.end)).count()
    )
    overdue = gas.filter(found_on__lte=period.end).overdue(period.end).count()
    assert values["gas.hazards_overdue"].value == overdue
    done = gas.filter(**inside, rectified_on__lte=period.end).count()
    assert float(values["gas.hazards_rate"].value) == pytest.approx(
        done * 100 / gas.filter(**inside).count()
    )


def test_notices_count_once_when_one_notice_covers_several_hazards():
    found = Hazard.objects.filter(line="gas", found_on__year=2022)
    shared = found.exclude(notice_number="").values("notice_number").distinct().count()
    assert 0 < shared < found.count()


def test_the_office_owning_the_shared_ledger_changes_every_hazard(user):
    office = user("bangongshi")
    assert scope.restrict(Hazard.objects.all(), office, "change").count() == Hazard.objects.count()


def test_ledgers_without_a_line_field_are_unchanged_by_the_hook(user):
    from zhujian.domains.urban.models import GasCompany

    assert not scope.restrict(GasCompany.objects.all(), user("chengjian"), "change").exists()
