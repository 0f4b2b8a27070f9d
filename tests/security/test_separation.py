"""三员分立 (等保 2.0 L3-CES1-08): the system, security and audit administrators have
disjoint rights, no account holds two (admin, forms, commands, groups, rights), and none of
the three can do the others' work — on pages and through the API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction

from zhujian.core import separation
from zhujian.core.models import Role, SecurityEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(db):
    separation.ensure_groups()
    return {
        role: User.objects.create_user(name, password="x", role=role)
        for name, role in (
            ("xitong2", Role.ADMIN),
            ("anquan2", Role.SECURITY),
            ("shenji2", Role.AUDITOR),
        )
    }


def test_the_rights_are_disjoint_and_each_role_has_its_group(three):
    rights = list(separation.RIGHTS.values())
    assert all(a.isdisjoint(b) for i, a in enumerate(rights) for b in rights[i + 1 :])
    for role, account in three.items():
        assert list(account.groups.values_list("name", flat=True)) == [Role(role).label]
    assert three[Role.AUDITOR].has_perm("core.view_securityevent")
    assert not three[Role.ADMIN].has_perm("core.view_securityevent")
    assert not three[Role.SECURITY].has_perm("core.view_securityevent")
    assert three[Role.SECURITY].has_perm("auth.change_group")
    assert not three[Role.ADMIN].has_perm("auth.change_group")
    assert not three[Role.AUDITOR].has_perm("core.change_user")


def test_no_account_joins_a_second_administrator_group(three):
    security = Group.objects.get(name="安全管理员")
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        three[Role.ADMIN].groups.add(security)
    with pytest.raises(ValidationError, match="不能加入安全管理员组"), transaction.atomic():
        security.user_set.add(three[Role.AUDITOR])
    with pytest.raises(ValidationError, match="三员分立"), transaction.atomic():
        User.objects.get(username="town01").groups.add(security)


def test_another_administrators_right_is_refused_to_a_user_and_a_group(three):
    view_audit = Permission.objects.get(codename="view_securityevent")
    with pytest.raises(ValidationError, match="是审计管理员的权限"), transaction.atomic():
        three[Role.ADMIN].user_permissions.add(view_audit)
    with pytest.raises(ValidationError, match="是审计管理员的权限"), transaction.atomic():
        view_audit.user_set.add(three[Role.SECURITY])
    with pytest.raises(ValidationError, match="只属于审计管理员组"), transaction.atomic():
        Group.objects.get(name="系统管理员").permissions.add(view_audit)


def test_a_role_change_moves_the_group_and_a_superuser_cannot_be_security_or_audit(three):
    account = three[Role.ADMIN]
    account.role = Role.AUDITOR
    account.save()
    assert list(account.groups.values_list("name", flat=True)) == ["审计管理员"]
    account.is_superuser = True
    with pytest.raises(ValidationError, match="不能同时是超级用户"), transaction.atomic():
        account.save()


def test_the_command_refuses_too(three):
    three[Role.ADMIN].is_superuser = False
    with pytest.raises(CommandError, match="没有登录名"):
        call_command("accounts", "role", "nobody", "auditor")
    superuser = User.objects.get(username="admin")
    with pytest.raises(CommandError, match="不能同时是超级用户"):
        call_command("accounts", "role", "admin", "auditor")
    superuser.refresh_from_db()
    assert superuser.role == Role.ADMIN


def test_the_admin_form_refuses_with_a_chinese_message(client, three):
    client.force_login(User.objects.get(username="admin"))  # the demo's superuser
    target = three[Role.ADMIN]
    form = client.get(f"/admin/core/user/{target.pk}/change/")
    assert form.status_code == 200
    data = {
        "username": target.username,
        "role": Role.ADMIN,
        "groups": [Group.objects.get(name="审计管理员").pk],
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "business_lines": "[]",
    }
    page = client.post(f"/admin/core/user/{target.pk}/change/", data)
    assert page.status_code == 200
    assert "三员分立" in page.content.decode()
    assert not target.groups.filter(name="审计管理员").exists()


# --- none does the others' work: pages ------------------------------------------------------


def test_only_the_auditor_reads_and_exports_the_audit_log(client, three):
    for role in (Role.ADMIN, Role.SECURITY):
        client.force_login(three[role])
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.xlsx").status_code == 403
        assert client.get("/admin/core/securityevent/").status_code == 403
    client.force_login(User.objects.get(username="admin"))  # not even the superuser
    assert client.get("/audit/").status_code == 403
    client.force_login(three[Role.AUDITOR])
    assert client.get("/audit/").status_code == 200
    assert client.get("/admin/core/securityevent/").status_code == 200
    assert client.get("/admin/core/securityevent/1/delete/").status_code in (403, 404)


def test_only_the_security_administrator_manages_groups_and_security_settings(client, three):
    client.force_login(three[Role.SECURITY])
    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get("/params/OTP_ROLES/").status_code == 200
    assert client.get("/params/WAGES_PAY_DAY/").status_code == 403
    assert client.get("/admin/core/user/add/").status_code == 403  # accounts: 系统管理员
    assert client.get("/admin/core/orgunit/").status_code == 403
    client.force_login(three[Role.ADMIN])
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/params/OTP_ROLES/").status_code == 403
    assert client.get("/params/WAGES_PAY_DAY/").status_code == 200
    assert client.get("/admin/core/user/add/").status_code == 200
    assert client.get("/accounts/inactive/").status_code == 200
    client.force_login(three[Role.AUDITOR])
    for path in (
        "/admin/auth/group/",
        "/params/OTP_ROLES/",
        "/admin/core/user/",
        "/accounts/inactive/",
    ):
        assert client.get(path).status_code in (302, 403), path


def test_the_system_administrator_cannot_change_a_role(client, three):
    client.force_login(three[Role.ADMIN])
    target = User.objects.get(username="town01")
    page = client.get(f"/admin/core/user/{target.pk}/change/").content.decode()
    assert 'name="role"' not in page and 'name="groups"' not in page
    client.force_login(three[Role.SECURITY])
    page = client.get(f"/admin/core/user/{target.pk}/change/").content.decode()
    assert 'name="role"' in page and 'name="first_name"' not in page


# --- and through the API ---------------------------------------------------------------------


def test_the_security_and_audit_administrators_reach_no_records_through_the_api(client, three):
    from zhujian.core.registry import registry

    ledger = next(iter(registry))
    for role in (Role.SECURITY, Role.AUDITOR):
        client.force_login(three[role])
        response = client.get(f"/api/ledgers/{ledger.name}/")
        assert response.status_code == 403 or response.json()["count"] == 0
    assert not SecurityEvent.objects.filter(kind="personal_view", username="shenji2").exists()
