"""The OpenAPI schema and the API docs are for signed-in users only (security audit,
issue 9 item 12)."""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_docs_page_redirects_to_login(client):
    response = client.get("/api/docs/", HTTP_ACCEPT="text/html")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/api/docs/"


def test_anonymous_swagger_script_is_refused_too(client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 302


@pytest.mark.parametrize("fmt", ["", "?format=json", "?format=yaml"])
def test_anonymous_schema_is_refused(client, fmt):
    response = client.get(f"/api/schema/{fmt}")
    assert response.status_code in (401, 403)
    assert "/api/ledgers/" not in response.content.decode()


def test_signed_in_user_gets_schema_and_docs(client, town_a):
    client.force_login(town_a)
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<script>" not in text  # the start-up script is a file of its own (CSP)
    assert "/api/docs/?script=" in text
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_schema_over_http_basic_auth(client):
    token = base64.b64encode(b"town01:zhujian2022").decode()
    response = client.get("/api/schema/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
