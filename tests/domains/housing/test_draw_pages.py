"""The draw's pages: a clerk runs a draw end to end; others may only look, or not even."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.domains.housing import helpers
from zhujian.core.registry import registry
from zhujian.domains.housing.models import AllocationRound, RoundStatus

pytestmark = pytest.mark.django_db


def test_a_clerk_publishes_takes_inputs_draws_and_downloads(client, user, clock):
    staff = user("zhubao")
    rnd = helpers.make_round(staff)
    client.force_login(staff)
    page = client.get(reverse("housing:draw", args=[rnd.pk]))
    assert page.status_code == 200 and "公示并冻结名单" in page.content.decode()
    client.post(reverse("housing:freeze", args=[rnd.pk]))
    clock.to(helpers.INPUTS_AT)
    for who, value in helpers.INPUTS:
        client.post(
            reverse("housing:add_input", args=[rnd.pk]), {"entered_by": who, "value": value}
        )
    clock.to(helpers.DRAWN_AT)
    client.post(reverse("housing:set_beacon", args=[rnd.pk]), {"beacon_value": "3，7，2"})
    response = client.post(reverse("housing:run", args=[rnd.pk]), {"signed_by": "测试签发人"})
    assert response.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.status, rnd.list_sha256, rnd.seed) == (
        RoundStatus.DRAWN,
        helpers.LIST_SHA256,
        helpers.SEED,
    )
    assert rnd.drawn_by == staff and rnd.inputs.first().recorded_by == staff
    page = client.get(reverse("housing:draw", args=[rnd.pk])).content.decode()
    assert "摇号结果" in page and "重新摇号" in page
    for name in ("round_json", "round_xlsx", "round_docx"):
        assert client.get(reverse(f"housing:{name}", args=[rnd.pk])).status_code == 200
    check = client.get(reverse("housing:round_check", args=[rnd.pk])).content.decode()
    assert "验证通过" in check


def test_a_bad_input_is_refused_with_a_message(client, user):
    staff = user("zhubao")
    rnd = helpers.make_round(staff)
    client.force_login(staff)
    client.post(reverse("housing:freeze", args=[rnd.pk]))
    response = client.post(
        reverse("housing:add_input", args=[rnd.pk]),
        {"entered_by": "代表", "value": "12ab"},
        follow=True,
    )
    assert "公开输入应为1至20位数字" in response.content.decode()
    assert not rnd.inputs.exists()


def test_a_redraw_through_the_page_opens_the_new_round(client, user):
    staff = user("zhubao")
    rnd = helpers.drawn_round(staff)
    client.force_login(staff)
    response = client.post(
        reverse("housing:redraw", args=[rnd.pk]), {"reason": "监督单位要求重新摇号"}
    )
    new = AllocationRound.objects.get(redraw_of=rnd)
    assert response.url == reverse("housing:draw", args=[new.pk])
    page = client.get(reverse("housing:draw", args=[rnd.pk])).content.decode()
    assert "已由重新摇号的轮次" in page and new.code in page


def test_the_round_page_shows_where_the_draw_stands(client, user):
    staff = user("zhubao")
    rnd = helpers.drawn_round(staff)
    client.force_login(staff)
    ledger = registry.get("housing_allocationround")
    page = client.get(ledger.url("detail", pk=rnd.pk)).content.decode()
    assert "进入摇号页面" in page and helpers.SEED in page


def test_a_reader_sees_the_draw_but_cannot_run_it(client, user):
    rnd = helpers.make_round(user("zhubao"))
    client.force_login(user("leader"))
    assert client.get(reverse("housing:draw", args=[rnd.pk])).status_code == 200
    assert client.post(reverse("housing:freeze", args=[rnd.pk])).status_code == 403
    assert AllocationRound.objects.get(pk=rnd.pk).status == RoundStatus.DRAFT


def test_another_townships_user_cannot_reach_the_round(client, user):
    rnd = helpers.make_round(user("zhubao"))
    outsider = next(
        user(f"town{i:02d}")
        for i in range(1, 21)
        if not user(f"town{i:02d}").org_unit.contains(rnd.org_unit)
    )
    client.force_login(outsider)
    assert client.get(reverse("housing:draw", args=[rnd.pk])).status_code == 404
    assert client.post(reverse("housing:freeze", args=[rnd.pk])).status_code == 404
    assert client.get(reverse("housing:round_json", args=[rnd.pk])).status_code == 404


def test_the_township_of_the_round_may_run_its_draw(client, user):
    rnd = helpers.make_round(user("zhubao"))
    insider = next(
        user(f"town{i:02d}")
        for i in range(1, 21)
        if user(f"town{i:02d}").org_unit.contains(rnd.org_unit)
    )
    client.force_login(insider)
    client.post(reverse("housing:freeze", args=[rnd.pk]))
    assert AllocationRound.objects.get(pk=rnd.pk).status == RoundStatus.PUBLISHED
