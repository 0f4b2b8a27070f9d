"""《信访工作条例》 rules of the petition ledger, one behaviour each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.core.helpers import form_data
from zhujian.core import versions
from zhujian.core.personal import id_check_digit
from zhujian.core.registry import registry
from zhujian.domains.petitions.models import PetitionCase, Status

pytestmark = pytest.mark.django_db
D = dt.date
LEDGER = registry.get("petitions_petitioncase")


def _case(**kw) -> PetitionCase:
    from zhujian.core.models import OrgUnit

    base = dict(
        org_unit=OrgUnit.objects.get(name="信访办"),
        code="T-0001",
        channel="letter",
        received_on=D(2022, 3, 1),
        petitioner="王五",
        kind="appeal",
        subject="测试事项",
        request="测试诉求",
    )
    base.update(kw)
    case = PetitionCase(**base)
    case.derive()
    return case


def _accepted(**kw) -> PetitionCase:
    return _case(routing="accept", notified_on=D(2022, 3, 1), accepted_on=D(2022, 3, 1), **kw)


def _replied(replied_on: dt.date, **kw) -> PetitionCase:
    kw.setdefault("reply_served_on", replied_on)  # handed over on the day
    return _accepted(replied_on=replied_on, outcome="explain", **kw)


def _errors(case: PetitionCase) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        case.clean()
    return exc.value.message_dict


# --- deadlines ---------------------------------------------------------------------------


def test_notice_is_due_15_days_after_receipt():
    assert _case(received_on=D(2022, 3, 1)).notice_due_on == D(2022, 3, 16)


def test_a_transferred_item_is_due_in_5_working_days():
    case = _case(
        received_on=D(2022, 3, 3), routing="transfer", notified_on=D(2022, 3, 4), referred=True
    )
    assert case.notice_due_on == D(2022, 3, 10)  # Thu 3 → Fri, Mon, Tue, Wed, Thu


def test_handling_is_due_60_days_after_acceptance_rolled_past_the_may_holiday():
    # 1 March + 60 days = Saturday 30 April, in the 劳动节 holiday (30 Apr–4 May)
    assert _accepted().reply_due_on == D(2022, 5, 5)


def test_the_one_extension_adds_its_days_to_the_handling_period():
    case = _accepted(
        extension_days=30,
        extension_reason="需会同多部门调查",
        extension_approver="张局长",
        extended_on=D(2022, 4, 20),
    )
    case.clean()
    assert case.reply_due_on == D(2022, 5, 30)


def test_deadline_settings_change_the_due_dates(settings):
    settings.ZHUJIAN_PETITION_NOTICE_DAYS = 10
    assert _case(received_on=D(2022, 3, 1)).notice_due_on == D(2022, 3, 11)


# --- the single extension ------------------------------------------------------------------


def test_an_extension_over_30_days_is_refused():
    case = _accepted(
        extension_days=31,
        extension_reason="复杂",
        extension_approver="张局长",
        extended_on=D(2022, 4, 1),
    )
    assert "不得超过30日" in _errors(case)["extension_days"][0]


def test_an_extension_needs_an_approver_and_a_reason():
    errors = _errors(_accepted(extension_days=20, extended_on=D(2022, 4, 1)))
    assert "extension_approver" in errors and "extension_reason" in errors


def test_an_extension_after_the_deadline_is_refused():
    case = _accepted(
        extension_days=20,
        extension_reason="复杂",
        extension_approver="张局长",
        extended_on=D(2022, 5, 6),
    )
    assert "届满" in _errors(case)["extended_on"][0]


def test_a_second_extension_is_refused():
    case = _accepted(
        code="T-EXT",
        extension_days=15,
        extension_reason="需调查",
        extension_approver="张局长",
        extended_on=D(2022, 4, 1),
    )
    case.save()
    again = PetitionCase.objects.get(pk=case.pk)
    again.extension_days, again.extended_on = 30, D(2022, 5, 1)
    message = _errors(again)["extension_days"][0]
    assert "只能延期一次" in message and "2022-04-01" in message


def test_the_extension_reason_may_be_corrected_without_a_new_extension():
    case = _accepted(
        code="T-EXT2",
        extension_days=15,
        extension_reason="需调查",
        extension_approver="张局长",
        extended_on=D(2022, 4, 1),
    )
    case.save()
    again = PetitionCase.objects.get(pk=case.pk)
    again.extension_reason = "需会同住建、自然资源部门调查"
    again.clean()


def test_the_edit_page_refuses_a_second_extension(client, user):
    case = PetitionCase.objects.filter(extension_days__isnull=False, replied_on__isnull=False)[0]
    client.force_login(user("xinfang"))
    data = form_data(LEDGER, case) | {"extension_days": 5}
    data[versions.VERSION_FIELD] = versions.token(case)  # as the edit page sends it
    response = client.post(reverse("web:ledger_update", args=[LEDGER.name, case.pk]), data)
    assert response.status_code == 400
    assert "只能延期一次" in response.content.decode()
    case.refresh_from_db()
    assert case.extension_days != 5


# --- review windows -----------------------------------------------------------------------


def test_a_review_request_on_the_30th_day_is_accepted():
    _replied(D(2022, 3, 1), review_requested_on=D(2022, 3, 31)).clean()


def test_a_review_request_after_30_days_is_refused():
    message = _errors(_replied(D(2022, 3, 1), review_requested_on=D(2022, 4, 1)))
    assert "不予受理" in message["review_requested_on"][0]


def test_the_review_window_ends_on_the_first_working_day_after_a_holiday():
    # reply 1 Sept + 30 days = 1 Oct (国庆): the window runs to Saturday 8 Oct (调休上班)
    _replied(D(2022, 9, 1), review_requested_on=D(2022, 10, 8)).clean()
    late = _replied(D(2022, 9, 1), review_requested_on=D(2022, 10, 9))
    assert "review_requested_on" in _errors(late)


def test_a_review_is_answered_within_30_days():
    case = _replied(D(2022, 3, 1), review_requested_on=D(2022, 3, 10))
    assert case.review_due_on == D(2022, 4, 11)  # 9 April is a Saturday


def test_a_late_recheck_request_is_refused():
    case = _replied(
        D(2022, 3, 1),
        review_requested_on=D(2022, 3, 10),
        review_replied_on=D(2022, 3, 20),
        review_outcome="uphold",
        review_served_on=D(2022, 3, 20),
        recheck_requested_on=D(2022, 4, 25),
    )
    assert "第三十六条" in _errors(case)["recheck_requested_on"][0]


def test_a_review_needs_a_reply_first():
    assert "review_requested_on" in _errors(_accepted(review_requested_on=D(2022, 3, 10)))


def test_a_repeat_of_a_case_closed_by_recheck_is_not_accepted_again():
    final = PetitionCase.objects.filter(status=Status.FINAL).first()
    repeat = _accepted(code="T-REP", received_on=D(2022, 3, 1), previous_case=final)
    assert "不再受理" in _errors(repeat)["routing"][0]


# --- intake -------------------------------------------------------------------------------


def test_a_group_visit_with_more_than_5_representatives_is_refused():
    case = _case(channel="visit", people=20, representatives=6)
    assert "不超过5人" in _errors(case)["representatives"][0]


def test_a_group_visit_must_name_its_representatives():
    assert "representatives" in _errors(_case(channel="visit", people=12))


def test_a_group_visit_of_five_representatives_is_accepted():
    _case(channel="visit", people=12, representatives=5).clean()


def test_hotline_work_orders_name_their_platform():
    assert "platform" in _errors(_case(channel="hotline"))


def test_an_appeal_is_answered_with_an_outcome():
    assert "outcome" in _errors(_accepted(replied_on=D(2022, 3, 20)))


def test_a_masked_phone_number_is_refused():
    with pytest.raises(ValidationError) as exc:
        _case(phone="138****5678").full_clean()
    assert "phone" in exc.value.message_dict


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    first17 = "37139919800101123"
    right = id_check_digit(first17)
    wrong = "0" if right != "0" else "1"
    _case(id_number=first17 + right).full_clean()
    with pytest.raises(ValidationError):
        _case(id_number=first17 + wrong).full_clean()


# --- status -------------------------------------------------------------------------------


def test_status_and_closed_date_follow_the_dates():
    case = _case()
    assert case.status == Status.REGISTERED and case.closed_on is None
    case = _replied(D(2022, 3, 20))
    assert case.status == Status.REPLIED and case.closed_on == D(2022, 3, 20)
    told = _case(routing="inform", notified_on=D(2022, 3, 5))
    assert told.status == Status.ROUTED and told.closed_on == D(2022, 3, 5)


def test_demo_records_satisfy_their_rules():
    for case in PetitionCase.objects.all():
        case.full_clean()
