"""Schemathesis fuzzes every operation of the OpenAPI schema (issue 9), as a township user
and as a department user: no server error anywhere, and every documented response matches
the schema. Requests go in-process through the WSGI application, inside the test's
transaction, so whatever the fuzzer creates or deletes is rolled back."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from zhujian.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

APP = get_wsgi_application()
USERS = ["town01", "chengjian"]  # a township user, a department user


def _session_headers(username: str) -> dict[str, str]:
    """A logged-in session and a CSRF token, as a browser would send them (no password
    hashing per request, which Basic auth would cost)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    secret = _get_new_csrf_string()
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={session}; csrftoken={secret}"
    return {"Cookie": cookie, "X-CSRFToken": _mask_cipher_secret(secret)}


@pytest.fixture
def sessions(db) -> list[dict[str, str]]:
    return [_session_headers(username) for username in USERS]


def _load_schema() -> schemathesis.BaseSchema:
    """The schema /api/schema/ serves, generated without a request (no database needed at
    collection time), bound to the WSGI application."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(None, True)))
    # Authenticate by the session below, not by credentials the fuzzer would invent.
    raw.get("components", {}).pop("securitySchemes", None)
    raw.pop("security", None)
    for operations in raw["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = APP
    # The coverage phase (every boundary of every field: ~200 requests per write operation)
    # is a deep run: ZHUJIAN_FUZZ_PHASES=examples,coverage,fuzzing ./dev.sh test tests/api
    phases = set(os.environ.get("ZHUJIAN_FUZZ_PHASES", "examples,fuzzing").split(","))
    for name in ("examples", "coverage", "fuzzing"):
        getattr(loaded.config.phases, name).enabled = name in phases
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("ZHUJIAN_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_responses_match_the_schema(case, sessions):
    for headers in sessions:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
