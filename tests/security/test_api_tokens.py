"""Per-client API tokens (等保 2.0 L3-CES1-04): shown once, stored as a digest, the owner's
scope, refused when expired or revoked, each use in the audit log; Basic can be turned off."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from zhujian.core import apitokens, audit
from zhujian.core.models import ApiToken, SecurityEvent
from zhujian.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
API = "/api/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings, user) -> None:
    """MD5 rather than the production hasher's million rounds keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    account = user("town01")
    account.set_password(DEMO_PASSWORD)
    account.save(update_fields=["password"])


def _bearer(client, raw: str, path: str = API):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="10.3.3.3")


def test_a_token_is_shown_once_stored_as_a_digest_and_works(client, user):
    owner = user("town01")
    token, raw = apitokens.issue(owner, "统计客户端", 30)
    assert raw.startswith("zj_") and raw not in token.digest
    assert not ApiToken.objects.filter(digest__contains=raw).exists()
    response = _bearer(client, raw)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_ip == "10.3.3.3"
    used = SecurityEvent.objects.filter(kind=audit.Kind.API_TOKEN, outcome=True).first()
    assert "使用接口令牌“统计客户端”" in used.detail and used.username == "town01"
    assert used.ip == "10.3.3.3"


def test_the_token_acts_with_its_owner_scope(client, user):
    from zhujian.core import scope
    from zhujian.core.registry import registry

    owner = user("town01")
    _, raw = apitokens.issue(owner, "乡镇客户端", 30)
    ledger = next(lg for lg in registry if scope.can_ledger(owner, "view", lg))
    response = _bearer(client, raw, f"/api/ledgers/{ledger.name}/")
    assert response.status_code == 200
    seen = scope.restrict(ledger.model.objects.all(), owner).count()
    assert response.json()["count"] == seen < ledger.model.objects.count()


def test_expired_and_revoked_tokens_are_refused(client, user):
    owner = user("town01")
    expired, raw_expired = apitokens.issue(owner, "过期", 1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    response = _bearer(client, raw_expired)
    assert response.status_code == 401 and "已于" in response.json()["detail"]
    revoked, raw_revoked = apitokens.issue(owner, "吊销", 30)
    apitokens.revoke(revoked, by=owner)
    response = _bearer(client, raw_revoked)
    assert response.status_code == 401 and "已吊销" in response.json()["detail"]
    assert _bearer(client, "zj_not-a-real-token").status_code == 401
    refused = SecurityEvent.objects.filter(kind=audit.Kind.API_TOKEN, outcome=False)
    assert refused.count() >= 3


def test_a_disabled_owner_makes_the_token_useless(client, user):
    owner = user("town01")
    _, raw = apitokens.issue(owner, "停用", 30)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert _bearer(client, raw).status_code == 401


def test_basic_auth_turned_off_refuses_basic(client, settings):
    token = base64.b64encode(f"town01:{DEMO_PASSWORD}".encode()).decode()
    assert client.get(API, HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    settings.ZHUJIAN_API_BASIC_AUTH = 0
    response = client.get(API, HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 401
    assert "已关闭用户名和密码" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_page_issues_lists_and_revokes_tokens(client, user):
    owner = user("town01")
    client.force_login(owner)
    page = client.post("/accounts/security/", {"name": "报表工具", "days": "30"})
    text = page.content.decode()
    token = ApiToken.objects.get(user=owner, name="报表工具")
    assert "只显示这一次" in text and token.prefix in text
    assert client.post("/accounts/security/", {"name": "太长", "days": "9999"}).status_code == 200
    assert not ApiToken.objects.filter(name="太长").exists()
    again = client.get("/accounts/security/").content.decode()
    assert "新令牌" not in again
    other = user("town02")
    client.force_login(other)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")  # not theirs
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(owner)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
