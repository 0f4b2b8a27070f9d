"""The second factor (等保 2.0 L3-CES1-04): who is asked, the login's two steps, recovery
codes (hashed, once each), the 安全管理员's reset (audited), Basic refused to such accounts."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhujian.core import audit, twofactor
from zhujian.core.models import RecoveryCode, Role, SecurityEvent, User
from zhujian.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings, user) -> None:
    """MD5 rather than the production hasher's million rounds keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    account = user("town01")
    account.set_password(DEMO_PASSWORD)
    account.save(update_fields=["password"])


def _account(username: str, role: str) -> User:
    return User.objects.create_user(username, password=DEMO_PASSWORD, role=role)


def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="测试", confirmed=True)


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, drift=drift):06d}"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_three_administrators_and_superusers_must_use_it_others_by_parameter(user, settings):
    for role in (Role.ADMIN, Role.SECURITY, Role.AUDITOR):
        assert twofactor.required(User(role=role))
    assert twofactor.required(User(role=Role.DEPARTMENT, is_superuser=True))
    assert not twofactor.required(user("town01"))
    assert not twofactor.required(user("leader"))
    settings.ZHUJIAN_OTP_ROLES = {"township": 1}
    assert twofactor.required(user("town01"))
    assert not twofactor.required(user("leader"))


def test_an_administrator_without_a_device_enrols_before_any_session(client):
    account = _account("anquan2", Role.SECURITY)
    response = client.post(LOGIN, {"username": "anquan2", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/enrol/"
    assert not _signed_in(client)
    assert client.get("/workbench/").status_code == 302  # no session yet
    page = client.get("/accounts/otp/enrol/").content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg", 1)[0]
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    assert client.post("/accounts/otp/enrol/", {"code": "12"}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post("/accounts/otp/enrol/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/recovery/"
    assert _signed_in(client)
    codes = client.session["zhujian_recovery_codes"]
    assert len(codes) == twofactor.RECOVERY_COUNT
    shown = client.get("/accounts/otp/recovery/").content.decode()
    assert all(code in shown for code in codes)
    assert codes[0] not in client.get("/accounts/otp/recovery/", follow=True).content.decode()
    for row in RecoveryCode.objects.filter(user=account):  # only hashes are stored
        assert row.digest.startswith("md5$") and all(
            c[5:].replace("-", "") not in row.digest for c in codes
        )
    assert SecurityEvent.objects.filter(
        kind=audit.Kind.USER, detail__contains="启用了动态口令"
    ).exists()


def test_a_wrong_code_is_refused_and_recorded_a_right_one_signs_in(client):
    account = _account("shenji2", Role.AUDITOR)
    device = _device(account)
    client.post(LOGIN, {"username": "shenji2", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert not _signed_in(client)
    wrong = "000000" if _code(device) != "000000" else "111111"
    page = client.post("/accounts/otp/", {"code": wrong}, REMOTE_ADDR="10.9.9.9")
    assert "动态口令或恢复码不正确" in page.content.decode() and not _signed_in(client)
    failed = SecurityEvent.objects.filter(kind=audit.Kind.LOGIN_FAILED).first()
    assert (failed.username, failed.ip, failed.outcome) == ("shenji2", "10.9.9.9", False)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    # the password alone cannot bind a new device in place of the bound one
    assert client.get("/accounts/otp/enrol/")["Location"] == "/accounts/otp/"
    assert not TOTPDevice.objects.filter(user=account, confirmed=False).exists()
    response = client.post("/accounts/otp/", {"code": _code(device)})
    assert response.status_code == 302 and _signed_in(client)
    assert SecurityEvent.objects.filter(kind=audit.Kind.LOGIN, username="shenji2").exists()


def test_a_recovery_code_works_once(client):
    account = _account("anquan2", Role.SECURITY)
    _device(account)
    codes = twofactor.make_recovery_codes(account)
    client.post(LOGIN, {"username": "anquan2", "password": DEMO_PASSWORD})
    assert client.post("/accounts/otp/", {"code": codes[3]}).status_code == 302
    assert _signed_in(client)
    client.post("/accounts/logout/")
    client.post(LOGIN, {"username": "anquan2", "password": DEMO_PASSWORD})
    page = client.post("/accounts/otp/", {"code": codes[3]})
    assert page.status_code == 200 and not _signed_in(client)
    assert twofactor.recovery_left(account) == twofactor.RECOVERY_COUNT - 1


def test_a_business_user_is_not_asked_unless_enrolled(client, user):
    response = client.post(LOGIN, {"username": "town01", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and _signed_in(client)
    client.post("/accounts/logout/")
    device = _device(user("town01"))  # enrolled of their own accord: asked from now on
    response = client.post(LOGIN, {"username": "town01", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/otp/" and not _signed_in(client)
    client.post("/accounts/otp/", {"code": _code(device)})
    assert _signed_in(client)


def test_the_security_administrator_resets_a_second_factor_audited(client):
    account = _account("shenji2", Role.AUDITOR)
    _device(account)
    twofactor.make_recovery_codes(account)
    security = _account("anquan2", Role.SECURITY)
    client.force_login(security)
    response = client.post(
        "/admin/core/user/",
        {"action": "reset_second_factor", "_selected_action": [account.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=account).exists()
    assert not RecoveryCode.objects.filter(user=account).exists()
    event = SecurityEvent.objects.filter(kind=audit.Kind.PERMISSION).first()
    assert "重置了用户 shenji2 的双因素认证" in event.detail and event.username == "anquan2"


def test_the_system_administrator_cannot_reset_it(client):
    account = _account("shenji2", Role.AUDITOR)
    _device(account)
    admin = _account("xitong2", Role.ADMIN)
    client.force_login(admin)
    client.post(
        "/admin/core/user/", {"action": "reset_second_factor", "_selected_action": [account.pk]}
    )
    assert TOTPDevice.objects.filter(user=account).exists()


def test_basic_auth_never_opens_an_account_that_needs_the_second_factor(client):
    _account("anquan2", Role.SECURITY)
    token = base64.b64encode(f"anquan2:{DEMO_PASSWORD}".encode()).decode()
    response = client.get("/api/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert "动态口令" in response.json()["detail"]


def test_demo_passwords_are_refused_at_login_in_production(client, settings):
    settings.ZHUJIAN_ALLOW_DEMO = False
    page = client.post(LOGIN, {"username": "town01", "password": DEMO_PASSWORD})
    assert page.status_code == 200 and not _signed_in(client)
    assert "公开的示例密码" in page.content.decode()
