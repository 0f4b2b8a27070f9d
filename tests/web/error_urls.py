"""The site's URLs plus a view that fails, to see the production 500 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from zhujian.urls import handler400, handler403, handler404
from zhujian.urls import urlpatterns as site_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *site_patterns]

__all__ = ["handler400", "handler403", "handler404", "urlpatterns"]
