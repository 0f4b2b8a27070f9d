"""The report's closure sentence and the two assessed rates are computed from the cases
(issue 20): “已经全部办结” only when every case of the period is closed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhujian.domains.petitions.models import PetitionCase, Routing
from zhujian.figures.catalog import evaluate, records
from zhujian.figures.periods import Period
from zhujian.reports.build import build_report

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")
IDS = (
    "petition.received",
    "petition.closure",
    "petition.noticed_in_time",
    "petition.notice_due",
    "petition.timely_acceptance_rate",
    "petition.closed_in_time",
    "petition.close_due",
    "petition.on_time_closure_rate",
)


def _values() -> dict:
    values = evaluate(list(IDS), H1, None)
    return {fid: values[fid].value for fid in IDS}


def _accepted_case(**filters) -> PetitionCase:
    return (
        PetitionCase.objects.filter(
            routing=Routing.ACCEPT,
            received_on__gte=H1.start,
            received_on__lte=H1.end,
            replied_on__isnull=False,
            **filters,
        )
        .order_by("pk")
        .first()
    )


def _save(case: PetitionCase, **changes) -> None:
    for name, value in changes.items():
        setattr(case, name, value)
    case._change_reason = "测试：更正日期"  # a changed deadline date is a correction (core.claims)
    case.derive()
    case.save()


def _petition_line() -> str:
    report = build_report("2022H1")
    return next(line.text for line in report.lines if "共处理信访" in line.text)


def test_all_closed_says_so():
    v = _values()
    assert v["petition.closure"] == "已经全部办结"
    assert "，已经全部办结；" in _petition_line()


def test_an_open_case_is_counted_not_hidden():
    v = _values()
    case = _accepted_case(reply_due_on__gte=dt.date(2022, 7, 1))
    _save(case, replied_on=None, outcome="", satisfaction="")
    closure = _values()["petition.closure"]
    assert closure == f"已办结{v['petition.received'] - 1}件，尚有1件正在办理"
    line = _petition_line()
    assert "已经全部办结" not in line and closure in line
    # the sentence's records are the open cases
    assert list(records("petition.closure", H1, None)) == [case]


def test_an_open_case_past_its_deadline_is_said_to_be_late():
    case = _accepted_case(reply_due_on__lt=dt.date(2022, 6, 1))
    _save(case, replied_on=None, outcome="", satisfaction="")
    assert _values()["petition.closure"].endswith("（其中1件已超过办理期限）")


def test_a_late_notice_lowers_the_timely_acceptance_rate():
    before = _values()
    assert before["petition.timely_acceptance_rate"] == Decimal(100)
    case = _accepted_case(notice_due_on__lt=dt.date(2022, 5, 1))
    _save(case, notified_on=case.notice_due_on + dt.timedelta(days=3))
    after = _values()
    assert after["petition.noticed_in_time"] == before["petition.noticed_in_time"] - 1
    assert after["petition.notice_due"] == before["petition.notice_due"]
    n, d = after["petition.noticed_in_time"], after["petition.notice_due"]
    assert after["petition.timely_acceptance_rate"] == Decimal(n) * 100 / d < 100


def test_a_late_answer_lowers_the_on_time_closure_rate():
    before = _values()
    case = _accepted_case(reply_due_on__lt=dt.date(2022, 6, 1))
    _save(case, replied_on=case.reply_due_on + dt.timedelta(days=5))
    after = _values()
    assert after["petition.closed_in_time"] == before["petition.closed_in_time"] - 1
    assert after["petition.close_due"] == before["petition.close_due"]
    assert after["petition.on_time_closure_rate"] < 100


def test_a_case_not_yet_due_is_not_held_against_either_rate():
    before = _values()
    # received on 29 June: the notice is due in July, nothing is due by 30 June
    case = _accepted_case()
    _save(
        case,
        received_on=dt.date(2022, 6, 29),
        notified_on=None,
        accepted_on=None,
        routing="",
        replied_on=None,
        outcome="",
        satisfaction="",
    )
    after = _values()
    assert after["petition.notice_due"] == before["petition.notice_due"] - 1
    assert after["petition.close_due"] == before["petition.close_due"] - 1
    assert after["petition.timely_acceptance_rate"] == Decimal(100)
    assert after["petition.closure"].startswith("已办结")


def test_stored_templates_lose_the_fixed_words():
    import importlib

    from django.apps import apps

    from zhujian.reports.build import default_body
    from zhujian.reports.models import ReportTemplate

    migration = importlib.import_module("zhujian.reports.migrations.0002_petition_closure_sentence")
    old_body = default_body().replace(migration.NEW, migration.OLD)
    assert old_body != default_body()
    template = ReportTemplate.objects.create(name="旧副本", title="旧副本", body=old_body)
    migration.forwards(apps, None)
    template.refresh_from_db()
    assert template.body == default_body()
