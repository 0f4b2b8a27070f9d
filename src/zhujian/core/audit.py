"""The security audit log (安全审计, GB/T 22239-2019 §8.1.4.3, level 3): one log of security
events, tamper-evident, kept at least six months.

- :func:`record` appends one :class:`~zhujian.core.models.SecurityEvent`: logins (success
  and failure, with the client's address), logouts, role and permission changes, full
  views of personal data (one event per view, beside the per-field rows of
  ``PersonalDataAccess``), exports, imports, backups and restores, pruning and exports of
  this log. An event about a record names its ledger and id, so its page and change
  history (django-simple-history) are one click away.
- Each event carries ``hash = SM3(prev_hash ‖ its contents)``; the chain's head is one
  locked row, so concurrent writers queue. :func:`verify` walks the chain in id order and
  names the first event that was edited, or whose predecessor was deleted, inserted or
  moved; deleting the newest events shows as a head that no event reaches.
- :func:`prune` deletes only events older than the retention
  (``ZHUJIAN_AUDIT_RETENTION_DAYS``, at least 184 days: 《网络安全法》第二十一条 asks for
  six months) and leaves an :class:`~zhujian.core.models.AuditCheckpoint` signed with
  HMAC-SM3 under a key derived from the data key, which lives outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

GENESIS = "0" * 64
MIN_RETENTION_DAYS = 184


class Kind:
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    ROLE = "role"
    PERMISSION = "permission"
    USER = "user"
    PASSWORD = "password"
    PERSONAL_VIEW = "personal_view"
    EXPORT = "export"
    IMPORT = "import"
    SETTINGS = "settings"
    BACKUP = "backup"
    RESTORE = "restore"
    API_TOKEN = "api_token"
    AUDIT = "audit"


LABELS = {
    Kind.LOGIN: "登录",
    Kind.LOGIN_FAILED: "登录失败",
    Kind.LOGOUT: "退出登录",
    Kind.ROLE: "角色变更",
    Kind.PERMISSION: "权限变更",
    Kind.USER: "用户管理",
    Kind.PASSWORD: "密码",
    Kind.PERSONAL_VIEW: "查看个人信息",
    Kind.EXPORT: "导出",
    Kind.IMPORT: "导入",
    Kind.SETTINGS: "设置变更",
    Kind.BACKUP: "备份",
    Kind.RESTORE: "恢复",
    Kind.API_TOKEN: "接口令牌",
    Kind.AUDIT: "审计管理",
}


def retention_days() -> int:
    """``ZHUJIAN_AUDIT_RETENTION_DAYS`` (read at call time), never below 184."""
    return max(MIN_RETENTION_DAYS, int(getattr(settings, "ZHUJIAN_AUDIT_RETENTION_DAYS", 184)))


def _canonical(e: Any) -> bytes:
    at = e.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    parts = [
        e.prev_hash,
        at,
        e.kind,
        "1" if e.outcome else "0",
        "" if e.user_id_value is None else str(e.user_id_value),
        e.username,
        e.ip or "",
        e.detail,
        e.ledger,
        "" if e.record_id is None else str(e.record_id),
    ]
    return "\x1f".join(parts).encode("utf-8")


def event_hash(e: Any) -> str:
    return hashlib.new("sm3", _canonical(e)).hexdigest()


def record(
    kind: str,
    detail: str,
    *,
    user: Any = None,
    username: str = "",
    request: Any = None,
    ip: str | None = None,
    outcome: bool = True,
    ledger: str = "",
    record_id: int | None = None,
) -> Any:
    """Append one event to the chain (in its own transaction, or the caller's)."""
    from zhujian.core.models import AuditChainHead, SecurityEvent

    if request is not None and ip is None:
        from zhujian.core.lockout import client_ip

        ip = client_ip(request)
    if user is not None and getattr(user, "is_authenticated", False):
        username = username or user.get_username()
        user_pk = user.pk
    else:
        user_pk = None
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=GENESIS)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        event = SecurityEvent(
            at=timezone.now(),
            kind=kind,
            outcome=outcome,
            user_id_value=user_pk,
            username=username[:150],
            ip=ip,
            detail=detail[:500],
            ledger=ledger,
            record_id=record_id,
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


# --- verification -----------------------------------------------------------------------


@dataclass
class Verdict:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"审计记录完整：共校验 {self.checked} 条，哈希链无断点"
        where = f"第一个断点在记录 #{self.broken_id}" if self.broken_id else "审计链末端"
        return f"审计记录被篡改：{where}——{self.reason}（此前 {self.checked} 条完好）"


def _signing_key(key_id: str | None = None) -> tuple[str, bytes]:
    from zhujian.core import crypto

    ring = crypto.keyring()
    key = ring.get(key_id) if key_id else ring.current
    return key.id, hmac.new(key.index, b"zhujian-audit-checkpoint", "sm3").digest()


def _checkpoint_text(cp: Any) -> bytes:
    at = cp.through_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"{cp.through_id}\x1f{at}\x1f{cp.last_hash}\x1f{cp.pruned}".encode()


def sign_checkpoint(cp: Any) -> None:
    cp.key_id, key = _signing_key()
    cp.signature = hmac.new(key, _checkpoint_text(cp), "sm3").hexdigest()


def checkpoint_is_genuine(cp: Any) -> bool:
    _, key = _signing_key(cp.key_id)
    expected = hmac.new(key, _checkpoint_text(cp), "sm3").hexdigest()
    return hmac.compare_digest(expected, cp.signature)


def verify() -> Verdict:
    """Walk the chain from the latest checkpoint (or the start) in id order."""
    from zhujian.core.models import AuditChainHead, AuditCheckpoint, SecurityEvent

    checkpoint = AuditCheckpoint.objects.order_by("-through_id").first()
    expected, after = GENESIS, 0
    if checkpoint is not None:
        if not checkpoint_is_genuine(checkpoint):
            return Verdict(False, 0, None, f"清理检查点（至 #{checkpoint.through_id}）签名不符")
        expected, after = checkpoint.last_hash, checkpoint.through_id
    checked = 0
    rows = SecurityEvent.objects.filter(id__gt=after).order_by("id").iterator(chunk_size=2000)
    for e in rows:
        if e.prev_hash != expected:
            return Verdict(
                False,
                checked,
                e.id,
                "与前一条记录衔接不上：此前的记录被删除、插入或调换了顺序",
            )
        if event_hash(e) != e.hash:
            return Verdict(False, checked, e.id, "记录内容与其哈希不符：记录被修改")
        expected = e.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != expected:
        return Verdict(False, checked, None, "最新的审计记录被删除（链头与最后一条记录不符）")
    return Verdict(True, checked)


# --- retention ----------------------------------------------------------------------------


class PruneRefused(Exception):
    pass


def prune(days: int | None = None, *, user: Any = None, now: dt.datetime | None = None) -> int:
    """Delete events older than ``days`` (default: the retention setting), never fewer than
    184 days, leaving a signed checkpoint; returns how many went. The chain is verified
    first: a broken chain is not pruned (that would hide the break)."""
    from zhujian.core.models import AuditCheckpoint, SecurityEvent

    days = retention_days() if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise PruneRefused(
            f"审计记录至少保存 {MIN_RETENTION_DAYS} 天（《网络安全法》第二十一条：不少于六个月），"
            f"不能清理 {days} 天内的记录"
        )
    verdict = verify()
    if not verdict.ok:
        raise PruneRefused("审计记录哈希链已断，不能清理：" + verdict.message())
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        old = SecurityEvent.objects.filter(at__lt=cutoff).order_by("-id")
        last = old.first()
        if last is None:
            return 0
        # Only a prefix of the chain may go: stop before the first young event.
        young = SecurityEvent.objects.filter(at__gte=cutoff).order_by("id").first()
        if young is not None and young.id < last.id:
            last = old.filter(id__lt=young.id).first()
            if last is None:
                return 0
        doomed = SecurityEvent.objects.filter(id__lte=last.id)
        count = doomed.count()
        cp = AuditCheckpoint(
            through_id=last.id,
            through_at=last.at,
            last_hash=last.hash,
            pruned=count,
            username=user.get_username() if user is not None else "",
        )
        sign_checkpoint(cp)
        cp.save()
        doomed.delete()
    record(
        Kind.AUDIT,
        f"清理 {days} 天前的审计记录 {count} 条（至 #{last.id}），已留签名检查点",
        user=user,
    )
    return count


# --- export ---------------------------------------------------------------------------------

EXPORT_HEADER = [
    "编号",
    "时间",
    "事件类型",
    "结果",
    "登录名",
    "IP地址",
    "内容",
    "台账",
    "记录ID",
    "前一条哈希",
    "哈希（SM3）",
]


def export_row(e: Any) -> list[Any]:
    """One event as a row under :data:`EXPORT_HEADER`."""
    return [
        e.id,
        timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
        LABELS.get(e.kind, e.kind),
        "成功" if e.outcome else "失败",
        e.username,
        e.ip or "",
        e.detail,
        e.ledger,
        e.record_id or "",
        e.prev_hash,
        e.hash,
    ]


def export_rows(since: dt.date | None = None) -> Iterator[list[Any]]:
    from zhujian.core.models import SecurityEvent

    qs = SecurityEvent.objects.order_by("id")
    if since is not None:
        qs = qs.filter(at__date__gte=since)
    for e in qs.iterator(chunk_size=2000):
        yield export_row(e)


# --- what is recorded without the caller's help: Django's auth signals and user changes ----


def connect() -> None:
    """Connect the receivers (``CoreConfig.ready``)."""
    from django.contrib.auth import signals
    from django.db.models.signals import m2m_changed, post_save, pre_save

    from zhujian.core.models import User

    signals.user_logged_in.connect(_logged_in, dispatch_uid="zhujian-audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="zhujian-audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="zhujian-audit-failed")
    pre_save.connect(_user_before, sender=User, dispatch_uid="zhujian-audit-user-pre")
    post_save.connect(_user_after, sender=User, dispatch_uid="zhujian-audit-user-post")
    m2m_changed.connect(
        _permissions_changed, sender=User.groups.through, dispatch_uid="zhujian-audit-groups"
    )
    m2m_changed.connect(
        _permissions_changed,
        sender=User.user_permissions.through,
        dispatch_uid="zhujian-audit-perms",
    )


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kw: Any) -> None:
    record(Kind.LOGIN, "登录成功", user=user, request=request)


def _logged_out(sender: Any, request: Any = None, user: Any = None, **kw: Any) -> None:
    if user is not None:
        record(Kind.LOGOUT, "退出登录", user=user, request=request)


def _login_failed(sender: Any, credentials: Any = None, request: Any = None, **kw: Any) -> None:
    name = str((credentials or {}).get("username", ""))[:150]
    record(
        Kind.LOGIN_FAILED,
        "登录失败：用户名或密码错误",
        username=name,
        request=request,
        outcome=False,
    )


def _actor() -> tuple[Any, Any]:
    """The signed-in user and request making the current change, when in a request
    (django-simple-history's middleware keeps the request)."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, request
    return user, request


def _by(instance: Any, **kw: Any) -> dict[str, Any]:
    """Who to record for a change of ``instance``: the actor when known, else the user
    changed (a script, ``createsuperuser``)."""
    actor, request = _actor()
    if actor is not None:
        return {"user": actor, "request": request, **kw}
    return {"username": instance.username if hasattr(instance, "username") else "", **kw}


#: User fields whose change is a change of rights.
_RIGHTS = ("role", "is_superuser", "is_staff", "is_active", "org_unit_id", "business_lines")


def _user_before(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw or instance.pk is None:
        instance._audit_before = None
        return
    old = sender.objects.filter(pk=instance.pk).values(*_RIGHTS, "password").first()
    instance._audit_before = old


def _user_after(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    if created:
        record(
            Kind.USER,
            f"新建用户 {instance.username}（{instance.role_label}）",
            **_by(instance),
        )
        return
    old = getattr(instance, "_audit_before", None)
    if not old:
        return
    changed = [f for f in _RIGHTS if old[f] != getattr(instance, f)]
    if "role" in changed or "is_superuser" in changed:
        record(
            Kind.ROLE,
            f"用户 {instance.username} 的角色改为 {instance.role_label}"
            + ("（超级用户）" if instance.is_superuser else ""),
            **_by(instance),
        )
    others = [f for f in changed if f not in ("role", "is_superuser")]
    if others:
        names = {
            "is_staff": "后台访问",
            "is_active": "启用状态",
            "org_unit_id": "所属单位",
            "business_lines": "负责业务条线",
        }
        record(
            Kind.PERMISSION,
            f"用户 {instance.username} 的{'、'.join(names[f] for f in others)}已变更",
            **_by(instance),
        )
    if old["password"] != instance.password:
        record(Kind.PASSWORD, f"用户 {instance.username} 的密码已修改", **_by(instance))


def _permissions_changed(
    sender: Any, instance: Any, action: str, pk_set: Any = None, **kw: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    what = "用户组" if sender.__name__.endswith("groups") else "权限"
    verb = {"post_add": "增加", "post_remove": "移除", "post_clear": "清空"}[action]
    count = f" {len(pk_set)} 项" if pk_set else ""
    name = getattr(instance, "username", str(instance))
    record(Kind.PERMISSION, f"用户 {name} 的{what}{verb}{count}", **_by(instance))
