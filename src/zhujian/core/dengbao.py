"""`zhujian check --dengbao`: each 等保 2.0 level-3 / 密评 application item, met or not, and
the setting (or code) that meets it. docs/dengbao.md is the full table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    check: Callable[[], tuple[bool | None, str]]  # (met; None: cannot tell), what meets it


def _validators() -> tuple[bool | None, str]:
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    lengths = [
        v.get("OPTIONS", {}).get("min_length", 8)
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    ]
    ok = "LettersAndDigitsValidator" in names and bool(lengths) and min(lengths) >= 8
    return ok, f"AUTH_PASSWORD_VALIDATORS：最短 {min(lengths) if lengths else '—'} 位，字母加数字"


def _ageing() -> tuple[bool | None, str]:
    days = settings.ZHUJIAN_PASSWORD_MAX_AGE_DAYS
    keep = settings.ZHUJIAN_PASSWORD_HISTORY
    return (0 < days <= 90 and keep >= 1), (
        f"ZHUJIAN_PASSWORD_MAX_AGE_DAYS={days}，ZHUJIAN_PASSWORD_HISTORY={keep}"
    )


def _lockout() -> tuple[bool | None, str]:
    limit = settings.AXES_FAILURE_LIMIT
    return 0 < limit <= 5, f"ZHUJIAN_LOGIN_FAILURE_LIMIT={limit}"


def _idle() -> tuple[bool | None, str]:
    minutes = settings.ZHUJIAN_IDLE_TIMEOUT_MINUTES
    return 0 < minutes <= 30, f"ZHUJIAN_IDLE_TIMEOUT_MINUTES={minutes:g}"


def _transport() -> tuple[bool | None, str]:
    ok = settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE
    ok = ok and settings.SECURE_HSTS_SECONDS > 0
    return bool(ok), (
        f"ZHUJIAN_SECURE_SSL_REDIRECT={int(settings.SECURE_SSL_REDIRECT)}，"
        f"ZHUJIAN_HSTS_SECONDS={settings.SECURE_HSTS_SECONDS}，"
        f"ZHUJIAN_SECURE_COOKIES={int(settings.SESSION_COOKIE_SECURE)}"
    )


def _param(key: str) -> tuple[object, str]:
    """A declared parameter's value and how it is shown (setting name, value, origin)."""
    from zhujian.core import params

    param = params.REGISTRY[key]
    value, origin = param.resolved()
    shown = ",".join(f"{k}:{v}" for k, v in value.items()) if isinstance(value, dict) else value
    return value, f"{param.setting}={shown}（{origin}）"


def _second_factor() -> tuple[bool | None, str]:
    from zhujian.core import twofactor  # noqa: F401  (declares OTP_ROLES)

    otp = "django_otp.plugins.otp_totp" in settings.INSTALLED_APPS
    _, roles = _param("OTP_ROLES")
    basic, basic_shown = _param("API_BASIC_AUTH")
    days, days_shown = _param("API_TOKEN_MAX_DAYS")
    ok = otp and not basic and int(days) <= 366  # type: ignore[call-overload]
    return ok, (
        f"TOTP 动态口令（django-otp），三员与超级用户必须使用，恢复码哈希保存；{roles}；"
        f"接口令牌（SM3 摘要保存，有有效期）{days_shown}；{basic_shown}"
    )


def _accounts() -> tuple[bool | None, str]:
    from zhujian.core.checks import accounts_check

    found = [m for m in accounts_check() if m.id == "zhujian.E244"]
    allow = settings.ZHUJIAN_ALLOW_DEMO
    how = f"ZHUJIAN_ALLOW_DEMO={int(allow)}（生产环境不建示例县、拒绝示例密码登录）"
    if found:
        return False, found[0].msg
    return not allow, f"无使用示例密码的账号；{how}"


def _inactive() -> tuple[bool | None, str]:
    from zhujian.core import accounts  # noqa: F401  (declares INACTIVE_DAYS)

    days, shown = _param("INACTIVE_DAYS")
    return 0 < int(days) <= 90, (  # type: ignore[call-overload]
        f"闲置账号报告（系统管理 › 闲置账号；zhujian accounts inactive --disable）：{shown}"
    )


def _separation() -> tuple[bool | None, str]:
    from zhujian.core import separation
    from zhujian.core.checks import accounts_check

    rights = list(separation.RIGHTS.values())
    disjoint = all(a.isdisjoint(b) for i, a in enumerate(rights) for b in rights[i + 1 :])
    supers = [m for m in accounts_check() if m.id == "zhujian.W243"]
    if supers:
        return False, supers[0].msg
    return disjoint, (
        "系统管理员、安全管理员、审计管理员为内置角色，权限互斥，一个账号只能担任其一"
        "（zhujian.core.separation）；无超级用户"
    )


def _audit_scope() -> tuple[bool | None, str]:
    from zhujian.core import separation

    only = separation.RIGHTS["auditor"]
    ok = "core.view_securityevent" in only and all(
        "core.view_securityevent" not in r for k, r in separation.RIGHTS.items() if k != "auditor"
    )
    return ok, "审计记录只由审计管理员查看和导出（安全审计页面），只由 core.audit.record 写入"


def _audit_chain() -> tuple[bool | None, str]:
    from django.db import connection

    from zhujian.core import audit
    from zhujian.core.models import SecurityEvent

    days = audit.retention_days()
    setting = f"ZHUJIAN_AUDIT_RETENTION_DAYS={days}"
    try:
        tables = connection.introspection.table_names()
        if SecurityEvent._meta.db_table not in tables:  # a new install before ``migrate``
            return (
                days >= 184,
                f"数据库尚未建表，尚无审计记录（迁移后由 zhujian audit verify 校验）；{setting}",
            )
        verdict = audit.verify()
    except DatabaseError:
        return None, f"数据库不可用，未校验哈希链；{setting}"
    return verdict.ok and days >= 184, f"{verdict.message()}；{setting}"


def _data_key() -> tuple[bool | None, str]:
    from zhujian.core.checks import data_key_check

    problems = data_key_check()
    where = (
        f"ZHUJIAN_DATA_KEY_FILE={settings.ZHUJIAN_DATA_KEY_FILE}"
        if settings.ZHUJIAN_DATA_KEY_FILE
        else "ZHUJIAN_DATA_KEYS"
    )
    return not problems, (problems[0].msg if problems else f"SM4-GCM，密钥来自 {where}")


ITEMS = [
    Item("L3-CES1-01", "身份鉴别：口令复杂度", _validators),
    Item("L3-CES1-01", "身份鉴别：口令定期更换、不得重复使用", _ageing),
    Item("L3-CES1-02", "身份鉴别：登录失败处理", _lockout),
    Item("L3-CES1-02", "身份鉴别：登录连接超时自动退出", _idle),
    Item("L3-CES1-03", "身份鉴别：远程管理防窃听（HTTPS）", _transport),
    Item("L3-CES1-04", "身份鉴别：双因素认证", _second_factor),
    Item("L3-CES1-06", "访问控制：默认账户", _accounts),
    Item("L3-CES1-07", "访问控制：多余、过期账户", _inactive),
    Item("L3-CES1-08", "访问控制：三员分立", _separation),
    Item(
        "L3-CES1-12/13",
        "安全审计：覆盖重要安全事件，记录时间、用户、结果",
        lambda: (
            True,
            "zhujian.core.audit：登录（含失败与地址）、退出、角色权限、个人信息查看、"
            "导入导出、设置变更、备份恢复、接口令牌使用",
        ),
    ),
    Item("L3-CES1-14", "安全审计：记录保护（SM3 哈希链）与保存期限", _audit_chain),
    Item("L3-CES1-15", "安全审计：审计进程保护", _audit_scope),
    Item("GB/T 39786", "重要数据存储机密性（SM4）", _data_key),
    Item("GB/T 39786", "重要数据存储完整性（GCM 认证）", lambda: (True, "zhujian.core.crypto")),
]


def report() -> tuple[list[str], bool]:
    """Lines to print and whether every item is met."""
    lines, all_met = [], True
    for item in ITEMS:
        met, how = item.check()
        mark = "符合" if met else ("无法判断" if met is None else "不符合")
        all_met = all_met and bool(met)
        lines.append(f"[{mark}] {item.code} {item.title}：{how}")
    return lines, all_met
