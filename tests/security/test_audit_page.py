"""安全审计 page (审计管理员) and the events issue 24 adds to the log: filters with Chinese
labels, the chain's status, the .xlsx export (itself recorded), settings changes; and the
90-day inactivity report (page and command)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from zhujian.core import audit, params, separation
from zhujian.core.models import Role, SecurityEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db):
    separation.ensure_groups()
    return User.objects.create_user("shenji2", password="x", role=Role.AUDITOR)


def test_the_page_filters_and_shows_the_chain_status(client, auditor):
    audit.record(
        audit.Kind.LOGIN_FAILED, "密码错误", username="town05", ip="10.7.7.7", outcome=False
    )
    audit.record(audit.Kind.LOGIN, "登录成功", username="town06", ip="10.7.7.8")
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    for label in (
        "开始日期",
        "结束日期",
        "事件类型",
        "结果",
        "登录名",
        "IP地址",
        "内容包含",
        "登录失败",
    ):
        assert label in page
    assert "审计记录完整" in page
    page = client.get("/audit/", {"outcome": "0", "username": "town05"}).content.decode()
    assert "10.7.7.7" in page and "10.7.7.8" not in page
    page = client.get("/audit/", {"since": "2026-02-02", "until": "2026-01-01"}).content.decode()
    assert "晚于结束日期" in page
    page = client.get("/audit/", {"ip": "not-an-address"}).content.decode()
    assert "IP" in page and "10.7.7.7" not in page


def test_a_broken_chain_shows_on_the_page(client, auditor):
    from django.db import connection

    events = [audit.record(audit.Kind.SETTINGS, f"事件 {i}", username="t") for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_securityevent SET detail = 'x' WHERE id = %s", [events[1].id])
    client.force_login(auditor)
    assert f"第一个断点在记录 #{events[1].id}" in client.get("/audit/").content.decode()


def test_the_export_is_an_xlsx_of_the_filtered_events_and_is_recorded(client, auditor):
    audit.record(audit.Kind.BACKUP, "备份 =cmd|x", username="命令行")
    audit.record(audit.Kind.LOGIN, "登录成功", username="town06")
    client.force_login(auditor)
    response = client.get("/audit/export.xlsx", {"kind": audit.Kind.BACKUP})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "时间", "事件类型", "结果")
    assert [r[2] for r in rows[1:]] == ["备份"] * (len(rows) - 1)
    assert any(r[6] == "备份 =cmd|x" for r in rows[1:])  # kept as text, not a formula
    event = SecurityEvent.objects.filter(kind=audit.Kind.AUDIT).first()
    assert "网页导出审计记录" in event.detail and event.username == "shenji2"


def test_a_settings_change_is_recorded(user):
    params.all_params()
    params.set_value("INACTIVE_DAYS", 60, user=user("admin"), reason="测试")
    event = SecurityEvent.objects.filter(kind=audit.Kind.SETTINGS).first()
    assert "账号闲置天数" in event.detail and "60" in event.detail and "测试" in event.detail
    params.reset("INACTIVE_DAYS", user=user("admin"), reason="恢复")
    assert "恢复为配置或默认值" in SecurityEvent.objects.filter(kind="settings").first().detail


# --- inactivity -------------------------------------------------------------------------------


def _age(username: str, days: int, login: bool = True) -> User:
    when = timezone.now() - dt.timedelta(days=days)
    User.objects.filter(username=username).update(
        last_login=when if login else None, date_joined=when
    )
    return User.objects.get(username=username)


def test_the_command_lists_and_disables_inactive_accounts(capsys):
    User.objects.update(last_login=timezone.now())
    _age("town03", 120)
    _age("town04", 200, login=False)
    _age("town05", 30)
    call_command("accounts", "inactive")
    out = capsys.readouterr().out
    assert "town03" in out and "town04" in out and "town05" not in out
    assert "从未登录" in out and "超过 90 天未使用的账号 2 个" in out
    assert User.objects.get(username="town03").is_active
    call_command("accounts", "inactive", "--disable")
    assert not User.objects.get(username="town03").is_active
    assert not User.objects.get(username="town04").is_active
    assert User.objects.get(username="town05").is_active
    assert SecurityEvent.objects.filter(
        kind="user", detail__contains="停用闲置账号 town03"
    ).exists()


def test_a_recent_token_use_keeps_an_account_active():
    from zhujian.core import accounts, apitokens

    User.objects.update(last_login=timezone.now())
    owner = _age("town03", 120)
    token, _ = apitokens.issue(owner, "客户端", 30)
    type(token).objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    assert "town03" not in [r.user.username for r in accounts.inactive()]


def test_the_page_lists_and_disables_for_the_system_administrator(client, user):
    User.objects.update(last_login=timezone.now())
    _age("town03", 100)
    admin = User.objects.create_user("xitong2", password="x", role=Role.ADMIN)
    client.force_login(admin)
    page = client.get("/accounts/inactive/").content.decode()
    assert "town03" in page and "town02" not in page
    town03 = User.objects.get(username="town03")
    client.post("/accounts/inactive/", {"user": [town03.pk]})
    assert not User.objects.get(username="town03").is_active
    client.force_login(user("town01"))
    assert client.get("/accounts/inactive/").status_code == 403
