"""Sessions that end when idle, and passwords that age (等保 2.0 L3-CES1-01..02).

- :class:`IdleTimeoutMiddleware`: a signed-in session with no request for
  ``ZHUJIAN_IDLE_TIMEOUT_MINUTES`` (30) is signed out; the next page goes to the login
  page saying why (an API request answers 401). ``web/idle.js`` warns
  ``ZHUJIAN_IDLE_WARNING_SECONDS`` (120) before the end and offers to stay signed in
  (``/accounts/keepalive/``), then leaves for the login page when the time is up.
- :class:`PasswordPolicyMiddleware`: a user whose password is older than
  ``ZHUJIAN_PASSWORD_MAX_AGE_DAYS`` (90; 0 turns ageing off), or who must change it (a
  new account, or one an administrator reset), sees only the password change page until
  it is changed. :class:`NotRecentlyUsedValidator` refuses any of the last
  ``ZHUJIAN_PASSWORD_HISTORY`` (5) passwords; :func:`remember_password` keeps their hashes.

Every value is read at call time from settings.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

LAST_SEEN = "zhujian_last_seen"


def idle_timeout_seconds() -> float:
    return float(getattr(settings, "ZHUJIAN_IDLE_TIMEOUT_MINUTES", 30)) * 60


def idle_warning_seconds() -> float:
    warn = float(getattr(settings, "ZHUJIAN_IDLE_WARNING_SECONDS", 120))
    return min(warn, idle_timeout_seconds() / 2)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class IdleTimeoutMiddleware:
    """Sign out a session idle for longer than the timeout (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None:
            now = time.time()
            seen = session.get(LAST_SEEN)
            if seen is not None and now - float(seen) > idle_timeout_seconds():
                from zhujian.core import audit

                minutes = round(idle_timeout_seconds() / 60)
                audit.record(
                    audit.Kind.LOGOUT,
                    f"超过 {minutes} 分钟未操作，自动退出",
                    user=user,
                    request=request,
                )
                logout(request)
                text = f"您已超过 {minutes} 分钟未操作，为保护数据安全已自动退出，请重新登录。"
                if _is_api(request):
                    return JsonResponse({"detail": text}, status=401)
                messages.info(request, text)
                return redirect_to_login(request.get_full_path())
            session[LAST_SEEN] = now
        return self.get_response(request)


def keepalive(request: HttpRequest) -> HttpResponse:
    """``POST /accounts/keepalive/``: the idle warning's "continue" (the middleware has
    already counted this request as activity)."""
    if request.method != "POST":
        return JsonResponse({"detail": "只接受 POST"}, status=405)
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "未登录"}, status=401)
    return JsonResponse({"idle_seconds": idle_timeout_seconds()})


def idle_context(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the numbers idle.js counts with."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "idle_timeout_seconds": int(idle_timeout_seconds()),
        "idle_warning_seconds": int(idle_warning_seconds()),
    }


# --- password ageing, reuse and forced change -------------------------------------------------


def max_age_days() -> int:
    return int(getattr(settings, "ZHUJIAN_PASSWORD_MAX_AGE_DAYS", 90))


def history_size() -> int:
    return int(getattr(settings, "ZHUJIAN_PASSWORD_HISTORY", 5))


def password_problem(user: Any, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` must change the password now (None when it need not)."""
    if getattr(user, "must_change_password", False):
        return "首次登录或管理员重置密码后，须先修改密码"
    days = max_age_days()
    changed = getattr(user, "password_changed_at", None)
    if days > 0 and changed is not None:
        age = ((now or timezone.now()) - changed).days
        if age >= days:
            return f"密码已使用 {age} 天，超过 {days} 天的有效期，须修改密码"
    return None


#: Paths a user who must change the password may still reach.
_ALLOWED = (
    "/accounts/password_change/",
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/otp/",
    "/static/",
)


class PasswordPolicyMiddleware:
    """Send a user who must change the password to the password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALLOWED)
            and (problem := password_problem(user))
        ):
            if _is_api(request):
                return JsonResponse({"detail": f"{problem}：请先登录网页修改密码"}, status=403)
            messages.warning(request, problem)
            return redirect("password_change")
        return self.get_response(request)


def remember_password(user: Any) -> None:
    """After a password change: keep its hash for the reuse check, restart its age."""
    from zhujian.core.models import PasswordHistory

    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).order_by("-id")[: max(history_size(), 1)]
    PasswordHistory.objects.filter(user=user).exclude(
        pk__in=list(keep.values_list("pk", flat=True))
    ).delete()


class NotRecentlyUsedValidator:
    """A new password may not be any of the user's last ``ZHUJIAN_PASSWORD_HISTORY``."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None or history_size() <= 0:
            return
        from zhujian.core.models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).order_by("-id")[: history_size()]
        hashes = [h.password for h in recent]
        if user.password and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(
                f"新密码不能与最近 {history_size()} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {history_size()} 次使用过的密码相同。"


def connect() -> None:
    """Keep ``password_changed_at``, ``must_change_password`` and the history current on
    every save of a user (``CoreConfig.ready``)."""
    from django.db.models.signals import post_save, pre_save

    from zhujian.core.models import User

    pre_save.connect(_before_save, sender=User, dispatch_uid="zhujian-password-pre")
    post_save.connect(_after_save, sender=User, dispatch_uid="zhujian-password-post")


def _before_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    from zhujian.core.audit import _actor

    actor, _ = _actor()
    by_other = actor is not None and actor.pk != instance.pk
    if instance.pk is None:
        instance.password_changed_at = instance.password_changed_at or timezone.now()
        if by_other:  # an administrator made the account: its owner sets the password
            instance.must_change_password = True
        instance._password_saved = bool(instance.password)
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_saved = old is not None and old != instance.password
    if instance._password_saved:
        instance.password_changed_at = timezone.now()
        instance.must_change_password = by_other  # a reset by someone else: change it first


def _after_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw and getattr(instance, "_password_saved", False) and instance.password:
        instance._password_saved = False
        remember_password(instance)
