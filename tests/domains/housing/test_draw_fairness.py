"""No one can choose the outcome of a draw (issue 20), attacked as an insider would.

Before: the seed was SHA-256(list digest, inputs). The list and the earlier inputs were
public, so the last person to type digits could try values until one gave a chosen
household the flat they wanted, then type it. Now the list declares, when it is frozen,
a lottery draw held after the publication period; inputs close before that lottery is
drawn and its numbers are typed after; the seed takes them all.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.domains.housing import helpers
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw import files, service
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.domains.housing.models import RecordLocked, RoundStatus

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def staff(user):
    return user("zhubao")


def _published_with_inputs(staff):
    rnd = service.freeze(helpers.make_round(staff), staff, at=helpers.PUBLISHED_AT)
    for who, value in helpers.INPUTS:
        service.add_input(rnd, who, value, staff, at=helpers.INPUTS_AT)
    return rnd


def _favourite_input(digest: str, earlier: list[str], beacon: str | None) -> str:
    """What the last typist did: try digits until household 4 gets unit 1."""
    for n in range(10_000):
        value = f"{n:04d}"
        seed = alg.seed_from(digest, [*earlier, value], beacon)
        first = alg.assign(helpers.list_document(), seed)[0]
        if first.household == 4 and first.unit == 1:
            return value
    raise AssertionError("no favourable value found")


def test_the_last_typist_cannot_type_a_value_searched_with_the_lottery_numbers(staff):
    rnd = _published_with_inputs(staff)
    rnd = service.set_beacon(rnd, helpers.BEACON_VALUE, staff, at=helpers.DRAWN_AT)
    earlier = [v for _who, v in helpers.INPUTS]
    chosen = _favourite_input(rnd.list_sha256, earlier, helpers.BEACON_VALUE)
    with pytest.raises(DrawError, match="开奖号码已录入"):
        service.add_input(rnd, "第4号家庭代表 刘芳", chosen, staff, at=helpers.DRAWN_AT)
    rnd = service.run(rnd, staff, "签发人", at=helpers.DRAWN_AT)
    assert rnd.inputs.count() == len(helpers.INPUTS)


def test_no_input_is_taken_from_the_lottery_day_on(staff):
    rnd = _published_with_inputs(staff)
    lottery_day = dt.datetime(2022, 5, 19, 0, 30, tzinfo=dt.UTC)  # 08:30 in Beijing
    with pytest.raises(DrawError, match="开奖日（2022-05-19）之前"):
        service.add_input(rnd, "代表", "1234", staff, at=lottery_day)


def test_an_input_typed_before_the_lottery_does_not_fix_the_result(staff):
    """The search the old scheme allowed, run before the lottery: the value found for one
    lottery outcome gives another result under the numbers actually drawn."""
    rnd = _published_with_inputs(staff)
    earlier = [v for _who, v in helpers.INPUTS]
    guess = "1 1 1"
    chosen = _favourite_input(rnd.list_sha256, earlier, guess)
    seeds = {
        alg.seed_from(rnd.list_sha256, [*earlier, chosen], numbers)
        for numbers in ("1 1 1", "3 7 2", "0 0 9")
    }
    firsts = {alg.assign(helpers.list_document(), s)[0] for s in seeds}
    assert len(seeds) == 3 and len(firsts) > 1


def test_the_lottery_numbers_are_taken_only_after_its_drawing_day(staff):
    rnd = _published_with_inputs(staff)
    evening = dt.datetime(2022, 5, 19, 13, 30, tzinfo=dt.UTC)  # 21:30 in Beijing, same day
    with pytest.raises(DrawError, match="次日起"):
        service.set_beacon(rnd, "3 7 2", staff, at=evening)
    rnd = service.set_beacon(rnd, "3,7,2", staff, at=helpers.DRAWN_AT)
    assert rnd.beacon_value == "3 7 2"
    with pytest.raises(DrawError, match="不能更改"):
        service.set_beacon(rnd, "4 4 4", staff, at=helpers.DRAWN_AT + DAY)


def test_a_list_cannot_be_frozen_without_declaring_the_lottery(staff):
    rnd = helpers.make_round(staff)
    rnd.beacon_issue = ""
    rnd._history_user = staff
    rnd.save()
    with pytest.raises(DrawError, match="声明公开随机数"):
        service.freeze(rnd, staff, at=helpers.PUBLISHED_AT)


def test_the_lottery_must_be_drawn_after_the_publication_period(staff, settings):
    settings.ZHUJIAN_DRAW_PUBLICATION_DAYS = 10  # read when freezing, not at start-up
    # published 2022-05-10 16:00 UTC: 05-11 in Beijing, so the period ends 05-21
    rnd = helpers.make_round(staff)
    with pytest.raises(DrawError, match=r"公示期为10天.*2022-05-21"):
        service.freeze(rnd, staff, at=helpers.PUBLISHED_AT)
    assert rnd.status == RoundStatus.DRAFT


def test_the_draw_waits_for_the_end_of_the_publication_period(staff, settings):
    rnd = _published_with_inputs(staff)
    rnd = service.set_beacon(rnd, helpers.BEACON_VALUE, staff, at=helpers.DRAWN_AT)
    settings.ZHUJIAN_DRAW_PUBLICATION_DAYS = 12
    with pytest.raises(DrawError, match=r"公示期未满.*2022-05-23"):
        service.run(rnd, staff, "签发人", at=helpers.DRAWN_AT)
    settings.ZHUJIAN_DRAW_PUBLICATION_DAYS = 5
    assert service.run(rnd, staff, "签发人", at=helpers.DRAWN_AT).seed == helpers.SEED


def test_the_declared_lottery_is_frozen_with_the_list(staff):
    rnd = service.freeze(helpers.make_round(staff), staff, at=helpers.PUBLISHED_AT)
    rnd.beacon_issue = "2022134"
    rnd._history_user = staff
    with pytest.raises(RecordLocked, match="公示冻结"):
        rnd.save()


def test_the_declared_lottery_is_part_of_the_published_digest(staff):
    drawn = helpers.drawn_round(staff)
    doc = json.loads(files.to_json(files.from_round(drawn)))
    doc["list"]["beacon"]["issue"] = "2022140"
    result = files.verify(files.from_json(json.dumps(doc).encode()))
    assert not result.ok and any("名单与摘要不符" in p for p in result.problems)


def test_a_file_with_an_input_left_out_never_passes(staff):
    """Drop the last input and rewrite seed and result consistently with the rest: the
    file agrees with itself, but not with what the platform published."""
    drawn = helpers.drawn_round(staff)
    doc = json.loads(files.to_json(files.from_round(drawn)))
    doc["inputs"] = doc["inputs"][:-1]
    seed = alg.seed_from(drawn.list_sha256, [i["value"] for i in doc["inputs"]], "3 7 2")
    doc["seed"] = seed
    doc["assignment"] = [a.as_dict() for a in alg.assign(doc["list"], seed)]
    forged = files.from_json(json.dumps(doc).encode())
    assert files.verify(forged).ok  # consistent in itself …
    published = service.published_record(drawn.code)
    result = files.verify(forged, published=published, against_platform=True)
    assert not result.ok and result.matches_published is False  # … but not the platform's
    assert any("种子与平台公布的不同" in p for p in result.problems)


def test_a_file_without_inputs_or_lottery_numbers_never_passes(staff):
    drawn = helpers.drawn_round(staff)
    doc = json.loads(files.to_json(files.from_round(drawn)))
    no_numbers = dict(doc, beacon_value="")
    result = files.verify(files.from_json(json.dumps(no_numbers).encode()), drawn.seed)
    assert not result.ok and any("没有中国福利彩票3D" in p for p in result.problems)
    no_inputs = dict(doc, inputs=[])
    result = files.verify(files.from_json(json.dumps(no_inputs).encode()), drawn.seed)
    assert not result.ok and any("没有公开输入" in p for p in result.problems)
    assert result.allotments == []


def test_the_reference_implementation_agrees(staff, tmp_path):
    """docs/domains/housing-draw-reference.js, written from the documentation, gives the
    same digest, seed (version 2) and result from the published round file."""
    import shutil
    import subprocess
    from pathlib import Path

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    drawn = helpers.drawn_round(staff)
    path = tmp_path / "round.json"
    path.write_bytes(files.to_json(files.from_round(drawn)))
    script = Path(__file__).resolve().parents[3] / "docs/domains/housing-draw-reference.js"
    out = subprocess.run(
        [node, str(script), str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[:2] == [helpers.LIST_SHA256, helpers.SEED]
    assert [tuple(json.loads(line)) for line in out[2:]] == helpers.RESULT
