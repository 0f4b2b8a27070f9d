"""``zhujian check --deploy``: what production settings must not lack (issue 24)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

#: The demo county's published password (``zhujian.demo.county.DEMO_PASSWORD``; core does
#: not import the demo).
DEMO_PASSWORD = "zhujian2022"


@checks.register(checks.Tags.security, deploy=True)
def data_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Personal numbers need a readable SM4 key of the deployer's own (core.crypto)."""
    from zhujian.core import crypto

    try:
        ring = crypto.keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="zhujian.E241")]
    if (
        any(k.id == "dev" for k in ring.keys)
        and crypto.configured_keys() == crypto.DEVELOPMENT_KEYS
    ):
        return [
            checks.Error(
                "正在使用公开的开发用数据加密密钥：生产环境请用 zhujian keys generate 生成密钥文件，"
                "并设置 ZHUJIAN_DATA_KEY_FILE",
                id="zhujian.E242",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def accounts_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """No Django superuser in production (三员分立), and no demo account keeping the public
    demo password. Skipped when the database is not reachable or not migrated."""
    from django.contrib.auth.hashers import check_password
    from django.db import DatabaseError

    from zhujian.core.models import User

    out: list[checks.CheckMessage] = []
    try:
        superusers = list(User.objects.filter(is_superuser=True).values_list("username", flat=True))
        accounts = list(User.objects.filter(is_active=True).values_list("password", "username"))
    except DatabaseError:
        return []
    # The demo county's accounts share one salted hash (hashed once); real accounts never
    # do. Only shared hashes (and the login "admin") are tried: each try costs a PBKDF2.
    by_hash: dict[str, list[str]] = {}
    for password, name in accounts:
        by_hash.setdefault(password, []).append(name)
    if superusers:
        out.append(
            checks.Warning(
                f"存在 Django 超级用户：{'、'.join(superusers[:10])}。生产环境不使用超级用户"
                "（三员分立：系统、安全、审计管理员各司其职），请取消其超级用户身份",
                id="zhujian.W243",
            )
        )
    demo = [
        name
        for h, names in by_hash.items()
        if h and (len(names) > 1 or "admin" in names) and check_password(DEMO_PASSWORD, h)
        for name in names
    ]
    if demo:
        out.append(
            checks.Error(
                f"账号仍使用公开的示例密码（{'、'.join(sorted(demo)[:10])} 等）：生产环境不得保留示例账号，"
                "请删除或停用，或改为强密码",
                id="zhujian.E244",
            )
        )
    return out


@checks.register(checks.Tags.security, deploy=True)
def basic_auth_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """API clients use per-client tokens in production, not a password on every request."""
    from zhujian.core import apitokens

    if apitokens.basic_allowed():
        return [
            checks.Warning(
                "接口仍接受用户名和密码（HTTP Basic）认证：生产环境请设 ZHUJIAN_API_BASIC_AUTH=0，"
                "接口客户端改用有有效期的接口令牌（等保 2.0 身份鉴别）",
                id="zhujian.W245",
            )
        ]
    return []
