"""Repeated failed logins lock that username at that address, on the login form and over
HTTP Basic, with a Chinese message; the cool-off or an administrator unlocks it (security
audit, issue 9 item 5)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhujian.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
LOGIN = "/accounts/login/"
API = "/api/figures/?ids=toilet.problem_households"


@pytest.fixture(autouse=True)
def _fast_passwords(settings, user) -> None:
    """Every login here checks a password: MD5 rather than the production hasher's million
    rounds keeps these tests quick (the lockout does not depend on the hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name in ("town01", "town04"):
        account = user(name)
        account.set_password(DEMO_PASSWORD)
        account.save(update_fields=["password"])


def form_login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def basic(client, username: str, password: str, ip: str = "10.0.0.1"):
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get(API, HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_limit_and_cool_off_are_sensible():
    assert 3 <= LIMIT <= 10
    assert settings.AXES_COOLOFF_TIME >= dt.timedelta(minutes=5)


def test_form_locks_after_repeated_failures_and_refuses_the_right_password(client):
    for _ in range(LIMIT - 1):
        response = form_login(client, "town01", "wrong-password-1")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = form_login(client, "town01", "wrong-password-1")
    assert response.status_code == 429
    text = response.content.decode()
    assert "登录失败次数过多" in text and "15 分钟后再试" in text
    assert 'name="username"' in text  # the login page itself, not a bare error
    response = form_login(client, "town01", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_lockout_is_per_username_and_address(client):
    for _ in range(LIMIT):
        form_login(client, "town01", "wrong-password-1")
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 429
    # the same login from another address, another login from this one: not locked
    assert form_login(client, "town01", DEMO_PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert form_login(client, "town04", DEMO_PASSWORD).status_code == 302


def test_a_good_login_forgets_earlier_failures(client):
    for _ in range(LIMIT - 1):
        form_login(client, "town01", "wrong-password-1")
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        form_login(client, "town01", "wrong-password-1")
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 302


def test_basic_auth_locks_after_repeated_failures_with_a_chinese_429(client):
    for _ in range(LIMIT - 1):
        assert basic(client, "town01", "wrong-password-1").status_code in (401, 403)
    response = basic(client, "town01", "wrong-password-1")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    response = basic(client, "town01", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "15 分钟后再试" in response.json()["detail"]


def test_form_and_basic_auth_share_one_count(client):
    for _ in range(LIMIT - 1):
        form_login(client, "town01", "wrong-password-1")
    assert basic(client, "town01", "wrong-password-1").status_code == 429
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 429


def test_cool_off_unlocks(client):
    for _ in range(LIMIT):
        form_login(client, "town01", "wrong-password-1")
    assert basic(client, "town01", DEMO_PASSWORD).status_code == 429
    earlier = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=earlier)
    response = basic(client, "town01", DEMO_PASSWORD)
    assert response.status_code == 200, response.content
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 302


def test_reset_command_unlocks(client):
    for _ in range(LIMIT):
        form_login(client, "town01", "wrong-password-1")
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 429
    call_command("axes_reset_username", "town01")
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 302


def test_admin_sees_and_resets_lockouts_in_chinese(client, admin_user):
    for _ in range(LIMIT):
        form_login(client, "town01", "wrong-password-1")
    attempt = AccessAttempt.objects.get(username="town01")
    client.force_login(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录锁定" in index and "登录失败记录" in index
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    text = page.content.decode()
    assert "town01" in text and "已锁定（删除此记录即解除）" in text
    assert "Access attempts" not in text and "Locked Out" not in text
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client.logout()
    assert form_login(client, "town01", DEMO_PASSWORD).status_code == 302


def test_behind_the_proxy_the_client_is_the_forwarded_address(client, settings):
    settings.BEHIND_PROXY = True

    def login_from(address: str, password: str):
        return client.post(
            LOGIN,
            {"username": "town01", "password": password},
            REMOTE_ADDR="127.0.0.1",  # nginx
            HTTP_X_FORWARDED_FOR=f"203.0.113.9, {address}",  # the left part is the client's say
        )

    for _ in range(LIMIT):
        login_from("10.8.0.5", "wrong-password-1")
    assert login_from("10.8.0.5", DEMO_PASSWORD).status_code == 429
    assert login_from("10.8.0.6", DEMO_PASSWORD).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "10.8.0.5"
