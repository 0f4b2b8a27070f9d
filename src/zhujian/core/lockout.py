"""Login lockout after repeated failures (django-axes), in Chinese, for the login form and
for the API's HTTP Basic authentication.

django-axes counts failed logins per username and client address (``AXES_LOCKOUT_PARAMETERS``)
and refuses every login of that pair, right password or not, until the cool-off has passed
or an administrator deletes the record (系统管理 › 登录锁定 › 登录失败记录, or
``zhujian axes_reset_username <login>``). What this module adds:

- :func:`lockout_response`: the login page again, with the lockout explained (status 429),
  or JSON ``{"detail": …}`` for API and JSON requests;
- :func:`refuse_api_login`: DRF authenticates with its own request object, on which axes'
  middleware cannot see the lockout flag, so the ``user_locked_out`` signal raises
  :class:`LoginLockedOut` (429, Chinese detail) for DRF requests instead;
- :func:`client_ip`: behind the proxy (``ZHUJIAN_BEHIND_PROXY``) the client is the address
  the proxy appended last to ``X-Forwarded-For``, not the proxy itself;
- :class:`LockoutBackend`: axes' backend, except that a login without a request (the test
  client's ``login()``, a script) is left to the other backends instead of failing.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request


def message(request: Any = None) -> str:
    """Why the login is refused and when it may be tried again, in Chinese."""
    cool_off = get_cool_off(request)
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        wait = f"请 {minutes} 分钟后再试"
    else:
        wait = "请联系系统管理员解除锁定"
    return (
        f"登录失败次数过多，该账号在本机的登录已被暂时锁定，{wait}；如忘记密码，请联系系统管理员。"
    )


class LoginLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "login_locked_out"

    def __init__(self, request: Any = None) -> None:
        super().__init__(detail=message(request))


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "/api/" in request.path
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out login gets (``AXES_LOCKOUT_CALLABLE``)."""
    text = message(request)
    if _wants_json(request):
        return JsonResponse({"detail": text}, status=429, json_dumps_params={"ensure_ascii": False})
    context = {
        "form": AuthenticationForm(request),
        "lockout": text,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


@receiver(user_locked_out)
def refuse_api_login(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A DRF request (HTTP Basic): refuse with 429 and a Chinese detail."""
    if isinstance(request, Request):
        raise LoginLockedOut(request)


def client_ip(request: Any) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``)."""
    meta = request.META
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return meta.get("REMOTE_ADDR")


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before every login with a request; logins without one (scripts,
    the test client's ``login()``) go to the other backends unchecked."""

    def authenticate(self, request: Any = None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
