"""（八）信访 figures, computed from the rows themselves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhujian.domains.petitions.figures import platform_stem
from zhujian.domains.petitions.models import (
    DEADLINES,
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    PetitionCase,
)
from zhujian.figures.catalog import evaluate, records
from zhujian.figures.periods import Period
from zhujian.reports import coverage
from zhujian.reports.build import default_body

pytestmark = pytest.mark.django_db
H1 = Period.parse("2022H1")


def _values(*ids: str, period: Period = H1) -> dict:
    return {k: v.value for k, v in evaluate(ids, period).items()}


def _received(period: Period = H1):
    return PetitionCase.objects.filter(received_on__gte=period.start, received_on__lte=period.end)


def test_online_and_offline_add_up_to_the_total():
    v = _values("petition.received", "petition.online", "petition.offline")
    assert v["petition.received"] == _received().count() > 0
    assert v["petition.online"] + v["petition.offline"] == v["petition.received"]
    assert v["petition.online"] == _received().filter(channel__in=ONLINE_CHANNELS).count()
    assert v["petition.offline"] == _received().filter(channel__in=OFFLINE_CHANNELS).count()


def test_every_channel_is_either_online_or_offline():
    from zhujian.domains.petitions.models import Channel

    assert set(ONLINE_CHANNELS) | set(OFFLINE_CHANNELS) == set(Channel.values)
    assert not set(ONLINE_CHANNELS) & set(OFFLINE_CHANNELS)


def test_shoufa_and_internal_transfer_are_counted_together():
    v = _values("petition.shoufa_transfer")
    expected = _received().filter(channel__in=["shoufa", "transfer"]).count()
    assert v["petition.shoufa_transfer"] == expected > 0


def test_close_rate_is_closed_over_received():
    v = _values("petition.close_rate", "petition.closed")
    closed = _received().filter(closed_on__lte=H1.end).count()
    assert v["petition.closed"] == closed
    assert v["petition.close_rate"] == Decimal(closed * 100) / _received().count()


def test_every_case_of_the_demo_half_year_is_closed_as_the_seed_says():
    assert _values("petition.close_rate")["petition.close_rate"] == 100


def test_platform_names_come_from_the_cases():
    assert _values("petition.hotline_platform")["petition.hotline_platform"] == "12345"
    _received().filter(channel="hotline").update(platform="市民热线")
    assert _values("petition.hotline_platform")["petition.hotline_platform"] == "市民"


def test_platform_stem_drops_the_words_the_sentence_adds():
    assert platform_stem("12345首发平台", "平台", "首发") == "12345"
    assert platform_stem("12345热线", "热线") == "12345"
    assert platform_stem("", "热线") is None


def test_overdue_figure_counts_the_cases_of_the_overdue_list():
    period = Period.parse("2022H2")
    overdue = PetitionCase.objects.filter(DEADLINES.overdue_q(period.end))
    assert _values("petition.overdue", period=period)["petition.overdue"] == overdue.count() > 0


def test_platform_figure_drills_down_to_the_platform_cases():
    qs = records("petition.hotline_platform", H1)
    assert qs.count() == _received().filter(channel="hotline").count()


def test_the_year_before_has_its_own_figures_for_year_on_year():
    before = _values("petition.received", period=Period.parse("2021H1"))["petition.received"]
    assert before == _received(Period.parse("2021H1")).count() > 0


def test_section_eight_marks_are_all_computed_from_records():
    marks = [m for m in coverage.marks(default_body()) if 211 <= m.number <= 217]
    assert len(marks) == 7
    assert all(m.source == "records" for m in marks)
    ids = [m.figure_id for m in marks]
    assert all(v.value is not None for v in evaluate(ids, H1).values())
