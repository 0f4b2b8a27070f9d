"""Responses that show a secret are never stored by a browser or proxy cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from zhujian.core import personal


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``private`` and ``max-age=0``) on every response
    whose view marked its request with :func:`zhujian.core.personal.no_store`: pages, API
    answers and exports that show full personal values, and one-time device tokens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if personal.wants_no_store(request):
            add_never_cache_headers(response)
        return response
