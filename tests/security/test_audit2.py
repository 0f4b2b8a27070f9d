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
