"""The second factor (等保 2.0 L3-CES1-04; GB/T 39786 身份鉴别): TOTP through django-otp.

- Who must use it: the three administrators (三员分立) and any Django superuser, always;
  the other roles when the parameter “须用动态口令登录的角色” (``OTP_ROLES``, group 安全)
  says so. Anyone may enrol of their own accord; an enrolled user is always asked.
- Enrolment shows a QR code (an ``otpauth://`` URI drawn as inline SVG by segno, no
  outside service) and the key as text; the first right code confirms the device.
- Recovery codes: :data:`RECOVERY_COUNT` one-time codes, shown once; the database keeps a
  public four-letter id and a password hash (Django's hasher) of the rest.
- The 安全管理员 may reset a user's second factor (:func:`reset`, audited); the user then
  enrols again at the next login.

The login view (``zhujian.web.account_views``) asks for the code after the password and
signs the user in only then; nothing else opens a session.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from zhujian.core import params
from zhujian.core.models import ADMIN_ROLES, RecoveryCode, Role

SECURITY_GROUP = "安全"

OTP_ROLES = params.declare(
    SECURITY_GROUP,
    "OTP_ROLES",
    "须用动态口令登录的其他角色（1 须用，0 不须用；三员必须用）",
    {"leader": 0, "department": 0, "township": 0},
    parts={
        Role.LEADER.value: Role.LEADER.label,
        Role.DEPARTMENT.value: Role.DEPARTMENT.label,
        Role.TOWNSHIP.value: Role.TOWNSHIP.label,
    },
    min=0,
    max=1,
    source="GB/T 22239-2019 8.1.4.1 d）双因素认证",
    help="系统管理员、安全管理员、审计管理员始终须用动态口令；其他角色在此逐一设定。",
)

RECOVERY_COUNT = 8
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def required(user: Any) -> bool:
    """Must ``user`` sign in with the second factor?"""
    if user.is_superuser or user.role in ADMIN_ROLES:
        return True
    return bool(OTP_ROLES.get().get(user.role, 0))


def confirmed_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def asked(user: Any) -> bool:
    """Is ``user`` asked for a code at login (required, or enrolled of their own accord)?"""
    return required(user) or confirmed_device(user) is not None


def pending_device(user: Any) -> Any:
    """The device being enrolled (made on first call): not used for login until confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def qr_svg(device: Any) -> str:
    """The device's ``otpauth://`` URI as an inline SVG QR code."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def key_text(device: Any) -> str:
    """The key in base32 groups of four, for typing into an authenticator app."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def confirm(user: Any, code: str) -> list[str] | None:
    """Confirm the pending device with ``code``; the new recovery codes, or None if wrong."""
    from zhujian.core import audit

    device = pending_device(user)
    if not device.verify_token(_digits(code)):
        return None
    with transaction.atomic():
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save()
        codes = make_recovery_codes(user)
    audit.record(audit.Kind.USER, f"用户 {user.username} 启用了动态口令（双因素认证）", user=user)
    return codes


def make_recovery_codes(user: Any) -> list[str]:
    """New one-time recovery codes for ``user`` (the old ones stop working)."""
    codes, rows = [], []
    for _ in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        rows.append(RecoveryCode(user=user, ident=raw[:4], digest=make_password(raw[4:])))
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(rows)
    return codes


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def verify(user: Any, code: str) -> str | None:
    """Check a login's second factor: "totp", "recovery" (a code now used up) or None."""
    code = (code or "").strip().lower()
    if not code or len(code) > 40:
        return None
    compact = code.replace("-", "").replace(" ", "")
    if compact.isdigit() and len(compact) == 6:
        device = confirmed_device(user)
        if device is not None and device.verify_is_allowed()[0] and device.verify_token(compact):
            return "totp"
        return None
    if len(compact) != 12:
        return None
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, ident=compact[:4], used_at__isnull=True)
            .first()
        )
        if row is None or not check_password(compact[4:], row.digest):
            return None
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
    return "recovery"


def recovery_left(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def reset(user: Any, *, by: Any = None, request: Any = None) -> None:
    """Remove ``user``'s second factor (devices and recovery codes), audited."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhujian.core import audit

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(
            audit.Kind.PERMISSION,
            f"重置了用户 {user.username} 的双因素认证（下次登录须重新绑定动态口令）",
            user=by,
            request=request,
        )
