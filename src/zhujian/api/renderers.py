"""DRF's browsable API under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.csp import CSP
from rest_framework import renderers


def _with_inline_styles(policy: dict[str, Any]) -> dict[str, Any]:
    return {**policy, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages carry a <style> element and ``style=""`` attributes: on these pages
    only, inline styles are allowed. Scripts stay 'self' only (DRF's are static files)."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            if policy := getattr(settings, "SECURE_CSP", None):
                response._csp_config = _with_inline_styles(policy)
            if policy := getattr(settings, "SECURE_CSP_REPORT_ONLY", None):
                response._csp_ro_config = _with_inline_styles(policy)
        return super().render(data, accepted_media_type, renderer_context)
