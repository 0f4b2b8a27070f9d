"""Projects (sites), their single buildings and participants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.domains.construction.helpers import messages
from zhujian.domains.construction.models import Building, ConstructionProject, Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> ConstructionProject:
    return ConstructionProject.objects.filter(buildings__isnull=False).order_by("pk").first()


def test_a_started_project_needs_its_main_contractor(project):
    project.contractor = None
    assert messages(project)["contractor"] == ["已开工的项目须填写施工总承包单位"]


def test_a_project_cannot_be_completed_before_it_started(project):
    project.completed_on = project.started_on - dt.timedelta(days=1)
    assert "不能早于“开工”日期" in messages(project)["completed_on"][0]


def test_a_building_cannot_start_before_the_construction_permit(project):
    building = project.buildings.first()
    building.started_on = project.permitted_on - dt.timedelta(days=1)
    assert "先取得施工许可证，后开工" in messages(building)["started_on"][0]


def test_buildings_cannot_add_up_to_more_than_the_project(project):
    others = project.buildings.exclude(name="1#楼").aggregate(s=Sum("area"))["s"] or 0
    building = project.buildings.get(name="1#楼")
    building.area = project.floor_area - others + Decimal("0.01")
    assert "超过项目总建筑面积" in messages(building)["area"][0]


def test_buildings_file_under_their_projects_unit(project):
    building = Building(project=project, org_unit_id=None, name="99#楼", structure="frame", area=1)
    building.derive()
    assert building.org_unit_id == project.org_unit_id


def test_the_main_contractor_cannot_also_be_a_subcontractor(project):
    participant = Participant(
        project=project,
        org_unit_id=project.org_unit_id,
        enterprise=project.contractor,
        role="labour",
        entered_on=project.started_on,
    )
    assert messages(participant)["enterprise"] == ["施工总承包单位不能同时作为本项目的分包单位"]


def test_only_a_supervision_firm_supervises(project):
    participant = Participant.objects.filter(role="labour").first()
    participant.role = "supervision"
    assert messages(participant)["role"] == ["工程监理须由工程监理企业承担"]
