from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from zhujian.ops.health import healthz
from zhujian.web.urls import auth_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *auth_urlpatterns,
    path("admin/", admin.site.urls),
    path("api/lpg/", include("zhujian.domains.lpg.api_urls")),
    path("api/requests/", include("zhujian.requests.api_urls")),
    path("api/", include("zhujian.api.urls")),
    path("report/templates/", include("zhujian.reports.urls")),
    path("report/statistics/", include("zhujian.statistics.urls")),
    path("report/issued/", include("zhujian.reports.issued_urls")),
    path("requests/", include("zhujian.requests.urls")),
    path("hazards/", include("zhujian.hazards.urls")),
    path("exchange/", include("zhujian.exchange.urls")),
    path("lpg/", include("zhujian.domains.lpg.urls")),
    path("housing/", include("zhujian.domains.housing.urls")),
    path("sitemonitor/", include("zhujian.domains.sitemonitor.urls")),
    path("", include("zhujian.web.urls")),
]

# Chinese error pages (templates 400/403/404/500.html; 403_csrf.html for CSRF failures).
handler400 = "zhujian.web.errors.bad_request"
handler403 = "zhujian.web.errors.permission_denied"
handler404 = "zhujian.web.errors.page_not_found"
