"""``check --deploy`` (issue 24): a Django superuser is warned about (三员分立), demo accounts
with the published password and a development data key are refused."""

from __future__ import annotations

import pytest

from zhujian.core import checks
from zhujian.demo.county import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_password_is_the_one_the_check_knows():
    assert checks.DEMO_PASSWORD == DEMO_PASSWORD


def test_a_superuser_and_the_demo_accounts_are_reported(user):
    found = {m.id: m.msg for m in checks.accounts_check()}
    assert "admin" in found["zhujian.W243"]
    assert "leader" in found["zhujian.E244"]


def test_accounts_with_their_own_passwords_pass(user):
    from zhujian.core.models import User

    User.objects.update(is_superuser=False)
    for pk in User.objects.values_list("pk", flat=True):  # each its own salted hash
        User.objects.filter(pk=pk).update(password=f"pbkdf2_sha256$1000$salt{pk}$x")
    assert checks.accounts_check() == []


def test_the_development_data_key_is_refused(settings):
    from zhujian.core.crypto import DEVELOPMENT_KEYS

    settings.ZHUJIAN_DATA_KEYS = DEVELOPMENT_KEYS
    assert [m.id for m in checks.data_key_check()] == ["zhujian.E242"]
    settings.ZHUJIAN_DATA_KEYS = "k1:" + "ab" * 32
    assert checks.data_key_check() == []


def test_basic_auth_left_on_is_warned(settings):
    settings.ZHUJIAN_API_BASIC_AUTH = 1
    assert [m.id for m in checks.basic_auth_check()] == ["zhujian.W245"]
    settings.ZHUJIAN_API_BASIC_AUTH = 0
    assert checks.basic_auth_check() == []
