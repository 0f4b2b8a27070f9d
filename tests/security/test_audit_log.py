"""The security audit log (等保 2.0 L3 安全审计): security events recorded with who, when and
from where; an SM3 hash chain that `zhujian audit verify` checks, naming the first edited,
deleted or reordered record; retention that never prunes young records and leaves a
signed checkpoint; export for the audit administrator."""

from __future__ import annotations

import csv
import datetime as dt
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zhujian.core import audit
from zhujian.core.models import AuditCheckpoint, SecurityEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PASSWORD = "zhujian2022"


def _events(kind: str):
    return SecurityEvent.objects.filter(kind=kind).order_by("-id")


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _chain(n: int = 4) -> list[SecurityEvent]:
    return [audit.record(audit.Kind.SETTINGS, f"测试事件 {i}", username="tester") for i in range(n)]


def test_logins_failures_and_logouts_are_recorded_with_the_address(client):
    client.post(LOGIN, {"username": "town01", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    failed = _events(audit.Kind.LOGIN_FAILED).first()
    assert (failed.username, failed.ip, failed.outcome) == ("town01", "10.1.2.3", False)
    client.post(LOGIN, {"username": "town01", "password": PASSWORD}, REMOTE_ADDR="10.1.2.4")
    ok = _events(audit.Kind.LOGIN).first()
    assert (ok.username, ok.ip, ok.outcome) == ("town01", "10.1.2.4", True)
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.4")
    assert _events(audit.Kind.LOGOUT).first().username == "town01"


def test_a_role_change_and_a_permission_change_are_recorded(user):
    from django.contrib.auth.models import Permission

    u = user("town02")
    u.role = "leader"
    u.save()
    assert "town02 的角色改为 局领导" in _events(audit.Kind.ROLE).first().detail
    u.user_permissions.add(Permission.objects.first())
    assert "town02 的权限增加 1 项" in _events(audit.Kind.PERMISSION).first().detail


def test_a_full_personal_view_is_recorded_with_a_link_to_the_record(client, user):
    from zhujian.core.registry import registry
    from zhujian.domains.wages.models import Worker

    ledger = registry.get("wages_worker")
    worker = Worker.objects.order_by("pk").first()
    client.force_login(user("jianzhu"))
    assert client.get(ledger.url("detail", pk=worker.pk)).status_code == 200
    event = _events(audit.Kind.PERSONAL_VIEW).first()
    assert (event.username, event.ledger, event.record_id) == ("jianzhu", ledger.name, worker.pk)
    assert "身份证号" in event.detail


def test_an_export_is_recorded(client, user):
    from zhujian.core.registry import registry

    ledger = registry.get("party_partyactivity")
    client.force_login(user("bangongshi"))
    response = client.get(ledger.url("export"))
    b"".join(response.streaming_content)
    event = _events(audit.Kind.EXPORT).first()
    assert event.username == "bangongshi" and event.detail.startswith(f"导出{ledger.label}")


def test_the_chain_verifies_and_an_edited_record_is_named():
    events = _chain()
    assert audit.verify().ok
    _sql("UPDATE core_securityevent SET detail = %s WHERE id = %s", ["改过了", events[1].id])
    verdict = audit.verify()
    assert not verdict.ok and verdict.broken_id == events[1].id
    assert "记录被修改" in verdict.reason
    with pytest.raises(CommandError, match=f"第一个断点在记录 #{events[1].id}"):
        call_command("audit", "verify")


def test_a_deleted_record_breaks_the_link_of_the_next_one():
    events = _chain()
    _sql("DELETE FROM core_securityevent WHERE id = %s", [events[1].id])
    verdict = audit.verify()
    assert not verdict.ok and verdict.broken_id == events[2].id
    assert "删除" in verdict.reason


def test_reordered_records_are_detected():
    events = _chain()
    a, b = events[1], events[2]
    for row, other in ((a, b), (b, a)):  # swap their contents: ids keep the order
        _sql(
            "UPDATE core_securityevent SET detail = %s, prev_hash = %s, hash = %s, at = %s "
            "WHERE id = %s",
            [other.detail, other.prev_hash, other.hash, other.at, row.id],
        )
    verdict = audit.verify()
    assert not verdict.ok and verdict.broken_id == a.id


def test_deleting_the_newest_records_is_detected():
    events = _chain()
    _sql("DELETE FROM core_securityevent WHERE id >= %s", [events[-2].id])
    verdict = audit.verify()
    assert not verdict.ok and "最新的审计记录被删除" in verdict.reason


def _at(days_ago: int):
    return mock.patch.object(
        audit.timezone, "now", return_value=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_pruning_keeps_every_young_record_and_leaves_a_signed_checkpoint():
    SecurityEvent.objects.all().delete()  # a chain of known ages (head reset with it)
    from zhujian.core.models import AuditChainHead

    AuditChainHead.objects.all().delete()
    with _at(400):
        old = _chain(3)
    with _at(185):
        older_than_limit = _chain(1)
    with _at(183):
        young = _chain(2)
    fresh = _chain(1)
    with pytest.raises(audit.PruneRefused, match="至少保存 184 天"):
        audit.prune(days=30)
    assert audit.prune() == 4
    kept = set(SecurityEvent.objects.values_list("id", flat=True))
    assert {e.id for e in young + fresh} <= kept
    assert not kept & {e.id for e in old + older_than_limit}
    cp = AuditCheckpoint.objects.get()
    assert (cp.through_id, cp.pruned) == (older_than_limit[0].id, 4)
    assert audit.verify().ok
    AuditCheckpoint.objects.filter(pk=cp.pk).update(pruned=1)  # a forged checkpoint
    assert "签名不符" in audit.verify().reason


def test_retention_setting_below_six_months_still_keeps_184_days(settings):
    settings.ZHUJIAN_AUDIT_RETENTION_DAYS = 30
    assert audit.retention_days() == 184


def test_the_audit_administrator_exports_the_records(tmp_path):
    _chain(2)
    path = tmp_path / "审计.csv"
    call_command("audit", "export", "-o", str(path), "--user", "auditor")
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == audit.EXPORT_HEADER and len(rows) > 2
    assert _events(audit.Kind.AUDIT).first().username == "auditor"
