"""Rules of the urban ledgers, one behaviour each."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhujian.domains.urban.models import (
    DrainageProject,
    GasInspection,
    HeatingSeason,
    MunicipalProject,
    ProjectProgress,
)

pytestmark = pytest.mark.django_db
D = Decimal


def messages(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


def reports(project: MunicipalProject) -> list[ProjectProgress]:
    return list(project.progress.order_by("reported_on"))


@pytest.fixture
def project() -> MunicipalProject:
    return MunicipalProject.objects.filter(kind="key").first()


def after_last(project: MunicipalProject, **kw) -> ProjectProgress:
    last = reports(project)[-1]
    fields = {
        "project": project,
        "org_unit_id": project.org_unit_id,
        "reported_on": last.reported_on + dt.timedelta(days=5),
        "cumulative_investment": last.cumulative_investment,
        "percent_complete": last.percent_complete,
    }
    fields.update(kw)
    return ProjectProgress(**fields)


def test_cumulative_investment_cannot_go_down(project):
    last = reports(project)[-1]
    report = after_last(project, cumulative_investment=last.cumulative_investment - 1)
    assert "累计完成投资不能少于上次填报" in messages(report)["cumulative_investment"][0]


def test_percent_complete_cannot_go_down(project):
    last = reports(project)[-1]
    report = after_last(project, percent_complete=last.percent_complete - D("0.1"))
    assert "形象进度不能低于上次填报" in messages(report)["percent_complete"][0]


def test_a_report_dated_between_two_others_cannot_exceed_the_later_one(project):
    first, second = reports(project)[:2]
    report = after_last(
        project,
        reported_on=first.reported_on + dt.timedelta(days=1),
        cumulative_investment=second.cumulative_investment + 1,
        percent_complete=first.percent_complete,
    )
    assert "累计完成投资不能多于之后的填报" in messages(report)["cumulative_investment"][0]


def test_percent_complete_stays_within_0_and_100(project):
    report = after_last(project, percent_complete=D("100.5"))
    assert "percent_complete" in messages(report)


def test_equal_values_on_a_later_date_are_accepted(project):
    after_last(project).full_clean()


def test_laid_length_never_exceeds_total_length():
    works = DrainageProject.objects.first()
    works.laid_length_m = works.total_length_m + 1
    assert messages(works)["laid_length_m"] == ["已铺设长度不能超过工程全长"]


def test_quarterly_safety_check_needs_a_company_and_its_quarter():
    check = GasInspection.objects.filter(kind="safety").first()
    check.quarter = check.quarter % 4 + 1
    assert messages(check)["quarter"] == ["检查日期不在所填季度内"]
    check.company = None
    assert "company" in messages(check)


def test_heating_season_spans_two_consecutive_years():
    season = HeatingSeason.objects.first()
    season.end_year = season.start_year + 2
    assert messages(season)["end_year"] == ["结束年度应为起始年度的下一年"]


def test_demo_progress_never_goes_down():
    for project in MunicipalProject.objects.exclude(stage="planned"):
        rows = reports(project)
        for before, after in itertools.pairwise(rows):
            assert after.cumulative_investment >= before.cumulative_investment
            assert after.percent_complete >= before.percent_complete
