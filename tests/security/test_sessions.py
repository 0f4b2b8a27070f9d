"""Sessions end when idle, passwords age, are not reused and must be changed on first
login and after an administrator's reset (等保 2.0 L3-CES1-01..02)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from zhujian.core import sessions
from zhujian.core.models import PasswordHistory

pytestmark = pytest.mark.django_db
PASSWORD = "zhujian2022"


def _idle(client, seconds: float) -> None:
    session = client.session
    session[sessions.LAST_SEEN] = time.time() - seconds
    session.save()


def test_an_idle_session_is_signed_out_and_the_login_page_says_why(client, user, settings):
    settings.ZHUJIAN_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(user("town01"))
    assert client.get("/").status_code == 200
    _idle(client, 29 * 60)
    assert client.get("/").status_code == 200  # 29 minutes: still signed in
    _idle(client, 31 * 60)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert "超过 30 分钟未操作" in response.content.decode()
    assert client.get("/").status_code == 302  # and signed out


def test_an_idle_api_session_gets_401(client, user):
    client.force_login(user("town01"))
    client.get("/")
    _idle(client, 31 * 60)
    response = client.get("/api/ledgers/party_partyactivity/")
    assert response.status_code == 401 and "未操作" in response.json()["detail"]


def test_pages_carry_the_idle_timer_for_the_warning_script(client, user, settings):
    settings.ZHUJIAN_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(user("town01"))
    body = client.get("/").content.decode()
    assert 'data-idle-seconds="1800"' in body and 'data-idle-warning-seconds="120"' in body
    assert "web/idle.js" in body and "<script>" not in body  # CSP: no inline script
    assert client.post("/accounts/keepalive/").status_code == 200


def test_an_aged_password_must_be_changed_before_anything_else(client, user, settings):
    settings.ZHUJIAN_PASSWORD_MAX_AGE_DAYS = 90
    u = user("town01")
    type(u).objects.filter(pk=u.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91)
    )
    client.force_login(u)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/password_change/"
    assert "超过 90 天的有效期" in response.content.decode()
    assert client.get("/api/ledgers/party_partyactivity/").status_code == 403
    changed = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Qingshan2026x",
            "new_password2": "Qingshan2026x",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    settings.ZHUJIAN_PASSWORD_MAX_AGE_DAYS = 0  # ageing off
    type(u).objects.filter(pk=u.pk).update(password_changed_at=timezone.now() - dt.timedelta(999))
    assert client.get("/").status_code == 200


def test_the_last_passwords_cannot_be_used_again(client, user, settings):
    settings.ZHUJIAN_PASSWORD_HISTORY = 3
    u = user("town02")
    client.force_login(u)
    current = PASSWORD
    for new in ("Lanshan2026a", "Lanshan2026b"):
        r = client.post(
            "/accounts/password_change/",
            {"old_password": current, "new_password1": new, "new_password2": new},
        )
        assert r.status_code == 302, r.content.decode()
        current = new
    assert PasswordHistory.objects.filter(user=u).count() >= 2
    for old in (PASSWORD, "Lanshan2026a", "Lanshan2026b"):
        r = client.post(
            "/accounts/password_change/",
            {"old_password": current, "new_password1": old, "new_password2": old},
        )
        assert r.status_code == 200 and "最近 3 次使用过的密码" in r.content.decode(), old


def test_an_administrators_reset_forces_a_change_at_next_login(client, user):
    target = user("town03")
    client.force_login(user("admin"))
    r = client.post(
        f"/admin/core/user/{target.pk}/password/",
        {"password1": "Reset2026abc", "password2": "Reset2026abc", "usable_password": "true"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    target.refresh_from_db()
    assert target.must_change_password
    client.logout()
    client.post("/accounts/login/", {"username": "town03", "password": "Reset2026abc"})
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/password_change/"
    assert "管理员重置密码后" in response.content.decode()
    client.post(
        "/accounts/password_change/",
        {
            "old_password": "Reset2026abc",
            "new_password1": "Mine2026abcd",
            "new_password2": "Mine2026abcd",
        },
    )
    target.refresh_from_db()
    assert not target.must_change_password
    assert client.get("/").status_code == 200


def test_demo_and_script_made_accounts_are_not_forced(user):
    u = user("town05")
    assert not u.must_change_password and u.password_changed_at is not None
