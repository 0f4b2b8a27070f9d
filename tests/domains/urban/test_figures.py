"""The figures of report lines 5 and 21 come from records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhujian.domains.urban import demo
from zhujian.domains.urban.figures import road_stem
from zhujian.domains.urban.models import HeatingSeason, MunicipalProject, ProjectProgress
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.reports import coverage
from zhujian.reports.build import DEFAULT_DIR

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def value(fid: str, period: Period = H1):
    return evaluate([fid], period)[fid].value


def test_road_stem_drops_the_road_suffix():
    assert road_stem("7号路") == "7"
    assert road_stem("滨河路") == "滨河"
    assert road_stem("苍山") == "苍山"
    assert road_stem("") is None


def test_segment_numbers_come_from_the_project_record():
    project = MunicipalProject.objects.get(code=demo.CODE_HUIBAO)
    assert value("municipal.huibao_from") + "号路" == project.segment_from
    project.segment_from = "99号路"
    project.save()
    assert value("municipal.huibao_from") == "99"


def test_underpass_investment_is_the_growth_of_cumulative_investment_in_the_period():
    project = MunicipalProject.objects.get(code=demo.CODE_UNDERPASS)

    def cumulative(day: dt.date) -> Decimal:
        last = project.progress.filter(reported_on__lte=day).order_by("-reported_on").first()
        return last.cumulative_investment if last else Decimal(0)

    expected = cumulative(H1.end) - cumulative(dt.date(2021, 12, 31))
    assert value("municipal.underpass_investment") == expected


def test_underpass_percent_is_the_latest_report_by_the_period_end():
    latest = (
        ProjectProgress.objects.filter(project__code=demo.CODE_UNDERPASS, reported_on__lte=H1.end)
        .order_by("-reported_on")
        .first()
    )
    assert value("municipal.underpass_percent") == latest.percent_complete


def test_new_heated_area_is_the_difference_between_two_seasons():
    this, last = HeatingSeason.objects.get(end_year=2022), HeatingSeason.objects.get(end_year=2021)
    assert value("heating.season_start_year") == 2021
    assert value("heating.season_area_new") == this.heated_area - last.heated_area


def test_drills_each_is_the_smaller_of_the_two_drill_counts():
    a, b = value("drainage.confined_drills"), value("drainage.flood_drills")
    assert value("drainage.drills_each") == min(a, b)


def test_emergency_members_are_counted_as_of_the_period_end():
    assert value("flood.team_members", Period.parse("2022H1")) > 0
    assert value("flood.teams", Period.parse("@2022-04-30")) == 0  # 2021 teams were disbanded


@pytest.mark.parametrize("name", ["05.txt", "21.txt"])
def test_every_mark_of_the_urban_lines_is_filled_from_records(name):
    body = (DEFAULT_DIR / name).read_text(encoding="utf-8")
    marks = coverage.marks(body)
    assert marks and all(m.source != "missing" for m in marks)
    settings = [m.figure_id for m in marks if m.source == "settings"]
    assert settings == (["flood.duty_hours"] if name == "05.txt" else [])
    values = evaluate({m.figure_id for m in marks}, H1)
    assert not [fid for fid, fv in values.items() if fv.missing and "@" not in fid]
