"""（七）房地产 rules: presale preconditions, contract filing, the escrow cap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhujian.core import claims
from zhujian.core.invariants import RuleViolation
from zhujian.domains.realestate.models import (
    ContractState,
    DevelopmentProject,
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
    PresalePermit,
    SalesContract,
    SalesEvent,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.clean()
    return exc.value.message_dict


def _project() -> DevelopmentProject:
    return DevelopmentProject.objects.order_by("pk").first()


# --- presale permits ------------------------------------------------------------------------


def _permit(**kw) -> PresalePermit:
    project = _project()
    base = dict(
        project=project,
        org_unit=project.org_unit,
        permit_no="测试预字001",
        buildings="1#、2#",
        residential_area=Decimal("20000"),
        units=180,
        applied_on=D(2022, 3, 1),
        accepted_on=D(2022, 3, 1),
        handler="王承办",
        reviewed_on=D(2022, 3, 7),
        issued_on=D(2022, 3, 8),
        land_premium_paid=True,
        land_certificate_no="鲁（2020）示例县不动产权第0001号",
        planning_permit_no="建字第371399000001号",
        construction_permit_no="37139920220001",
        total_investment=Decimal("40000"),
        invested=Decimal("10000"),
        delivery_on=D(2024, 6, 30),
    )
    base.update(kw)
    permit = PresalePermit(**base)
    permit.derive()
    return permit


def test_a_permit_meeting_every_precondition_is_accepted():
    _permit().clean()  # 10000 of 40000 万元 is exactly 25 %


def test_a_permit_without_the_land_premium_paid_is_refused():
    assert "土地使用权出让金" in _errors(_permit(land_premium_paid=False))["land_premium_paid"][0]


def test_a_permit_below_a_quarter_of_the_investment_is_refused():
    message = _errors(_permit(invested=Decimal("9999.99")))["invested"][0]
    assert "25%" in message and "占24.99%" in message


def test_the_investment_share_is_a_setting(settings):
    settings.ZHUJIAN_PRESALE_MIN_INVESTMENT_PERCENT = 30
    assert "invested" in _errors(_permit())


def test_a_permit_without_a_construction_permit_is_refused():
    assert "施工许可证" in _errors(_permit(construction_permit_no=""))["construction_permit_no"][0]


def test_a_permit_needs_an_area_to_sell():
    assert "residential_area" in _errors(_permit(residential_area=Decimal(0)))


def test_a_decision_later_than_10_days_is_flagged():
    assert not _permit(applied_on=D(2022, 3, 1), issued_on=D(2022, 3, 11)).decided_late
    assert _permit(applied_on=D(2022, 3, 1), issued_on=D(2022, 3, 14)).decided_late


def test_the_total_presale_area_is_the_sum_of_the_uses():
    permit = _permit(commercial_area=Decimal("1500.5"), other_area=Decimal("99.5"))
    assert permit.total_area == Decimal("21600.0")


# --- sale contracts ----------------------------------------------------------------------------


def _contract(**kw) -> SalesContract:
    project = _project()
    base = dict(
        project=project,
        contract_no="TEST-1",
        building="1#",
        room="1-1201",
        use="residential",
        area=Decimal("120.00"),
        price=Decimal("720000.00"),
        buyer="李四",
        signed_on=D(2022, 3, 1),
    )
    base.update(kw)
    contract = SalesContract(**base)
    contract.derive()
    return contract


def test_filing_on_the_30th_day_is_on_time():
    contract = _contract(filed_on=D(2022, 3, 31), filing_no="BA1")
    assert contract.filing_due_on == D(2022, 3, 31) and not contract.filed_late


def test_filing_after_30_days_is_flagged_late():
    assert _contract(filed_on=D(2022, 4, 1), filing_no="BA1").filed_late


def test_a_filing_deadline_on_a_weekend_moves_to_monday():
    # signed Friday 4 March + 30 days = Sunday 3 April (清明 3–5 April): due Wednesday 6 April
    contract = _contract(signed_on=D(2022, 3, 4), filed_on=D(2022, 4, 6), filing_no="BA1")
    assert contract.filing_due_on == D(2022, 4, 6) and not contract.filed_late


def test_the_state_follows_the_dates():
    assert _contract(signed_on=None).state == ContractState.DRAFT
    assert _contract().state == ContractState.SIGNED
    filed = _contract(filed_on=D(2022, 3, 5), filing_no="BA1")
    assert filed.state == ContractState.FILED
    assert _contract(cancelled_on=D(2022, 3, 9), cancel_reason="协商解除").state == "cancelled"


def test_a_filing_before_signing_is_refused():
    assert "filed_on" in _errors(_contract(filed_on=D(2022, 2, 20), filing_no="BA1"))


def test_a_filed_contract_has_a_filing_number():
    assert "filing_no" in _errors(_contract(filed_on=D(2022, 3, 5)))


def test_only_a_filed_contract_can_be_changed():
    assert "changed_on" in _errors(_contract(changed_on=D(2022, 3, 9), change_note="增加共有人"))


def test_a_cancelled_contract_cannot_be_filed_afterwards():
    contract = _contract(
        cancelled_on=D(2022, 3, 5), cancel_reason="解除", filed_on=D(2022, 3, 9), filing_no="BA"
    )
    assert "cancelled_on" in _errors(contract)


def test_a_price_entered_in_wan_yuan_is_caught():
    assert "price" in _errors(_contract(price=Decimal("72.00")))


# --- presale: a permit for the building, one sale per unit (城市房地产管理法第四十五条) -----------


@pytest.fixture
def selling() -> DevelopmentProject:
    """A project of its own with a permit for 1# and 2# issued on 8 March 2022."""
    model = _project()
    project = DevelopmentProject.objects.create(
        org_unit=model.org_unit, code="TEST-PRESALE", name="预售测试楼盘", developer="测试开发商"
    )
    _permit(project=project, org_unit=project.org_unit).save()
    return project


def _sale(project: DevelopmentProject, no: str, **kw) -> SalesContract:
    return _contract(project=project, org_unit=project.org_unit, contract_no=no, **kw)


def _presale_refusal(contract: SalesContract) -> str:
    with pytest.raises(RuleViolation) as exc:
        contract.save()
    assert not SalesContract.objects.filter(contract_no=contract.contract_no).exists()
    message = " ".join(exc.value.messages)
    assert "城市房地产管理法第四十五条" in message
    return message


def test_a_contract_in_a_building_the_permit_covers_is_accepted(selling):
    _sale(selling, "T-1", building="2号楼", signed_on=D(2022, 3, 8)).save()  # 2号楼 = 2#


def test_a_contract_in_a_building_without_a_permit_is_refused(selling):
    message = _presale_refusal(_sale(selling, "T-1", building="3#", signed_on=D(2022, 4, 1)))
    assert "没有覆盖该楼栋的商品房预售许可证" in message


def test_a_contract_signed_before_the_permit_was_issued_is_refused(selling):
    message = _presale_refusal(_sale(selling, "T-1", signed_on=D(2022, 3, 7)))
    assert "于2022-03-08才核发" in message and "2022-03-07网签" in message


def test_a_unit_is_not_sold_twice_while_its_contract_is_live(selling):
    _sale(selling, "T-1", signed_on=D(2022, 4, 1)).save()
    message = _presale_refusal(_sale(selling, "T-2", signed_on=D(2022, 5, 1)))
    assert "不得重复销售" in message and "T-1" in message


def test_a_unit_may_be_sold_again_once_its_contract_is_cancelled(selling):
    first = _sale(
        selling,
        "T-1",
        signed_on=D(2022, 4, 1),
        cancelled_on=D(2022, 4, 20),
        cancel_reason="买受人贷款未获批准",
    )
    first.save()
    assert first.state == ContractState.CANCELLED
    _sale(selling, "T-2", signed_on=D(2022, 4, 20)).save()
    # and the cancellation cannot be moved after the resale any more
    first.cancelled_on = D(2022, 5, 1)
    with pytest.raises(RuleViolation):
        first.save()


def test_a_permit_cannot_be_narrowed_under_signed_contracts(selling):
    _sale(selling, "T-1", signed_on=D(2022, 4, 1)).save()
    permit = PresalePermit.objects.get(project=selling)
    permit.buildings = "2#"
    with pytest.raises(RuleViolation):
        permit.save()
    with pytest.raises(RuleViolation):
        PresalePermit.objects.get(project=selling).delete()
    assert PresalePermit.objects.get(project=selling).buildings == "1#、2#"


def test_a_buyer_id_number_is_stored_with_an_upper_case_x(selling):
    contract = _sale(selling, "T-1", buyer_id_number="11010519491231002x", signed_on=D(2022, 4, 1))
    contract.save()
    contract.refresh_from_db()
    assert contract.buyer_id_number == "11010519491231002X"


# --- escrow ---------------------------------------------------------------------------------------


@pytest.fixture
def account() -> EscrowAccount:
    project = _project()
    account = EscrowAccount.objects.create(
        project=project,
        org_unit=project.org_unit,
        account_no="TEST-ESCROW",
        bank="测试银行",
        opened_on=D(2022, 1, 1),
    )
    EscrowDeposit.objects.create(
        account=account,
        org_unit=project.org_unit,
        voucher_no="TEST-RZ-1",
        deposited_on=D(2022, 1, 10),
        amount=Decimal("1000000.00"),
    )
    return account


FEB_1 = D(2022, 2, 1)


def _release(account: EscrowAccount, amount: str, on: dt.date = FEB_1, n: int = 1):
    return EscrowRelease(
        account=account,
        org_unit=account.org_unit,
        voucher_no=f"TEST-BF-{n}",
        released_on=on,
        amount=Decimal(amount),
        purpose="工程进度款",
        payee="测试建筑公司",
        approved_by="张三",
    )


def _refused(release: EscrowRelease) -> str:
    """The escrow rule's refusal of saving ``release`` (core.invariants), and nothing kept."""
    with pytest.raises(RuleViolation) as exc:
        release.save()
    assert not EscrowRelease.objects.filter(voucher_no=release.voucher_no).exists()
    return " ".join(exc.value.messages)


def test_a_release_up_to_the_cap_is_accepted(account):
    _release(account, "500000.00").save()  # 50 % before 主体结构验收


def test_a_release_past_the_node_cap_is_refused_with_the_numbers(account):
    message = _refused(_release(account, "500000.01"))
    assert "主体结构验收前" in message and "上限500000.00元" in message
    assert "超出0.01元" in message and "第十一条" in message


def test_earlier_releases_count_towards_the_cap(account):
    _release(account, "300000.00", n=1).save()
    message = _refused(_release(account, "250000.00", D(2022, 2, 15), n=2))
    assert "累计拨付550000.00元" in message and "超出50000.00元" in message


def test_a_backdated_release_must_keep_every_later_point_under_the_cap(account):
    _release(account, "400000.00", D(2022, 3, 1), n=1).save()
    # On 1 Feb alone 150,000 is within the cap; on 1 March the two make 550,000 > 500,000.
    message = _refused(_release(account, "150000.00", D(2022, 2, 1), n=2))
    assert "截至2022-03-01" in message and "累计拨付550000.00元" in message


def test_lowering_a_deposit_under_the_releases_is_refused(account):
    _release(account, "400000.00", n=1).save()
    deposit = account.deposits.get()
    deposit.amount = Decimal("700000.00")
    with pytest.raises(RuleViolation):
        deposit.save()
    assert account.deposits.get().amount == Decimal("1000000.00")


def test_a_deposit_released_against_cannot_be_deleted(account):
    _release(account, "1000.00", n=1).save()
    deposit = account.deposits.get()
    with pytest.raises(RuleViolation) as exc:
        deposit.delete()
    assert "已拨付的入账资金不能删除" in exc.value.messages[0]
    assert account.deposits.exists()


def test_a_deposit_with_no_release_after_it_can_be_deleted(account):
    account.deposits.get().delete()
    assert not account.deposits.exists()


def test_a_node_date_moved_later_cannot_leave_releases_over_the_cap(account):
    account.structure_on = D(2022, 1, 20)
    account.save()
    _release(account, "900000.00", n=1).save()  # within 95 % once the structure passed
    account.structure_on = D(2022, 3, 1)
    claims.set_reason(account, "验收报告日期录错")  # a correction, with its reason
    with pytest.raises(RuleViolation):
        account.save()


def test_a_stored_node_date_is_corrected_only_with_a_reason(account):
    """The node dates set the cap at every point in time: retyping one is a correction."""
    account.structure_on = D(2022, 1, 20)
    account.save()  # filling in an empty node date is progress, not a correction
    account = EscrowAccount.objects.get(pk=account.pk)
    account.structure_on = D(2022, 1, 10)
    with pytest.raises(ValidationError) as exc:
        account.save()
    assert "更正理由" in str(exc.value)
    claims.set_reason(account, "验收报告日期录错")
    account.save()
    latest = account.history.latest()
    assert latest.structure_on == D(2022, 1, 10) and "验收报告日期录错" in (
        latest.history_change_reason or ""
    )


def test_a_stored_signing_date_is_corrected_only_with_a_reason():
    contract = SalesContract.objects.filter(signed_on__isnull=False).order_by("pk").first()
    contract.signed_on = contract.signed_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        contract.save()
    assert "更正理由" in str(exc.value)


def test_a_release_dated_after_today_is_refused(account):
    later = timezone.localdate() + dt.timedelta(days=1)
    assert "晚于今天" in _refused(_release(account, "1.00", later))


def test_the_cap_rises_when_the_structure_is_accepted(account):
    account.structure_on = D(2022, 1, 20)
    account.save()
    _refused(_release(account, "950000.01", n=2))
    _release(account, "950000.00").save()


def test_the_caps_are_a_setting(settings, account):
    settings.ZHUJIAN_ESCROW_RELEASE_CAPS = {"opened": 30}
    _refused(_release(account, "300000.01"))


def test_no_release_before_the_account_opened(account):
    assert "released_on" in _errors(_release(account, "1.00", D(2021, 12, 31)))


# --- events -----------------------------------------------------------------------------------------


def test_an_event_cannot_end_before_it_starts():
    event = SalesEvent(name="测试", starts_on=D(2022, 5, 10), ends_on=D(2022, 5, 1))
    assert "ends_on" in _errors(event)


def test_demo_records_satisfy_their_rules():
    from zhujian.core.registry import registry

    for ledger in registry:
        if ledger.model._meta.app_label != "realestate":
            continue
        for obj in ledger.model._default_manager.all()[:400]:
            obj.full_clean()
