"""Error pages in Chinese, and bad query parameters as a 400 rather than a server error.

A page that cannot use a query parameter (a period outside the calendar, an unknown
download format) raises :class:`BadParameter` with a Chinese message;
:class:`BadParameterMiddleware` answers it with the 400 page (or JSON for ``.json`` and
API paths) whatever ``DEBUG`` is, so the demo shows the same message as production.

The handlers for 400/403/404 show the exception's message only when it is one of ours
(Chinese): Django's own (``No Hazard matches the given query.``, ``Resolver404``) are
English and say nothing useful to a user. 500 uses Django's handler, which renders
``500.html`` without touching the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class BadParameter(BadRequest):
    """A query parameter the page cannot use; the message (Chinese) is shown to the user."""


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "/api/" in request.path
        or request.path.endswith(".json")
        or "application/json" in request.headers.get("Accept", "")
    )


def user_message(exception: BaseException | None) -> str:
    """The exception's message if it is meant for users (ours are Chinese), else ""."""
    args = getattr(exception, "args", ())
    text = args[0] if args and isinstance(args[0], str) else ""
    return text if _CHINESE.search(text) else ""


def bad_parameter_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    message = user_message(exception) or "请求参数有误"
    if wants_json(request):
        return JsonResponse(
            {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "400.html", {"message": message}, status=400)


class BadParameterMiddleware:
    """Turn :class:`BadParameter` raised by a view into the 400 page (also with DEBUG on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, BadParameter):
            return bad_parameter_response(request, exception)
        return None


# Django's own refusals of a request as a whole, raised before any view (audit 2: a
# scanner's 53 MB batch got an HTML page saying nothing of why).
_REQUEST_REFUSED = {
    RequestDataTooBig: "请求体过大：请分批上传，或缩小文件",
    TooManyFieldsSent: "请求中的字段过多",
    TooManyFilesSent: "一次上传的文件过多",
}
_DEFAULT = {400: "请求有误", 403: "没有权限", 404: "找不到该页面或记录"}


def _error(request: HttpRequest, exception: BaseException | None, status: int) -> HttpResponse:
    """The Chinese error page, or ``{"detail": …}`` for API and JSON requests (a device or
    script reads JSON, not a page)."""
    message = user_message(exception) or next(
        (text for kind, text in _REQUEST_REFUSED.items() if isinstance(exception, kind)), ""
    )
    if wants_json(request):
        return JsonResponse(
            {"detail": message or _DEFAULT[status]},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, f"{status}.html", {"message": message}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    return _error(request, exception, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: BaseException) -> HttpResponse:
    return _error(request, exception, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: BaseException) -> HttpResponse:
    return _error(request, exception, 404)
