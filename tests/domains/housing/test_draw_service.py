"""The draw on the database: freeze → public inputs → run → redraw.

The known-answer tests pin the digest, the seed and the result of a fixed round built
through the models. The suite runs on SQLite and again on PostgreSQL (CI, and
``DATABASE_URL=…``), so passing both proves the same frozen list and seed give the same
assignment on both backends.
"""

from __future__ import annotations

import json

import pytest

from tests.domains.housing import helpers
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw import service
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.domains.housing.models import AllocationRound, RoundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(user):
    return user("zhubao")


def test_the_frozen_list_is_the_published_document_and_its_digest(staff):
    rnd = service.freeze(helpers.make_round(staff), staff)
    published = rnd.published_list.document
    assert json.loads(published) == helpers.list_document()
    assert published.encode() == alg.canonical(helpers.list_document())
    assert rnd.list_sha256 == helpers.LIST_SHA256
    assert rnd.status == RoundStatus.PUBLISHED and rnd.published_by == staff


def test_same_frozen_list_and_inputs_give_the_known_seed_and_result_on_this_backend(staff):
    rnd = helpers.drawn_round(staff)
    assert rnd.seed == helpers.SEED
    rows = [
        (
            r.group,
            r.position,
            r.household.seq if r.household else None,
            r.unit.seq if r.unit else None,
        )
        for r in rnd.results.select_related("household", "unit")
    ]
    assert sorted(rows, key=str) == sorted(helpers.RESULT, key=str)
    allotments = alg.assign(helpers.list_document(), helpers.SEED)
    assert rnd.result_sha256 == alg.result_digest(helpers.LIST_SHA256, helpers.SEED, allotments)


def test_run_refuses_before_the_list_is_published(staff):
    rnd = helpers.make_round(staff)
    with pytest.raises(DrawError, match="尚未公示"):
        service.run(rnd, staff, "签发人")


def test_inputs_are_taken_only_while_the_list_is_published(staff):
    rnd = helpers.make_round(staff)
    with pytest.raises(DrawError, match="已公示"):
        service.add_input(rnd, "代表", "123", staff)
    drawn = helpers.drawn_round(staff, "KAT-2")
    with pytest.raises(DrawError):
        service.add_input(drawn, "代表", "123", staff)


def test_run_needs_the_minimum_number_of_public_inputs(staff, settings):
    settings.ZHUJIAN_DRAW_MIN_INPUTS = 4
    rnd = service.freeze(helpers.make_round(staff), staff)
    for who, value in helpers.INPUTS:
        service.add_input(rnd, who, value, staff)
    with pytest.raises(DrawError, match="至少需要4个"):
        service.run(rnd, staff, "签发人")


def test_an_input_records_who_entered_it_and_who_recorded_it(staff):
    rnd = service.freeze(helpers.make_round(staff), staff)
    entry = service.add_input(rnd, "  第3号家庭代表   张伟 ", "0815", staff)
    assert (entry.seq, entry.entered_by, entry.value, entry.recorded_by) == (
        1,
        "第3号家庭代表 张伟",
        "0815",
        staff,
    )


def test_a_list_cannot_be_published_before_the_project_is_accepted(staff):
    project = helpers.accepted_project()
    project.accepted_on = None
    project.save()
    with pytest.raises(DrawError, match="综合验收"):
        service.freeze(helpers.make_round(staff, project=project), staff)


def test_an_empty_list_cannot_be_published(staff):
    rnd = helpers.make_round(staff)
    rnd.units.all().delete()
    with pytest.raises(DrawError, match="房源"):
        service.freeze(rnd, staff)


def test_a_drawn_round_cannot_be_drawn_again(staff):
    rnd = helpers.drawn_round(staff)
    with pytest.raises(DrawError, match="已摇号"):
        service.run(rnd, staff, "签发人")


def test_a_redraw_is_a_new_round_pointing_at_the_old_with_its_reason(staff):
    old = helpers.drawn_round(staff)
    before = (old.seed, old.result_sha256, old.results.count())
    new = service.redraw(old, staff, "公告期内发现1户重复登记")
    old.refresh_from_db()
    assert (old.seed, old.result_sha256, old.results.count()) == before
    assert new.redraw_of == old and new.redraw_reason == "公告期内发现1户重复登记"
    assert new.status == RoundStatus.DRAFT and new.code == "KAT-1-R2"
    assert new.households.count() == len(helpers.HOUSEHOLDS)
    entry = new.history.earliest()
    assert entry.history_user == staff and "重复登记" in entry.history_change_reason


def test_a_redraw_needs_a_reason_and_happens_once(staff):
    old = helpers.drawn_round(staff)
    with pytest.raises(DrawError, match="原因"):
        service.redraw(old, staff, " ")
    service.redraw(old, staff, "监督单位要求重新摇号")
    with pytest.raises(DrawError, match="已发起"):
        service.redraw(old, staff, "再次重新摇号")


def test_draw_steps_are_in_the_round_history(staff):
    rnd = helpers.drawn_round(staff)
    reasons = [h.history_change_reason for h in rnd.history.order_by("history_date")]
    assert reasons[-3] == "公示并冻结分房名单"
    assert reasons[-2] == "录入开奖号码：中国福利彩票3D第2022133期 3 7 2"
    assert reasons[-1].startswith("摇号（种子")


def test_demo_rounds_were_drawn_and_verify():
    from zhujian.domains.housing.draw import files

    drawn = AllocationRound.objects.filter(status=RoundStatus.DRAWN)
    assert drawn.count() >= 3
    for rnd in drawn:
        assert files.verify(files.from_round(rnd), rnd.seed).ok, rnd.code
