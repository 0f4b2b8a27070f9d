"""The public draw pages (no sign-in), attacked as an outsider would (issue 21, issue 23):
the verification page and a resident's result look-up."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from tests.domains.housing import helpers
from zhujian.domains.housing import views
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw import files

pytestmark = pytest.mark.django_db

VERIFY = "/housing/draws/verify/"
LOOKUP = "/housing/draws/result/"


@pytest.fixture
def drawn(user):
    return helpers.drawn_round(user("zhubao"))


def _post(client, doc_or_bytes, seed="", **extra):
    data = doc_or_bytes if isinstance(doc_or_bytes, bytes) else json.dumps(doc_or_bytes).encode()
    upload = io.BytesIO(data)
    upload.name = "round.json"
    return client.post(VERIFY, {"file": upload, "seed": seed}, **extra)


def _genuine(drawn) -> dict:
    return json.loads(files.to_json(files.from_round(drawn)))


# --- verification ---------------------------------------------------------------------------


def test_the_genuine_file_passes_and_matches_the_published_digests(client, drawn):
    page = _post(client, _genuine(drawn)).content.decode()
    assert "验证通过" in page
    assert drawn.list_sha256 in page and drawn.result_sha256 in page
    assert "本文件与平台公布的</dt><dd>一致" in page


def test_a_file_without_inputs_and_a_freely_chosen_seed_is_refused(client, drawn):
    """The audit's file: no public inputs, any seed, a result computed with that seed."""
    doc = _genuine(drawn)
    chosen = "ab" * 32
    doc["inputs"], doc["beacon_value"], doc["seed"] = [], "", chosen
    doc["assignment"] = [a.as_dict() for a in alg.assign(doc["list"], chosen)]
    page = _post(client, doc, chosen).content.decode()
    assert "验证不通过" in page and "验证通过" not in page.replace("验证不通过", "")
    assert "没有公开输入" in page


def test_a_self_consistent_round_the_platform_never_published_is_refused(client, drawn):
    doc = _genuine(drawn)
    doc["list"]["round"]["code"] = "FAKE-1"
    doc["list_sha256"] = alg.list_digest(doc["list"])
    seed = alg.seed_from(doc["list_sha256"], [i["value"] for i in doc["inputs"]], "3 7 2")
    doc["seed"] = seed
    doc["assignment"] = [a.as_dict() for a in alg.assign(doc["list"], seed)]
    assert files.verify(files.from_json(json.dumps(doc).encode())).ok  # offline: consistent
    page = _post(client, doc).content.decode()
    assert "验证不通过" in page and "平台没有公示过轮次编号为“FAKE-1”" in page


def test_another_list_under_a_published_round_code_is_refused(client, drawn):
    doc = _genuine(drawn)
    doc["list"]["households"][0]["name"] = "王建民"
    doc["list_sha256"] = alg.list_digest(doc["list"])
    seed = alg.seed_from(doc["list_sha256"], [i["value"] for i in doc["inputs"]], "3 7 2")
    doc["seed"] = seed
    doc["assignment"] = [a.as_dict() for a in alg.assign(doc["list"], seed)]
    page = _post(client, doc).content.decode()
    assert "名单与平台公示的不同" in page and drawn.list_sha256 in page
    assert "不一致" in page


def test_a_mistyped_seed_is_reported_as_a_wrong_input(client, drawn):
    typo = ("1" if drawn.seed[0] != "1" else "2") + drawn.seed[1:]
    page = _post(client, _genuine(drawn), typo).content.decode()
    assert "输入有误" in page and "输错" in page
    assert "应为第" not in page and "公告为第" not in page  # no household listed as wrong


def test_an_upload_over_the_size_bound_is_refused_unread(client, drawn, settings):
    settings.ZHUJIAN_DRAW_VERIFY_MAX_BYTES = 2000
    response = _post(client, _genuine(drawn))
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_a_file_over_the_row_bound_is_refused_before_the_draw_is_recomputed(
    client, drawn, settings, monkeypatch
):
    settings.ZHUJIAN_DRAW_VERIFY_MAX_ROWS = 10  # the round has 7 households and 7 units
    monkeypatch.setattr(alg, "assign", lambda *a, **k: pytest.fail("recomputed"))
    response = _post(client, _genuine(drawn))
    assert response.status_code == 400 and "合计超过 10 行" in response.content.decode()


def test_a_bogus_file_costs_no_recomputation(client, drawn, monkeypatch):
    """A file the platform never published is answered from its digest alone."""
    doc = _genuine(drawn)
    doc["list"]["round"]["code"] = "FAKE-2"
    monkeypatch.setattr(alg, "assign", lambda *a, **k: pytest.fail("recomputed"))
    assert "验证不通过" in _post(client, doc).content.decode()


def test_one_verification_at_a_time_per_process(client, drawn):
    assert views._VERIFY_SLOT.acquire(blocking=False)
    try:
        response = _post(client, _genuine(drawn))
    finally:
        views._VERIFY_SLOT.release()
    assert response.status_code == 503 and int(response["Retry-After"]) > 0


def test_the_excel_announcement_of_a_household_named_like_a_formula_verifies(
    client, user, tmp_path
):
    """A head of household called ``=1+1`` was written as a live formula; the genuine
    announcement then failed verification."""
    from openpyxl import load_workbook

    from zhujian.domains.housing.models import RoundHousehold

    staff = user("zhubao")
    rnd = helpers.make_round(staff)
    h = RoundHousehold.objects.get(round=rnd, seq=2)
    h.head_name = "=1+1"
    h._history_user = staff
    h.save()
    from zhujian.domains.housing.draw import service

    service.freeze(rnd, staff, at=helpers.PUBLISHED_AT)
    for who, value in helpers.INPUTS:
        service.add_input(rnd, who, value, staff, at=helpers.INPUTS_AT)
    service.set_beacon(rnd, helpers.BEACON_VALUE, staff, at=helpers.DRAWN_AT)
    rnd = service.run(rnd, staff, "签发人", at=helpers.DRAWN_AT)
    path = tmp_path / "公告.xlsx"
    files.write_xlsx(files.from_round(rnd), path)
    cells = [c for row in load_workbook(path)[files.SHEET_HOUSEHOLDS].iter_rows() for c in row]
    formula = next(c for c in cells if c.value == "=1+1")
    assert formula.data_type == "s"  # text, not a formula
    with open(path, "rb") as fh:
        page = client.post(VERIFY, {"file": fh}).content.decode()
    assert "验证通过" in page


# --- a resident's look-up ------------------------------------------------------------------


def test_a_resident_finds_the_households_result_by_code_marked_verified(client, drawn):
    page = client.get(LOOKUP, {"round": drawn.code, "q": "ZLS-006"}).content.decode()
    assert "已核验" in page and "1号楼1单元101室" in page and "杨*" in page
    assert "杨磊" not in page
    # nobody else's data
    for name, *_ in helpers.HOUSEHOLDS:
        assert name not in page
    assert "ZLS-003" not in page


def test_a_resident_finds_the_result_by_the_last_four_id_digits(client, drawn):
    page = client.get(LOOKUP, {"round": drawn.code, "q": "552X"}).content.decode()
    assert "ZLS-002" in page and "已核验" in page


def test_the_look_up_lists_nothing_for_a_partial_or_empty_query(client, drawn):
    for q in ("ZLS", "", "1"):
        response = client.get(LOOKUP, {"round": drawn.code, "q": q})
        assert response.status_code == 400
        assert "ZLS-00" not in response.content.decode()


def test_a_household_whose_stored_result_was_changed_is_not_marked_verified(client, drawn):
    from zhujian.domains.housing.models import DrawResult

    a, b = DrawResult.objects.filter(round=drawn, household__seq__in=(6, 3)).order_by("position")
    # behind the application's back (the models refuse it): swap two units in the table
    DrawResult.objects.filter(pk=a.pk).update(unit=None)
    DrawResult.objects.filter(pk=b.pk).update(unit=a.unit_id)
    DrawResult.objects.filter(pk=a.pk).update(unit=b.unit_id)
    page = client.get(LOOKUP, {"round": drawn.code, "q": "ZLS-006"}).content.decode()
    assert "未能核验" in page and "已核验" not in page


def test_the_look_up_is_rate_limited_per_address(client, drawn, settings):
    settings.ZHUJIAN_DRAW_LOOKUP_RATE = "3/min"
    codes = [f"ZLS-00{i}" for i in range(1, 5)]
    statuses = [client.get(LOOKUP, {"round": drawn.code, "q": c}).status_code for c in codes]
    assert statuses == [200, 200, 200, 429]
    assert (
        client.get(
            LOOKUP, {"round": drawn.code, "q": "ZLS-001"}, REMOTE_ADDR="10.0.0.8"
        ).status_code
        == 200
    )


def test_the_look_up_page_itself_needs_no_sign_in(client, drawn):
    page = client.get(reverse("housing:lookup")).content.decode()
    assert drawn.name in page and "户编号或身份证号后4位" in page
