"""Second security audit (docs/decisions/audit-2.md): the business lines that landed after
issue 9 — housing and the public draw verification page, LPG scans, labels and search,
petitions and deadline lists — attacked as a township user, a department user of another
line, an anonymous visitor and a device of another station. Each test failed before its fix."""

from __future__ import annotations

import io

import pytest

from tests.conftest import login
from tests.domains.lpg.helpers import device_of, station
from zhujian.core import bounds

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000  # 200 KB: far below every body limit


# --- JSON nested too deep: RecursionError was a server error ------------------------------


def test_load_json_refuses_deep_nesting_in_chinese():
    with pytest.raises(bounds.BoundsError, match="嵌套层数过多"):
        bounds.load_json(DEEP)
    # just past the bound, well inside what Python's parser takes
    with pytest.raises(bounds.BoundsError, match="嵌套层数过多"):
        bounds.load_json('{"a":' * (bounds.JSON_MAX_DEPTH + 1) + "1" + "}" * 33)
    assert bounds.load_json('{"events": [{"id": "a", "n": [1, {"x": []}]}]}')["events"][0]["id"]


def test_a_deeply_nested_scan_batch_is_a_400_not_a_server_error(client):
    _, token = device_of(station())
    for body in (DEEP, '{"events":' + "[" * 5000 + "]" * 5000 + "}"):
        response = client.post(
            "/api/lpg/scans/",
            body,
            content_type="application/json",
            headers={"Authorization": f"Device {token}"},
        )
        assert response.status_code == 400
        assert "嵌套层数过多" in response.json()["detail"]


def test_a_deeply_nested_ledger_api_body_is_a_400_not_a_server_error(client, user):
    login(client, user("admin"))
    response = client.post(
        "/api/ledgers/petitions_petitioncase/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert "嵌套层数过多" in response.json()["detail"]


def test_the_public_verify_page_refuses_a_deeply_nested_file(client):
    upload = io.BytesIO(DEEP.encode())
    upload.name = "round.json"
    response = client.post("/housing/draws/verify/", {"file": upload, "seed": "0" * 64})
    assert response.status_code == 400
    assert "嵌套层数过多" in response.content.decode()


# --- query parameters of the new pages: bounded, a 400 rather than a server error --------


@pytest.mark.parametrize(
    "as_of", ["9999-12-31", "0001-01-01", "2022-02-30", "2022-6-1", "x" * 5000]
)
@pytest.mark.parametrize("state", ["overdue", "soon"])
def test_a_deadline_list_refuses_dates_no_record_can_carry(client, user, as_of, state):
    login(client, user("town01"))
    url = "/deadlines/petitions_petitioncase/"
    response = client.get(url, {"state": state, "as_of": as_of})
    assert response.status_code == 400
    assert "as_of" in response.content.decode()
    assert client.get(url, {"state": state, "as_of": "2022-06-30"}).status_code == 200


@pytest.mark.parametrize("company", ["9" * 30, "9" * 5000, "١٢", "-1", "1.5", str(2**63), "1e3"])
def test_the_label_sheet_refuses_a_company_id_no_table_holds(client, user, company):
    login(client, user("ranqi"))
    response = client.get("/lpg/labels/", {"company": company})
    assert response.status_code == 400
    assert "company" in response.content.decode()


def test_the_label_sheet_reads_and_echoes_only_as_many_codes_as_it_prints(client, user):
    from zhujian.domains.lpg.models import Cylinder
    from zhujian.domains.lpg.views import MAX_LABELS

    login(client, user("ranqi"))
    first = Cylinder.objects.order_by("code").first()
    codes = [first.code] + [f"ZZ{i:012d}" for i in range(50_000)]
    response = client.get("/lpg/labels/", {"codes": ",".join(codes)})
    assert response.status_code == 200
    page = response.content.decode()
    assert first.code in page
    assert "ZZ000000000198" in page and "ZZ000000000199" not in page  # 200 codes echoed
    assert len(response.content) < 200_000
    assert MAX_LABELS == 200
    since = client.get(
        "/lpg/labels/", {"company": first.company_id, "registered_from": "9999-99-99"}
    )
    assert since.status_code == 400


# --- personal data: an LPG user's phone ----------------------------------------------------


@pytest.fixture
def lpg_customer():
    from zhujian.domains.lpg.models import Customer

    return Customer.objects.exclude(phone="").select_related("org_unit").order_by("pk").first()


def test_a_department_user_of_another_line_cannot_find_an_lpg_user_by_phone(
    client, user, lpg_customer
):
    phone = lpg_customer.phone
    login(client, user("chengjian"))  # 城建股: reads the county, edits other lines
    listing = client.get("/ledgers/lpg_customer/", {"q": phone}).content.decode()
    assert lpg_customer.code not in listing
    search = client.get("/lpg/", {"q": phone})
    assert search.status_code == 200 and lpg_customer.code not in search.content.decode()
    api = client.get("/api/ledgers/lpg_customer/", {"search": phone}).json()
    assert api["count"] == 0


def test_an_lpg_users_phone_is_masked_for_whoever_does_not_handle_it(client, user, lpg_customer):
    from zhujian.core.models import PersonalDataAccess

    phone, pk = lpg_customer.phone, lpg_customer.pk
    for who in ("chengjian", "leader"):
        login(client, user(who))
        for url in (f"/ledgers/lpg_customer/{pk}/", f"/api/ledgers/lpg_customer/{pk}/"):
            response = client.get(url)
            assert response.status_code == 200 and phone not in response.content.decode()
        export = client.get("/ledgers/lpg_customer/export.xlsx", {"q": lpg_customer.code})
        assert phone.encode() not in _xlsx_text(export)
    assert not PersonalDataAccess.objects.filter(ledger="lpg_customer").exists()
    # the gas line's editors see it, and the view is recorded
    login(client, user("ranqi"))
    assert phone in client.get(f"/ledgers/lpg_customer/{pk}/").content.decode()
    assert phone in client.get("/lpg/", {"q": phone}, follow=True).content.decode()
    assert PersonalDataAccess.objects.filter(ledger="lpg_customer", record_id=pk).exists()


def test_a_masked_phone_is_refused_on_every_path_even_without_a_field_validator(
    client, user, lpg_customer
):
    login(client, user("ranqi"))
    url = f"/api/ledgers/lpg_customer/{lpg_customer.pk}/"
    response = client.patch(url, {"phone": "139****0000"}, content_type="application/json")
    assert response.status_code == 400 and "脱敏" in response.json()["phone"][0]
    same = client.patch(
        url,
        {"phone": lpg_customer.phone[:3] + "****" + lpg_customer.phone[-4:]},
        content_type="application/json",
    )
    assert same.status_code == 200  # the mask of the stored value: kept as stored
    lpg_customer.refresh_from_db()
    assert "*" not in lpg_customer.phone


def _xlsx_text(response) -> bytes:
    import zipfile

    body = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))


# --- the public draw verification page: any file, any visitor ------------------------------


@pytest.fixture
def round_file(user):
    import json

    from tests.domains.housing import helpers
    from zhujian.domains.housing.draw import files

    drawn = helpers.drawn_round(user("zhubao"))
    return json.loads(files.to_json(files.from_round(drawn))), drawn.seed


def _verify(client, doc, seed, **extra):
    import json

    upload = io.BytesIO(json.dumps(doc).encode())
    upload.name = "round.json"
    return client.post("/housing/draws/verify/", {"file": upload, "seed": seed}, **extra)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("inputs", [{}]),  # no seq
        lambda d: d.__setitem__("inputs", [{"seq": "a", "value": "1"}, {"seq": 1, "value": "2"}]),
        lambda d: d["assignment"][0].__setitem__("household", {"a": 1}),
        lambda d: d["assignment"][0].__setitem__("group", [1]),
        lambda d: d.__setitem__("seed", 5),
        lambda d: d.__setitem__("signed_by", {"a": 1}),
    ],
    ids=["input-without-seq", "mixed-seq", "dict-household", "list-group", "int-seed", "dict"],
)
def test_a_round_file_of_the_wrong_shape_is_refused_in_chinese(client, round_file, change):
    doc, seed = round_file
    change(doc)
    response = _verify(client, doc, seed)
    assert response.status_code == 400
    assert "摇号文件" in response.content.decode()


def test_many_one_household_groups_cost_linear_time_not_quadratic(round_file):
    """5,000 groups used to scan both lists 5,000 times (2 s; 50,000 groups: minutes).
    Counted, not timed: the group key is read once per row."""
    from zhujian.domains.housing.draw import algorithm

    doc, seed = round_file
    household, unit = doc["list"]["households"][0], doc["list"]["units"][0]
    reads = 0

    class Row(dict):
        def get(self, key, default=None):
            nonlocal reads
            reads += key == "group"
            return super().get(key, default)

    n = 2000
    doc["list"]["households"] = [
        Row(household, seq=i, code=f"H{i}", group=f"G{i}") for i in range(1, n + 1)
    ]
    doc["list"]["units"] = [Row(unit, seq=i, code=f"U{i}", group=f"G{i}") for i in range(1, n + 1)]
    result = algorithm.assign(doc["list"], seed)
    assert len(result) == n and all(a.unit == a.household for a in result)
    assert reads <= 10 * n


def test_the_public_verify_page_is_rate_limited_per_address(client, round_file, settings):
    doc, seed = round_file
    settings.ZHUJIAN_DRAW_VERIFY_RATE = "3/min"
    assert [_verify(client, doc, seed).status_code for _ in range(3)] == [200, 200, 200]
    refused = _verify(client, doc, seed)
    assert refused.status_code == 429 and "验证过于频繁" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # another address is not held up; reading the page never counts
    assert _verify(client, doc, seed, REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get("/housing/draws/verify/").status_code == 200


# --- a device token reads its own company's cylinders only ---------------------------------


def test_a_device_learns_nothing_of_another_companys_cylinder_but_the_refusal(client):
    from tests.domains.lpg.helpers import other_cylinder, own_cylinder

    site = station()
    _, token = device_of(site)
    auth = {"Authorization": f"Device {token}"}
    foreign = client.get(f"/api/lpg/check/{other_cylinder(site).code}/", headers=auth).json()
    assert foreign["fill_allowed"] is False and foreign["reason"] == "other_company"
    assert foreign["status"] is None
    assert foreign["next_inspection_due"] is None and foreign["scrap_due"] is None
    own = client.get(f"/api/lpg/check/{own_cylinder(site).code}/", headers=auth).json()
    assert own["status"] and own["next_inspection_due"]  # its own: the state it fills by
    # and nothing outside the scan API: the trace and the ledgers want a signed-in person
    assert client.get(
        f"/api/lpg/cylinders/{own_cylinder(site).code}/trace/", headers=auth
    ).status_code in (401, 403)
    assert client.get("/api/ledgers/lpg_cylinder/", headers=auth).status_code in (401, 403)


# --- the draw's steps: text bounded by its column on every backend --------------------------


def test_draw_steps_refuse_text_longer_than_its_column(client, user, monkeypatch):
    from django.urls import reverse

    from tests.domains.housing import helpers
    from zhujian.domains.housing.draw import service
    from zhujian.domains.housing.models import AllocationRound, RoundStatus

    clock = helpers.Clock(monkeypatch)  # the round's calendar (publication period, lottery)
    staff = user("zhubao")
    rnd = helpers.make_round(staff)
    service.freeze(rnd, staff)
    for who, value in helpers.INPUTS:
        service.add_input(rnd, who, value, staff)
    clock.to(helpers.DRAWN_AT)
    service.set_beacon(rnd, helpers.BEACON_VALUE, staff)
    client.force_login(staff)
    page = client.post(
        reverse("housing:run", args=[rnd.pk]), {"signed_by": "签" * 33}, follow=True
    ).content.decode()
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED and "签发人最多32个字" in page
    drawn = service.run(rnd, staff, "测试签发人")
    client.post(reverse("housing:redraw", args=[drawn.pk]), {"reason": "因" * 10_001})
    assert not AllocationRound.objects.filter(redraw_of=drawn).exists()


# --- Django's refusals of a whole request answer an API client in JSON, in Chinese ---------


def test_a_scan_batch_over_the_body_limit_gets_a_json_reason(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000  # the same path as the real 50 MB
    _, token = device_of(station())
    body = '{"events": [' + ",".join(['{"id": "a", "note": "' + "x" * 100 + '"}'] * 200) + "]}"
    response = client.post(
        "/api/lpg/scans/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Device {token}"},
    )
    assert response.status_code == 400
    assert "请求体过大" in response.json()["detail"]
    missing = client.get("/api/no-such-endpoint/", headers={"Authorization": f"Device {token}"})
    assert missing.status_code == 404 and missing.json()["detail"]
