"""Issue 20's petition items (信访工作条例) and issue 21's date trust: service dates start
the 复查/复核 windows, extensions come before the answer, late answers are flagged, the
5-working-day rule only for referred items, and a typed date that moves a deadline is
corrected only with a reason — on the form, the API, an import and in code."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.core.helpers import form_data
from tests.domains.petitions.test_rules import LEDGER, D, _accepted, _case, _errors, _replied
from zhujian.core import versions
from zhujian.domains.petitions.models import DEADLINES, PetitionCase
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_rows

pytestmark = pytest.mark.django_db


# --- 复查/复核 windows from the service date (第三十五条、第三十六条) ---------------------------


def test_the_review_window_runs_from_the_day_the_answer_was_received():
    # answered 1 March, received by post on 10 March: 30 days run to 9 April (Sat) → 11 April
    _replied(
        D(2022, 3, 1), reply_served_on=D(2022, 3, 10), review_requested_on=D(2022, 4, 11)
    ).clean()
    late = _replied(
        D(2022, 3, 1), reply_served_on=D(2022, 3, 10), review_requested_on=D(2022, 4, 12)
    )
    message = _errors(late)["review_requested_on"][0]
    assert "送达日期2022-03-10" in message and "期限至2022-04-11" in message
    assert "第三十五条" in message


def test_a_review_request_needs_the_service_date_of_the_answer():
    case = _replied(D(2022, 3, 1), reply_served_on=None, review_requested_on=D(2022, 3, 20))
    assert "第三十五条" in _errors(case)["reply_served_on"][0]


def test_the_answer_cannot_be_served_before_it_was_given():
    case = _replied(D(2022, 3, 10), reply_served_on=D(2022, 3, 9))
    assert "不能早于答复日期" in _errors(case)["reply_served_on"][0]


def test_the_recheck_window_runs_from_the_day_the_review_opinion_was_received():
    base = dict(
        review_requested_on=D(2022, 3, 10),
        review_replied_on=D(2022, 3, 20),
        review_outcome="uphold",
        review_served_on=D(2022, 4, 1),
    )
    _replied(D(2022, 3, 1), recheck_requested_on=D(2022, 5, 1), **base).clean()
    late = _replied(D(2022, 3, 1), recheck_requested_on=D(2022, 5, 6), **base)
    assert "第三十六条" in _errors(late)["recheck_requested_on"][0]
    missing = _replied(
        D(2022, 3, 1), recheck_requested_on=D(2022, 4, 5), **(base | {"review_served_on": None})
    )
    assert "第三十六条" in _errors(missing)["review_served_on"][0]


# --- the extension is approved before the answer (第三十四条) --------------------------------


def test_an_extension_approved_after_the_answer_is_refused():
    case = _replied(
        D(2022, 4, 20),
        extension_days=20,
        extension_reason="需会同多部门调查",
        extension_approver="张局长",
        extended_on=D(2022, 4, 25),
    )
    message = _errors(case)["extended_on"][0]
    assert "第三十四条" in message and "2022-04-25" in message and "2022-04-20" in message


def test_an_extension_approved_on_the_day_of_the_answer_is_accepted():
    _replied(
        D(2022, 4, 20),
        extension_days=20,
        extension_reason="需会同多部门调查",
        extension_approver="张局长",
        extended_on=D(2022, 4, 20),
    ).clean()


# --- late 复查/复核 answers are flagged --------------------------------------------------------


def test_a_late_review_answer_is_flagged():
    case = _replied(
        D(2022, 3, 1),
        review_requested_on=D(2022, 3, 10),
        review_replied_on=D(2022, 4, 20),  # due 11 April
        review_outcome="uphold",
    )
    assert case.review_replied_late and case.answered_late
    on_time = _replied(
        D(2022, 3, 1),
        review_requested_on=D(2022, 3, 10),
        review_replied_on=D(2022, 4, 11),
        review_outcome="uphold",
    )
    assert not on_time.review_replied_late and not on_time.answered_late


def test_a_late_recheck_answer_is_flagged_and_listed(client, user):
    case = _replied(
        D(2022, 3, 1),
        code="T-LATE-RECHECK",
        review_requested_on=D(2022, 3, 10),
        review_replied_on=D(2022, 3, 20),
        review_outcome="uphold",
        review_served_on=D(2022, 3, 20),
        recheck_requested_on=D(2022, 4, 1),
        recheck_replied_on=D(2022, 6, 1),  # due 5 May
        recheck_outcome="uphold",
    )
    case.save()
    assert case.recheck_replied_late and case.answered_late
    client.force_login(user("xinfang"))
    page = client.get(reverse("web:ledger_list", args=[LEDGER.name]), {"answered_late": "true"})
    assert "T-LATE-RECHECK" in page.content.decode()


# --- the 5 working days of 第二十三条 only for referred items ----------------------------------


def test_a_petitioners_own_item_that_belongs_elsewhere_keeps_the_15_days():
    case = _case(received_on=D(2022, 3, 3), routing="transfer", notified_on=D(2022, 3, 4))
    assert case.notice_due_on == D(2022, 3, 18)


def test_an_item_assigned_through_the_internal_platform_is_referred():
    case = _case(
        received_on=D(2022, 3, 3),
        channel="transfer",
        platform="内网",
        routing="transfer",
        notified_on=D(2022, 3, 4),
    )
    assert case.notice_due_on == D(2022, 3, 10)


# --- retyping a date that moves a deadline is an audited correction ------------------------


def overdue_case() -> PetitionCase:
    """A case accepted on 1 March 2022 and never answered: overdue since 5 May 2022."""
    case = _accepted(code="T-OVERDUE")
    case.save()
    case = PetitionCase.objects.get(pk=case.pk)
    assert PetitionCase.objects.filter(DEADLINES.overdue_q(timezone.localdate()), pk=case.pk)
    return case


def still_overdue(case: PetitionCase) -> bool:
    return PetitionCase.objects.filter(
        DEADLINES.overdue_q(timezone.localdate()), pk=case.pk
    ).exists()


def test_retyping_the_acceptance_date_on_the_form_needs_a_reason(client, user):
    case = overdue_case()
    client.force_login(user("xinfang"))
    data = form_data(LEDGER, case) | {
        "accepted_on": timezone.localdate().isoformat(),
        "notified_on": timezone.localdate().isoformat(),
        "received_on": timezone.localdate().isoformat(),
    }
    data[versions.VERSION_FIELD] = versions.token(case)
    url = reverse("web:ledger_update", args=[LEDGER.name, case.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "受理日期（原为2022-03-01" in response.content.decode()
    assert "须填写更正理由" in response.content.decode()
    assert still_overdue(case)
    data["correction_reason"] = "登记时误录收件日期，以信访件收件章为准"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.accepted_on == timezone.localdate() and not still_overdue(case)
    last = case.history.first()
    assert last.history_change_reason == "更正：登记时误录收件日期，以信访件收件章为准"
    assert last.history_user == user("xinfang")


def test_retyping_a_date_through_the_api_needs_a_reason(client, user):
    case = overdue_case()
    client.force_login(user("xinfang"))
    url = f"/api/ledgers/{LEDGER.name}/{case.pk}/"
    moved = {"received_on": "2026-11-01", "notified_on": "2026-11-01", "accepted_on": "2026-11-01"}
    response = client.patch(url, moved, content_type="application/json")
    assert response.status_code == 400
    assert "更正理由" in str(response.json()["accepted_on"])
    assert still_overdue(case)
    response = client.patch(
        url, moved | {"correction_reason": "按收件登记簿更正"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert "correction_reason" not in response.json()
    case.refresh_from_db()
    assert case.history.first().history_change_reason == "更正：按收件登记簿更正"


def test_an_import_cannot_retype_a_date_that_moves_a_deadline(user):
    case = overdue_case()
    columns = build_columns(LEDGER)
    case.accepted_on = case.notified_on = D(2026, 11, 1)
    cells = [col.format(getattr(case, col.field_name)) for col in columns]
    result = import_rows(LEDGER, "数据", [[c.header for c in columns], cells], user("xinfang"))
    assert not result.ok
    assert any("不能通过导入更改" in e.reason for e in result.errors), [
        str(e) for e in result.errors
    ]
    assert still_overdue(case)


def test_code_cannot_retype_a_date_silently_either():
    case = overdue_case()
    case.accepted_on = D(2026, 11, 1)
    with pytest.raises(ValidationError):
        case.save()
    case._change_reason = "按收件登记簿更正"
    case.notified_on = case.received_on = D(2026, 11, 1)
    case.save()
    assert case.history.first().history_change_reason == "按收件登记簿更正"


def test_filling_in_a_date_for_the_first_time_needs_no_reason(client, user):
    case = overdue_case()
    case.handler = "张承办"  # 受理 done: the answer is the current step (steps go in order)
    case.save()
    client.force_login(user("xinfang"))
    response = client.patch(
        f"/api/ledgers/{LEDGER.name}/{case.pk}/",
        {"replied_on": "2022-06-01", "outcome": "explain", "reply_served_on": "2022-06-02"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.replied_on == D(2022, 6, 1) and case.history.first().history_change_reason is None
