"""Per-client API tokens (等保 2.0 L3-CES1-04): instead of a password over HTTP Basic.

A token is ``zj_`` + 40 random characters, shown once; the database keeps its first
characters (to find it) and its SM3 digest (to check it). It acts as its owner (the same
scope and rights), until its expiry (at most ``API_TOKEN_MAX_DAYS``) or revocation.
Issuing, revoking and each use (at most once per ``USE_RECORD_MINUTES`` per token, so a
busy client does not flood the log) are in the security audit log. HTTP Basic can be turned
off with the parameter ``API_BASIC_AUTH`` (off in the production recipe).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.utils import timezone

from zhujian.core import audit, params
from zhujian.core.models import ApiToken

PREFIX = "zj_"
USE_RECORD_MINUTES = 10

MAX_DAYS = params.declare(
    "安全",
    "API_TOKEN_MAX_DAYS",
    "接口令牌最长有效期",
    180,
    unit="日",
    min=1,
    max=366,
    source="GB/T 22239-2019 8.1.4.1 身份鉴别",
)
BASIC_AUTH = params.declare(
    "安全",
    "API_BASIC_AUTH",
    "接口允许用户名和密码（HTTP Basic）认证（1 允许，0 不允许）",
    1,
    min=0,
    max=1,
    source="GB/T 22239-2019 8.1.4.1 身份鉴别",
    help="生产环境设为 0：接口客户端改用有有效期的接口令牌。",
)


def digest(raw: str) -> str:
    return hashlib.new("sm3", raw.encode("utf-8")).hexdigest()


def basic_allowed() -> bool:
    return bool(BASIC_AUTH.get())


def issue(user: Any, name: str, days: int, *, request: Any = None) -> tuple[ApiToken, str]:
    """A new token for ``user``: the saved row and the token (shown once, never stored)."""
    days = min(int(days), MAX_DAYS.get())
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        name=name.strip()[:100],
        user=user,
        prefix=raw[:10],
        digest=digest(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit.record(
        audit.Kind.API_TOKEN,
        f"创建接口令牌“{token.name}”（{token.prefix}…，{days} 天有效）",
        user=user,
        request=request,
    )
    return token, raw


def revoke(token: ApiToken, *, by: Any = None, request: Any = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    audit.record(
        audit.Kind.API_TOKEN,
        f"吊销用户 {token.user.username} 的接口令牌“{token.name}”（{token.prefix}…）",
        user=by,
        request=request,
    )


def authenticate(raw: str, *, ip: str | None = None, path: str = "") -> tuple[Any, str]:
    """The token's owner, or None and why (Chinese). Each accepted use is recorded."""
    from zhujian.core.models import User

    raw = raw.strip()
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None, "接口令牌格式不对"
    wanted = digest(raw)
    token = ApiToken.objects.select_related("user").filter(prefix=raw[:10], digest=wanted).first()
    if token is None or not hmac.compare_digest(token.digest, wanted):
        audit.record(audit.Kind.API_TOKEN, "无效的接口令牌", ip=ip, outcome=False)
        return None, "接口令牌无效"
    now = timezone.now()
    user: User = token.user
    why = ""
    if token.revoked_at is not None:
        why = "接口令牌已吊销"
    elif token.expires_at <= now:
        why = f"接口令牌已于 {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} 过期"
    elif not user.is_active:
        why = "接口令牌所属账号已停用"
    if why:
        audit.record(
            audit.Kind.API_TOKEN,
            f"{why}：“{token.name}”（{token.prefix}…）",
            user=user,
            ip=ip,
            outcome=False,
        )
        return None, why
    quiet = token.last_used_at is not None and now - token.last_used_at < dt.timedelta(
        minutes=USE_RECORD_MINUTES
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    if not quiet:
        audit.record(
            audit.Kind.API_TOKEN,
            f"使用接口令牌“{token.name}”（{token.prefix}…）访问 {path[:200]}",
            user=user,
            ip=ip,
        )
    return user, ""
