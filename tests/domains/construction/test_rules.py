"""Inspections, enforcement, fire acceptance, prefab applications and tenders."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.construction.helpers import messages
from zhujian.domains.construction.models import (
    Enterprise,
    FireAcceptance,
    PrefabApplication,
    SiteInspection,
    Suspension,
    Tender,
    ViolationLead,
)

pytestmark = pytest.mark.django_db


def test_person_times_cover_the_named_inspectors():
    inspection = SiteInspection.objects.first()
    inspection.inspectors = "张三、李四、王五"
    inspection.person_times = 2
    assert messages(inspection)["person_times"] == ["出动人次不能少于所列检查人员人数（3人）"]


def test_an_inspection_names_a_project_or_an_enterprise():
    inspection = SiteInspection.objects.first()
    inspection.project = inspection.enterprise = None
    assert messages(inspection)["project"] == ["请选择被检查项目或被检查企业"]


def test_the_inspected_enterprise_defaults_to_the_main_contractor():
    inspection = SiteInspection.objects.select_related("project").first()
    inspection.enterprise = None
    inspection.derive()
    assert inspection.enterprise_id == inspection.project.contractor_id


def test_work_cannot_resume_before_the_suspension():
    suspension = Suspension.objects.first()
    suspension.lifted_on = suspension.ordered_on - dt.timedelta(days=1)
    assert messages(suspension)["lifted_on"] == ["复工日期不能早于责令停产整顿日期"]


def test_a_transferred_lead_names_where_it_went():
    lead = ViolationLead.objects.first()
    lead.transferred_to = ""
    assert messages(lead)["transferred_to"] == ["填写了移交日期，请填写移交单位"]


def test_a_special_project_acceptance_needs_its_category():
    acceptance = FireAcceptance.objects.filter(kind="acceptance").first()
    acceptance.category = ""
    assert "须选择特殊建设工程类别" in messages(acceptance)["category"][0]


def test_a_completion_filing_has_no_special_category():
    filing = FireAcceptance.objects.filter(kind="filing").first()
    filing.category = "c03"
    assert "不填特殊建设工程类别" in messages(filing)["category"][0]


def test_only_component_factories_apply_for_the_prefab_base():
    application = PrefabApplication.objects.first()
    application.enterprise = Enterprise.objects.filter(kind="general").first()
    assert messages(application)["enterprise"] == ["只有装配式构配件生产企业可以申报产业基地"]


def test_bids_open_at_least_20_days_after_the_documents():
    tender = Tender.objects.filter(awarded_on__isnull=False).first()
    tender.opened_on = tender.announced_on + dt.timedelta(days=19)
    assert "不得少于20日" in messages(tender)["opened_on"][0]


def test_the_winning_bid_cannot_exceed_the_control_price():
    tender = Tender.objects.filter(awarded_on__isnull=False).first()
    tender.winning_bid = tender.cost + 1
    assert "中标价不能高于招标控制价" in messages(tender)["winning_bid"][0]


def test_an_award_needs_a_winner():
    tender = Tender.objects.filter(awarded_on__isnull=False).first()
    tender.winner = None
    assert messages(tender)["winner"] == ["已发出中标通知书，请填写中标单位"]
