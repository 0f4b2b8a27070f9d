from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from zhujian.ops.health import healthz
from zhujian.web.urls import auth_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *auth_urlpatterns,
    path("admin/", admin.site.urls),
    path("api/", include("zhujian.api.urls")),
    path("report/templates/", include("zhujian.reports.urls")),
    path("hazards/", include("zhujian.hazards.urls")),
    path("", include("zhujian.web.urls")),
]
