"""（四）住房保障 ledger rules (Model.clean), one behaviour each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhujian.core.models import OrgUnit
from zhujian.domains.housing.models import (
    AffordableTransaction,
    DemolitionArea,
    DemolitionHousehold,
    EligibilityReview,
    OldCommunity,
    OwnersCommittee,
    PropertyCompany,
    RentalUnit,
    RentBill,
    RentPayment,
    ResidentialCommunity,
    ShantytownProject,
    Tenancy,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    return exc.value.message_dict


# --- 拆迁 ----------------------------------------------------------------------------------


def _area(code: str = "T-AREA", name: str = "测试片区") -> DemolitionArea:
    area, _ = DemolitionArea.objects.get_or_create(
        code=code,
        defaults={
            "org_unit": OrgUnit.objects.filter(kind="community").first(),
            "name": name,
            "started_on": D(2020, 1, 1),
        },
    )
    return area


def _household(**kw) -> DemolitionHousehold:
    area = kw.pop("area", None) or _area()
    return DemolitionHousehold(area=area, household_code="T-001", head_name="王五", **kw)


def test_demolition_before_the_agreement_is_refused():
    errors = _errors(_household(agreement_signed_on=D(2022, 3, 1), demolished_on=D(2022, 2, 1)))
    assert "不能早于签订协议日期" in errors["demolished_on"][0]


def test_demolished_without_agreement_needs_an_enforcement_document():
    assert "agreement_signed_on" in _errors(_household(demolished_on=D(2022, 2, 1)))
    _household(demolished_on=D(2022, 2, 1), enforcement_document="（2022）鲁1399行审12号").clean()


def test_an_agreement_before_the_area_started_is_refused():
    errors = _errors(_household(agreement_signed_on=D(2019, 6, 1)))
    assert "片区启动日期" in errors["agreement_signed_on"][0]


def test_a_household_cannot_move_into_a_second_area():
    household = _household()
    household.save()
    household = DemolitionHousehold.objects.get(pk=household.pk)
    household.area = _area(code="T-AREA-2", name="另一片区")
    assert "不能同时属于两个片区" in _errors(household)["area"][0]


def test_a_full_id_number_is_refused():
    assert "id_number" in _errors(_household(id_number="371312198001011234"))


# --- 老旧小区、棚改 ---------------------------------------------------------------------------


def _old(**kw) -> OldCommunity:
    base = dict(
        org_unit=OrgUnit.objects.filter(kind="community").first(),
        code="T-LJ",
        name="测试小区",
        year=2022,
        built_year=1995,
        buildings=3,
        households=90,
        floor_area=Decimal(6000),
        investment=Decimal(300),
        planned_start=D(2022, 7, 1),
        planned_finish=D(2022, 11, 1),
        declared_on=D(2021, 11, 1),
    )
    return OldCommunity(**{**base, **kw})


def test_an_old_community_built_after_2000_is_refused(settings):
    assert "2000年底前" in _errors(_old(built_year=2003))["built_year"][0]
    settings.ZHUJIAN_OLD_COMMUNITY_BUILT_BY = 2005  # a province that widened the scope
    _old(built_year=2003).clean()


def test_planned_finish_before_planned_start_is_refused():
    assert "planned_finish" in _errors(_old(planned_finish=D(2022, 6, 1)))


def test_an_old_community_cannot_skip_the_tender():
    assert "started_on" in _errors(_old(started_on=D(2022, 7, 5)))


def _shanty(**kw) -> ShantytownProject:
    base = dict(
        org_unit=OrgUnit.objects.filter(kind="community").first(),
        code="T-PG",
        name="测试棚改",
        approved_on=D(2019, 1, 1),
        foundation_on=D(2019, 6, 1),
        structure_on=D(2020, 1, 1),
    )
    return ShantytownProject(**{**base, **kw})


def test_a_project_cannot_be_stopped_and_accepted():
    project = _shanty(
        topped_out_on=D(2021, 1, 1),
        acceptance_on=D(2021, 3, 1),
        accepted_on=D(2021, 6, 1),
        stopped_on=D(2021, 8, 1),
        stop_reason="demolition",
    )
    assert "“停工”和“综合验收完成”两个阶段" in _errors(project)["stopped_on"][0]


def test_a_stopped_project_makes_no_progress_until_resumed():
    stopped = dict(stopped_on=D(2020, 3, 1), stop_reason="demolition", topped_out_on=D(2021, 1, 1))
    assert "“停工”和“主体基本建成”两个阶段" in _errors(_shanty(**stopped))["stopped_on"][0]
    _shanty(**stopped, resumed_on=D(2020, 10, 1)).clean()


def test_a_project_cannot_stop_before_it_started():
    project = _shanty(
        structure_on=None, foundation_on=None, stopped_on=D(2019, 3, 1), stop_reason="funds"
    )
    assert "未开工的项目无从停工" in _errors(project)["stopped_on"][0]


def test_a_stop_needs_its_reason():
    assert "stop_reason" in _errors(_shanty(stopped_on=D(2020, 3, 1)))


def test_resuming_needs_a_stop_before_it():
    assert "resumed_on" in _errors(_shanty(resumed_on=D(2020, 3, 1)))


# --- 公租房 ------------------------------------------------------------------------------------


def _tenancy(**kw) -> Tenancy:
    unit = RentalUnit.objects.filter(tenancies__isnull=True).first()
    base = dict(
        unit=unit,
        contract_number="T-HT",
        tenant_name="李四",
        lease_start=D(2022, 1, 1),
        lease_end=D(2024, 12, 31),
    )
    return Tenancy(**{**base, **kw})


def test_a_lease_longer_than_five_years_is_refused(settings):
    assert "最长5年" in _errors(_tenancy(lease_end=D(2027, 6, 30)))["lease_end"][0]
    settings.ZHUJIAN_RENTAL_MAX_LEASE_YEARS = 6
    _tenancy(lease_end=D(2027, 6, 30)).clean()


def test_a_lease_ending_before_it_starts_is_refused():
    assert "lease_end" in _errors(_tenancy(lease_end=D(2021, 12, 1)))


def test_two_leases_of_one_unit_cannot_overlap():
    first = _tenancy()
    first.save()
    second = _tenancy(
        unit=first.unit,
        contract_number="T-HT-2",
        lease_start=D(2023, 6, 1),
        lease_end=D(2025, 5, 31),
    )
    assert "租期不能重叠" in _errors(second)["lease_start"][0]
    first.ended_on = D(2023, 5, 31)
    first.save()
    second.clean()


def test_a_recheck_before_the_lease_began_is_refused():
    tenancy = Tenancy.objects.filter(lease_start__year=2022).first()
    review = EligibilityReview(
        tenancy=tenancy,
        year=2022,
        reviewed_on=tenancy.lease_start - dt.timedelta(days=1),
        result="qualified",
    )
    assert "租约开始前无从复查" in _errors(review)["reviewed_on"][0]


def test_a_recheck_is_dated_in_its_year():
    tenancy = Tenancy.objects.filter(lease_start__year__lt=2021).first()
    review = EligibilityReview(
        tenancy=tenancy, year=2022, reviewed_on=D(2021, 12, 1), result="qualified"
    )
    assert "reviewed_on" in _errors(review)


def test_payments_cannot_exceed_the_bill():
    bill = RentBill.objects.filter(payments__isnull=False).first()
    extra = RentPayment(bill=bill, receipt_number="T-SJ", paid_on=D(2022, 6, 1), amount=Decimal(1))
    assert "最多可缴" in _errors(extra)["amount"][0]


def test_a_payment_after_the_due_date_is_arrears():
    bill = RentBill.objects.filter(payments__isnull=True).first()
    late = RentPayment(
        bill=bill, receipt_number="T-SJ", paid_on=bill.due_on + dt.timedelta(days=1), amount=1
    )
    late.derive()
    on_time = RentPayment(bill=bill, receipt_number="T-SJ2", paid_on=bill.due_on, amount=1)
    on_time.derive()
    assert (late.arrears, on_time.arrears) == (True, False)


def test_land_revenue_is_collected_only_on_a_listing():
    deal = AffordableTransaction.objects.filter(kind="inheritance").first()
    deal.land_revenue = Decimal(5000)
    assert "land_revenue" in _errors(deal)


# --- 物业 ----------------------------------------------------------------------------------------


def _community(**kw) -> ResidentialCommunity:
    base = {
        "org_unit": OrgUnit.objects.filter(kind="community").first(),
        "code": "T-XQ",
        "name": "测试小区",
    }
    return ResidentialCommunity(**{**base, **kw})


def test_only_an_unmanaged_community_is_handed_over():
    company = PropertyCompany.objects.first()
    errors = _errors(_community(handed_over_on=D(2022, 3, 1), company=company))
    assert "请先填写列为无人管理小区日期" in errors["handed_over_on"][0]


def test_a_hand_over_comes_after_listing_and_names_the_company():
    errors = _errors(_community(unmanaged_on=D(2022, 3, 1), handed_over_on=D(2022, 2, 1)))
    assert "handed_over_on" in errors and "company" in errors


def test_an_owners_committee_has_five_to_eleven_members_an_odd_number():
    community = ResidentialCommunity.objects.first()
    committee = OwnersCommittee(community=community, established_on=D(2022, 1, 1), members=6)
    assert "单数" in _errors(committee)["members"][0]
    committee.members = 13
    assert "5至11人" in _errors(committee)["members"][0]


def test_a_party_organisation_comes_after_the_committee():
    community = ResidentialCommunity.objects.first()
    committee = OwnersCommittee(
        community=community, established_on=D(2022, 1, 1), party_org_on=D(2021, 1, 1)
    )
    assert "party_org_on" in _errors(committee)
